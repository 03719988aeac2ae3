//! The image-to-image family (pix2pix, CycleGAN, CartoonGAN, SimGAN; see
//! [`crate::config::translation`]): a run
//! directory like a GAN run's (`config.toml`, `metrics.jsonl`, `loss.png`, `samples/`,
//! `checkpoints/`), whose sample grids show held-out inputs, their translations and the
//! targets side by side. CycleGAN's image pools and SimGAN's history of refined images are
//! its own checkpoint state.

mod build;
pub mod cartoon_step;
pub mod content;
mod family;
mod feed;
mod parallel;
pub mod pool;
pub mod simgan_step;
pub mod step;
pub mod task;

use gan_data::rng::{mix, SplitMix64};
use tch::{Device, Tensor};

use crate::config::translation::{TranslateConfig, TranslationModel};
use crate::error::Result;
use crate::models::ema::Ema;
use crate::models::translation::{Generators, NetPair, TranslationNets, Translator};
use crate::models::ImageShape;
use crate::optim::Optimizer;
use crate::train::record::Record;
use crate::train::StepContext;

pub use build::{new_run, resume_run};
pub use feed::{bytes_tensor, to_pm1};
use feed::{PairBatch, PairFeed};
use step::{CycleNets, Pools};

const POOL_STREAM: u64 = 4;
/// Held-out pairs shown in each sample grid.
pub const GRID_PAIRS: i64 = 8;

/// A translation run's networks, optimisers, data and image pools.
pub struct TranslationFamily {
    config: TranslateConfig,
    data_name: String,
    data_len: usize,
    feed: PairFeed,
    image: ImageShape,
    nets: TranslationNets,
    opt_g: Optimizer,
    opt_d: Optimizer,
    pools: Pools,
    /// CartoonGAN's fixed feature network (its content loss).
    content: Option<Box<dyn content::FeatureMaps>>,
    /// SimGAN's frozen classifier of the simulated images (its task-consistency term).
    task: Option<task::TaskNet>,
    /// The generators' moving average, when the configuration asks for one.
    ema: Option<AveragedGenerators>,
    /// The steps taken (the data position of a translation run).
    step: u64,
    /// Inputs (and targets, when paired) of the sample grids.
    grid_a: Tensor,
    grid_b: Tensor,
    grid_paired: bool,
    device: Device,
    /// The data-parallel group this run is a rank of.
    dist: Option<std::sync::Arc<crate::dist::Dist>>,
}

/// A copy of the generators whose weights follow the trained ones' moving average.
pub struct AveragedGenerators {
    pub nets: Generators,
    ema: Ema,
}

impl AveragedGenerators {
    /// Builds the average of `nets`' generators, starting as a copy of them.
    fn new(config: &TranslateConfig, image: ImageShape, nets: &TranslationNets) -> Self {
        let averaged = tch::no_grad(|| config.model.build_generators(image, nets.g_vs.device()));
        let ema = Ema::new(&averaged.vs, &nets.g_vs);
        Self { nets: averaged, ema }
    }
}

impl TranslationFamily {
    /// One update of generators and discriminators.
    fn train_step(&mut self, ctx: StepContext) -> Record {
        let factor = self.config.lr_factor(ctx.step, self.config.steps);
        self.opt_g.set_lr_scale(factor);
        self.opt_d.set_lr_scale(factor);
        let mut batch = self.feed.batch(ctx.step);
        if let Some(d) = &self.dist {
            batch = PairBatch {
                a: d.shard(&batch.a),
                b: d.shard(&batch.b),
                b_edged: batch.b_edged.map(|e| d.shard(&e)),
                a_labels: batch.a_labels.map(|l| d.shard(&l)),
            };
        }
        let (a, b) = (&batch.a, &batch.b);
        let opts = (&mut self.opt_g, &mut self.opt_d);
        let record = match (&self.config.model, &self.nets.pair) {
            (TranslationModel::Pix2pix(m), NetPair::Paired { g, d }) => step::pix2pix_step(m, (g.as_ref(), d.as_ref()), opts, (a, b), ctx.measure_grads),
            (TranslationModel::Cyclegan(m), NetPair::Cycle { g, f, d_b, d_a }) => {
                let mut rng = SplitMix64::new(mix(&[self.config.seed, POOL_STREAM, ctx.step]));
                let nets = CycleNets { g: g.as_ref(), f: f.as_ref(), d_b: d_b.as_ref(), d_a: d_a.as_ref() };
                step::cyclegan_step(m, nets, opts, &mut self.pools, &mut rng, (a, b), ctx.measure_grads)
            }
            (TranslationModel::Cartoongan(m), NetPair::Single { g, d }) => {
                let content = self.content.as_ref().expect("a CartoonGAN run loads its content network");
                let phi = |x: &Tensor| content.feature_maps(x);
                let images = cartoon_step::CartoonImages { a, b, b_edged: batch.b_edged.as_ref() };
                cartoon_step::cartoongan_step(m, (g.as_ref(), d.as_ref()), &phi, opts, images, ctx)
            }
            (TranslationModel::Simgan(m), NetPair::Single { g, d }) => {
                let mut rng = SplitMix64::new(mix(&[self.config.seed, POOL_STREAM, ctx.step]));
                let task = self.task.as_ref().map(|t| (t, batch.a_labels.as_ref().expect("a run with a task classifier has labelled simulated images")));
                simgan_step::simgan_step(m, (g.as_ref(), d.as_ref()), opts, (&mut self.pools.b, &mut rng), (a, b, task), ctx)
            }
            _ => unreachable!("TranslationModel::build makes the networks of its own model"),
        };
        if let Some(avg) = &self.ema {
            avg.ema.update(self.config.ema().beta(ctx.step, self.config.batch_size));
        }
        self.step = ctx.step + 1;
        record
    }

    /// The grid: per held-out pair, `a | G(a) | b` (and for CycleGAN `b | F(b) | a`); without
    /// targets (unpaired folders) the third column is the cycle's reconstruction.
    /// The moving average's generators draw it when there is one.
    fn save_grid(&self, path: &std::path::Path) -> Result<()> {
        let (a2b, b2a) = match &self.ema {
            Some(avg) => (avg.nets.a2b.as_ref(), avg.nets.b2a()),
            None => (self.nets.a2b(), self.nets.b2a()),
        };
        let images = tch::no_grad(|| translation_grid((a2b, b2a), &self.grid_a, &self.grid_b, self.grid_paired));
        let columns = if b2a.is_some() { 6 } else { 3 };
        crate::draw::grid::save_grid(&images, columns, path)
    }
}

/// The rows of a translation grid (see `save_samples`), in evaluation mode.
pub fn translation_grid((a2b, b2a): (&dyn Translator, Option<&dyn Translator>), a: &Tensor, b: &Tensor, paired: bool) -> Tensor {
    let fake_b = a2b.forward_t(a, false);
    let mut rows = Vec::new();
    match b2a {
        None => {
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), b.get(i)]);
            }
        }
        Some(f) => {
            let fake_a = f.forward_t(b, false);
            let (third_b, third_a) = if paired { (b.shallow_clone(), a.shallow_clone()) } else { (f.forward_t(&fake_b, false), a2b.forward_t(&fake_a, false)) };
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), third_b.get(i), b.get(i), fake_a.get(i), third_a.get(i)]);
            }
        }
    }
    Tensor::stack(&rows, 0)
}
