//! The GAN doctor on real training: a collapsing toy run is diagnosed while it trains, a
//! discriminator that wins against a frozen generator is named, the R1 toy recipe trains
//! without a false alarm, and `gan doctor` reports after the fact (with or without the
//! diagnoses log of newer runs).

mod common;

use std::path::Path;

use common::*;

fn diagnoses(run: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(run.join("diagnoses.jsonl")).unwrap();
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn doctor_json(run: &Path, cwd: &Path) -> serde_json::Value {
    let o = run_gan(&["doctor", run.to_str().unwrap(), "--json"], cwd);
    serde_json::from_slice(&o.stdout).unwrap()
}

fn run_gan(args: &[&str], cwd: &Path) -> std::process::Output {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?}: {}", stderr(&o));
    o
}

/// ring8 with the saturating minimax loss collapses onto a few modes: the doctor says so
/// within 1,500 steps (it looks every 250 steps and needs two checks in a row; measured: at
/// step 750 on 2 threads, 1,250 on one).
#[test]
fn a_collapsing_toy_run_is_diagnosed_while_it_trains() {
    let t = tempfile::tempdir().unwrap();
    let o = run_gan(&["--threads", "1", "train", "--preset", "ring8-minimax", "--steps", "2000", "--out", "r", "--no-progress"], t.path());
    let e = stderr(&o);
    let first = diagnoses(&t.path().join("r")).into_iter().find(|d| d["kind"] == "mode-collapse").unwrap_or_else(|| panic!("no collapse: {e}"));
    assert!(first["step"].as_u64().unwrap() <= 1500, "{first}");
    assert!(first["evidence"].as_str().unwrap().contains("of 8 modes covered"), "{first}");
    assert!(e.contains("doctor: step ") && e.contains("mode collapse since step") && e.contains("PacGAN"), "{e}");
    assert!(e.contains("health: unhealthy: mode collapse"), "{e}");
    let report = doctor_json(&t.path().join("r"), t.path());
    assert_eq!((report["healthy"].as_bool(), report["source"].as_str()), (Some(false), Some("recorded")), "{report}");
    // An older run without the diagnoses log: the doctor checks the samples of its checkpoint.
    std::fs::remove_file(t.path().join("r/diagnoses.jsonl")).unwrap();
    let report = doctor_json(&t.path().join("r"), t.path());
    assert_eq!(report["source"].as_str(), Some("metrics"));
    assert_eq!(report["now"][0]["kind"].as_str(), Some("mode-collapse"), "{report}");
}

/// A generator that cannot learn (learning rate 1e-9) loses to its discriminator: D(G(z))
/// falls below 0.05 and the doctor names it.
#[test]
fn a_discriminator_that_wins_is_named() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("frozen.toml"), "[optim.g]\nlr = 1e-9\n").unwrap();
    let o =
        run_gan(&["--threads", "1", "train", "--preset", "ring8-ns", "--config", "frozen.toml", "--steps", "1000", "--out", "r", "--no-progress"], t.path());
    let d = diagnoses(&t.path().join("r"));
    let wins = d.iter().find(|d| d["kind"] == "discriminator-wins").unwrap_or_else(|| panic!("{d:?}: {}", stderr(&o)));
    assert!(wins["evidence"].as_str().unwrap().contains("mean D(G(z))"), "{wins}");
    assert!(wins["advice"].as_str().unwrap().contains("label smoothing"), "{wins}");
}

/// The R1 recipe covers the ring: no diagnosis in 2,000 steps (8 checks), and `gan doctor`
/// agrees.
#[test]
fn the_r1_toy_recipe_trains_without_a_false_alarm() {
    let t = tempfile::tempdir().unwrap();
    let o = run_gan(&["--threads", "1", "train", "--preset", "ring8-ns-r1", "--steps", "2000", "--out", "r", "--no-progress"], t.path());
    assert!(diagnoses(&t.path().join("r")).is_empty());
    assert!(stderr(&o).contains("health: healthy (8 checks, no diagnosis)"), "{}", stderr(&o));
    let out = String::from_utf8(run_gan(&["doctor", "r"], t.path()).stdout).unwrap();
    assert!(out.starts_with("r: healthy") && out.contains("no diagnosis") && out.contains("the generator at step 2000: no finding"), "{out}");
}
