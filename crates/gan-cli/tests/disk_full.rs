//! A full disk while a checkpoint is written (injected: `GAN_FAULT_DISK_FULL_IN_CHECKPOINT`
//! fails the write as ENOSPC does): one plain line saying what was being written, that the
//! disk is full and which checkpoint is the last good one; the partial files removed; the
//! run resumes from that checkpoint.

mod common;

use common::*;

#[test]
fn a_full_disk_mid_checkpoint_says_so_in_one_line_and_leaves_the_last_good_checkpoint() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    let (data, cfg) = tiny_setup(r);
    let args = [
        "--threads",
        "1",
        "train",
        "--preset",
        "mnist-mlp",
        "--config",
        cfg.to_str().unwrap(),
        "--data",
        data.to_str().unwrap(),
        "--out",
        "full",
        "--no-progress",
    ];
    let o = gan().args(args).current_dir(r).env("GAN_FAULT_DISK_FULL_IN_CHECKPOINT", "6").output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    let line = err.lines().find(|l| l.starts_with("error:")).unwrap_or_else(|| panic!("{err}"));
    assert!(line.contains("the disk is full: cannot write checkpoint step-00000006") && line.contains("the last good checkpoint is"), "{line}");
    assert!(line.contains("checkpoints/step-00000003"), "{line}");
    assert!(!line.contains("Os {") && !line.contains("IoError"), "no debug dump: {line}");
    let leftovers: Vec<_> = std::fs::read_dir(r.join("full/checkpoints")).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert!(leftovers.iter().all(|n| !n.starts_with(".tmp")), "{leftovers:?}");
    assert_eq!(std::fs::read_to_string(r.join("full/checkpoints/latest")).unwrap().trim(), "step-00000003");
    assert!(!r.join("full/loss.png.tmp").exists());
    let o = run(&["--threads", "1", "train", "--resume", "full", "--no-progress"], r);
    assert!(o.status.success() && stderr(&o).contains("resuming at step 3"), "{}", stderr(&o));
}
