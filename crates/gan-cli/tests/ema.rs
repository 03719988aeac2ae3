//! The generator's moving average end to end: it leaves training unchanged, follows the
//! documented update (recomputed here from every step's saved weights), resumes bit for bit
//! after a crash, is what `gan sample` draws from unless `--raw`, and loads into PyTorch.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::*;
use tch::Tensor;

/// The tiny DCGAN of `common::TINY` (BatchNorm in G, so buffers are copied), with a moving
/// average of half-life 24 images ramped up at 0.5.
fn tiny_ema(root: &Path, extra: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (data, cfg) = tiny_setup(root);
    let dcgan = tiny_dcgan("ema_half_life = 24\nema_rampup = 0.5\n");
    std::fs::write(&cfg, format!("{dcgan}{extra}")).unwrap();
    (data, cfg)
}

fn train(root: &Path, cfg: &Path, data: &Path, out: &str) {
    let o = run(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", out], root);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn load(path: &Path) -> HashMap<String, Tensor> {
    Tensor::read_safetensors(path).unwrap().into_iter().collect()
}

fn file(run: &Path, step: u64, name: &str) -> std::path::PathBuf {
    run.join(format!("checkpoints/step-{step:08}/{name}"))
}

#[test]
fn average_follows_the_documented_update_and_leaves_training_alone() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_ema(t.path(), "");
    // Every step checkpointed, so every step's raw weights are on disk.
    let every =
        std::fs::read_to_string(&cfg).unwrap().replace("checkpoint_every = 3", "checkpoint_every = 1").replace("keep_checkpoints = 5", "keep_checkpoints = 10");
    std::fs::write(&cfg, &every).unwrap();
    train(t.path(), &cfg, &data, "ema");
    let plain = t.path().join("plain.toml");
    std::fs::write(&plain, every.replace("ema_half_life = 24\nema_rampup = 0.5\n", "")).unwrap();
    train(t.path(), &plain, &data, "plain");
    let (ema, plain) = (t.path().join("ema"), t.path().join("plain"));
    for f in ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"] {
        assert!(std::fs::read(file(&ema, 6, f)).unwrap() == std::fs::read(file(&plain, 6, f)).unwrap(), "{f}: the average changed training");
    }
    assert!(!file(&plain, 6, "generator_ema.safetensors").exists());
    // By hand: after update t (1-based) with t-1 steps of 8 images before it,
    // h = min(24, 0.5 * 8 (t - 1)), beta = 0.5^(8 / h); avg_t = beta avg_{t-1} + (1 - beta) w_t.
    let raw: Vec<HashMap<String, Tensor>> = (1..=6).map(|s| load(&file(&ema, s, "generator.safetensors"))).collect();
    let want: HashMap<String, Tensor> = raw[0]
        .keys()
        .map(|name| {
            let mut avg = raw[0][name].copy();
            for (i, w) in raw.iter().enumerate().skip(1) {
                let h = f64::min(24.0, 0.5 * 8.0 * i as f64);
                let beta = 0.5f64.powf(8.0 / h);
                let buffer = name.contains("running_") || name.contains("num_batches");
                avg = if buffer { w[name].copy() } else { &avg * beta + &w[name] * (1.0 - beta) };
            }
            (name.clone(), avg)
        })
        .collect();
    let got = load(&file(&ema, 6, "generator_ema.safetensors"));
    assert_eq!(got.len(), want.len());
    assert!(got.keys().any(|n| n.contains("running_mean")), "BatchNorm buffers are saved");
    for (name, w) in &want {
        let diff = (&got[name] - w).abs().max().double_value(&[]);
        assert!(diff < 1e-6, "{name}: {diff}");
    }
    // Step 1 copies (h = 0), so the average differs from the raw weights only later.
    let g1 = load(&file(&ema, 1, "generator_ema.safetensors"));
    assert!(g1.iter().all(|(n, t)| t.equal(&raw[0][n])));
}

#[test]
fn crash_then_resume_reproduces_the_average_bit_for_bit() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_ema(t.path(), "");
    train(t.path(), &cfg, &data, "full");
    let args = ["--threads", "1", "train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "crashed"];
    let o = gan().args(args).current_dir(t.path()).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "6").output().unwrap();
    assert!(!o.status.success(), "the fault should have killed the run");
    let o = run(&["--threads", "1", "train", "--resume", "crashed"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for f in ["generator.safetensors", "generator_ema.safetensors", "discriminator.safetensors", "optimizer.safetensors"] {
        let (a, b) = (std::fs::read(file(&t.path().join("full"), 6, f)).unwrap(), std::fs::read(file(&t.path().join("crashed"), 6, f)).unwrap());
        assert!(a == b, "{f} differs after resume");
    }
}

#[test]
fn sample_draws_from_the_average_unless_raw_and_pytorch_loads_both() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = tiny_ema(t.path(), "");
    train(t.path(), &cfg, &data, "run");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop_check.py");
    for (flag, weights) in [(None, "generator_ema.safetensors"), (Some("--raw"), "generator.safetensors")] {
        let mut args = vec!["sample", "--run", "run", "--n", "16", "--seed", "7", "--format", "safetensors", "--out", "s.safetensors"];
        args.extend(flag);
        let o = run(&args, t.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let out = std::process::Command::new(python())
            .arg(&script)
            .arg(file(&t.path().join("run"), 6, weights))
            .arg(t.path().join("s.safetensors"))
            .args(["--latent", "8", "--image", "1,8,8", "--dcgan", "6"])
            .output()
            .expect("python runs");
        let text = String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{weights}: {text}");
    }
    let o = run(&["sample", "--run", "run", "--n", "4", "--format", "idx", "--out", "ema.idx"], t.path());
    assert!(o.status.success() && stderr(&o).contains("ema weights"), "{}", stderr(&o));
    let o = run(&["sample", "--run", "run", "--n", "4", "--format", "idx", "--raw", "--out", "raw.idx"], t.path());
    assert!(o.status.success() && stderr(&o).contains("raw weights"), "{}", stderr(&o));
    assert_ne!(std::fs::read(t.path().join("ema.idx")).unwrap(), std::fs::read(t.path().join("raw.idx")).unwrap());
    let o = run(&["eval", "--run", "run", "--n", "20", "--classifier", "mnist"], t.path());
    // 8x8 images cannot be scored by the 28x28 classifier; the error names the shape.
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // A bad ramp-up names the field.
    std::fs::write(
        t.path().join("bad.toml"),
        "[model]\nkind = \"mlp\"\nlatent_dim = 8\ng_hidden = [4]\nd_hidden = [4]\nd_dropout = 0.0\nleaky_slope = 0.2\nema_rampup = -0.1\n",
    )
    .unwrap();
    let o = run(&["train", "--preset", "mnist-mlp", "--config", "bad.toml", "--out", "bad"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("model.ema_rampup must be a positive number, got -0.1"), "{}", stderr(&o));
}
