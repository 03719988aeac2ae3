//! The kill soak: a training run SIGKILLed at seeded random moments, each time resumed,
//! finishes equal bit for bit to an uninterrupted run. `make test` kills 3 times;
//! `scripts/kill-soak.sh` (GAN_SOAK_KILLS=20) many more.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

const STEPS: u64 = 240;

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn train_args<'a>(out: &'a str, cfg: &'a str, data: &'a str) -> Vec<&'a str> {
    vec!["--threads", "1", "train", "--preset", "mnist-mlp", "--config", cfg, "--data", data, "--out", out, "--no-progress"]
}

fn weights(run: &Path) -> Vec<Vec<u8>> {
    let dir = run.join(format!("checkpoints/step-{STEPS:08}"));
    ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect()
}

#[test]
fn a_run_killed_at_random_moments_and_resumed_equals_an_uninterrupted_one() {
    let kills = env_or("GAN_SOAK_KILLS", 3);
    let mut seed = env_or("GAN_SOAK_SEED", 1);
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let (data, cfg) = tiny_setup(r);
    std::fs::write(&cfg, TINY.replace("steps = 6", &format!("steps = {STEPS}"))).unwrap();
    let (data, cfg) = (data.to_str().unwrap(), cfg.to_str().unwrap());
    let o = run(&train_args("whole", cfg, data), r);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut killed = 0;
    let lock = r.join("soak/train.lock");
    while killed < kills {
        let mut cmd = gan();
        if r.join("soak/config.toml").exists() {
            cmd.args(["--threads", "1", "train", "--resume", "soak", "--no-progress"]);
        } else {
            cmd.args(train_args("soak", cfg, data));
        }
        let mut child = cmd.current_dir(r).stderr(std::process::Stdio::null()).spawn().unwrap();
        // Wait until it trains (its pid in the lock), then kill it 0-60 ms later.
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::fs::read_to_string(&lock).map_or(true, |s| s.trim() != child.id().to_string()) && child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the trainer never started");
            std::thread::sleep(Duration::from_millis(2));
        }
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        std::thread::sleep(Duration::from_millis((seed >> 33) % 60));
        if child.try_wait().unwrap().is_some() {
            break; // it finished before the kill: nothing left to interrupt
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        killed += 1;
    }
    assert!(killed >= 1, "no kill landed while training");
    let o = run(&["--threads", "1", "train", "--resume", "soak", "--no-progress"], r);
    assert!(o.status.success(), "final resume: {}", stderr(&o));
    eprintln!("kill soak: {killed} SIGKILLs landed (of {kills} asked), seed {}", env_or("GAN_SOAK_SEED", 1));
    assert!(weights(&r.join("soak")) == weights(&r.join("whole")), "after {killed} kills the run differs from the uninterrupted one");
    let steps = |run: &str| gan::run::metrics::read_metrics(&r.join(run).join("metrics.jsonl")).unwrap().iter().map(|m| m.step).collect::<Vec<_>>();
    assert_eq!(steps("soak"), steps("whole"));
}
