//! The VAE baseline (Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014): an
//! encoder and a decoder trained on the negative ELBO ([`step`]), the decoder sampling as a
//! generator does. A family built on the GAN family's data, sample grid, moving average and
//! checkpoints (`crate::families::gan`), its networks `crate::models::vae` (`[model] kind =
//! "vae"`, `gan train --preset mnist-vae`).

pub mod step;

use std::path::Path;
use std::sync::Arc;

use tch::Device;

use super::gan::GanFamily;
use crate::config::TrainConfig;
use crate::dist::Dist;
use crate::error::{GanError, Result};
use crate::models::{NetConfig, Partner};
use crate::run::checkpoint::{CheckpointChoice, CheckpointParts};
use crate::train::record::Record;
use crate::train::{Family, StepContext, Trainer};

/// A VAE run.
pub struct VaeFamily {
    inner: GanFamily,
}

/// A new VAE run of `config` in `run_dir`.
pub fn new_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    super::gan::build::new_family_run(config, run_dir, device, VaeFamily::build)
}

/// Continues the VAE run in `run_dir` (as `crate::families::gan::resume_run`).
pub fn resume_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    super::gan::build::resume_family_run(run_dir, requested, choice, device, VaeFamily::build)
}

impl VaeFamily {
    fn build(config: TrainConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        if !matches!(config.model.net, NetConfig::Vae(_)) {
            return Err(GanError::Invalid(format!("the VAE family trains model.kind = \"vae\", not \"{}\"", config.model.family())));
        }
        Ok(Self { inner: GanFamily::build(config, device, ckpt)? })
    }
}

impl Family for VaeFamily {
    super::gan::wrapped::wrapped_gan_family!(inner);

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        self.inner.train_step_around(&ctx, &mut |u| {
            let Partner::Encoder(encoder, decoder) = &u.nets.partner else {
                return Err(GanError::Invalid("a VAE run needs an encoder beside its decoder".into()));
            };
            let real = (u.next_real)()?.images;
            Ok(step::vae_step(encoder, decoder, u.opt_g, u.opt_d, &real, u.latent_dim))
        })
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        self.inner.checkpoint(step)
    }

    /// Data parallelism as the GAN family's: the optimisers average the gradients.
    fn join(&mut self, dist: Arc<Dist>, step: u64) -> Result<u64> {
        self.inner.join(dist, step)
    }

    fn dist(&self) -> Option<&Dist> {
        self.inner.dist()
    }
}
