//! The lab: a small GAN on 1-D or 2-D data, stepped one discriminator or generator update
//! at a time, with everything GAN Lab (Kahng et al., "GAN Lab: Understanding Complex Deep
//! Generative Models using Interactive Visual Experimentation", IEEE VIS 2018) draws:
//! real and fake points, the discriminator's value over the plane, the generator's
//! gradient on each fake point, the image of a latent grid (the generator's manifold), loss
//! curves, and the mode metrics of the evaluation module. It trains with the toolkit's own
//! losses, penalty, optimisers and networks, and each update is the GAN family's own
//! (`families::gan::step`: `update_discriminator`, `update_generator`), one at a time so that
//! the page can step them; `gan lab` serves it to a browser.
//!
//! Every random draw (initial weights, real batches, noise, penalty weights) comes from the
//! session's seed, so the same settings and the same sequence of steps give the same state.

mod config;
mod frame;

use gan_data::modes::PAPER_SAMPLES;
use gan_data::rng::{mix, SplitMix64};
use gan_data::toy::Modes;
use tch::{Device, Kind, Tensor};

use crate::config::CriticCycles;
use crate::error::{GanError, Result};
use crate::families::gan::stats::DiscriminatorStats;
use crate::families::gan::step::{update_discriminator, update_generator, DiscriminatorInput, GeneratorInput, StepParts};
use crate::losses::LossConfig;
use crate::models::diffaugment::AugmentConfig;
use crate::models::{ImageShape, ModelConfig, Nets};
use crate::optim::Optimizer;

pub use config::{LabConfig, LabData, LabLoss, LabOptimizer, DRAWN_EXTENT, DRAWN_STD, MAX_DRAWN};
pub use frame::{curves_csv, Field, Frame, Histogram, LabRecord};

/// No transforms: the lab's points are not images.
static NO_AUGMENT: AugmentConfig = AugmentConfig { policy: Vec::new(), ada: None };

/// Real points drawn once per session; batches sample from them.
const POOL: usize = 20_000;
const POOL_STREAM: u64 = 1;
const STEP_STREAM: u64 = 2;
const VIEW_STREAM: u64 = 3;

/// The updates' statistics since the last record (read when the record closes).
#[derive(Default)]
struct Sums {
    d: Vec<DiscriminatorStats>,
    g: Vec<Tensor>,
}

/// One lab session.
pub struct Lab {
    config: LabConfig,
    loss: LossConfig,
    dim: i64,
    modes: Option<Modes>,
    /// `[POOL, 1, 1, dim]`.
    real: Tensor,
    /// What frames show of the real data (fixed per session): the first points, and for
    /// 1-D data the pool's histogram.
    shown_real: Vec<f32>,
    real_density: Option<Vec<f64>>,
    nets: Nets,
    opt_g: Optimizer,
    opt_d: Optimizer,
    rng: SplitMix64,
    d_updates: u64,
    g_updates: u64,
    /// Fixed latents of the drawn fake points and the mode metrics (`[2500, dim]`).
    view_z: Tensor,
    sums: Sums,
    history: Vec<LabRecord>,
}

impl Lab {
    /// A fresh session: networks initialised from `config.seed`.
    pub fn new(config: LabConfig) -> Result<Self> {
        let problems = config.problems();
        if !problems.is_empty() {
            return Err(GanError::Config { source_name: "lab settings".into(), problems });
        }
        let dim = config.dim() as i64;
        let seed = config.seed;
        let points = match &config.data {
            LabData::Toy { dist } => dist.sample(POOL, mix(&[seed, POOL_STREAM])),
            LabData::Drawn { points } => {
                let mut r = SplitMix64::new(mix(&[seed, POOL_STREAM]));
                (0..POOL)
                    .flat_map(|_| {
                        let p = points[r.below(points.len() as u64) as usize];
                        [p[0] + (DRAWN_STD * r.normal()) as f32, p[1] + (DRAWN_STD * r.normal()) as f32]
                    })
                    .collect()
            }
        };
        let real = Tensor::from_slice(&points).view([POOL as i64, 1, 1, dim]);
        let shown_real = points[..frame::SHOWN * dim as usize].to_vec();
        let real_density = (dim == 1).then(|| crate::draw::scatter::density(&points, config.extent()));
        let modes = match &config.data {
            LabData::Toy { dist } => dist.modes(),
            LabData::Drawn { .. } => None,
        };
        tch::manual_seed(seed as i64);
        let nets = ModelConfig::from(config.mlp()).build(ImageShape { channels: 1, height: 1, width: dim }, 0, 1, Device::Cpu);
        let opt_g = Optimizer::new(&nets.g_vs, config.optimizer_config(true));
        let opt_d = Optimizer::new(&nets.d_vs, config.optimizer_config(false));
        let view_z = normal_tensor(&mut SplitMix64::new(mix(&[seed, VIEW_STREAM])), PAPER_SAMPLES as i64, dim);
        Ok(Self {
            loss: config.loss_config(),
            rng: SplitMix64::new(mix(&[seed, STEP_STREAM])),
            config,
            dim,
            modes,
            real,
            shown_real,
            real_density,
            nets,
            opt_g,
            opt_d,
            d_updates: 0,
            g_updates: 0,
            view_z,
            sums: Sums::default(),
            history: Vec::new(),
        })
    }

