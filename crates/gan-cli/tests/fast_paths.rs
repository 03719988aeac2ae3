//! The speed options end to end on a tiny DCGAN: `--memory-format channels-last` (weights
//! and activations NHWC through the shim) trains, checkpoints that any layout loads, and
//! resumes after a crash bit for bit; `--precision bf16` is recorded in the run's
//! configuration, kept on resume, refused where it does not apply (the VAE), and trains
//! weights that differ from the f32 run's (so the flag does something) while staying float32
//! on disk; `gan bench --sweep` prints its table and draws its plot.

mod common;

use std::path::Path;

use common::*;

fn ok(args: &[&str], cwd: &Path) -> String {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?} failed: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn weights(run: &Path, step: u64, file: &str) -> Vec<u8> {
    std::fs::read(run.join(format!("checkpoints/step-{step:08}/{file}"))).unwrap()
}

#[test]
fn channels_last_runs_checkpoint_in_the_common_layout_and_resume_exactly() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = digits_setup(t.path(), 48, &tiny_dcgan(""));
    let (data, cfg) = (data.as_str(), cfg.as_str());
    let base = ["--memory-format", "channels-last", "train", "--preset", "mnist-dcgan", "--config", cfg, "--data", data, "--no-progress", "--out"];
    ok(&[&base[..], &["full"]].concat(), t.path());
    let o = gan().args([&base[..], &["crashed"]].concat()).current_dir(t.path()).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "6").output().unwrap();
    assert!(!o.status.success(), "the fault should have killed the run");
    ok(&["--memory-format", "channels-last", "train", "--resume", "crashed", "--no-progress"], t.path());
    for f in ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"] {
        assert!(weights(&t.path().join("full"), 6, f) == weights(&t.path().join("crashed"), 6, f), "{f} differs after resume");
    }
    // The checkpoint loads in the default layout, and samples.
    ok(&["sample", "--run", "full", "--n", "4", "--out", "s.png"], t.path());
    assert!(t.path().join("s.png").is_file());
    // The same run in the default layout reaches the same weights to float rounding.
    let plain = &["train", "--preset", "mnist-dcgan", "--config", cfg, "--data", data, "--no-progress", "--out", "plain"];
    ok(plain, t.path());
    let read = |run: &str| gan::tensors::read(&t.path().join(run).join("checkpoints/step-00000006/generator.safetensors")).unwrap();
    let (a, b) = (read("full"), read("plain"));
    assert_eq!(a.len(), b.len());
    for (name, x) in &a {
        let diff = (x - &b[name]).abs().max().double_value(&[]);
        // Six Adam steps of lr 2e-4 each: rounding noise can flip an update, never more.
        assert!(diff <= 6.0 * 2e-4 + 1e-6, "{name}: {diff}");
    }
}

#[test]
fn bf16_is_recorded_kept_on_resume_and_refused_for_the_vae() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = digits_setup(t.path(), 48, &tiny_dcgan("").replace("steps = 6", "steps = 3"));
    let (data, cfg) = (data.as_str(), cfg.as_str());
    let train = |precision: &str, out: &str| {
        ok(&["train", "--preset", "mnist-dcgan", "--config", cfg, "--data", data, "--no-progress", "--precision", precision, "--out", out], t.path())
    };
    train("bf16", "half");
    train("f32", "full");
    let config = std::fs::read_to_string(t.path().join("half/config.toml")).unwrap();
    assert!(config.contains("precision = \"bf16\""), "{config}");
    assert!(!std::fs::read_to_string(t.path().join("full/config.toml")).unwrap().contains("precision"), "f32 is the default and not written");
    // The weights stay float32 and differ from the f32 run's.
    let g = |run: &str| gan::tensors::read(&t.path().join(run).join("checkpoints/step-00000003/generator.safetensors")).unwrap();
    let (h, f) = (g("half"), g("full"));
    assert!(h.values().all(|t| t.kind() == tch::Kind::Float));
    let moved: f64 = h.iter().map(|(n, x)| (x - &f[n]).abs().max().double_value(&[])).fold(0.0, f64::max);
    assert!(moved > 0.0, "bf16 changed nothing");
    // Resuming keeps bf16; asking for f32 on resume names the field.
    let o = run(&["train", "--resume", "half", "--precision", "f32"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("precision changed"), "{}", stderr(&o));
    let vae = run(&["train", "--preset", "mnist-vae", "--precision", "bf16", "--steps", "1", "--out", "v"], t.path());
    assert_eq!(vae.status.code(), Some(1));
    assert!(stderr(&vae).contains("`precision` = \"bf16\" applies to GANs"), "{}", stderr(&vae));
}

#[test]
fn the_sweep_prints_a_row_per_point_and_draws_the_plot() {
    let t = tempfile::tempdir().unwrap();
    let out =
        ok(&["--threads", "1", "bench", "--sweep", "--sweep-sizes", "28", "--sweep-batches", "2,4", "--sweep-secs", "0", "--plot", "sweep.png"], t.path());
    let rows: Vec<&str> = out.lines().filter(|l| l.starts_with("| 28x28 |")).collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(out.contains("GFLOP/s (2048^3 f32 matmul"), "{out}");
    for r in rows {
        let cells: Vec<f64> = r.split('|').filter_map(|c| c.trim().trim_end_matches('%').parse().ok()).collect();
        assert!(cells.len() == 4 && cells[1] > 0.0 && cells[2] > 0.0, "{r}");
    }
    assert!(image::open(t.path().join("sweep.png")).is_ok());
    let bad = run(&["bench", "--sweep", "--sweep-sizes", "30"], t.path());
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("--sweep-sizes") && stderr(&bad).contains("30"), "{}", stderr(&bad));
}
