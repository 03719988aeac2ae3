//! What every step of a `TrainConfig` run does around its updates: the learning-rate
//! schedule, real batches from the data (sharded in a data-parallel group, seen through a
//! family's view), latents, and the moving average after. The updates themselves are the
//! caller's: the adversarial ones of this family ([`GanFamily::train_step_with`], which
//! StyleGAN2 gives its own phases) or the VAE's (`crate::families::vae`).

use tch::{Kind, Tensor};

use super::step::{RealBatch, StepParts};
use super::{AdversarialStep, GanFamily};
use crate::error::{GanError, Result};
use crate::models::condition::one_hot;
use crate::models::{Nets, Partner};
use crate::optim::Optimizer;
use crate::run::metrics::names::AUGMENT_P;
use crate::train::record::Record;
use crate::train::StepContext;

/// What a step's updates work with.
pub(crate) struct Updates<'a> {
    pub nets: &'a Nets,
    pub opt_g: &'a mut Optimizer,
    pub opt_d: &'a mut Optimizer,
    pub next_real: &'a mut dyn FnMut() -> Result<RealBatch>,
    /// `n` latents (this rank's rows of the group's draw).
    pub noise: &'a mut dyn FnMut(i64) -> Tensor,
    pub latent_dim: i64,
}

impl GanFamily {
    /// One step: the schedule, then `update`, then the moving average.
    pub(crate) fn train_step_around(&mut self, ctx: &StepContext, update: &mut dyn FnMut(Updates<'_>) -> Result<Record>) -> Result<Record> {
        let lr_scale = self.config.optim.lr_factor(ctx.step, self.total_steps);
        self.opt_g.set_lr_scale(lr_scale);
        self.opt_d.set_lr_scale(lr_scale);
        let (latent, device, image, classes) = (self.config.model.latent_dim(), self.device, self.image, self.classes);
        let text = self.text.as_ref();
        let feed = &mut self.feed;
        let consumed = &mut self.batches_consumed;
        let skipped = &mut self.skipped;
        let mut last_real = self.probe.as_ref().is_some_and(|p| p.needs_real()).then_some(&mut self.last_real);
        let pack = self.config.pack as i64;
        let dist = self.dist.as_deref();
        // In a data-parallel group each rank takes its rows of the global batch (and of the
        // noise drawn for it), so that the group computes the single-process step.
        let shard = |t: Tensor| dist.map_or_else(|| t.shallow_clone(), |d| d.shard(&t));
        let (k, view) = (self.real_batches, self.real_view.as_deref());
        let mut next_real = || {
            let batch = feed.batches(*consumed, k, image, device)?;
            *consumed += k;
            skipped.extend(batch.skipped);
            let images = shard(batch.images);
            let images = view.map_or(images.shallow_clone(), |v| v(&images));
            if let Some(last) = last_real.as_mut() {
                **last = Some(images.shallow_clone());
            }
            let labels = batch.labels.map(|l| {
                let l = shard(l);
                text.map_or_else(|| one_hot(&l, classes), |t| t.of_labels(&l))
            });
            RealBatch { images, labels }.whole_packs(pack)
        };
        let world = dist.map_or(1, |d| d.world() as i64);
        let mut noise = |n| shard(Tensor::randn([n * world, latent], (Kind::Float, device)));
        let updates =
            Updates { nets: &self.nets, opt_g: &mut self.opt_g, opt_d: &mut self.opt_d, next_real: &mut next_real, noise: &mut noise, latent_dim: latent };
        let record = update(updates)?;
        if let Some(e) = &self.ema {
            e.update(ctx.step, self.config.batch_size * self.real_batches as usize);
        }
        Ok(record)
    }

    /// A training step whose adversarial updates `adversarial` makes (a family built on this
    /// one, StyleGAN2, has its own), with this family's data, noise, schedule, augmentation
    /// (and ADA's adjustment of it) and moving average around them.
    pub(crate) fn train_step_with(&mut self, ctx: StepContext, adversarial: &mut AdversarialStep<'_>) -> Result<Record> {
        let loss = self.config.loss.at(ctx.step, self.total_steps);
        let (augment, cycles) = (self.config.augment.clone(), self.config.critic_cycles);
        let p = self.ada.as_ref().map_or(1.0, |a| a.p);
        let dist = self.dist.clone();
        let mut real_sign = None;
        let mut record = self.train_step_around(&ctx, &mut |u| {
            let Partner::Discriminator(d) = &u.nets.partner else {
                return Err(GanError::Invalid("the GAN family trains a generator against a discriminator (the VAE is its own family)".into()));
            };
            let parts = StepParts {
                g: u.nets.g.as_ref(),
                d: d.as_ref(),
                opt_g: u.opt_g,
                opt_d: u.opt_d,
                loss: &loss,
                measure_grads: ctx.measure_grads,
                dist: dist.as_deref(),
                cycles,
                augment: augment.at(p),
            };
            let stats = adversarial(parts, u.next_real, u.noise)?;
            real_sign = stats.d.real_sign.as_ref().map(Tensor::shallow_clone);
            Ok(stats.record(&loss))
        })?;
        if let Some(ada) = &mut self.ada {
            ada.observe(real_sign.expect("an adaptive step measures E[sign D(real)]"), self.config.batch_size);
            record.mean(AUGMENT_P, "the augmentation probability", &Tensor::from(ada.p as f32));
        }
        Ok(record)
    }
}
