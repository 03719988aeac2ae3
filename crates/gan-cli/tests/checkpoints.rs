//! Choosing a checkpoint: `keep_every` keeps milestones, `gan checkpoints` lists them,
//! `--checkpoint STEP|PATH` loads one, and resuming from an older one sets the newer aside.

mod common;

use std::path::Path;

use common::*;

fn ok(args: &[&str], cwd: &Path) -> (String, String) {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?}: {}", stderr(&o));
    (String::from_utf8_lossy(&o.stdout).into_owned(), stderr(&o))
}

fn read(p: impl AsRef<Path>) -> Vec<u8> {
    std::fs::read(p).unwrap()
}

#[test]
fn milestones_are_kept_listed_loaded_and_resumed_from() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    std::fs::write(r.join("c.toml"), "checkpoint_every = 10\nlog_every = 5\nkeep_checkpoints = 2\nkeep_every = 20\n").unwrap();
    ok(&["--threads", "1", "train", "--preset", "ring8-ns", "--config", "c.toml", "--steps", "60", "--out", "r", "--no-progress"], r);
    let (table, _) = ok(&["checkpoints", "r"], r);
    let steps: Vec<&str> = table.lines().skip(1).map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(steps, vec!["20", "40", "50", "60"], "{table}");
    assert!(table.lines().last().unwrap().ends_with("<- latest") && table.contains("MB"), "{table}");
    let (_, e) = ok(&["sample", "--run", "r", "--checkpoint", "20", "--n", "4", "--out", "a.png"], r);
    assert!(e.contains("step-00000020 (step 20"), "{e}");
    let (_, e) = ok(&["sample", "--run", "r", "--checkpoint", "r/checkpoints/step-00000040", "--n", "4", "--out", "b.png"], r);
    assert!(e.contains("(step 40"), "{e}");
    let o = run(&["sample", "--run", "r", "--checkpoint", "30", "--n", "4", "--out", "c.png"], r);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("step-00000030: is not a complete checkpoint of r (its checkpoints: steps 20, 40, 50, 60)"), "{}", stderr(&o));
    ok(&["eval", "--run", "r", "--checkpoint", "20", "--n", "100"], r);
    assert!(std::fs::read_to_string(r.join("r/eval.json")).unwrap().contains("\"step\": 20"));
    // Continue from step 40: 50 and 60 move aside, and training them again gives the same
    // weights (the run is a function of its seed and step).
    let before = read(r.join("r/checkpoints/step-00000060/generator.safetensors"));
    ok(&["--threads", "1", "train", "--resume", "r", "--checkpoint", "40", "--no-progress"], r);
    for s in ["50", "60"] {
        assert!(r.join(format!("r/checkpoints/superseded/step-000000{s}/state.json")).is_file(), "step {s} not set aside");
    }
    assert_eq!(read(r.join("r/checkpoints/step-00000060/generator.safetensors")), before);
    let logged: Vec<u64> = gan::run::metrics::read_metrics(&r.join("r/metrics.jsonl")).unwrap().iter().map(|m| m.step).collect();
    assert_eq!(logged, (1..=12).map(|i| i * 5).collect::<Vec<_>>());
    let o = run(&["train", "--resume", "r", "--checkpoint", "45", "--no-progress"], r);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let o = run(&["train", "--checkpoint", "40", "--steps", "1", "--out", "x"], r);
    assert_eq!(o.status.code(), Some(1), "--checkpoint without --resume: {}", stderr(&o));
    assert!(stderr(&o).contains("add --resume") && !r.join("x").exists(), "{}", stderr(&o));
}
