//! Projecting an image onto a trained generator's manifold, the core of iGAN (Zhu et al.,
//! "Generative Visual Manipulation on the Natural Image Manifold", ECCV 2016, section 4.1):
//! find the latent `z` (and, for a conditional generator, the class) whose `G(z)` best
//! matches a user's sketch where the user drew, while staying likely under the prior.
//!
//! Objective per start, minimised with Adam on `z` (and on class logits `w`, with
//! `y = softmax(w)` fed as the class weights):
//! `sum(mask * (G(z, y) - x)^2) / sum(mask) + prior * mean(z^2)`.
//! Several seeded starts run side by side (the paper's answer to a non-convex objective);
//! the best few by final loss are returned, with the best one's path.

use gan_data::rng::mix;
use tch::{nn, Device, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::models::latent::latents;
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};
use crate::run::trained::TrainedGenerator;

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectConfig {
    /// Random starts optimised together.
    pub starts: i64,
    pub steps: u32,
    pub lr: f64,
    /// Weight of the prior term `mean(z^2)`.
    pub prior: f64,
    pub seed: u64,
    /// Record the best start's image every this many steps (for the path GIF).
    pub path_every: u32,
}

impl Default for ProjectConfig {
    fn default() -> Self {
        Self { starts: 8, steps: 100, lr: 0.05, prior: 0.01, seed: 0, path_every: 5 }
    }
}

/// The projection's results, best first.
pub struct Projection {
    /// `[starts, C, H, W]` in `[-1, 1]`, sorted by loss.
    pub images: Tensor,
    pub losses: Vec<f64>,
    /// The most likely class of each result (conditional generators).
    pub classes: Option<Vec<i64>>,
    /// The best start's image along the way, `[C, H, W]` each.
    pub path: Vec<Tensor>,
    /// The best loss before the first step.
    pub start_loss: f64,
}

/// Projects `target` (`[1, C, H, W]` in `[-1, 1]`) where `mask` (`[1, 1, H, W]`, 1 where the
/// user drew) is set.
pub fn project(g: &TrainedGenerator, target: &Tensor, mask: &Tensor, cfg: &ProjectConfig) -> Result<Projection> {
    let want = [1, g.image.channels, g.image.height, g.image.width];
    if target.size() != want {
        return Err(GanError::Invalid(format!("the sketch is {:?} but the run generates {} images", &target.size()[1..], g.image)));
    }
    if mask.size() != [1, 1, g.image.height, g.image.width] || mask.sum(Kind::Double).double_value(&[]) <= 0.0 {
        return Err(GanError::Invalid("the mask must match the image's size and mark at least one pixel".into()));
    }
    let device = Device::Cpu;
    let vs = nn::VarStore::new(device);
    let z0 = latents(cfg.starts, g.latent_dim(), mix(&[cfg.seed, 0x1A]), device);
    let z = vs.root().var_copy("z", &z0);
    let w = (g.classes > 0).then(|| vs.root().zeros("class_logits", &[cfg.starts, g.classes]));
    let mut opt = Optimizer::new(&vs, OptimizerConfig::Adam(AdamConfig { lr: cfg.lr, betas: (0.9, 0.999), eps: 1e-8 }));
    let (target, mask) = (target.to_device(device).to_kind(Kind::Float), mask.to_device(device).to_kind(Kind::Float));
    let area = mask.sum(Kind::Float) * g.image.channels;
    let losses = |x: &Tensor, z: &Tensor| {
        let fit = ((x - &target).square() * &mask).sum_dim_intlist([1i64, 2, 3].as_slice(), false, Kind::Float) / &area;
        fit + z.square().mean_dim([1i64].as_slice(), false, Kind::Float) * cfg.prior
    };
    let (mut path, mut start_loss) = (Vec::new(), f64::NAN);
    for step in 0..=cfg.steps {
        let y = w.as_ref().map(|w| w.softmax(-1, Kind::Float));
        let x = g.forward_mixed(&z, y.as_ref()).to_device(device);
        let l = losses(&x, &z);
        if step == 0 {
            start_loss = l.min().double_value(&[]);
        }
        if step % cfg.path_every.max(1) == 0 || step == cfg.steps {
            let best = l.argmin(0, false).int64_value(&[]);
            path.push(x.get(best).detach());
        }
        if step == cfg.steps {
            let order = l.argsort(0, false);
            let values: Vec<f64> = Vec::try_from(l.index_select(0, &order).to_kind(Kind::Double)).expect("losses");
            let classes = y.map(|y| Vec::<i64>::try_from(y.argmax(-1, false).index_select(0, &order)).expect("classes"));
            return Ok(Projection { images: x.detach().index_select(0, &order), losses: values, classes, path, start_loss });
        }
        let grads = opt.grads(&l.sum(Kind::Float));
        opt.step(&grads);
    }
    unreachable!("the loop returns at its last step")
}
