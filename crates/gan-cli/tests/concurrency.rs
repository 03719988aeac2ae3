//! Looking at a run while it trains: readers never disturb the training process, and a second
//! training process on the same run is refused while the first holds the run's lock.

mod common;

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Starts `gan train` on the ring8-ns preset in `root/r`, checkpointing every step.
fn start_training(root: &Path, steps: u64) -> Child {
    std::fs::write(root.join("c.toml"), "checkpoint_every = 1\nlog_every = 50\nsample_every = 100000\n").unwrap();
    gan()
        .args(["--threads", "1", "train", "--preset", "ring8-ns", "--config", "c.toml", "--steps", &steps.to_string(), "--out", "r", "--no-progress"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn wait_for(path: &Path) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} never appeared", path.display());
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn sampling_in_a_loop_beside_a_run_that_checkpoints_every_step_disturbs_neither() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let mut train = start_training(r, 600);
    wait_for(&r.join("r/checkpoints/latest"));
    let (mut ok, mut retry) = (0, 0);
    while train.try_wait().unwrap().is_none() {
        let o = run(&["--threads", "1", "sample", "--run", "r", "--n", "16", "--out", "s.png"], r);
        if o.status.success() {
            ok += 1;
        } else {
            // The only acceptable failure: the checkpoint moved on faster than we read it.
            assert!(stderr(&o).contains("retry") && o.status.code() == Some(1), "a reader failed: {}", stderr(&o));
            retry += 1;
        }
    }
    let out = train.wait_with_output().unwrap();
    assert!(out.status.success(), "training died beside the readers: {}", String::from_utf8_lossy(&out.stderr));
    assert!(ok >= 3, "only {ok} samples succeeded ({retry} asked to retry) while the run trained");
    assert_eq!(std::fs::read_to_string(r.join("r/checkpoints/latest")).unwrap().trim(), "step-00000600");
    // Nothing a reader could have left, and pruning kept the newest two.
    let names: Vec<String> = std::fs::read_dir(r.join("r/checkpoints")).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, vec!["latest", "step-00000599", "step-00000600"]);
}

#[test]
fn a_second_trainer_is_refused_naming_the_first_and_a_killed_holder_frees_the_lock() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let mut first = start_training(r, 1_000_000);
    let lock = r.join("r/train.lock");
    let pid = first.id().to_string();
    let deadline = Instant::now() + Duration::from_secs(120);
    while std::fs::read_to_string(&lock).map_or(true, |s| s.trim() != pid) {
        assert!(Instant::now() < deadline, "the trainer never wrote its pid into {}", lock.display());
        std::thread::sleep(Duration::from_millis(10));
    }
    let o = run(&["train", "--resume", "r", "--no-progress"], r);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("run r is being trained by process {pid}")), "{}", stderr(&o));
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));
    wait_for(&r.join("r/checkpoints/latest"));
    first.kill().unwrap(); // SIGKILL: the kernel drops the lock with the process
    first.wait().unwrap();
    let done = std::fs::read_to_string(r.join("r/checkpoints/latest")).unwrap();
    let at: u64 = done.trim().trim_start_matches("step-").parse().unwrap();
    let o = run(&["--threads", "1", "train", "--resume", "r", "--steps", &(at + 2).to_string(), "--no-progress"], r);
    assert!(o.status.success(), "resume after SIGKILL: {}", stderr(&o));
}
