//! `[augment] policy`: DiffAugment in a real run. It changes what the networks learn (the
//! weights differ from the same run without it), its draws come from the run's seed (two runs
//! agree byte for byte), and a run resumed from its middle checkpoint ends where the
//! uninterrupted one does.

mod common;

use std::path::Path;

use common::*;

fn train(args: &[&str], cwd: &Path) {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?} failed: {}", stderr(&o));
}

fn generator(run: &Path) -> Vec<u8> {
    std::fs::read(run.join("checkpoints/step-00000006/generator.safetensors")).unwrap()
}

#[test]
fn diffaugment_changes_training_and_is_seeded_and_resumable() {
    let t = tempfile::tempdir().unwrap();
    let (data, _) = tiny_setup(t.path());
    let augmented = format!("{TINY}\n[augment]\npolicy = \"color,translation,cutout\"\n");
    std::fs::write(t.path().join("aug.toml"), &augmented).unwrap();
    std::fs::write(t.path().join("plain.toml"), TINY).unwrap();
    let data = data.to_str().unwrap();
    for (cfg, out) in [("plain.toml", "plain"), ("aug.toml", "a"), ("aug.toml", "b")] {
        train(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", cfg, "--data", data, "--out", out, "--no-progress"], t.path());
    }
    assert!(generator(&t.path().join("a")) != generator(&t.path().join("plain")), "the augmentation changed nothing");
    assert!(generator(&t.path().join("a")) == generator(&t.path().join("b")), "the same seed gave different augmentations");
    let saved = std::fs::read_to_string(t.path().join("a/config.toml")).unwrap();
    assert!(saved.contains("policy = \"color,translation,cutout\""), "{saved}");
    // Resume from step 3 of a copy: the same weights at step 6.
    train(
        &["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "aug.toml", "--data", data, "--out", "c", "--steps", "3", "--no-progress"],
        t.path(),
    );
    train(&["--threads", "1", "train", "--resume", "c", "--steps", "6", "--no-progress"], t.path());
    assert!(generator(&t.path().join("c")) == generator(&t.path().join("a")), "resume changed the augmented run");
}

/// ADA: p is logged as `augment.p`, kept in the checkpoint (`family.json`), and a run resumed
/// between two adjustments (interval 2, checkpoint at step 3) ends with the uninterrupted
/// run's p and weights. With a target of -0.999 every r_t is above it, so p rises by
/// 8 * 2 / 100 = 0.16 at each of the three adjustments.
#[test]
fn ada_adjusts_p_and_a_resumed_run_keeps_it() {
    let t = tempfile::tempdir().unwrap();
    let (data, _) = tiny_setup(t.path());
    let ada = format!("{TINY}\n[augment]\npolicy = \"color,translation\"\n\n[augment.ada]\ninterval = 2\nspeed_kimg = 0.1\ntarget = -0.999\n");
    std::fs::write(t.path().join("ada.toml"), &ada).unwrap();
    let data = data.to_str().unwrap();
    let base = ["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "ada.toml", "--data", data, "--no-progress", "--out"];
    train(&[&base[..], &["full"]].concat(), t.path());
    let p_of = |run: &str, step: u64| {
        let text = std::fs::read_to_string(t.path().join(run).join(format!("checkpoints/step-{step:08}/family.json"))).unwrap();
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["ada"]["p"].as_f64().unwrap()
    };
    let p = p_of("full", 6);
    assert!((p - 0.48).abs() < 1e-9, "{p}");
    assert!((p_of("full", 3) - 0.16).abs() < 1e-9);
    let metrics = gan::run::metrics::read_metrics(&t.path().join("full/metrics.jsonl")).unwrap();
    assert!(metrics.iter().all(|m| m.get("augment.p").is_some()), "augment.p is logged");
    train(&[&base[..], &["cut", "--steps", "3"]].concat(), t.path());
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("cut/checkpoints/step-00000003/family.json")).unwrap()).unwrap();
    assert_eq!(saved["ada"]["pending"].as_array().unwrap().len(), 1, "step 3 is mid-interval: {saved}");
    train(&["--threads", "1", "train", "--resume", "cut", "--steps", "6", "--no-progress"], t.path());
    assert_eq!(p_of("cut", 6), p);
    assert!(generator(&t.path().join("cut")) == generator(&t.path().join("full")), "resume changed the adaptive run");
}
