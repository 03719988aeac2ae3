//! Shared helpers for the CLI's integration tests: tiny data sets, tiny configs, and
//! running the `gan` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use gan_data::idx::{encode_images, encode_labels, write_maybe_gz, IdxImages};

pub fn gan() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_gan"));
    c.env_remove("GAN_FAULT_ABORT_IN_CHECKPOINT");
    c
}

pub fn run(args: &[&str], cwd: &Path) -> Output {
    gan().args(args).current_dir(cwd).output().expect("gan runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `n` deterministic pseudo-random 8x8 grey images with labels, as `train-*` IDX files.
pub fn write_idx_dir(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut s = 12345u32;
    let pixels = (0..n * 64)
        .map(|_| {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (s >> 16) as u8
        })
        .collect();
    let images = IdxImages { count: n, rows: 8, cols: 8, pixels };
    write_maybe_gz(&dir.join("train-images-idx3-ubyte.gz"), &encode_images(&images)).unwrap();
    let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
    write_maybe_gz(&dir.join("train-labels-idx1-ubyte.gz"), &encode_labels(&labels)).unwrap();
}

/// A tiny MLP GAN on the data in `data`: 6 steps of batch 8, checkpoints every 3 steps.
/// Over `--preset mnist-mlp`, it is the plain 2014 GAN (no R1, no moving average).
pub const TINY: &str = r#"
steps = 6
batch_size = 8
log_every = 2
sample_every = 3
checkpoint_every = 3
keep_checkpoints = 5

[model]
kind = "mlp"
latent_dim = 8
g_hidden = [16, 32]
d_hidden = [32, 16]
ema_half_life = 0

[loss.lipschitz]
kind = "none"
"#;

/// [`TINY`] with a tiny DCGAN pair (BatchNorm in both) instead of the MLPs, its `[model]`
/// table ending in `model_lines` (say `ema_half_life = 24`; empty keeps the preset's).
pub fn tiny_dcgan(model_lines: &str) -> String {
    let mlp = "kind = \"mlp\"\nlatent_dim = 8\ng_hidden = [16, 32]\nd_hidden = [32, 16]\nema_half_life = 0\n";
    assert!(TINY.contains(mlp));
    TINY.replace(mlp, &format!("kind = \"dcgan\"\nlatent_dim = 8\ng_base = 6\nd_base = 4\nd_norm = \"batch\"\n{model_lines}"))
}

/// Writes a tiny data set and config into `root`; returns (data dir, config path).
pub fn tiny_setup(root: &Path) -> (PathBuf, PathBuf) {
    let data = root.join("data");
    write_idx_dir(&data, 40);
    let cfg = root.join("tiny.toml");
    std::fs::write(&cfg, TINY).unwrap();
    (data, cfg)
}

/// Writes `n` labelled 28x28 digits ([`write_labelled_28`], with noise) and a config file of
/// `config` into `root`; returns (data dir, config path) as arguments for `gan train`.
pub fn digits_setup(root: &Path, n: usize, config: &str) -> (String, String) {
    let data = root.join("digits");
    write_labelled_28(&data, n, true);
    let cfg = root.join("config.toml");
    std::fs::write(&cfg, config).unwrap();
    (data.to_str().unwrap().into(), cfg.to_str().unwrap().into())
}

/// The Python interpreter with torch (make test exports GAN_PYTHON).
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("GAN_PYTHON") {
        return p.into();
    }
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.venv/bin/python");
    assert!(p.exists(), "no Python with torch: set GAN_PYTHON (make test does) or run scripts/setup-libtorch.sh");
    p
}

/// `n` 28x28 images whose bright band of rows (0-9, 10-19, 20-27) encodes the label (0-2),
/// as train-* IDX files; with `noise`, every pixel gets a pseudo-random 0-39 added.
pub fn write_labelled_28(dir: &Path, n: usize, noise: bool) {
    std::fs::create_dir_all(dir).unwrap();
    let labels: Vec<u8> = (0..n).map(|i| (i % 3) as u8).collect();
    let mut s = 7u32;
    let mut pixels = Vec::with_capacity(n * 784);
    for &l in &labels {
        for p in 0..784 {
            s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let (bright, dark) = if noise { (215, 0) } else { (250, 10) };
            let base = if (p / 28) / 10 == l as usize { bright } else { dark };
            pixels.push(base + if noise { (s >> 16) as u8 % 40 } else { 0 });
        }
    }
    write_maybe_gz(&dir.join("train-images-idx3-ubyte.gz"), &encode_images(&IdxImages { count: n, rows: 28, cols: 28, pixels })).unwrap();
    write_maybe_gz(&dir.join("train-labels-idx1-ubyte.gz"), &encode_labels(&labels)).unwrap();
}

/// `n` 32x40 images of a coloured disc or square on a dark background, half PNG in
/// `dir/png/`, half JPEG in `dir/jpeg/nested/`.
pub fn write_shapes(dir: &Path, n: u32) {
    for i in 0..n {
        let (cx, cy, r) = (10.0 + (i * 7 % 12) as f32, 12.0 + (i * 5 % 16) as f32, 5.0 + (i % 4) as f32);
        let colour = [[220, 40, 40], [40, 200, 60], [50, 80, 230], [230, 200, 40]][i as usize % 4];
        let img = image::RgbImage::from_fn(32, 40, |x, y| {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            let inside = if i % 2 == 0 { dx * dx + dy * dy <= r * r } else { dx.abs() <= r && dy.abs() <= r };
            image::Rgb(if inside { colour } else { [15, 15, 25] })
        });
        let path = if i % 2 == 0 { dir.join(format!("png/{i:03}.png")) } else { dir.join(format!("jpeg/nested/{i:03}.jpg")) };
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        img.save(&path).unwrap();
    }
}

/// The emoji set (`$GAN_SHARED_DATA/emoji`, by default `../shared/data/emoji`), or `None`
/// with a line saying the test is skipped.
pub fn emoji_dir() -> Option<PathBuf> {
    let shared = std::env::var_os("GAN_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = shared.join("emoji");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: no emoji set at {} (set GAN_SHARED_DATA)", dir.display());
        None
    }
}
