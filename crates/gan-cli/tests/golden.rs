//! Behaviour pinned across refactors: one short CPU run per preset family (one thread, a fixed
//! seed, the built-in MNIST sample, 6 steps of batch 8, logs every 2 steps, checkpoints every
//! 3), compared with the golden file recorded for it in `tests/golden/`: the SHA-256 of every
//! file under `checkpoints/` and every value of `metrics.jsonl` but the wall-clock speed (the
//! gradient norms to 1e-6 relative, see `same_metrics`).
//!
//! The golden files record the commit they were made at. A change that alters a run on
//! purpose re-records them with `GAN_BLESS=1 cargo nextest run -p gan-cli --test golden` and
//! says why in its commit. ATen's, oneDNN's and MKL's kernel choice is pinned to the plain
//! x86-64 paths, so that the bytes do not depend on which vector units the CPU has.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{gan, stderr};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

const OVERLAY: &str = "log_every = 2\nsample_every = 3\ncheckpoint_every = 3\n";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn golden_path(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(format!("{case}.json"))
}

/// Trains `args` (a preset and its data) as the module describes; returns the run folder.
fn train(case: &str, args: &[&str], tmp: &Path) -> PathBuf {
    let overlay = tmp.join("overlay.toml");
    std::fs::write(&overlay, OVERLAY).unwrap();
    let out = tmp.join(case);
    let both = both_splits(tmp);
    let args: Vec<&str> = args.iter().map(|&a| if a == BOTH { both.to_str().unwrap() } else { a }).collect();
    let o = gan()
        .current_dir(repo())
        .envs([("ATEN_CPU_CAPABILITY", "default"), ("ONEDNN_MAX_CPU_ISA", "SSE41"), ("MKL_CBWR", "COMPATIBLE")])
        .args(["--threads", "1", "train"])
        .args(args)
        .args(["--steps", "6", "--batch-size", "8", "--seed", "3", "--device", "cpu", "--no-progress", "--config"])
        .arg(&overlay)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{case}: {}", stderr(&o));
    out
}

/// Stands for a folder holding the built-in sample as both the train and the test split (the
/// translation runs hold out the test split).
const BOTH: &str = "{train-and-test}";

fn both_splits(tmp: &Path) -> PathBuf {
    let dir = tmp.join("both");
    std::fs::create_dir_all(&dir).unwrap();
    for (split, what) in [("train", "images-idx3"), ("train", "labels-idx1"), ("t10k", "images-idx3"), ("t10k", "labels-idx1")] {
        let to = dir.join(format!("{split}-{what}-ubyte.gz"));
        if !to.exists() {
            std::fs::copy(repo().join(format!("data/mnist-10k/train-{what}-ubyte.gz")), to).unwrap();
        }
    }
    dir
}

/// SHA-256 of every file under `dir`, by path relative to it; in text files the temporary
/// folder and the repository are written `{tmp}` and `{repo}` first (a config names its data).
fn hashes(dir: &Path, tmp: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mut bytes = std::fs::read(&p).unwrap();
                if let Ok(text) = std::str::from_utf8(&bytes) {
                    let (t, r) = (tmp.canonicalize().unwrap(), repo());
                    bytes = text.replace(t.to_str().unwrap(), "{tmp}").replace(r.to_str().unwrap(), "{repo}").into_bytes();
                }
                let digest = Sha256::digest(&bytes);
                let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
                out.insert(p.strip_prefix(dir).unwrap().display().to_string(), hex);
            }
        }
    }
    out
}

/// The records of metrics.jsonl without the wall-clock speed.
fn metrics(run: &Path) -> Vec<Value> {
    std::fs::read_to_string(run.join("metrics.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let mut v: Value = serde_json::from_str(l).unwrap();
            if let Some(o) = v.as_object_mut() {
                o.remove("steps_per_sec");
            }
            v
        })
        .collect()
}

fn check(case: &str, args: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let run = train(case, args, tmp.path());
    let got = json!({"checkpoints": hashes(&run.join("checkpoints"), tmp.path()), "metrics": metrics(&run)});
    let path = golden_path(case);
    if std::env::var_os("GAN_BLESS").is_some() {
        let commit = std::process::Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo()).output().unwrap();
        let commit = String::from_utf8_lossy(&commit.stdout).trim().to_string();
        let record = json!({"recorded_at": commit, "args": args, "checkpoints": got["checkpoints"], "metrics": got["metrics"]});
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap() + "\n").unwrap();
        return;
    }
    let want: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap();
    assert_eq!(got["checkpoints"], want["checkpoints"], "{case}: checkpoint bytes differ from {} (recorded at {})", path.display(), want["recorded_at"]);
    let (ours, theirs) = (got["metrics"].as_array().unwrap(), want["metrics"].as_array().unwrap());
    assert_eq!(ours.len(), theirs.len(), "{case}: metrics.jsonl rows");
    for (row, (o, t)) in ours.iter().zip(theirs).enumerate() {
        assert!(same_metrics(o, t), "{case}: row {row} of metrics differs from {} (recorded at {}):\n{o}\n{t}", path.display(), want["recorded_at"]);
    }
}

/// Whether two metrics records agree: every value equal, except the gradient norms, which
/// must agree to 1e-6 relative. They are float32 sums of squares over every weight's
/// gradient, and libtorch's reduction rounds them differently on CPUs with other vector
/// units even on the pinned kernel paths (seen: one ulp on an AVX-512 FP16 machine, with
/// every checkpoint byte the same).
fn same_metrics(ours: &Value, theirs: &Value) -> bool {
    let (Some(o), Some(t)) = (ours.as_object(), theirs.as_object()) else { return ours == theirs };
    o.len() == t.len()
        && o.iter().all(|(k, a)| match (t.get(k), k.ends_with("grad_norm")) {
            (Some(b), true) => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => (x - y).abs() <= 1e-6 * x.abs().max(y.abs()),
                _ => a == b,
            },
            (Some(b), false) => same_metrics(a, b),
            (None, _) => false,
        })
}

macro_rules! golden {
    ($($name:ident: [$($arg:expr),*];)*) => {
        $(#[test]
        fn $name() {
            check(stringify!($name), &[$($arg),*]);
        })*
    };
}

golden! {
    mlp: ["--preset", "mnist-mlp"];
    dcgan: ["--preset", "mnist-dcgan"];
    wgan_clip: ["--preset", "mnist-wgan-clip"];
    wgan_gp: ["--preset", "fashion-wgan-gp", "--data", "data/mnist-10k"];
    lsgan: ["--preset", "mnist-lsgan"];
    rpgan: ["--preset", "mnist-rpgan"];
    cgan: ["--preset", "mnist-cgan"];
    vae: ["--preset", "mnist-vae"];
    pacgan: ["--preset", "stacked-pacgan2"];
    toy: ["--preset", "ring8-ns"];
    pix2pix: ["--preset", "edges2fashion-pix2pix", "--data", BOTH];
    cyclegan: ["--preset", "mnist-thick-cyclegan"];
}
