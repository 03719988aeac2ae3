//! Shared helpers of the library's integration tests: a tiny colour image folder and the
//! bytes of a checkpoint's files (for bit-for-bit resume checks), variables in a fixed order.
#![allow(dead_code)]

use std::path::Path;

/// `n` 8x8 RGB PNGs of gradients in `dir` (created), a different one each.
pub fn write_gradient_pngs(dir: &Path, n: u32) {
    std::fs::create_dir_all(dir).unwrap();
    for i in 0..n {
        let img = image::RgbImage::from_fn(8, 8, |x, y| image::Rgb([(x * 30 + i * 7) as u8, (y * 30) as u8, (i * 20) as u8]));
        img.save(dir.join(format!("{i:02}.png"))).unwrap();
    }
}

/// The bytes of `files` in `run`'s checkpoint of `step`.
pub fn checkpoint_files(run: &Path, step: u64, files: &[&str]) -> Vec<Vec<u8>> {
    let dir = run.join(format!("checkpoints/step-{step:08}"));
    files.iter().map(|f| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(f).display()))).collect()
}

/// A var store's variables in name order (its map has none): seeded draws over them give the
/// same weights in every process.
pub fn sorted_variables(vs: &tch::nn::VarStore) -> Vec<(String, tch::Tensor)> {
    let mut vars: Vec<(String, tch::Tensor)> = vs.variables().into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    vars
}

/// What a PyTorch reference script at `script` (relative to the workspace root) writes to the
/// safetensors file it is given.
pub fn python_reference(script: &str) -> std::collections::HashMap<String, tch::Tensor> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reference.safetensors");
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(script);
    let o = std::process::Command::new(&python).arg(script).arg(&out).output().expect("run the PyTorch reference (set GAN_PYTHON)");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    tch::Tensor::read_safetensors(&out).unwrap().into_iter().collect()
}

/// Copies `net/<torch name>` into every variable of `vs` (in float64; named by `torch_name`),
/// checking that both sides hold exactly the same tensors.
pub fn load_by_name(vs: &mut tch::nn::VarStore, all: &std::collections::HashMap<String, tch::Tensor>, net: &str, torch_name: impl Fn(&str) -> String) {
    vs.double();
    let mut theirs: Vec<&String> = all.keys().filter(|k| k.starts_with(&format!("{net}/")) && !k.ends_with("/input") && !k.ends_with("/output")).collect();
    theirs.sort();
    let mut mapped = Vec::new();
    for (ours, mut var) in vs.variables() {
        let (base, field) = ours.rsplit_once('.').unwrap();
        let name = format!("{net}/{}.{field}", torch_name(base));
        let src = all.get(&name).unwrap_or_else(|| panic!("{ours} -> {name}: not in the PyTorch state dict"));
        assert_eq!(var.size(), src.size(), "{ours} vs {name}");
        tch::no_grad(|| var.copy_(src));
        mapped.push(name);
    }
    mapped.sort();
    assert_eq!(mapped.iter().collect::<Vec<_>>(), theirs, "{net}: the two sides hold different tensors");
}

/// The two agree to 1e-10 (float64).
pub fn assert_close(ours: &tch::Tensor, theirs: &tch::Tensor, what: &str) {
    assert_eq!(ours.size(), theirs.size(), "{what}");
    let diff = (ours - theirs).abs().max().double_value(&[]);
    assert!(diff < 1e-10, "{what}: max difference {diff}");
}
