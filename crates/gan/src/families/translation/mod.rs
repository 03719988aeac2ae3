//! The image-to-image family (pix2pix, CycleGAN; see [`crate::config::translation`]): a run
//! directory like a GAN run's (`config.toml`, `metrics.jsonl`, `loss.png`, `samples/`,
//! `checkpoints/`), whose sample grids show held-out inputs, their translations and the
//! targets side by side. CycleGAN's image pools are its own checkpoint state.

mod build;
mod family;
mod feed;
pub mod pool;
pub mod step;

use gan_data::rng::{mix, SplitMix64};
use tch::{Device, Tensor};

use crate::config::translation::{TranslateConfig, TranslationModel, TranslationNets};
use crate::error::Result;
use crate::models::ImageShape;
use crate::optim::Optimizer;
use crate::train::record::Record;
use crate::train::StepContext;

pub use build::{new_run, resume_run};
use feed::PairFeed;
pub use feed::{bytes_tensor, to_pm1};
use step::Pools;

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
    /// The steps taken (the data position of a translation run).
    step: u64,
    /// Inputs (and targets, when paired) of the sample grids.
    grid_a: Tensor,
    grid_b: Tensor,
    grid_paired: bool,
    device: Device,
}

impl TranslationFamily {
    /// One update of generators and discriminators.
    fn train_step(&mut self, ctx: StepContext) -> Record {
        let factor = self.config.lr_factor(ctx.step, self.config.steps);
        self.opt_g.set_lr_scale(factor);
        self.opt_d.set_lr_scale(factor);
        let (a, b) = self.feed.batch(ctx.step);
        let record = match &self.config.model {
            TranslationModel::Pix2pix(m) => step::pix2pix_step(m, &self.nets, &mut self.opt_g, &mut self.opt_d, &a, &b, ctx.measure_grads),
            TranslationModel::Cyclegan(m) => {
                let mut rng = SplitMix64::new(mix(&[self.config.seed, POOL_STREAM, ctx.step]));
                step::cyclegan_step(m, &self.nets, (&mut self.opt_g, &mut self.opt_d), &mut self.pools, &mut rng, (&a, &b), ctx.measure_grads)
            }
        };
        self.step = ctx.step + 1;
        record
    }

    /// The grid: per held-out pair, `a | G(a) | b` (and for CycleGAN `b | F(b) | a`); without
    /// targets (unpaired folders) the third column is the cycle's reconstruction.
    fn save_grid(&self, path: &std::path::Path) -> Result<()> {
        let images = tch::no_grad(|| translation_grid(&self.nets, &self.grid_a, &self.grid_b, self.grid_paired));
        let columns = if self.nets.b2a.is_some() { 6 } else { 3 };
        crate::draw::grid::save_grid(&images, columns, path)
    }
}

/// The rows of a translation grid (see `save_samples`), in evaluation mode.
pub fn translation_grid(nets: &TranslationNets, a: &Tensor, b: &Tensor, paired: bool) -> Tensor {
    let fake_b = nets.a2b.forward_t(a, false);
    let mut rows = Vec::new();
    match &nets.b2a {
        None => {
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), b.get(i)]);
            }
        }
        Some(f) => {
            let fake_a = f.forward_t(b, false);
            let (third_b, third_a) =
                if paired { (b.shallow_clone(), a.shallow_clone()) } else { (f.forward_t(&fake_b, false), nets.a2b.forward_t(&fake_a, false)) };
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), third_b.get(i), b.get(i), fake_a.get(i), third_a.get(i)]);
            }
        }
    }
    Tensor::stack(&rows, 0)
}
