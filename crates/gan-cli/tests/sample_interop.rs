//! `gan sample` in every format, and interop: PyTorch loads the saved generator into the
//! equivalent `nn.Module` and reproduces the samples for the same z.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn trained_run(root: &Path) -> std::path::PathBuf {
    let (data, cfg) = tiny_setup(root);
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], root);
    assert!(o.status.success(), "{}", stderr(&o));
    root.join("run")
}

#[test]
fn sample_png_idx_and_safetensors() {
    let t = tempfile::tempdir().unwrap();
    trained_run(t.path());
    let o = run(&["sample", "--run", "run", "--n", "10", "--nrow", "5", "--out", "g.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let img = image::open(t.path().join("g.png")).unwrap();
    assert_eq!((img.width(), img.height()), (5 * 10 + 2, 2 * 10 + 2));

    let o = run(&["sample", "--run", "run", "--n", "12", "--seed", "4", "--format", "idx", "--out", "s.idx.gz"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let idx = gan_data::idx::read_images(&t.path().join("s.idx.gz")).unwrap();
    assert_eq!((idx.count, idx.rows, idx.cols), (12, 8, 8));

    // Same seed, same samples; another seed, other samples.
    let a = run(&["sample", "--run", "run", "--seed", "4", "--n", "12", "--format", "idx", "--out", "a.idx"], t.path());
    let b = run(&["sample", "--run", "run", "--seed", "5", "--n", "12", "--format", "idx", "--out", "b.idx"], t.path());
    assert!(a.status.success() && b.status.success());
    let a = gan_data::idx::read_images(&t.path().join("a.idx")).unwrap();
    let b = gan_data::idx::read_images(&t.path().join("b.idx")).unwrap();
    assert_eq!(a, idx);
    assert_ne!(a, b);

    let o = run(&["sample", "--run", "run", "--n", "0", "--out", "x.png"], t.path());
    assert_eq!(o.status.code(), Some(1));
    let o = run(&["sample", "--run", "run", "--out", "no/such/dir/x.png"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no/such/dir"), "{}", stderr(&o));
}

/// More samples than one forward pass takes: generated in chunks, equal (to float rounding)
/// to one pass over all.
#[test]
fn large_samples_are_generated_in_chunks_that_change_no_value() {
    use gan::run::trained::{TrainedGenerator, WeightsChoice, GENERATE_CHUNK};
    let t = tempfile::tempdir().unwrap();
    let run_dir = trained_run(t.path());
    let n = GENERATE_CHUNK * 2 + 37;
    let o = run(&["sample", "--run", "run", "--n", &n.to_string(), "--format", "safetensors", "--out", "big.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let saved: std::collections::HashMap<_, _> = tch::Tensor::read_safetensors(t.path().join("big.safetensors")).unwrap().into_iter().collect();
    assert_eq!(saved["images"].size()[0], n);
    let g = TrainedGenerator::load(&run_dir, &Default::default(), WeightsChoice::Best, tch::Device::Cpu).unwrap();
    let one_pass = tch::no_grad(|| g.forward(&saved["z"], None));
    // Float rounding only: BLAS and oneDNN block a product differently for another batch size
    // (and thread count); f32 sums of hundreds of terms round at 1e-5 to 1e-4 (CI saw 2.7e-5).
    let diff = (one_pass - &saved["images"]).abs().max().double_value(&[]);
    assert!(diff < 1e-4, "chunked and one-pass samples differ by {diff}");
}

/// Samples 16 images with `gan sample` and has PyTorch recompute them from the checkpoint.
fn pytorch_reproduces(root: &Path, run_dir: &Path, model_args: &[&str]) {
    let o = run(&["sample", "--run", run_dir.to_str().unwrap(), "--n", "16", "--seed", "7", "--format", "safetensors", "--out", "s.safetensors"], root);
    assert!(o.status.success(), "{}", stderr(&o));
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop_check.py");
    let out = Command::new(python())
        .arg(&script)
        .arg(run_dir.join("checkpoints/step-00000006/generator.safetensors"))
        .arg(root.join("s.safetensors"))
        .args(["--latent", "8", "--image", "1,8,8"])
        .args(model_args)
        .output()
        .expect("python runs");
    let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "interop check failed: {text}");
    let max_diff: f64 = text.trim().lines().last().unwrap().trim_start_matches("max_abs_diff ").parse().unwrap();
    assert!(max_diff < 1e-5, "{text}");
}

#[test]
fn pytorch_reproduces_samples_from_the_saved_generator() {
    let t = tempfile::tempdir().unwrap();
    let run_dir = trained_run(t.path());
    pytorch_reproduces(t.path(), &run_dir, &["--hidden", "16,32"]);
}

/// A DCGAN generator with BatchNorm: names, running statistics and eval-mode sampling
/// must all match PyTorch's `nn.Sequential` of ConvTranspose2d/BatchNorm2d.
#[test]
fn pytorch_reproduces_dcgan_samples_with_batch_norm_running_stats() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_setup(t.path());
    let dcgan = tiny_dcgan("");
    std::fs::write(&cfg, dcgan).unwrap();
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    pytorch_reproduces(t.path(), &t.path().join("run"), &["--dcgan", "6"]);
}
