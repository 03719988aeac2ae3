//! Stacked MNIST end to end: a colour run on stacked digits, and its mode count, whose
//! real-data reference (the same classifier on real stacked images) finds every mode.

mod common;

use common::*;

const TINY_STACKED: &str = r#"
steps = 4
batch_size = 8
log_every = 2
sample_every = 2
checkpoint_every = 2
keep_checkpoints = 2

[data]
kind = "stacked-mnist"
images = 20000
seed = 3

[model]
kind = "dcgan"
latent_dim = 8
g_base = 4
d_base = 4
d_norm = "batch"
"#;

#[test]
fn stacked_run_trains_on_colour_digits_and_counts_modes() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("s.toml"), TINY_STACKED).unwrap();
    let o = run(&["--threads", "1", "train", "--preset", "stacked-dcgan", "--config", "s.toml", "--out", "run", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("stacked MNIST (digits from built-in mnist-10k) (20000 images"), "{}", stderr(&o));
    // 28x28 colour samples in the grid: 8 per row, 2-pixel borders.
    let grid = image::open(t.path().join("run/samples/step-00000004.png")).unwrap();
    assert_eq!((grid.width(), grid.height(), grid.color().channel_count()), (8 * 30 + 2, 8 * 30 + 2, 3));
    let o = run(&["--threads", "1", "eval", "--run", "run", "--n", "10000"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("modes covered") && out.contains("/1000"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("run/eval.json")).unwrap()).unwrap();
    let s = &report["stacked"];
    assert_eq!(s["modes"], 1000);
    assert_eq!(s["real_images"], 10000);
    // Real stacked images, labelled by the shipped classifier (98% accurate per digit): all
    // 1,000 modes appear among 10,000 (each is expected 10 times), and the histogram is as
    // flat as multinomial noise allows (E[KL] ~ 999 / 20000 = 0.05).
    assert!(s["real_covered"].as_u64().unwrap() >= 995, "{s}");
    assert!(s["real_kl_uniform"].as_f64().unwrap() < 0.1, "{s}");
    // Four steps of a tiny generator are nowhere near that.
    assert!(s["covered"].as_u64().unwrap() < 900 && s["kl_uniform"].as_f64().unwrap() > 0.5, "{s}");
    assert_eq!(s["channel_kl"].as_array().unwrap().len(), 3);
    assert!(report.get("features").is_none(), "grey feature-space scores do not apply to colour digits");
}

#[test]
fn stacked_data_errors_name_the_field_and_the_folder() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("zero.toml"), TINY_STACKED.replace("images = 20000", "images = 0")).unwrap();
    let o = run(&["train", "--preset", "stacked-dcgan", "--config", "zero.toml", "--out", "r"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("data.images must be between 1 and"), "{}", stderr(&o));
    // Digits without labels cannot be counted as modes.
    let d = t.path().join("nolabels");
    write_labelled_28(&d, 30, false);
    std::fs::remove_file(d.join("train-labels-idx1-ubyte.gz")).unwrap();
    let cfg = TINY_STACKED.replace("seed = 3", &format!("seed = 3\ndir = \"{}\"", d.display()));
    std::fs::write(t.path().join("nolabels.toml"), cfg).unwrap();
    let o = run(&["train", "--preset", "stacked-dcgan", "--config", "nolabels.toml", "--out", "r2"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nolabels") && stderr(&o).contains("labels"), "{}", stderr(&o));
}
