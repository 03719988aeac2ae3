//! Image-to-image runs end to end, with tiny networks on the built-in mnist-thick task:
//! pix2pix and CycleGAN train, resume after a crash bit for bit (CycleGAN's image pool
//! included), write
//! input | output | target grids, translate files with `gan translate`, and are scored by
//! `gan eval`; bad pairs and impossible set-ups are refused with the file or field named.

mod common;

use std::path::Path;

use common::*;

/// Tiny pix2pix on paired mnist-thick, over the edges2fashion-pix2pix preset.
const PIX2PIX: &str = r#"
steps = 6
batch_size = 4
log_every = 2
sample_every = 3
checkpoint_every = 3
keep_checkpoints = 5

[data]
kind = "mnist-thick"

[model.generator]
depth = 5
base = 2
dropout_levels = 2

[model.discriminator]
layers = 1
base = 2
"#;

/// Tiny CycleGAN over the mnist-thick-cyclegan preset, with a pool smaller than the
/// images seen, so that resuming needs the stored history.
const CYCLEGAN: &str = r#"
steps = 6
batch_size = 4
log_every = 2
sample_every = 3
checkpoint_every = 3
keep_checkpoints = 5

[model]
pool = 6

[model.generator]
base = 2
blocks = 1

[model.discriminator]
base = 2
"#;

fn train(root: &Path, preset: &str, config: &str, out: &str, extra: &[&str]) -> std::process::Output {
    let cfg = root.join(format!("{out}.toml"));
    std::fs::write(&cfg, config).unwrap();
    let mut args = vec!["--threads", "1", "train", "--preset", preset, "--config", cfg.to_str().unwrap(), "--out", out, "--no-progress"];
    args.extend_from_slice(extra);
    run(&args, root)
}

fn weights(run: &Path, step: u64) -> Vec<u8> {
    std::fs::read(run.join(format!("checkpoints/step-{step:08}/generator.safetensors"))).unwrap()
}

#[test]
fn pix2pix_and_cyclegan_resume_bit_for_bit() {
    let t = tempfile::tempdir().unwrap();
    for (preset, config) in [("edges2fashion-pix2pix", PIX2PIX), ("mnist-thick-cyclegan", CYCLEGAN)] {
        let whole = format!("{preset}-whole");
        let o = train(t.path(), preset, config, &whole, &[]);
        assert!(o.status.success(), "{preset}: {}", stderr(&o));
        // The same run killed while writing its step-6 checkpoint, then resumed from step 3.
        let halves = format!("{preset}-crashed");
        let cfg = t.path().join(format!("{whole}.toml"));
        let args = ["--threads", "1", "train", "--preset", preset, "--config", cfg.to_str().unwrap(), "--out", &halves, "--no-progress"];
        let o = gan().args(args).current_dir(t.path()).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "6").output().unwrap();
        assert!(!o.status.success(), "{preset}: the fault did not fire");
        let o = run(&["--threads", "1", "train", "--resume", &halves, "--no-progress"], t.path());
        assert!(o.status.success(), "{preset}: {}", stderr(&o));
        assert!(stderr(&o).contains("resuming at step 3"), "{}", stderr(&o));
        let (a, b) = (t.path().join(&whole), t.path().join(&halves));
        assert!(weights(&a, 6) == weights(&b, 6), "{preset}: the resumed generators differ");
        let disc = |r: &Path| std::fs::read(r.join("checkpoints/step-00000006/discriminator.safetensors")).unwrap();
        assert!(disc(&a) == disc(&b), "{preset}: the resumed discriminators differ");
        let metrics = std::fs::read_to_string(a.join("metrics.jsonl")).unwrap();
        let last: serde_json::Value = serde_json::from_str(metrics.lines().last().unwrap()).unwrap();
        let key = if preset.contains("pix2pix") { "l1" } else { "cycle" };
        assert!(last["translation"][key].as_f64().is_some_and(f64::is_finite), "{last}");
        // Grids: 8 held-out pairs, input | output | target (CycleGAN: both directions).
        let grid = image::open(a.join("samples/step-00000006.png")).unwrap();
        let columns = if preset.contains("pix2pix") { 3 } else { 6 };
        assert_eq!((grid.width(), grid.height()), (2 + columns * 30, 2 + 8 * 30), "{preset}");
        assert!(a.join("loss.png").is_file());
    }
}

