//! Bad input gets a one-line error naming the culprit and exit code 1, never a panic.

mod common;

use std::path::Path;

use common::*;

/// Runs gan, expects exit 1 and a single stderr line containing every needle.
fn expect_user_error(args: &[&str], cwd: &Path, needles: &[&str]) {
    assert_user_error(&run(args, cwd), args, needles);
}

/// `o` exited 1 with a single stderr line containing every needle.
fn assert_user_error(o: &std::process::Output, args: &[&str], needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(1), "gan {args:?}: {err}");
    assert_eq!(err.trim().lines().count(), 1, "not one line: {err}");
    for n in needles {
        assert!(err.contains(n), "gan {args:?}: {n:?} not in {err:?}");
    }
}

fn train_on(data: &Path, cwd: &Path, needles: &[&str]) {
    expect_user_error(&["train", "--data", data.to_str().unwrap(), "--steps", "1", "--out", "r"], cwd, needles);
}

#[test]
fn truncated_idx() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    write_idx_dir(&d, 10);
    let raw = gan_data::idx::read_maybe_gz(&d.join("train-images-idx3-ubyte.gz")).unwrap();
    std::fs::remove_file(d.join("train-images-idx3-ubyte.gz")).unwrap();
    std::fs::write(d.join("train-images-idx3-ubyte"), &raw[..raw.len() - 100]).unwrap();
    train_on(&d, t.path(), &["train-images-idx3-ubyte", "truncated"]);
}

#[test]
fn wrong_magic() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    write_idx_dir(&d, 10);
    // A label file where the images should be.
    std::fs::copy(d.join("train-labels-idx1-ubyte.gz"), d.join("train-images-idx3-ubyte.gz")).unwrap();
    train_on(&d, t.path(), &["train-images-idx3-ubyte.gz", "magic number 2049", "expected 2051"]);
}

#[test]
fn image_label_count_mismatch() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("d");
    write_idx_dir(&d, 10);
    let labels = gan_data::idx::encode_labels(&[1, 2, 3]);
    gan_data::idx::write_maybe_gz(&d.join("train-labels-idx1-ubyte.gz"), &labels).unwrap();
    train_on(&d, t.path(), &["10 images", "3 labels", "train-labels-idx1-ubyte.gz"]);
}

#[test]
fn missing_directory() {
    let t = tempfile::tempdir().unwrap();
    train_on(&t.path().join("nowhere"), t.path(), &["nowhere", "does not exist"]);
    expect_user_error(&["sample", "--run", "nowhere", "--out", "x.png"], t.path(), &["nowhere", "does not exist"]);
    expect_user_error(&["train", "--resume", "nowhere"], t.path(), &["nowhere"]);
}

#[test]
fn invalid_toml_values_are_all_reported() {
    let t = tempfile::tempdir().unwrap();
    let cfg = t.path().join("bad.toml");
    std::fs::write(&cfg, "batch_size = 0\nd_steps = 0\n[optim.g]\nlr = -0.1\n[loss]\nreal_label = 2.0\n").unwrap();
    expect_user_error(
        &["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--out", "r"],
        t.path(),
        &["bad.toml", "batch_size", "d_steps", "optim.g.lr", "loss.real_label"],
    );
    std::fs::write(&cfg, "[loss]\ngenerator = \"wasserstein-ish\"\n").unwrap();
    expect_user_error(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--out", "r"], t.path(), &["bad.toml", "wasserstein-ish"]);
    std::fs::write(&cfg, "learning_rate = 3\n").unwrap();
    expect_user_error(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--out", "r"], t.path(), &["bad.toml", "learning_rate"]);
    std::fs::write(&cfg, "steps = [\n").unwrap();
    expect_user_error(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--out", "r"], t.path(), &["bad.toml"]);
    assert!(!t.path().join("r").exists(), "no run directory for a rejected config");
}

#[test]
fn unknown_preset() {
    let t = tempfile::tempdir().unwrap();
    expect_user_error(&["train", "--preset", "mnist-dcgan-xl"], t.path(), &["mnist-dcgan-xl", "mnist-mlp"]);
}

#[test]
fn bad_arguments() {
    let t = tempfile::tempdir().unwrap();
    expect_user_error(&["train", "--steps", "ten"], t.path(), &["ten"]);
    expect_user_error(&["train", "--steps", "0", "--out", "r"], t.path(), &["steps"]);
    expect_user_error(&["train", "--batch-size", "20000", "--steps", "1", "--out", "r"], t.path(), &["batch size 20000"]);
    expect_user_error(&["frobnicate"], t.path(), &["frobnicate"]);
    let o = run(&["--help"], t.path());
    assert_eq!(o.status.code(), Some(0));
}

/// `--device cuda` loads the wheel's CUDA backend first (the binary does not link it), so on
/// a machine without a GPU the error is that libtorch sees none, not that torch lacks CUDA or
/// that the backend failed to load; on a machine with one, the run trains.
#[test]
fn device_cuda_loads_the_backend_and_names_a_missing_gpu() {
    let t = tempfile::tempdir().unwrap();
    let args = ["train", "--preset", "ring8-ns", "--steps", "2", "--device", "cuda", "--out", "r", "--no-progress"];
    let o = run(&args, t.path());
    if !o.status.success() {
        assert_user_error(&o, &args, &["--device cuda: libtorch sees no CUDA GPU"]);
        assert!(!t.path().join("r").exists(), "nothing written");
    }
}

/// Output piped into a reader that stops early ends quietly (as `gan presets | head` would),
/// not with an internal error about a failed write.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    let mut child = gan().arg("presets").stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap();
    // The reading end closes before gan has written anything.
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!err.contains("internal error") && !err.contains("Broken pipe"), "{err}");
}
