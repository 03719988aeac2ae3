//! Two drawing styles as paired and unpaired translation data (`[data] kind = "styles"`):
//! pairs by file name within a split, halves dealt by base so that no thing is drawn on both
//! sides, one-line errors; and on the shipped emoji set, Noto to Twemoji.

mod common;

use std::path::Path;

use gan_data::pairs::{PairSource, Pairing};
use gan_data::Split;

/// Writes `style/NAME.png` (4x4 of one grey level) and the style's metadata for `things`:
/// (file name, base, split, grey).
fn style(root: &Path, style: &str, things: &[(&str, &str, &str, u8)]) {
    let dir = root.join(style);
    std::fs::create_dir_all(&dir).unwrap();
    let mut meta = String::new();
    for (name, base, split, grey) in things {
        image::RgbImage::from_pixel(4, 4, image::Rgb([*grey; 3])).save(dir.join(name)).unwrap();
        meta += &format!("{{\"file_name\": \"{name}\", \"base\": \"{base}\", \"split\": \"{split}\"}}\n");
    }
    std::fs::write(dir.join("metadata.jsonl"), meta).unwrap();
}

fn source(dir: &Path, split: Split, pairing: Pairing) -> PairSource {
    PairSource::Styles { dir: dir.into(), a: "shaded".into(), b: "flat".into(), size: 4, split, pairing }
}

#[test]
fn styles_pair_by_file_name_within_a_split_and_halves_share_no_base() {
    let t = tempfile::tempdir().unwrap();
    let things = [("cat.png", "cat", "train", 10), ("cat-dark.png", "cat", "train", 20), ("dog.png", "dog", "train", 30), ("owl.png", "owl", "test", 40)];
    style(t.path(), "shaded", &things);
    // The flat style draws each one 100 levels lighter, and one thing the shaded style lacks.
    let flat: Vec<_> = things.iter().map(|&(n, b, s, g)| (n, b, s, g + 100)).chain([("ant.png", "ant", "train", 250)]).collect();
    style(t.path(), "flat", &flat);
    let set = source(t.path(), Split::Train, Pairing::Paired).open().unwrap();
    assert!(set.paired);
    assert_eq!((set.a.len(), set.b.len(), set.a.channels), (3, 3, 3));
    // Sorted by file name: cat-dark, cat, dog; every pair is one thing in both styles.
    let first = |d: &gan_data::Dataset| (0..d.len()).map(|i| d.pixels[i * 48]).collect::<Vec<_>>();
    assert_eq!((first(&set.a), first(&set.b)), (vec![20, 10, 30], vec![120, 110, 130]));
    let test = source(t.path(), Split::Test, Pairing::Paired).open().unwrap();
    assert_eq!((first(&test.a), first(&test.b)), (vec![40], vec![140]));
    // Halves: bases cat | dog; both cats on the A side, the dog on the B side.
    let halves = source(t.path(), Split::Train, Pairing::Halves).open().unwrap();
    assert!(!halves.paired);
    assert_eq!((first(&halves.a), first(&halves.b)), (vec![20, 10], vec![130]));
    assert_eq!(source(t.path(), Split::Train, Pairing::Paired).held_out(), Some(source(t.path(), Split::Test, Pairing::Paired)));
}

#[test]
fn a_missing_style_or_no_shared_name_is_one_line() {
    let t = tempfile::tempdir().unwrap();
    style(t.path(), "shaded", &[("cat.png", "cat", "train", 10)]);
    let e = source(t.path(), Split::Train, Pairing::Paired).open().unwrap_err().to_string();
    assert!(e.contains("flat") && e.contains("does not exist") && !e.contains('\n'), "{e}");
    style(t.path(), "flat", &[("dog.png", "dog", "train", 10)]);
    let e = source(t.path(), Split::Train, Pairing::Paired).open().unwrap_err().to_string();
    assert!(e.contains("share no file name") && e.contains("train split"), "{e}");
    let e = source(t.path(), Split::Train, Pairing::Halves).open().unwrap_err().to_string();
    assert!(e.contains("share no file name"), "{e}");
    std::fs::remove_file(t.path().join("flat/metadata.jsonl")).unwrap();
    let e = source(t.path(), Split::Train, Pairing::Paired).open().unwrap_err().to_string();
    assert!(e.contains("flat") && e.contains("metadata.jsonl"), "{e}");
}

/// Noto (google/) to Twemoji (twitter/): every emoji drawn by both, 350 held-out pairs, and
/// truly unpaired halves.
#[test]
fn the_emoji_set_gives_paired_and_unpaired_style_tasks() {
    let Some((shared, _)) = common::emoji("google") else { return };
    let s = |split, pairing| PairSource::Styles { dir: shared.join("emoji"), a: "google".into(), b: "twitter".into(), size: 64, split, pairing };
    let train = s(Split::Train, Pairing::Paired).open().unwrap();
    let test = s(Split::Test, Pairing::Paired).open().unwrap();
    assert_eq!((train.a.len(), test.a.len(), test.b.len(), test.a.height), (3436, 350, 350, 64));
    let halves = s(Split::Train, Pairing::Halves).open().unwrap();
    assert!(halves.a.len() + halves.b.len() == 3436 && halves.a.len() > 1000 && halves.b.len() > 1000, "{} + {}", halves.a.len(), halves.b.len());
    // The two styles differ: the mean absolute difference of a pair is far from 0.
    let diff: f64 = train.a.pixels.iter().zip(&train.b.pixels).map(|(x, y)| (*x as f64 - *y as f64).abs()).sum::<f64>() / train.a.pixels.len() as f64;
    assert!(diff > 5.0, "{diff}");
}
