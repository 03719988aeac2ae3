//! `gan interpolate` and `gan animate` on a tiny trained run: outputs, consistency with
//! `gan sample`, and one-line errors for bad arguments.

mod common;

use std::path::Path;

use common::*;
use image::AnimationDecoder;

fn trained(root: &Path) {
    let (data, cfg) = tiny_setup(root);
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], root);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn gif_frames(path: &Path) -> Vec<image::Frame> {
    let f = std::io::BufReader::new(std::fs::File::open(path).unwrap());
    image::codecs::gif::GifDecoder::new(f).unwrap().into_frames().collect::<Result<_, _>>().unwrap()
}

#[test]
fn interpolate_writes_a_strip_and_a_looping_gif_starting_at_the_seed() {
    let t = tempfile::tempdir().unwrap();
    trained(t.path());
    let ok = |args: &[&str]| {
        let o = run(args, t.path());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    ok(&["interpolate", "--run", "run", "--from", "3", "--to", "9", "--frames", "5", "--out", "walk.png"]);
    let strip = image::open(t.path().join("walk.png")).unwrap().into_luma8();
    // Five 8x8 images in a row with 2-pixel borders.
    assert_eq!(strip.dimensions(), (5 * 10 + 2, 12));
    // There and back: 5 + 3 frames, each enlarged 4x.
    let frames = gif_frames(&t.path().join("walk.gif"));
    assert_eq!(frames.len(), 8);
    assert_eq!(frames[0].buffer().dimensions(), (32, 32));
    // The first image is `gan sample --seed 3`'s first image, the last `--seed 9`'s.
    ok(&["sample", "--run", "run", "--seed", "3", "--n", "1", "--out", "a.png"]);
    ok(&["sample", "--run", "run", "--seed", "9", "--n", "1", "--out", "b.png"]);
    let cell = |img: &image::GrayImage, x0: u32| -> Vec<u8> {
        (0..8).flat_map(|y| (0..8).map(move |x| (x, y))).map(|(x, y)| img.get_pixel(x0 + x, 2 + y).0[0]).collect()
    };
    let a = image::open(t.path().join("a.png")).unwrap().into_luma8();
    let b = image::open(t.path().join("b.png")).unwrap().into_luma8();
    assert_eq!(cell(&strip, 2), cell(&a, 2));
    assert_eq!(cell(&strip, 42), cell(&b, 2));
    assert_ne!(cell(&a, 2), cell(&b, 2));
    // Lerp and slerp share their ends and differ in between.
    ok(&["interpolate", "--run", "run", "--from", "3", "--to", "9", "--frames", "5", "--mode", "lerp", "--out", "lerp.png"]);
    let lerp = image::open(t.path().join("lerp.png")).unwrap().into_luma8();
    assert_eq!(cell(&lerp, 2), cell(&strip, 2));
    assert_ne!(cell(&lerp, 22), cell(&strip, 22));
}

#[test]
fn animate_turns_sample_grids_into_a_gif() {
    let t = tempfile::tempdir().unwrap();
    trained(t.path());
    let o = run(&["animate", "--run", "run"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    // Grids at steps 0, 3, 6, then the last held for two more frames.
    let frames = gif_frames(&t.path().join("run/training.gif"));
    assert_eq!(frames.len(), 5);
    assert_eq!(frames[0].buffer().dimensions(), (82, 82));
    let o = run(&["animate", "--run", "run", "--scale", "2", "--out", "a.gif"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(gif_frames(&t.path().join("a.gif"))[0].buffer().dimensions(), (164, 164));
}

#[test]
fn bad_arguments_get_one_line_errors() {
    let t = tempfile::tempdir().unwrap();
    trained(t.path());
    std::fs::create_dir_all(t.path().join("empty/samples")).unwrap();
    let cases: [(&[&str], &str); 7] = [
        (&["interpolate", "--run", "run", "--from", "1", "--to", "2", "--frames", "0", "--out", "x.png"], "--frames must be at least 2, got 0"),
        (&["interpolate", "--run", "run", "--from", "1", "--to", "2", "--frames", "1", "--out", "x.png"], "--frames must be at least 2, got 1"),
        (&["interpolate", "--run", "nope", "--from", "1", "--to", "2", "--out", "x.png"], "run directory nope does not exist"),
        (&["interpolate", "--run", "run", "--from", "1", "--to", "2", "--out", "no/dir/x.png"], "no/dir"),
        (&["interpolate", "--run", "run", "--from=-1", "--to", "2", "--out", "x.png"], "--from"),
        (&["animate", "--run", "nope"], "run directory nope does not exist"),
        (&["animate", "--run", "empty"], "holds no sample grids"),
    ];
    for (args, needle) in cases {
        let o = run(args, t.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
}