    pub fn config(&self) -> &LabConfig {
        &self.config
    }

    /// Discriminator and generator updates so far.
    pub fn updates(&self) -> (u64, u64) {
        (self.d_updates, self.g_updates)
    }

    /// The records of all frames so far (the curves).
    pub fn history(&self) -> &[LabRecord] {
        &self.history
    }

    fn d(&self) -> &dyn crate::models::Discriminator {
        self.nets.discriminator().expect("the lab trains adversarial pairs")
    }

    /// A real batch drawn from the pool.
    fn real_batch(&mut self) -> Tensor {
        let idx: Vec<i64> = (0..self.config.batch_size).map(|_| self.rng.below(POOL as u64) as i64).collect();
        self.real.index_select(0, &Tensor::from_slice(&idx))
    }

    /// The GAN family's step parts over the lab's networks (no augmentation, no group).
    fn parts(&mut self) -> StepParts<'_> {
        StepParts {
            g: self.nets.g.as_ref(),
            d: self.nets.discriminator().expect("the lab trains adversarial pairs"),
            opt_g: &mut self.opt_g,
            opt_d: &mut self.opt_d,
            loss: &self.loss,
            measure_grads: false,
            dist: None,
            cycles: CriticCycles::default(),
            augment: NO_AUGMENT.at(1.0),
        }
    }

    /// One discriminator (critic) update on a fresh real batch and fresh noise, as the GAN
    /// family's step makes it.
    pub fn step_d(&mut self) {
        let b = self.config.batch_size;
        let real = self.real_batch();
        let z = normal_tensor(&mut self.rng, b, self.dim);
        let eps: Vec<f32> = (0..b).map(|_| self.rng.uniform() as f32).collect();
        let eps = Tensor::from_slice(&eps).view([b, 1, 1, 1]);
        let fake = tch::no_grad(|| self.nets.g.forward_t(&z, None, true));
        let p = self.parts();
        let terms = update_discriminator(p.d, p.opt_d, p.loss, DiscriminatorInput { real: &real, fake: &fake, y: None, eps: Some(&eps) }, false);
        self.sums.d.push(DiscriminatorStats::of(&self.loss, &terms));
        self.d_updates += 1;
    }

    /// One generator update on fresh noise (a real batch beside it), as the GAN family's step
    /// makes it.
    pub fn step_g(&mut self) {
        let real = self.real_batch();
        let z = normal_tensor(&mut self.rng, self.config.batch_size, self.dim);
        let fake = self.nets.g.forward_t(&z, None, true);
        let (loss, _) = update_generator(&mut self.parts(), GeneratorInput { fake: &fake, real: &real, y: None });
        self.sums.g.push(loss);
        self.g_updates += 1;
    }

    /// One round of training: `d_steps` discriminator updates, then `g_steps` generator
    /// updates.
    pub fn round(&mut self) {
        for _ in 0..self.config.d_steps {
            self.step_d();
        }
        for _ in 0..self.config.g_steps {
            self.step_g();
        }
    }

    /// The generator's points for the fixed view latents, `[2500, dim]` flattened.
    fn view_points(&self) -> Vec<f32> {
        let x = tch::no_grad(|| self.nets.g.forward_t(&self.view_z, None, false));
        crate::models::latent::points(&x)
    }
}

/// `n x dim` standard normal draws from `rng`.
fn normal_tensor(rng: &mut SplitMix64, n: i64, dim: i64) -> Tensor {
    let v: Vec<f32> = (0..n * dim).map(|_| rng.normal() as f32).collect();
    Tensor::from_slice(&v).view([n, dim]).to_kind(Kind::Float)
}