#[test]
fn translate_and_eval_a_trained_run() {
    let t = tempfile::tempdir().unwrap();
    let o = train(t.path(), "mnist-thick-cyclegan", CYCLEGAN, "cg", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let inputs = t.path().join("in/sub");
    std::fs::create_dir_all(&inputs).unwrap();
    // A 40x30 colour image: read as grey, resized and centre-cropped to 28x28.
    image::RgbImage::from_fn(40, 30, |x, _| image::Rgb([(x * 6) as u8, 0, 0])).save(inputs.join("a.png")).unwrap();
    image::GrayImage::from_fn(28, 28, |x, y| image::Luma([((x + y) * 4) as u8])).save(t.path().join("in/b.png")).unwrap();
    for direction in ["a2b", "b2a"] {
        let out = format!("out-{direction}");
        let o = run(&["translate", "--run", "cg", "--input", "in", "--out", &out, "--direction", direction], t.path());
        assert!(o.status.success(), "{}", stderr(&o));
        for name in ["sub_a.png", "b.png"] {
            let img = image::open(t.path().join(&out).join(name)).unwrap();
            assert_eq!((img.width(), img.height(), img.color().channel_count()), (28, 28, 1), "{name}");
        }
    }
    let o = run(&["eval", "--run", "cg", "--n", "200"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("cg/eval.json")).unwrap()).unwrap();
    let scores = report["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 2, "{report}");
    for s in scores {
        assert_eq!(s["pairs"], 200);
        for key in ["l1", "ssim", "fid", "class_agreement", "sharpness"] {
            assert!(s[key].as_f64().is_some_and(f64::is_finite), "{key}: {report}");
        }
    }
    // A pix2pix run translates one way only.
    let o = train(t.path(), "edges2fashion-pix2pix", PIX2PIX, "p2p", &["--steps", "1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["translate", "--run", "p2p", "--input", "in/b.png", "--out", "x", "--direction", "b2a"], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("b2a needs a CycleGAN run"), "{}", stderr(&o));
}

#[test]
fn bad_pairs_and_set_ups_are_refused_by_name() {
    let t = tempfile::tempdir().unwrap();
    let png = |p: &Path, w, h| {
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        image::RgbImage::from_fn(w, h, |_, _| image::Rgb([9, 9, 9])).save(p).unwrap();
    };
    png(&t.path().join("pairs/A/1.png"), 16, 16);
    png(&t.path().join("pairs/B/1.png"), 16, 16);
    png(&t.path().join("pairs/A/2.png"), 16, 16);
    let folder = format!("{PIX2PIX}\n").replace("kind = \"mnist-thick\"", "kind = \"folder\"\ndir = \"pairs\"\nsize = 16\nlayout = \"two-folders\"");
    let o = train(t.path(), "edges2fashion-pix2pix", &folder, "bad", &[]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(e.contains("A/2.png") && e.contains("no partner"), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(!t.path().join("bad/config.toml").exists(), "nothing written for bad data");
    // Partners of different sizes.
    png(&t.path().join("pairs/B/2.png"), 32, 32);
    let e = stderr(&train(t.path(), "edges2fashion-pix2pix", &folder, "bad", &[]));
    assert!(e.contains("B/2.png") && e.contains("32x32") && e.contains("16x16"), "{e}");
    // pix2pix needs aligned pairs.
    let unpaired = PIX2PIX.replace("kind = \"mnist-thick\"", "kind = \"mnist-thick\"\npairing = \"halves\"");
    let e = stderr(&train(t.path(), "edges2fashion-pix2pix", &unpaired, "bad", &[]));
    assert!(e.contains("unpaired") && e.contains("cyclegan"), "{e}");
    // The Fashion-MNIST presets need --data.
    let o = run(&["train", "--preset", "edges2fashion-pix2pix", "--out", "bad"], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("pass --data DIR"), "{}", stderr(&o));
    // Flags that mean nothing here.
    let e = stderr(&train(t.path(), "edges2fashion-pix2pix", PIX2PIX, "bad", &["--epochs", "2"]));
    assert!(e.contains("--epochs"), "{e}");
}

/// Translation runs train through the one loop, so they get what it gives every family: the
/// doctor's checks (here a threshold no discriminator passes, so that its diagnosis must
/// appear) and the gradient norms measured at each log line.
#[test]
fn a_translation_run_gets_the_doctor_and_gradient_norms_from_the_loop() {
    let t = tempfile::tempdir().unwrap();
    let config = format!("{PIX2PIX}\n[doctor]\nevery = 2\nwarmup = 0\npatience = 1\nd_fake_floor = 0.999\n");
    let o = train(t.path(), "edges2fashion-pix2pix", &config, "p2p", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let diagnoses = std::fs::read_to_string(t.path().join("p2p/diagnoses.jsonl")).unwrap();
    assert!(diagnoses.contains("discriminator-wins"), "{diagnoses}");
    assert!(stderr(&o).contains("health: unhealthy"), "{}", stderr(&o));
    let metrics = gan::run::metrics::read_metrics(&t.path().join("p2p/metrics.jsonl")).unwrap();
    assert!(metrics.iter().all(|m| m.get("d_grad_norm").is_some_and(|g| g > 0.0) && m.get("g_grad_norm").is_some_and(|g| g > 0.0)), "{metrics:?}");
}

/// The checkpoint's tensors of `file` at `step`, by name.
fn tensors(run: &Path, step: u64, file: &str) -> std::collections::HashMap<String, tch::Tensor> {
    tch::Tensor::read_safetensors(run.join(format!("checkpoints/step-{step:08}/{file}"))).unwrap().into_iter().collect()
}

/// `ema_half_life`: each checkpoint's averaged generator is `beta * previous + (1 - beta) *
/// weights` for every weight (batch-norm statistics copied), with `beta = 0.5 ^ (batch /
/// half_life)`; the grids, resume and `gan translate` use it.
#[test]
fn a_translation_run_averages_its_generators() {
    let t = tempfile::tempdir().unwrap();
    let config = format!(
        "ema_half_life = 8\n{}",
        PIX2PIX.replace("checkpoint_every = 3", "checkpoint_every = 1").replace("keep_checkpoints = 5", "keep_checkpoints = 10")
    );
    let o = train(t.path(), "edges2fashion-pix2pix", &config, "avg", &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let avg = t.path().join("avg");
    let beta = 0.5f64.powf(4.0 / 8.0);
    for step in 2..=6 {
        let (prev, now, raw) = (
            tensors(&avg, step - 1, "generator_ema.safetensors"),
            tensors(&avg, step, "generator_ema.safetensors"),
            tensors(&avg, step, "generator.safetensors"),
        );
        assert_eq!(now.len(), raw.len());
        for (name, avg) in &now {
            let want = if name.contains("running_") || name.contains("num_batches") {
                raw[name].shallow_clone()
            } else {
                &prev[name] * beta + &raw[name] * (1.0 - beta)
            };
            let err = (avg.to_kind(tch::Kind::Double) - want.to_kind(tch::Kind::Double)).abs().max().double_value(&[]);
            assert!(err < 1e-6, "step {step}, {name}: off by {err}");
        }
        assert!(now.iter().any(|(n, v)| !v.equal(&raw[n])), "step {step}: the average equals the weights");
    }
    let config_toml = std::fs::read_to_string(avg.join("config.toml")).unwrap();
    assert!(config_toml.contains("ema_half_life = 8"), "{config_toml}");
    let loaded = gan::run::translator::TrainedTranslator::load(&avg, &Default::default(), tch::Device::Cpu).unwrap();
    assert_eq!(loaded.weights, gan::run::trained::Weights::Ema);
    // Killed while writing step 6 and resumed from step 5, the average is the uninterrupted
    // run's, bit for bit.
    let cfg = t.path().join("avg.toml");
    let args = ["--threads", "1", "train", "--preset", "edges2fashion-pix2pix", "--config", cfg.to_str().unwrap(), "--out", "cut", "--no-progress"];
    let o = gan().args(args).current_dir(t.path()).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "6").output().unwrap();
    assert!(!o.status.success(), "the fault did not fire");
    let o = run(&["--threads", "1", "train", "--resume", "cut", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let file = |r: &str| std::fs::read(t.path().join(r).join("checkpoints/step-00000006/generator_ema.safetensors")).unwrap();
    assert!(file("avg") == file("cut"), "the resumed average differs");
}

/// `--precision bf16` runs the translation networks under bf16 autocast: the run trains with
/// finite scalars close to the float32 run's, and its config records the choice.
#[test]
fn a_translation_run_trains_in_bf16() {
    let t = tempfile::tempdir().unwrap();
    for (out, extra) in [("f32", &[][..]), ("bf16", &["--precision", "bf16"][..])] {
        let o = train(t.path(), "mnist-thick-cyclegan", CYCLEGAN, out, extra);
        assert!(o.status.success(), "{out}: {}", stderr(&o));
    }
    let toml = std::fs::read_to_string(t.path().join("bf16/config.toml")).unwrap();
    assert!(toml.contains("precision = \"bf16\""), "{toml}");
    let read = |r: &str| gan::run::metrics::read_metrics(&t.path().join(r).join("metrics.jsonl")).unwrap();
    let (full, half) = (read("f32"), read("bf16"));
    assert_eq!(full.len(), half.len());
    for (f, h) in full.iter().zip(&half) {
        let (cf, ch) = (f.get("translation.cycle").unwrap(), h.get("translation.cycle").unwrap());
        assert!(ch.is_finite() && (cf - ch).abs() < 0.05 * cf.abs().max(0.1), "step {}: cycle {cf} in f32, {ch} in bf16", f.step);
    }
    assert!(weights(&t.path().join("f32"), 6) != weights(&t.path().join("bf16"), 6), "bf16 changed nothing");
}
