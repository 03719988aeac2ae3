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
    train(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "aug.toml", "--data", data, "--out", "c", "--steps", "3", "--no-progress"], t.path());
    train(&["--threads", "1", "train", "--resume", "c", "--steps", "6", "--no-progress"], t.path());
    assert!(generator(&t.path().join("c")) == generator(&t.path().join("a")), "resume changed the augmented run");
}
