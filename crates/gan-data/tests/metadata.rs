//! Image folders with `metadata.jsonl` / `metadata.csv` (the Hugging Face ImageFolder
//! convention): selection, labels, captions, and one error naming the file and line for each
//! kind of bad metadata.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use gan_data::metadata::{Match, Metadata, Scalar, Selection};

fn folder(meta_name: &str, meta: &str, images: &[&str]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for name in images {
        let p = d.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        image::RgbImage::new(4, 4).save(&p).unwrap();
    }
    std::fs::write(d.path().join(meta_name), meta).unwrap();
    d
}

const JSONL: &str = r#"{"file_name": "a.png", "text": "grinning face", "group": "smileys", "skin_tone": [], "split": "train", "keywords": ["face", "grin"]}
{"file_name": "b.png", "text": "waving hand: dark skin tone", "group": "people", "skin_tone": [5], "split": "train", "keywords": ["hand", "wave"]}

{"file_name": "sub/c.png", "text": "cat face", "group": "animals", "skin_tone": [], "split": "test", "keywords": ["cat", "face"]}
{"file_name": "d.png", "text": "people holding hands", "group": "people", "skin_tone": [2, 4], "split": "train", "keywords": ["hand"]}
"#;

fn names(files: &[std::path::PathBuf], root: &Path) -> Vec<String> {
    files.iter().map(|f| f.strip_prefix(root).unwrap().display().to_string()).collect()
}

