//! Image folders with metadata (the Hugging Face ImageFolder convention) from the command
//! line: a labelled colour folder trains a conditional run on the rows its filter keeps, the
//! run's prompts use the label field's values, transparent pixels train as the background,
//! and bad metadata stops the run with one line naming the file and line.

mod common;

use std::path::Path;

use common::*;

/// `n` 8x8 RGBA images: "red" ones (even) and "blue" ones (odd), each a coloured square on a
/// transparent background; every fourth is in the test split.
fn write_emoji_like(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut meta = String::new();
    for i in 0..n {
        let colour = if i % 2 == 0 { [220, 30, 30, 255] } else { [30, 30, 220, 255] };
        let img = image::RgbaImage::from_fn(8, 8, |x, y| image::Rgba(if (2..6).contains(&x) && (2..6).contains(&y) { colour } else { [0, 0, 0, 0] }));
        img.save(dir.join(format!("{i:03}.png"))).unwrap();
        let (name, split) = (if i % 2 == 0 { "red" } else { "blue" }, if i % 4 == 3 { "test" } else { "train" });
        meta.push_str(&format!("{{\"file_name\": \"{i:03}.png\", \"colour\": \"{name}\", \"split\": \"{split}\", \"text\": \"a {name} square\"}}\n"));
    }
    std::fs::write(dir.join("metadata.jsonl"), meta).unwrap();
}

fn config(dir: &Path, extra: &str) -> String {
    format!(
        r#"
steps = 4
batch_size = 8
conditional = true
log_every = 2
sample_every = 4
checkpoint_every = 4

[data]
kind = "folder"
dir = "{}"
size = 8
label = "colour"
{extra}

[model]
kind = "mlp"
latent_dim = 4
g_hidden = [16]
d_hidden = [16]
d_dropout = 0.0
leaky_slope = 0.2
g_output = "tanh"
ema_half_life = 0
"#,
        dir.display()
    )
}

#[test]
fn a_labelled_folder_trains_a_conditional_run_whose_prompts_name_its_classes() {
    let t = tempfile::tempdir().unwrap();
    write_emoji_like(&t.path().join("squares"), 24);
    std::fs::write(t.path().join("c.toml"), config(&t.path().join("squares"), "filter = { split = \"train\" }")).unwrap();
    let o = run(&["--threads", "1", "train", "--config", "c.toml", "--out", "run", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let saved = std::fs::read_to_string(t.path().join("run/config.toml")).unwrap();
    assert!(saved.contains("label = \"colour\"") && saved.contains("split = \"train\""), "{saved}");
    // The classes are the label's values, sorted: blue, red.
    let o = run(&["sample", "--run", "run", "--prompt", "red", "--n", "2", "--out", "red.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["sample", "--run", "run", "--prompt", "green", "--out", "x.png"], t.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("green") && err.contains("blue") && err.contains("red"), "{err}");
}

#[test]
fn bad_metadata_stops_the_run_with_its_file_and_line() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("squares");
    write_emoji_like(&dir, 8);
    std::fs::remove_file(dir.join("005.png")).unwrap();
    std::fs::write(t.path().join("c.toml"), config(&dir, "")).unwrap();
    let o = run(&["--threads", "1", "train", "--config", "c.toml", "--out", "run", "--no-progress"], t.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("metadata.jsonl line 6") && err.contains("005.png") && err.contains("does not exist"), "{err}");
    assert!(!t.path().join("run").exists(), "a refused run leaves no directory");
    // A label field that no row has names the fields there are.
    std::fs::write(t.path().join("c.toml"), config(&dir, "").replace("label = \"colour\"", "label = \"color\"")).unwrap();
    let o = run(&["--threads", "1", "train", "--config", "c.toml", "--out", "run", "--no-progress"], t.path());
    let err = stderr(&o);
    assert!(err.contains("label field `color`") && err.contains("colour, split, text"), "{err}");
}
