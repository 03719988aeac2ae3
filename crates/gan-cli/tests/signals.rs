//! Stopping on signals, as a cluster's scheduler does: SIGINT, SIGTERM and a `--stop-signal`
//! finish the step, write a checkpoint, say how to resume and exit 128 + signal; the resumed
//! run equals an uninterrupted one bit for bit; a second signal stops at once; under data
//! parallelism the ranks agree on the step to stop after, whichever of them got the signal.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

const STEPS: u64 = 3000;

fn spawn(r: &Path, out: &str, extra: &[&str]) -> Child {
    let args = ["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "tiny.toml", "--data", "data", "--out", out, "--no-progress"];
    gan().args(args).args(extra).current_dir(r).stderr(Stdio::piped()).spawn().unwrap()
}

/// Waits until `child` trains (its pid in the run's lock), then sends it `signals`, 20 ms
/// apart; returns its exit status and stderr.
fn signal_when_training(r: &Path, out: &str, mut child: Child, signals: &[&str]) -> (i32, String) {
    let lock = r.join(out).join("train.lock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&lock).map_or(true, |s| s.trim() != child.id().to_string()) {
        assert!(Instant::now() < deadline && child.try_wait().unwrap().is_none(), "the trainer never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(100));
    for s in signals {
        let ok = std::process::Command::new("kill").args([&format!("-{s}"), &child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        std::thread::sleep(Duration::from_millis(20));
    }
    let o = child.wait_with_output().unwrap();
    (o.status.code().unwrap_or(-1), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn setup(r: &Path) {
    let (_, cfg) = tiny_setup(r);
    std::fs::write(cfg, TINY.replace("steps = 6", &format!("steps = {STEPS}")).replace("checkpoint_every = 3", "checkpoint_every = 100000")).unwrap();
}

fn weights(run: &Path) -> Vec<Vec<u8>> {
    let dir = run.join(format!("checkpoints/step-{STEPS:08}"));
    ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"].iter().map(|f| std::fs::read(dir.join(f)).unwrap()).collect()
}

#[test]
fn sigint_checkpoints_the_step_and_the_resumed_run_equals_an_uninterrupted_one() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    setup(r);
    let (code, err) = signal_when_training(r, "stopped", spawn(r, "stopped", &[]), &["INT"]);
    assert_eq!(code, 130, "{err}");
    let line = err.lines().find(|l| l.starts_with("stopped by SIGINT at step")).unwrap_or_else(|| panic!("{err}"));
    let step: u64 = line["stopped by SIGINT at step ".len()..].split_whitespace().next().unwrap().parse().unwrap();
    assert!(step > 0 && step < STEPS, "{line}");
    assert!(line.contains(&format!("checkpoints/step-{step:08}")) && line.ends_with("continue with: gan train --resume stopped"), "{line}");
    assert!(r.join(format!("stopped/checkpoints/step-{step:08}/generator.safetensors")).is_file());
    let o = run(&["--threads", "1", "train", "--resume", "stopped", "--no-progress"], r);
    assert!(o.status.success() && stderr(&o).contains(&format!("resuming at step {step}")), "{}", stderr(&o));
    let o = run(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "tiny.toml", "--data", "data", "--out", "whole", "--no-progress"], r);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(weights(&r.join("stopped")) == weights(&r.join("whole")), "the stopped and resumed run differs from an uninterrupted one");
}

#[test]
fn sigterm_and_the_stop_signal_exit_with_their_codes_and_a_second_signal_stops_at_once() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    setup(r);
    let (code, err) = signal_when_training(r, "term", spawn(r, "term", &[]), &["TERM"]);
    assert!(code == 143 && err.contains("stopped by SIGTERM"), "{code}: {err}");
    let (code, err) = signal_when_training(r, "usr1", spawn(r, "usr1", &["--stop-signal", "usr1"]), &["USR1"]);
    assert!(code == 138 && err.contains("stopped by SIGUSR1"), "{code}: {err}");
    // A slow step (the DCGAN at batch 512 on one thread), signalled twice within it: no clean stop.
    let args = ["--threads", "1", "train", "--preset", "mnist-dcgan", "--batch-size", "512", "--out", "slow", "--no-progress"];
    let slow = gan().args(args).current_dir(r).stderr(Stdio::piped()).spawn().unwrap();
    let (code, err) = signal_when_training(r, "slow", slow, &["TERM", "TERM"]);
    assert!(code == 143 && !err.contains("stopped by"), "{code}: {err}");
}

/// The pid of the first rank `leader` started (`--nproc`).
fn first_child(leader: &Child) -> String {
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", leader.id())).unwrap();
    children.split_whitespace().next().expect("rank 1 runs").to_string()
}

#[test]
fn a_signal_to_one_rank_stops_the_whole_group_after_the_same_step() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    setup(r);
    // SIGTERM to rank 1 alone (the leader's child): both stop; the leader checkpoints and says so once.
    let leader = spawn(r, "dp", &["--nproc", "2"]);
    let lock = r.join("dp/train.lock");
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::fs::read_to_string(&lock).map_or(true, |s| s.trim() != leader.id().to_string()) {
        assert!(Instant::now() < deadline, "the group never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert!(std::process::Command::new("kill").args(["-TERM", &first_child(&leader)]).status().unwrap().success());
    let o = leader.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(143), "{err}");
    assert_eq!(err.matches("stopped by SIGTERM at step").count(), 1, "{err}");
    assert!(!err.contains("lost"), "{err}");
    let line = err.lines().find(|l| l.starts_with("stopped by SIGTERM at step")).unwrap();
    let step: u64 = line["stopped by SIGTERM at step ".len()..].split_whitespace().next().unwrap().parse().unwrap();
    assert!(step > 0 && step < STEPS && r.join(format!("dp/checkpoints/step-{step:08}/generator.safetensors")).is_file(), "{line}");
    // Resumed on two ranks, it ends as an uninterrupted two-rank run does.
    let o = run(&["--threads", "1", "train", "--resume", "dp", "--nproc", "2", "--no-progress"], r);
    assert!(o.status.success() && stderr(&o).contains(&format!("resuming at step {step}")), "{}", stderr(&o));
    let args =
        ["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "tiny.toml", "--data", "data", "--out", "whole", "--nproc", "2", "--no-progress"];
    let o = run(&args, r);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(weights(&r.join("dp")) == weights(&r.join("whole")), "the stopped and resumed group differs from an uninterrupted one");
    // SIGINT to the leader alone stops rank 1 too, and the group exits at once with 130.
    let (code, err) = signal_when_training(r, "int", spawn(r, "int", &["--nproc", "2"]), &["INT"]);
    assert!(code == 130 && err.matches("stopped by SIGINT").count() == 1 && !err.contains("lost"), "{code}: {err}");
}
