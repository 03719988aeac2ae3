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
