//! `gan bench --model pix2pix | cyclegan` times its step (the preset's batch unless one is
//! given) and refuses what it cannot time; the PyTorch reference runs the same models.

mod common;

use common::*;

#[test]
fn translation_steps_are_timed_on_both_sides() {
    let t = tempfile::tempdir().unwrap();
    for (model, batch) in [("pix2pix", 64), ("cyclegan", 16)] {
        let o = run(&["--threads", "1", "bench", "--model", model, "--steps", "1", "--warmup", "0", "--json"], t.path());
        assert!(o.status.success(), "{model}: {}", stderr(&o));
        let r: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!((r["model"].as_str(), r["batch_size"].as_u64()), (Some(model), Some(batch)));
        assert!(r["steps_per_sec"].as_f64().is_some_and(|s| s > 0.0), "{r}");
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../bench/reference.py");
        let o = std::process::Command::new(python())
            .args([script, "--model", model, "--style", "tuned", "--steps", "1", "--warmup", "0", "--threads", "1", "--batch-size", "4"])
            .output()
            .unwrap();
        assert!(o.status.success(), "{model}: {}", String::from_utf8_lossy(&o.stderr));
        let r: serde_json::Value = serde_json::from_slice(o.stdout.trim_ascii()).unwrap();
        assert_eq!(r["batch_size"].as_u64(), Some(4), "{r}");
    }
    let o = run(&["bench", "--model", "cyclegan", "--precision", "bf16"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("f32 only"), "{}", stderr(&o));
    let o = run(&["bench", "--model", "pix2pix", "--dump-step", "d"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--dump-step covers the GAN steps") && !t.path().join("d").exists(), "{}", stderr(&o));
}
