//! `gan import stylegan2`: files written as rosinality/stylegan2-pytorch (`torch.save`) and
//! NVlabs/stylegan2-ada-pytorch (pickled persistent modules) write them, with seeded random
//! weights (`crates/gan/tests/stylegan2_export.py`), import into runs whose generators draw
//! what the restated reference networks draw, to 1e-4; unknown keys are named; a pickle that
//! calls `os.system` is refused by name and runs nothing.

mod common;

use common::*;
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use tch::{Device, Tensor};

fn relative(got: &Tensor, want: &Tensor) -> f64 {
    assert_eq!(got.size(), want.size());
    ((got - want).abs().max().double_value(&[])) / want.abs().max().double_value(&[]).max(1e-12)
}

#[test]
fn imported_generators_draw_what_the_reference_networks_draw() {
    let t = tempfile::tempdir().unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../gan/tests/stylegan2_export.py");
    let o = std::process::Command::new(python()).arg(&script).arg(t.path()).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let want: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(t.path().join("expected.safetensors")).unwrap().into_iter().collect();
    for (file, run_dir, key) in [("nvlabs.pkl", "nv", "nvlabs"), ("rosinality.pt", "ros", "rosinality")] {
        let o = run(&["import", "stylegan2", file, "--out", run_dir], t.path());
        assert!(o.status.success(), "{file}: {}", stderr(&o));
        let said = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(said.contains("3x32x32 images, z 16, w 24, 3 mapping layers, feature maps min(256 / r, 32)"), "{said}");
        let mut g = TrainedGenerator::load(&t.path().join(run_dir), &CheckpointChoice::Latest, WeightsChoice::Best, Device::Cpu).unwrap();
        let plain = g.generate(&want["z"], None);
        g.truncate_in_w(0.7).unwrap();
        let truncated = g.generate(&want["z"], None);
        for (what, got) in [(key.to_string(), plain), (format!("{key}_psi"), truncated)] {
            let r = relative(&got, &want[&what]);
            assert!(r < 1e-4, "{what}: relative difference {r}");
        }
    }
    let ros = run(&["import", "stylegan2", "rosinality.pt", "--out", "again"], t.path());
    assert!(String::from_utf8_lossy(&ros.stdout).contains("not understood (1): extra.thing"), "{}", String::from_utf8_lossy(&ros.stdout));
    let o = run(&["import", "stylegan2", "rosinality.pt", "--out", "ros"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("already a run directory"), "{}", stderr(&o));

    let o = run(&["import", "stylegan2", "evil.pkl", "--out", "evil"], t.path());
    let err = stderr(&o);
    assert!(!o.status.success() && err.trim().lines().count() == 1, "{err}");
    assert!(err.contains("evil.pkl") && err.contains("refused to call posix.system"), "{err}");
    assert!(!t.path().join("pwned").exists() && !t.path().join("evil").exists());
}

#[test]
fn files_that_are_not_stylegan2_generators_are_refused_in_one_line() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("empty.pt"), b"").unwrap();
    std::fs::write(t.path().join("text.pt"), b"hello").unwrap();
    let script = "import torch, collections; torch.save({'model': collections.OrderedDict(w=torch.ones(2))}, 'other.pt')";
    let o = std::process::Command::new(python()).args(["-c", script]).current_dir(t.path()).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    for (file, says) in [("empty.pt", "truncated"), ("text.pt", "opcode"), ("other.pt", "holds the keys model"), ("missing.pt", "missing.pt")] {
        let o = run(&["import", "stylegan2", file, "--out", "r"], t.path());
        let err = stderr(&o);
        assert!(!o.status.success() && err.trim().lines().count() == 1 && err.contains(file) && err.contains(says), "{file}: {err}");
    }
}