fn error(dir: &Path, sel: Selection) -> String {
    match Metadata::find(dir).and_then(|m| m.unwrap().select(dir, sel)) {
        Ok(s) => panic!("accepted: {s:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn rows_are_filtered_limited_labelled_and_captioned() {
    let d = folder("metadata.jsonl", JSONL, &["a.png", "b.png", "sub/c.png", "d.png"]);
    let m = Metadata::find(d.path()).unwrap().unwrap();
    assert_eq!(m.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [1, 2, 4, 5]);
    let mut filter = BTreeMap::new();
    filter.insert("split".to_string(), Match::One(Scalar::Text("train".into())));
    let s = m.select(d.path(), Selection { filter: &filter, label: Some("group"), caption: Some("text"), ..Default::default() }).unwrap();
    assert_eq!(names(&s.files, d.path()), ["a.png", "b.png", "d.png"]);
    assert_eq!(s.class_names, ["people", "smileys"]);
    assert_eq!(s.labels.unwrap(), [1, 0, 0]);
    assert_eq!(s.captions.unwrap()[1], "waving hand: dark skin tone");
    // A list of values matches any; a list field matches when it contains the value.
    filter.insert("group".into(), Match::Any(vec![Scalar::Text("people".into()), Scalar::Text("animals".into())]));
    filter.remove("split");
    let s = m.select(d.path(), Selection { filter: &filter, limit: Some(2), caption: Some("keywords"), ..Default::default() }).unwrap();
    assert_eq!(names(&s.files, d.path()), ["b.png", "sub/c.png"]);
    assert_eq!(s.captions.unwrap(), ["hand wave", "cat face"]);
    let mut tone = BTreeMap::new();
    tone.insert("skin_tone".to_string(), Match::One(Scalar::Int(4)));
    assert_eq!(names(&m.select(d.path(), Selection { filter: &tone, ..Default::default() }).unwrap().files, d.path()), ["d.png"]);
    // A one-element list is a label; numbers sort as numbers.
    tone.insert("skin_tone".to_string(), Match::One(Scalar::Int(5)));
    let s = m.select(d.path(), Selection { filter: &tone, label: Some("skin_tone"), ..Default::default() }).unwrap();
    assert_eq!((s.labels.unwrap(), s.class_names), (vec![0], vec!["5".to_string()]));
}

#[test]
fn a_csv_file_works_the_same_way() {
    let csv = "file_name,label,text\na.png,10,\"a, quoted\"\"caption\"\nb.png,9,plain\nc.png,10,third\n";
    let d = folder("metadata.csv", csv, &["a.png", "b.png", "c.png"]);
    let m = Metadata::find(d.path()).unwrap().unwrap();
    let mut filter = BTreeMap::new();
    filter.insert("label".to_string(), Match::Any(vec![Scalar::Int(9), Scalar::Int(10)]));
    let s = m.select(d.path(), Selection { filter: &filter, label: Some("label"), caption: Some("text"), ..Default::default() }).unwrap();
    assert_eq!(s.class_names, ["9", "10"]);
    assert_eq!(s.labels.unwrap(), [1, 0, 1]);
    assert_eq!(s.captions.unwrap()[0], "a, quoted\"caption");
    assert_eq!(m.rows[2].line, 4);
}

#[test]
fn a_folder_without_metadata_has_none() {
    let d = tempfile::tempdir().unwrap();
    assert!(Metadata::find(d.path()).unwrap().is_none());
}

#[test]
fn bad_metadata_is_named_by_file_and_line() {
    let none = BTreeMap::new();
    let all = ["a.png", "b.png", "sub/c.png", "d.png"];
    let cases: Vec<(String, Vec<&str>, Selection, Vec<&str>)> = vec![
        (
            JSONL.replace("\"d.png\"", "\"e.png\""),
            all.to_vec(),
            Selection { filter: &none, ..Default::default() },
            vec!["metadata.jsonl line 5", "e.png", "does not exist"],
        ),
        (
            JSONL.replace("\"b.png\"", "\"a.png\""),
            all.to_vec(),
            Selection { filter: &none, ..Default::default() },
            vec!["line 2", "duplicate file_name", "line 1"],
        ),
        (JSONL.replace("\"file_name\": \"b.png\", ", ""), all.to_vec(), Selection { filter: &none, ..Default::default() }, vec!["line 2", "no file_name"]),
        (
            JSONL.replace("{\"file_name\": \"sub/c.png\"", "{\"file_name\" \"sub/c.png\""),
            all.to_vec(),
            Selection { filter: &none, ..Default::default() },
            vec!["line 4", "invalid JSON"],
        ),
        (JSONL.replace("\"a.png\"", "\"../a.png\""), all.to_vec(), Selection { filter: &none, ..Default::default() }, vec!["line 1", "inside the folder"]),
        (JSONL.replace("\"a.png\"", "5"), all.to_vec(), Selection { filter: &none, ..Default::default() }, vec!["line 1", "file_name must be"]),
        (
            JSONL.into(),
            all.to_vec(),
            Selection { filter: &none, label: Some("colour"), ..Default::default() },
            vec!["metadata.jsonl:", "label field `colour`", "group"],
        ),
        (
            JSONL.replace(", \"group\": \"animals\"", ""),
            all.to_vec(),
            Selection { filter: &none, label: Some("group"), ..Default::default() },
            vec!["line 4", "no `group` field"],
        ),
        (JSONL.into(), all.to_vec(), Selection { filter: &none, label: Some("skin_tone"), ..Default::default() }, vec!["line 1", "holds 0 distinct values"]),
        ("[1, 2]\n".into(), vec![], Selection { filter: &none, ..Default::default() }, vec!["line 1", "not a JSON object"]),
        ("\n\n".into(), vec![], Selection { filter: &none, ..Default::default() }, vec!["metadata.jsonl:", "no rows"]),
    ];
    for (text, images, sel, needles) in cases {
        let d = folder("metadata.jsonl", &text, &images);
        let e = error(d.path(), sel);
        for n in needles {
            assert!(e.contains(n), "{n:?} not in {e:?}");
        }
    }
    // Invalid UTF-8 on the third line.
    let d = folder("metadata.jsonl", "", &[]);
    std::fs::write(d.path().join("metadata.jsonl"), b"{\"file_name\": \"a.png\"}\n{\"file_name\": \"b.png\"}\n{\"file_name\": \"\xff.png\"}\n").unwrap();
    let e = Metadata::find(d.path()).unwrap_err().to_string();
    assert!(e.contains("metadata.jsonl line 3: invalid UTF-8"), "{e}");
    // Both kinds of file.
    std::fs::write(d.path().join("metadata.csv"), "file_name\na.png\n").unwrap();
    assert!(Metadata::find(d.path()).unwrap_err().to_string().contains("both metadata.jsonl and metadata.csv"));
    // A filter nothing passes.
    let d = folder("metadata.jsonl", JSONL, &all);
    let mut filter = BTreeMap::new();
    filter.insert("split".to_string(), Match::One(Scalar::Text("validation".into())));
    assert!(error(d.path(), Selection { filter: &filter, ..Default::default() }).contains("no row passes the filter"));
}

/// The shipped emoji set (`$GAN_SHARED_DATA/emoji`, by default `../shared/data/emoji` beside
/// the checkout; see its README): 3,786 rows, 3,436 of them in the train split, ten groups.
#[test]
fn the_emoji_metadata_reads_as_its_readme_says() {
    let Some((shared, dir)) = common::emoji("twitter") else { return };
    let m = Metadata::find(&dir).unwrap().expect("the emoji set has metadata.jsonl");
    assert_eq!(m.rows.len(), 3786);
    let mut filter = BTreeMap::new();
    filter.insert("split".to_string(), Match::One(Scalar::Text("train".into())));
    let s = m.select(&dir, Selection { filter: &filter, label: Some("group"), caption: Some("text"), ..Default::default() }).unwrap();
    assert_eq!(s.files.len(), 3436);
    assert_eq!(s.class_names.len(), 10);
    assert!(s.class_names.contains(&"smileys & emotion".to_string()));
    filter.insert("group".to_string(), Match::Any(vec![Scalar::Text("people & body".into()), Scalar::Text("smileys & emotion".into())]));
    let faces = m.select(&dir, Selection { filter: &filter, limit: Some(1000), ..Default::default() }).unwrap();
    assert_eq!(faces.files.len(), 1000);
    // The root joins both vendors; the people with one skin tone have five classes.
    let root = shared.join("emoji");
    let both = Metadata::find(&root).unwrap().unwrap();
    assert_eq!(both.rows.len(), 2 * 3786);
    let vendors = both.select(&root, Selection { label: Some("folder"), ..Default::default() }).unwrap();
    assert_eq!(vendors.class_names, ["google", "twitter"]);
    let tones = both.select(&root, Selection { label: Some("skin_tone"), skip_unlabelled: true, ..Default::default() }).unwrap();
    assert_eq!(tones.class_names, ["1", "2", "3", "4", "5"]);
}

/// A folder without metadata of its own joins its subfolders' files (the emoji root joins its
/// two vendors): `file_name` relative to each subfolder, the subfolder's name as `folder`, and
/// errors naming the subfolder's file.
#[test]
fn subfolders_metadata_files_are_joined_with_their_folder_names() {
    let d = tempfile::tempdir().unwrap();
    for (sub, rows) in [("flat", JSONL), ("shaded", "{\"file_name\": \"a.png\", \"group\": \"smileys\", \"folder\": \"own\"}\n")] {
        for name in ["a.png", "b.png", "sub/c.png", "d.png"] {
            let p = d.path().join(sub).join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            image::RgbImage::new(4, 4).save(&p).unwrap();
        }
        std::fs::write(d.path().join(sub).join("metadata.jsonl"), rows).unwrap();
    }
    std::fs::create_dir(d.path().join("no-metadata")).unwrap();
    let m = Metadata::find(d.path()).unwrap().unwrap();
    assert_eq!(m.rows.len(), 5);
    let s = m.select(d.path(), Selection { label: Some("folder"), ..Default::default() }).unwrap();
    assert_eq!(names(&s.files, d.path()), ["flat/a.png", "flat/b.png", "flat/sub/c.png", "flat/d.png", "shaded/a.png"]);
    assert_eq!((s.labels.unwrap(), s.class_names), (vec![0, 0, 0, 0, 1], vec!["flat".to_string(), "own".to_string()]));
    std::fs::remove_file(d.path().join("shaded/a.png")).unwrap();
    let e = error(d.path(), Selection::default());
    assert!(e.contains("shaded/metadata.jsonl line 1") && e.contains("does not exist"), "{e}");
}

/// `skip_unlabelled` passes over rows without exactly one label value; a list of equal values
/// is that value.
#[test]
fn rows_without_one_label_value_can_be_passed_over() {
    let meta = JSONL.to_string() + "{\"file_name\": \"e.png\", \"skin_tone\": [3, 3]}\n";
    let d = folder("metadata.jsonl", &meta, &["a.png", "b.png", "sub/c.png", "d.png", "e.png"]);
    let m = Metadata::find(d.path()).unwrap().unwrap();
    let e = error(d.path(), Selection { label: Some("skin_tone"), ..Default::default() });
    assert!(e.contains("line 1") && e.contains("holds 0 distinct values") && e.contains("unlabelled"), "{e}");
    let s = m.select(d.path(), Selection { label: Some("skin_tone"), skip_unlabelled: true, ..Default::default() }).unwrap();
    assert_eq!(names(&s.files, d.path()), ["b.png", "e.png"]);
    assert_eq!((s.labels.unwrap(), s.class_names), (vec![1, 0], vec!["3".to_string(), "5".to_string()]));
    let mut filter = BTreeMap::new();
    filter.insert("group".to_string(), Match::One(Scalar::Text("smileys".into())));
    let e = error(d.path(), Selection { filter: &filter, label: Some("skin_tone"), skip_unlabelled: true, ..Default::default() });
    assert!(e.contains("no labelled row passes the filter"), "{e}");
}
