//! A feature network the toolkit trains itself, for runs whose images no shipped network
//! reads (colour, any size, no labels) when the Inception weights are not at hand: a small
//! CNN taught to tell which of four rotations (0, 90, 180, 270 degrees) an image was given,
//! the self-supervised task of Gidaris et al., "Unsupervised Representation Learning by
//! Predicting Image Rotations" (ICLR 2018); its penultimate layer (256-d ReLU) is the
//! feature space. Images are first brought to 32x32 (area averaging down, bilinear up).
//!
//! Its numbers compare runs on the same data with each other, never with published FIDs;
//! the report says so and names the network's hash and held-out rotation accuracy. Trained
//! deterministically from a seed on the evaluation's real subset, and cached per (data,
//! image shape, seed, steps) so that every run on the same data shares it.

use std::path::{Path, PathBuf};

use gan_data::rng::{mix, permutation};
use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, nn::ModuleT, Device, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::models::ImageShape;
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};

/// The side images are brought to.
const SIDE: i64 = 32;
/// Size of the feature layer.
pub const FEATURES: i64 = 256;
/// The network's layout and training recipe, in the cache's file names.
const VERSION: u32 = 1;
/// Images per training step (each in all four rotations).
const BATCH: usize = 16;

/// How the network is trained.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LearnedConfig {
    pub steps: u32,
    pub seed: u64,
}

impl Default for LearnedConfig {
    fn default() -> Self {
        Self { steps: 800, seed: 0 }
    }
}

/// What the JSON card next to the cached weights records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LearnedCard {
    pub data: String,
    pub data_sha256: String,
    pub channels: i64,
    pub images: usize,
    pub config: LearnedConfig,
    /// Rotation accuracy on the tenth of the images held out from training.
    pub held_out_accuracy: f64,
}

/// The trained network.
pub struct LearnedNet {
    vs: nn::VarStore,
    body: nn::SequentialT,
    head: nn::Linear,
    pub card: LearnedCard,
    /// SHA-256 of its weights file.
    pub sha256: String,
}

