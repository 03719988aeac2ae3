//! pytorch-fid's Inception-v3 in tch, checked against pytorch-fid itself (the pip package in
//! the test venv, `inception_reference.py`): the same seeded random weights (real ones
//! cannot be downloaded here), saved by torch as pytorch-fid's file is, read through the
//! Python conversion and from its cached and direct safetensors copies, give the same pool3
//! features and logits to 1e-4 relative on RGB, grey and full-size images; FID and KID on
//! two feature sets agree with pytorch-fid's and torch-fidelity's functions; bad weights
//! files are refused naming the file and the tensor.

use std::path::{Path, PathBuf};

use gan::eval::inception::{weights::WeightsOptions, Inception};
use gan::eval::scores::{fid, kid};
use tch::{Device, Kind, Tensor};

fn python() -> PathBuf {
    std::env::var_os("GAN_PYTHON").map_or_else(|| "python3".into(), PathBuf::from)
}

/// Runs the reference script's `what` part into `dir`.
fn reference(dir: &Path, what: &str) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/inception_reference.py");
    let o = std::process::Command::new(python()).arg(script).arg(dir).arg(what).output().unwrap();
    assert!(
        o.status.success(),
        "inception_reference.py failed (scripts/setup-libtorch.sh installs pytorch-fid and torch-fidelity): {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn read(file: &Path) -> std::collections::HashMap<String, Tensor> {
    Tensor::read_safetensors(file).unwrap().into_iter().collect()
}

/// Largest absolute difference over the largest absolute reference value.
fn rel(a: &Tensor, b: &Tensor) -> f64 {
    let b = b.to_kind(Kind::Double);
    (a.to_kind(Kind::Double) - &b).abs().max().double_value(&[]) / b.abs().max().double_value(&[])
}

fn check(net: &Inception, refs: &std::collections::HashMap<String, Tensor>) {
    for case in ["rgb64", "grey28", "rgb299"] {
        let (f, logits) = tch::no_grad(|| net.forward(&refs[&format!("{case}.images")]));
        assert_eq!(f.size()[1], 2048);
        let (ef, el) = (rel(&f, &refs[&format!("{case}.features")]), rel(&logits, &refs[&format!("{case}.logits")]));
        assert!(ef < 1e-4 && el < 1e-4, "{case}: pool3 off by {ef:e}, logits by {el:e} (relative)");
    }
}

#[test]
fn pool3_features_match_pytorch_fid_through_every_way_of_reading_the_weights() {
    let t = tempfile::tempdir().unwrap();
    reference(t.path(), "network");
    let refs = read(&t.path().join("reference.safetensors"));
    let pth = t.path().join("weights.pth");
    let cache = t.path().join("cache");
    let py = python();
    let opts = WeightsOptions { cache_dir: Some(&cache), python: Some(&py) };

    let net = Inception::load(&pth, &opts, Device::Cpu).unwrap();
    check(&net, &refs);
    assert!(!net.official() && net.describe().contains("not comparable with published FIDs"), "{}", net.describe());
    // Cached under the .pth's hash; read again without Python.
    let copy = cache.join("inception").join(format!("{}.safetensors", &net.sha256[..16]));
    assert!(copy.is_file());
    let nopy = PathBuf::from("/nonexistent/python");
    let cached = Inception::load(&pth, &WeightsOptions { cache_dir: Some(&cache), python: Some(&nopy) }, Device::Cpu).unwrap();
    check(&cached, &refs);
    // A .safetensors copy is read directly; no cache: a temporary copy.
    check(&Inception::load(&copy, &WeightsOptions::default(), Device::Cpu).unwrap(), &refs);
    check(&Inception::load(&pth, &WeightsOptions { cache_dir: None, python: Some(&py) }, Device::Cpu).unwrap(), &refs);

    // Bad files: no Python to read a .pth, not a state dict, a missing tensor, a wrong shape.
    let err =
        |path: &Path, python: &Path| Inception::load(path, &WeightsOptions { cache_dir: None, python: Some(python) }, Device::Cpu).err().unwrap().to_string();
    let e = err(&pth, &nopy);
    assert!(e.contains("weights.pth") && e.contains("GAN_PYTHON"), "{e}");
    let junk = t.path().join("junk.pth");
    std::fs::write(&junk, b"not a pickle").unwrap();
    let e = err(&junk, &py);
    assert!(e.contains("junk.pth") && e.contains("not a PyTorch state dict"), "{e}");
    let named = read(&copy);
    let write = |name: &str, skip: &str, reshape: &str| {
        let p = t.path().join(name);
        let kept: Vec<(String, Tensor)> = named
            .iter()
            .filter(|(k, _)| k.as_str() != skip)
            .map(|(k, v)| (k.clone(), if k == reshape { v.narrow(0, 0, 1000) } else { v.shallow_clone() }))
            .collect();
        Tensor::write_safetensors(&kept, &p).unwrap();
        p
    };
    let e = err(&write("missing.safetensors", "Mixed_6c.branch7x7_2.conv.weight", ""), &py);
    assert!(e.contains("missing.safetensors") && e.contains("has no tensor Mixed_6c.branch7x7_2.conv.weight"), "{e}");
    let e = err(&write("fc1000.safetensors", "", "fc.weight"), &py);
    assert!(e.contains("fc.weight") && e.contains("[1000, 2048]"), "{e}");
}

#[test]
fn fid_and_kid_match_pytorch_fid_and_torch_fidelity() {
    let t = tempfile::tempdir().unwrap();
    reference(t.path(), "scores");
    let f = read(&t.path().join("features.safetensors"));
    let want: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("values.json")).unwrap()).unwrap();
    let (a, b) = (&f["a"], &f["b"]);
    let ours = fid(a, b);
    for key in ["pytorch_fid", "torch_fidelity_fid"] {
        let w = want[key].as_f64().unwrap();
        assert!((ours - w).abs() <= 1e-6 * w, "FID {ours} vs {key} {w}");
    }
    // Subsets as large as the sets: every draw is the whole set, in any order.
    let k = kid(a, b, 3, 1000, 0);
    let w = want["torch_fidelity_kid"].as_f64().unwrap();
    assert!((k.mean - w).abs() <= 1e-9 * w.abs().max(1.0) && k.std < 1e-12, "KID {k:?} vs torch-fidelity {w}");
}
