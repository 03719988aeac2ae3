//! TensorBoard event files read back by TensorBoard's own reader (its Python
//! `EventAccumulator`, in the test venv): the scalars equal `metrics.jsonl`, the sample grids
//! are there as images, an evaluation lands at its step, a run resumed after a crash shows
//! each step once, and `[log] tensorboard = false` writes none.

mod common;

use std::path::Path;

use common::*;

const READ: &str = r#"
import json, sys
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
ea = EventAccumulator(sys.argv[1], size_guidance={"scalars": 0, "images": 0})
ea.Reload()
tags = ea.Tags()
print(json.dumps({
    "scalars": {t: [[e.step, e.value] for e in ea.Scalars(t)] for t in tags["scalars"]},
    "images": {t: [[e.step, e.width, e.height] for e in ea.Images(t)] for t in tags["images"]},
}))
"#;

fn read_tb(dir: &Path) -> serde_json::Value {
    let o = std::process::Command::new(python()).arg("-c").arg(READ).arg(dir).output().unwrap();
    assert!(o.status.success(), "the TensorBoard reader failed (scripts/setup-libtorch.sh installs it): {}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * b.abs().max(1e-3)
}

fn scalar(tb: &serde_json::Value, tag: &str) -> Vec<(u64, f64)> {
    let rows = tb["scalars"][tag].as_array().unwrap_or_else(|| panic!("no scalar {tag} in {}", tb["scalars"]));
    rows.iter().map(|r| (r[0].as_u64().unwrap(), r[1].as_f64().unwrap())).collect()
}

#[test]
fn scalars_images_and_evaluations_read_back_once_per_step_after_a_crash() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    std::fs::write(r.join("c.toml"), "checkpoint_every = 10\nlog_every = 5\nsample_every = 10\nsteps = 20\n").unwrap();
    let args = ["--threads", "1", "train", "--preset", "ring8-ns", "--config", "c.toml", "--out", "run", "--no-progress"];
    // Killed while writing its step-20 checkpoint, after logging steps 15 and 20 and the
    // step-20 grid; resumed from step 10, it logs them again.
    let o = gan().args(args).current_dir(r).env("GAN_FAULT_ABORT_IN_CHECKPOINT", "20").output().unwrap();
    assert!(!o.status.success(), "the fault did not fire");
    let o = run(&["--threads", "1", "train", "--resume", "run", "--no-progress"], r);
    assert!(o.status.success() && stderr(&o).contains("resuming at step 10"), "{}", stderr(&o));
    let o = run(&["--threads", "1", "eval", "--run", "run"], r);
    assert!(o.status.success(), "{}", stderr(&o));
    let run_dir = r.join("run");
    let files = std::fs::read_dir(run_dir.join("tb")).unwrap().count();
    assert_eq!(files, 3, "one event file per session and one for the evaluation");
    let tb = read_tb(&run_dir.join("tb"));

    let metrics: Vec<serde_json::Value> =
        std::fs::read_to_string(run_dir.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    for (tag, key) in [("loss/d", "d_loss"), ("loss/g", "g_loss"), ("score/d_real", "d_real"), ("speed/steps_per_sec", "steps_per_sec")] {
        let got = scalar(&tb, tag);
        let want: Vec<(u64, f64)> = metrics.iter().map(|m| (m["step"].as_u64().unwrap(), m[key].as_f64().unwrap())).collect();
        assert_eq!(got.iter().map(|g| g.0).collect::<Vec<_>>(), vec![5, 10, 15, 20], "{tag}: each step once");
        assert!(got.iter().zip(&want).all(|(g, w)| g.0 == w.0 && close(g.1, w.1)), "{tag}: {got:?} against {want:?}");
    }
    let images = tb["images"]["samples"].as_array().unwrap();
    let steps: Vec<u64> = images.iter().map(|i| i[0].as_u64().unwrap()).collect();
    assert_eq!(steps, vec![0, 10, 20]);
    let grid = image::open(run_dir.join("samples/step-00000020.png")).unwrap();
    assert_eq!((images[2][1].as_u64().unwrap(), images[2][2].as_u64().unwrap()), (grid.width() as u64, grid.height() as u64));

    // The evaluation's numbers at the checkpoint's step, equal to eval.json's.
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(run_dir.join("eval.json")).unwrap()).unwrap();
    let mut checked = 0;
    for (tag, rows) in tb["scalars"].as_object().unwrap().iter().filter(|(t, _)| t.starts_with("eval/")) {
        let want = tag.split('/').skip(1).try_fold(&report, |v, k| v.get(k));
        if let Some(want) = want.and_then(|w| w.as_f64()) {
            assert_eq!(rows.as_array().unwrap().len(), 1, "{tag}");
            assert_eq!(rows[0][0].as_u64(), Some(20), "{tag}");
            assert!(close(rows[0][1].as_f64().unwrap(), want), "{tag}: {rows} against {want}");
            checked += 1;
        }
    }
    assert!(checked >= 3, "only {checked} evaluation scalars found: {}", tb["scalars"]);

    // Turned off: no folder, and the evaluation writes none either.
    std::fs::write(r.join("off.toml"), "steps = 5\nlog_every = 5\n[log]\ntensorboard = false\n").unwrap();
    let o = run(&["--threads", "1", "train", "--preset", "ring8-ns", "--config", "off.toml", "--out", "off", "--no-progress"], r);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["--threads", "1", "eval", "--run", "off"], r);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!r.join("off/tb").exists());
    assert!(std::fs::read_to_string(r.join("off/config.toml")).unwrap().contains("tensorboard = false"));
}

#[test]
fn translation_runs_log_their_reconstruction_terms() {
    let t = tempfile::tempdir().unwrap();
    let cfg = "steps = 4\nbatch_size = 4\nlog_every = 2\nsample_every = 4\ncheckpoint_every = 4\n[data]\nkind = \"mnist-thick\"\n[model.generator]\ndepth = 5\nbase = 2\ndropout_levels = 2\n[model.discriminator]\nlayers = 1\nbase = 2\n";
    std::fs::write(t.path().join("p.toml"), cfg).unwrap();
    let o = run(&["--threads", "1", "train", "--preset", "edges2fashion-pix2pix", "--config", "p.toml", "--out", "p", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let tb = read_tb(&t.path().join("p/tb"));
    let metrics: Vec<serde_json::Value> =
        std::fs::read_to_string(t.path().join("p/metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let got = scalar(&tb, "translation/l1");
    assert_eq!(got.len(), metrics.len());
    assert!(got.iter().zip(&metrics).all(|(g, m)| close(g.1, m["translation"]["l1"].as_f64().unwrap())), "{got:?}");
    assert_eq!(tb["images"]["samples"].as_array().unwrap().len(), 2, "the grids of steps 0 and 4");
}
