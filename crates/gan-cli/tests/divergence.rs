//! The divergence guard: a run whose learning rates blow it up stops with exit code 3, names
//! the step and the weight that went bad, and checkpoints nothing after the divergence.

mod common;

use common::*;

#[test]
fn a_run_that_blows_up_stops_with_exit_3_and_keeps_only_finite_checkpoints() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    // Least squares with learning rate 100 for both networks: finite after step 1, not after.
    let cfg = "checkpoint_every = 1\nlog_every = 5\n[loss]\nkind = \"least-squares\"\n[optim.d]\nlr = 100.0\n[optim.g]\nlr = 100.0\n";
    std::fs::write(r.join("blow.toml"), cfg).unwrap();
    let o = run(&["--threads", "1", "train", "--preset", "ring8-ns", "--config", "blow.toml", "--steps", "300", "--out", "r", "--no-progress"], r);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    let e = stderr(&o);
    let line = e.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("no error line: {e}"));
    assert!(
        line.contains("training diverged at step ") && line.contains("is not finite") && line.contains("the last good checkpoint is r/checkpoints/step-"),
        "{line}"
    );
    let at: u64 = line.split("at step ").nth(1).unwrap().split(':').next().unwrap().parse().unwrap();
    // Every checkpoint left is from before the divergence and holds finite weights only.
    let ckpts: Vec<_> = std::fs::read_dir(r.join("r/checkpoints")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    assert!(!ckpts.is_empty());
    for dir in &ckpts {
        let step: u64 = dir.file_name().unwrap().to_str().unwrap().trim_start_matches("step-").parse().unwrap();
        assert!(step < at, "{} saved at or after the divergence at step {at}", dir.display());
        for f in ["generator.safetensors", "discriminator.safetensors"] {
            for (name, w) in tch::Tensor::read_safetensors(dir.join(f)).unwrap() {
                assert_eq!(w.isfinite().all().int64_value(&[]), 1, "{}/{f}: {name} is not finite", dir.display());
            }
        }
    }
    let latest = std::fs::read_to_string(r.join("r/checkpoints/latest")).unwrap();
    assert!(line.contains(latest.trim()), "{line} vs latest {latest}");
    // The doctor's log ends with the divergence, at the same step.
    let log = std::fs::read_to_string(r.join("r/diagnoses.jsonl")).unwrap();
    let last: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!((last["kind"].as_str(), last["step"].as_u64()), (Some("diverged"), Some(at)), "{log}");
    assert!(e.contains(&format!("doctor: step {at}: training diverged")), "{e}");
}
