//! `gan train` end to end on a tiny data set: the run directory's contents, resuming after
//! a crash in the middle of a checkpoint, and bit-for-bit equality with an uninterrupted run.

mod common;

use std::path::Path;

use common::*;

fn train(args: &[&str], cwd: &Path) {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?} failed: {}", stderr(&o));
}

fn weights(run: &Path, step: u64, file: &str) -> Vec<u8> {
    std::fs::read(run.join(format!("checkpoints/step-{step:08}/{file}"))).unwrap()
}

#[test]
fn run_directory_holds_everything() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_setup(t.path());
    train(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], t.path());
    let run = t.path().join("run");
    for f in [
        "config.toml",
        "metrics.jsonl",
        "loss.png",
        "samples/step-00000000.png",
        "samples/step-00000003.png",
        "samples/step-00000006.png",
        "checkpoints/latest",
    ] {
        assert!(run.join(f).is_file(), "missing {f}");
    }
    for f in ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors", "state.json", "config.toml"] {
        assert!(run.join("checkpoints/step-00000006").join(f).is_file(), "missing checkpoint file {f}");
    }
    assert_eq!(std::fs::read_to_string(run.join("checkpoints/latest")).unwrap().trim(), "step-00000006");
    let metrics = gan::run::metrics::read_metrics(&run.join("metrics.jsonl")).unwrap();
    assert_eq!(metrics.iter().map(|m| m.step).collect::<Vec<_>>(), vec![2, 4, 6]);
    assert!(metrics.iter().all(|m| m.get("d_loss").unwrap().is_finite() && (0.0..=1.0).contains(&m.get("d_real").unwrap())));
    // An 8x8 grid of 8x8 images with 2-pixel borders: 8 * 10 + 2 = 82 pixels square.
    let grid = image::open(run.join("samples/step-00000006.png")).unwrap();
    assert_eq!((grid.width(), grid.height()), (82, 82));
    // The resolved config is complete and loads back.
    let saved = gan::TrainConfig::load(&run.join("config.toml")).unwrap();
    assert_eq!(saved.batch_size, 8);
    // Starting a second run into the same directory is refused.
    let o = common::run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already holds a run"), "{}", stderr(&o));
}

#[test]
fn crash_mid_checkpoint_then_resume_equals_uninterrupted_run_bit_for_bit() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_setup(t.path());
    let base = ["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out"];

    let mut full = base.to_vec();
    full.push("full");
    train(&full, t.path());

    // Abort (as SIGKILL would) while the step-6 checkpoint is half written.
    let mut crash = base.to_vec();
    crash.push("crashed");
    let o = gan().args(&crash).current_dir(t.path()).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "6").output().unwrap();
    assert!(!o.status.success(), "the fault should have killed the run");
    let crashed = t.path().join("crashed");
    assert_eq!(std::fs::read_to_string(crashed.join("checkpoints/latest")).unwrap().trim(), "step-00000003");
    assert!(!crashed.join("checkpoints/step-00000006").exists());

    train(&["train", "--resume", "crashed"], t.path());
    assert_eq!(std::fs::read_to_string(crashed.join("checkpoints/latest")).unwrap().trim(), "step-00000006");
    let full = t.path().join("full");
    for f in ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"] {
        assert!(weights(&full, 6, f) == weights(&crashed, 6, f), "{f} differs after resume");
    }
    // The metrics log continues without duplicates.
    let steps: Vec<u64> = gan::run::metrics::read_metrics(&crashed.join("metrics.jsonl")).unwrap().iter().map(|m| m.step).collect();
    assert_eq!(steps, vec![2, 4, 6]);
}

#[test]
fn sigkill_during_training_then_resume_finishes() {
    let t = tempfile::tempdir().unwrap();
    let (data, _) = tiny_setup(t.path());
    let cfg = t.path().join("long.toml");
    std::fs::write(&cfg, TINY.replace("steps = 6", "steps = 100000").replace("checkpoint_every = 3", "checkpoint_every = 50")).unwrap();
    let mut child = gan()
        .args(["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"])
        .current_dir(t.path())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let latest = t.path().join("run/checkpoints/latest");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !latest.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at = std::fs::read_to_string(&latest).unwrap();
    let at: u64 = at.trim().trim_start_matches("step-").parse().unwrap();
    let target = at + 10;
    train(&["train", "--resume", "run", "--steps", &target.to_string()], t.path());
    let done = std::fs::read_to_string(&latest).unwrap();
    assert_eq!(done.trim(), format!("step-{target:08}"));
}

#[test]
fn resume_refuses_a_changed_config_naming_the_field() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_setup(t.path());
    train(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "run"], t.path());
    let o = run(&["train", "--resume", "run", "--seed", "9"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("seed changed"), "{}", stderr(&o));
    let other = t.path().join("other.toml");
    std::fs::write(&other, "[optim.d]\nlr = 0.5\n").unwrap();
    let o = run(&["train", "--resume", "run", "--config", other.to_str().unwrap()], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("optim.d.lr changed"), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
}

#[test]
fn a_vae_config_written_by_hand_trains_over_the_default_preset() {
    // The default preset is a GAN with its own [loss]; a VAE file without one must not be
    // refused for it, and one with a [loss] table is refused by name.
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write_idx_dir(&r.join("data"), 40);
    let vae = "steps = 4\nbatch_size = 8\n\n[model]\nkind = \"vae\"\nlatent_dim = 4\nencoder_hidden = [16]\ndecoder_hidden = [16]\nleaky_slope = 0.2\n";
    std::fs::write(r.join("vae.toml"), vae).unwrap();
    train(&["train", "--config", "vae.toml", "--data", "data", "--out", "v", "--no-progress"], r);
    let config = std::fs::read_to_string(r.join("v/config.toml")).unwrap();
    assert!(config.contains("kind = \"vae\""), "{config}");
    let metrics = std::fs::read_to_string(r.join("v/metrics.jsonl")).unwrap();
    assert!(metrics.lines().last().unwrap().contains("\"step\":4") && metrics.contains("\"vae\""), "{metrics}");
    std::fs::write(r.join("bad.toml"), format!("{vae}\n[loss]\nkind = \"wasserstein\"\n")).unwrap();
    let o = run(&["train", "--config", "bad.toml", "--data", "data", "--out", "b", "--no-progress"], r);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("bad.toml") && stderr(&o).contains("remove the [loss] table"), "{}", stderr(&o));
}