impl LearnedNet {
    fn new(channels: i64, card: LearnedCard, device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let p = vs.root() / "net";
        let conv = |i: usize, a, b, k, s| nn::conv2d(&p / i, a, b, k, nn::ConvConfig { stride: s, padding: 1, bias: false, ..Default::default() });
        let bn = |i: usize, c| nn::batch_norm2d(&p / i, c, Default::default());
        let lrelu = |x: &Tensor| x.leaky_relu();
        let body = nn::seq_t()
            .add(conv(0, channels, 32, 3, 1))
            .add(bn(1, 32))
            .add_fn(lrelu)
            .add(conv(3, 32, 64, 4, 2))
            .add(bn(4, 64))
            .add_fn(lrelu)
            .add(conv(6, 64, 128, 4, 2))
            .add(bn(7, 128))
            .add_fn(lrelu)
            .add(conv(9, 128, 128, 4, 2))
            .add(bn(10, 128))
            .add_fn(|x| x.leaky_relu().flatten(1, -1))
            .add(nn::linear(&p / 12, 128 * 4 * 4, FEATURES, Default::default()))
            .add_fn(|x| x.relu());
        let head = nn::linear(&p / 14, FEATURES, 4, Default::default());
        Self { vs, body, head, card, sha256: String::new() }
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Images `[B, C, H, W]` in `[-1, 1]` at 32x32.
    pub fn resize(x: &Tensor) -> Tensor {
        square(x, SIDE)
    }

    /// Features `[B, 256]` of images in `[-1, 1]` (any size; inference mode).
    pub fn features(&self, x: &Tensor) -> Tensor {
        self.body.forward_t(&Self::resize(&x.to_kind(Kind::Float)), false)
    }

    fn logits(&self, x32: &Tensor, train: bool) -> Tensor {
        self.head.forward(&self.body.forward_t(x32, train))
    }

    /// The feature space, in words.
    pub fn describe(&self) -> String {
        format!(
            "rotation-prediction CNN (256-d) trained by gan on {} ({} images, held-out rotation accuracy {:.1}%, sha256 {}): compares runs on this data only, not with published FIDs",
            self.card.data,
            self.card.images,
            100.0 * self.card.held_out_accuracy,
            &self.sha256[..16]
        )
    }
}

/// Images `[B, C, H, W]` at `side x side`: area averaging down, bilinear up (a feature
/// network's input size).
pub fn square(x: &Tensor, side: i64) -> Tensor {
    let (h, w) = (x.size()[2], x.size()[3]);
    if (h, w) == (side, side) {
        x.shallow_clone()
    } else if h >= side && w >= side {
        x.adaptive_avg_pool2d([side, side])
    } else {
        x.upsample_bilinear2d([side, side], false, None, None)
    }
}

/// Each image of `x` (32x32) in its four rotations, and the rotation's index.
fn rotations(x: &Tensor) -> (Tensor, Tensor) {
    let n = x.size()[0];
    let xs: Vec<Tensor> = (0..4).map(|k| x.rot90(k, [2, 3])).collect();
    let ys = Tensor::arange(4, (Kind::Int64, x.device())).repeat_interleave_self_int(n, Some(0), None);
    (Tensor::cat(&xs, 0), ys)
}

/// Trains on `images` (`[N, C, H, W]` bytes, N >= 10), or loads the network a previous
/// evaluation cached in `cache_dir` for the same data (`data_sha256`), shape and config.
pub fn train_or_load(images: &Tensor, data: &str, data_sha256: &str, cfg: LearnedConfig, cache_dir: Option<&Path>, device: Device) -> Result<LearnedNet> {
    let (n, c) = (images.size()[0] as usize, images.size()[1]);
    if n < 10 {
        return Err(GanError::Invalid(format!("{data}: training a feature network needs at least 10 images, got {n}")));
    }
    let shape = ImageShape { channels: c, height: images.size()[2], width: images.size()[3] };
    let file = cache_dir.map(|d| {
        d.join("learned").join(format!(
            "v{VERSION}-{}-{}x{}x{}-s{}-{}.safetensors",
            &data_sha256[..16],
            shape.channels,
            shape.height,
            shape.width,
            cfg.seed,
            cfg.steps
        ))
    });
    if let Some(f) = file.as_deref().filter(|f| f.is_file()) {
        let text = std::fs::read_to_string(f.with_extension("json")).map_err(GanError::io(f.with_extension("json")))?;
        let card: LearnedCard = serde_json::from_str(&text).map_err(|e| GanError::Checkpoint { path: f.with_extension("json"), reason: e.to_string() })?;
        let mut net = LearnedNet::new(c, card, device);
        crate::run::checkpoint::load_weights(&mut net.vs, f)?;
        net.sha256 = file_sha(f)?;
        return Ok(net);
    }
    let mut net = train(images, data, data_sha256, cfg, device);
    let (f, temporary) = match file {
        Some(f) => (f, false),
        None => (std::env::temp_dir().join(format!("gan-learned-{}.safetensors", std::process::id())), true),
    };
    save(&net, &f)?;
    net.sha256 = file_sha(&f)?;
    if temporary {
        let _ = std::fs::remove_file(&f);
    }
    Ok(net)
}

fn file_sha(f: &Path) -> Result<String> {
    Ok(crate::eval::cache::sha256_hex(&std::fs::read(f).map_err(GanError::io(f))?))
}

fn save(net: &LearnedNet, f: &Path) -> Result<()> {
    let dir = f.parent().expect("in a folder");
    std::fs::create_dir_all(dir).map_err(GanError::io(dir))?;
    let tmp: PathBuf = f.with_extension("tmp.safetensors");
    crate::tensors::save_vars(&net.vs, &tmp).map_err(|e| GanError::Io { path: tmp.clone(), source: std::io::Error::other(e) })?;
    let json = serde_json::to_string_pretty(&net.card).expect("card serialises");
    crate::run::checkpoint::write_atomic(&f.with_extension("json"), json.as_bytes())?;
    std::fs::rename(&tmp, f).map_err(GanError::io(f))
}

fn train(images: &Tensor, data: &str, data_sha256: &str, cfg: LearnedConfig, device: Device) -> LearnedNet {
    let n = images.size()[0] as usize;
    let x = tch::no_grad(|| {
        let parts: Vec<Tensor> =
            (0..n as i64).step_by(500).map(|s| LearnedNet::resize(&(images.narrow(0, s, 500.min(n as i64 - s)).to_kind(Kind::Float) / 127.5 - 1.0))).collect();
        Tensor::cat(&parts, 0).to_device(device)
    });
    let perm: Vec<i64> = permutation(n, mix(&[cfg.seed, 0x107])).into_iter().map(i64::from).collect();
    let held = (n / 10).max(1);
    let pick = |r: &[i64]| x.index_select(0, &Tensor::from_slice(r).to_device(device));
    let (train_x, held_x) = (pick(&perm[held..]), pick(&perm[..held]));
    tch::manual_seed(mix(&[cfg.seed, 0x108]) as i64);
    let card = LearnedCard { data: data.into(), data_sha256: data_sha256.into(), channels: images.size()[1], images: n, config: cfg, held_out_accuracy: 0.0 };
    let mut net = LearnedNet::new(images.size()[1], card, device);
    let mut opt = Optimizer::new(&net.vs, OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8 }));
    let m = train_x.size()[0] as usize;
    let batch = BATCH.min(m);
    for step in 0..cfg.steps as u64 {
        let order = permutation(m, mix(&[cfg.seed, 0x109, step]));
        let idx: Vec<i64> = order[..batch].iter().map(|&i| i as i64).collect();
        let (xr, yr) = rotations(&train_x.index_select(0, &Tensor::from_slice(&idx).to_device(device)));
        let loss = net.logits(&xr, true).cross_entropy_for_logits(&yr);
        let grads = opt.grads(&loss);
        opt.step(&grads);
    }
    net.card.held_out_accuracy = tch::no_grad(|| {
        let (xr, yr) = rotations(&held_x);
        net.logits(&xr, false).argmax(-1, false).eq_tensor(&yr).to_kind(Kind::Double).mean(Kind::Double).double_value(&[])
    });
    net
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Upright gradients (bright at the top) are told from their rotations, and the same
    /// seed gives the same network, loaded back from the cache.
    #[test]
    fn learns_rotations_deterministically_and_caches() {
        let n = 200;
        let ramp = Tensor::linspace(0.0, 255.0, 16, (Kind::Float, Device::Cpu)).view([1, 1, 16, 1]).expand([n, 3, 16, 16], true);
        let noise = Tensor::rand([n, 3, 16, 16], (Kind::Float, Device::Cpu)) * 60.0;
        let images = (ramp * 0.7 + noise).clamp(0.0, 255.0).to_kind(Kind::Uint8);
        let cfg = LearnedConfig { steps: 40, seed: 3 };
        let d = tempfile::tempdir().unwrap();
        let a = train_or_load(&images, "ramps", &"ab".repeat(32), cfg, Some(d.path()), Device::Cpu).unwrap();
        assert!(a.card.held_out_accuracy > 0.9, "{:?}", a.card);
        let b = train_or_load(&images, "ramps", &"ab".repeat(32), cfg, None, Device::Cpu).unwrap();
        assert_eq!(a.sha256, b.sha256, "the same seed trains the same network");
        let c = train_or_load(&images, "ramps", &"ab".repeat(32), cfg, Some(d.path()), Device::Cpu).unwrap();
        let x = Tensor::rand([4, 3, 16, 16], (Kind::Float, Device::Cpu)) * 2.0 - 1.0;
        assert!(a.features(&x).equal(&c.features(&x)));
        assert_eq!(a.features(&x).size(), vec![4, FEATURES]);
    }
}
