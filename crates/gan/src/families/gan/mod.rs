//! The GAN family: a generator and a discriminator (critic), unconditional or conditional
//! (Mirza & Osindero 2014), with every loss and Lipschitz term of `crate::losses`, a moving
//! average of the generator, PacGAN packing, data parallelism and bf16. Runs of
//! `TrainConfig` (`gan train --preset mnist-dcgan`, ...). The families built on it (ProGAN,
//! StyleGAN2, the VAE baseline) take its data, samples and checkpoints and make their own
//! updates ([`around`]).

mod ada;
pub(crate) mod around;
pub(crate) mod build;
mod checkup;
mod conditioning;
mod family;
pub mod feed;
mod parallel;
pub mod stats;
pub mod step;
pub mod text;
pub(crate) mod wrapped;

use std::path::Path;

use tch::{Device, Tensor};

use crate::config::TrainConfig;
use crate::error::Result;
use crate::models::ema::AveragedGenerator;
use crate::models::{ImageShape, Nets};
use crate::optim::Optimizer;
use crate::run::checkpoint::CheckpointChoice;
use crate::train::record::Record;
use crate::train::{StepContext, Trainer};
use gan_data::toy::ToyDist;

use feed::Feed;
use step::{gan_step, RealBatch, StepParts};

/// Stream tags mixed with the run seed, so each use of randomness is independent.
const FIXED_Z_STREAM: u64 = 2;
const DATA_STREAM: u64 = 3;
/// Number of images in the fixed-z sample grid (8x8; see `grid_inputs` for conditional runs).
pub const GRID_SAMPLES: i64 = 64;

/// What a toy run plots.
struct ToyView {
    dist: ToyDist,
    real: Vec<f32>,
}

/// A GAN (or VAE) run's networks, optimisers and data.
pub struct GanFamily {
    config: TrainConfig,
    device: Device,
    data_name: String,
    feed: Feed,
    data_len: usize,
    batches_per_epoch: u64,
    image: ImageShape,
    /// Width of a conditional run's conditions (its classes, or a text run's sentence
    /// vectors; 0: unconditional), and the names of its classes (a text run's captions).
    classes: i64,
    class_names: Vec<String>,
    /// A text run's sentence vectors of its captions.
    text: Option<text::TextTable>,
    /// Columns of the sample grid.
    grid_columns: usize,
    nets: Nets,
    /// The moving average of the generator's weights, when the run keeps one.
    ema: Option<AveragedGenerator>,
    opt_g: Optimizer,
    opt_d: Optimizer,
    batches_consumed: u64,
    total_steps: u64,
    fixed_z: Tensor,
    fixed_y: Option<Tensor>,
    /// For toy data: the distribution and real points to plot beside the generated ones.
    toy: Option<ToyView>,
    /// Files skipped while decoding (image folders with `on_error = "skip"`), not yet reported.
    skipped: Vec<gan_data::DataError>,
    /// The doctor's sample check (none when `[doctor] every = 0`).
    probe: Option<crate::doctor::probe::Probe>,
    /// The last real batch, for a sample check that compares with real images.
    last_real: Option<Tensor>,
    /// The data-parallel group this run is a rank of (see [`GanFamily::join`]).
    dist: Option<std::sync::Arc<crate::dist::Dist>>,
    /// Adaptive augmentation's p, when `[augment.ada]` is set.
    ada: Option<ada::Ada>,
    /// Batches of the data a step takes as its real batch (1; a family built on this one,
    /// ProGAN, takes more at some resolutions).
    real_batches: u64,
    /// What the networks see of a real batch (all of it when `None`; ProGAN's current
    /// resolution).
    real_view: Option<RealView>,
}

/// A view of real images (see `GanFamily::real_view`).
pub type RealView = Box<dyn Fn(&Tensor) -> Tensor + Send>;

/// The adversarial updates of one step: the parts, a source of real batches and of latents.
pub(crate) type AdversarialStep<'s> =
    dyn FnMut(StepParts<'_>, &mut dyn FnMut() -> Result<RealBatch>, &mut dyn FnMut(i64) -> Tensor) -> Result<stats::GanStepStats> + 's;

/// A new GAN run of `config` in `run_dir`.
pub fn new_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    build::new_family_run(config, run_dir, device, GanFamily::build)
}

/// Continues the GAN run in `run_dir`. When `requested` is given (the configuration the user
/// asked for now), it must equal the run's own except for the training length
/// (`steps`/`epochs`), which may change to extend or shorten the run.
pub fn resume_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    build::resume_family_run(run_dir, requested, choice, device, GanFamily::build)
}

impl GanFamily {
    /// One generator update (with `d_steps` discriminator updates before it); then the
    /// moving average follows.
    fn train_step(&mut self, ctx: StepContext) -> Result<Record> {
        let d_steps = self.config.d_steps;
        self.train_step_with(ctx, &mut |parts, next_real, noise| gan_step(parts, d_steps, next_real, noise))
    }

    /// Takes `k` batches of the data per step, seen through `view`, from the next step on.
    pub(crate) fn set_real_batches(&mut self, k: u64, view: Option<RealView>) {
        (self.real_batches, self.real_view) = (k, view);
    }

    /// Fresh optimiser states (ProGAN resets them at each new resolution).
    pub(crate) fn reset_optimizers(&mut self) {
        self.opt_g = Optimizer::new(&self.nets.g_vs, self.config.optim.g.clone());
        self.opt_d = Optimizer::new(&self.nets.d_vs, self.config.optim.d.clone());
    }

    /// The generator's and the partner's optimisers.
    pub(crate) fn optimizers_mut(&mut self) -> (&mut Optimizer, &mut Optimizer) {
        (&mut self.opt_g, &mut self.opt_d)
    }

    /// Every network's variable store: generator, partner, moving average.
    pub(crate) fn stores(&self) -> Vec<&tch::nn::VarStore> {
        let mut v = vec![&self.nets.g_vs, &self.nets.d_vs];
        v.extend(self.ema.as_ref().map(|e| &e.vs));
        v
    }

    /// Real images drawn so far.
    pub(crate) fn images_seen(&self) -> u64 {
        self.batches_consumed * self.config.batch_size as u64
    }

    pub(crate) fn image(&self) -> ImageShape {
        self.image
    }

    pub(crate) fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// The generator that samples: the moving average when the run keeps one.
    fn sampler(&self) -> &dyn crate::models::Generator {
        self.ema.as_ref().map_or(self.nets.g.as_ref(), |e| e.g.as_ref())
    }
}
