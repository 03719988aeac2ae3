//! The StyleGAN2 family: Karras et al., "Analyzing and Improving the Image Quality of
//! StyleGAN" (CVPR 2020), trained as `NVlabs/stylegan2-ada-pytorch` trains it
//! (training_loop.py, loss.py). A GAN run (`crate::families::gan`, whose data, noise,
//! augmentation and ADA, moving average, sample grids and doctor it reuses) of the StyleGAN2
//! networks (`crate::models::stylegan2`) whose adversarial updates are [`step`]'s four
//! phases: style mixing, the lazy path length and R1 regularisers, each network's optimiser
//! at `lr * k / (k + 1)` with Adam's betas to that power (`k` its regulariser's interval).
//! The path lengths' running mean is the family's checkpoint state, so that a resumed run
//! continues bit for bit.
//!
//! Stated differences from the reference's loop: one minibatch per phase (no gradient
//! accumulation over rounds), and the phases' latents drawn one after the other from the
//! run's generator of random numbers.

pub mod import;
pub mod step;

use std::path::Path;

use tch::{Device, Kind, Tensor};

use super::gan::GanFamily;
use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::losses::penalty::Lipschitz;
use crate::models::stylegan2::Stylegan2Generator;
use crate::models::NetConfig;
use crate::run::checkpoint::{self, CheckpointChoice, CheckpointParts, FamilyState};
use crate::run::metrics::names::{PL_MEAN, PL_PENALTY};
use crate::train::record::Record;
use crate::train::{Family, StepContext, Trainer};
use step::{stylegan2_step, Regularisers};

/// The running mean of the path lengths in the checkpoint's family tensors.
const PL_MEAN_TENSOR: &str = "stylegan2.pl_mean";

/// A StyleGAN2 run.
pub struct Stylegan2Family {
    inner: GanFamily,
    reg: Regularisers,
}

/// A new StyleGAN2 run of `config` in `run_dir`.
pub fn new_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    super::gan::build::new_family_run(config, run_dir, device, Stylegan2Family::build)
}

/// Continues the StyleGAN2 run in `run_dir` (as `crate::families::gan::resume_run`).
pub fn resume_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    super::gan::build::resume_family_run(run_dir, requested, choice, device, Stylegan2Family::build)
}

impl Stylegan2Family {
    fn build(config: TrainConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        let NetConfig::Stylegan2(net) = config.model.net.clone() else {
            return Err(GanError::Invalid(format!("the StyleGAN2 family trains model.kind = \"stylegan2\", not \"{}\"", config.model.family())));
        };
        let (gamma, r2) = match config.loss.lipschitz {
            Lipschitz::R1 { weight } => (weight, false),
            Lipschitz::R1R2 { weight, .. } => (weight, true),
            _ => (0.0, false),
        };
        let loss = config.loss.clone();
        let mut inner = GanFamily::build(config, device, ckpt)?;
        let (opt_g, opt_d) = inner.optimizers_mut();
        if net.training.pl_weight > 0.0 {
            opt_g.set_lazy_interval(net.training.pl_every);
        }
        if gamma > 0.0 {
            opt_d.set_lazy_interval(net.training.r1_every);
        }
        let pl_mean = match ckpt {
            Some(dir) => Self::saved_pl_mean(dir)?.to_device(device),
            None => Tensor::zeros([], (Kind::Float, device)),
        };
        Ok(Self { inner, reg: Regularisers { terms: net.training, loss, gamma, r2, pl_mean, last_pl: None } })
    }

    fn saved_pl_mean(dir: &Path) -> Result<Tensor> {
        let state = checkpoint::read_family_state(dir)?;
        state.tensors.into_iter().find(|(n, _)| n == PL_MEAN_TENSOR).map(|(_, t)| t).ok_or_else(|| GanError::Checkpoint {
            path: dir.join(checkpoint::FAMILY_TENSORS_FILE),
            reason: format!("has no {PL_MEAN_TENSOR} (the path lengths' running mean of a StyleGAN2 run)"),
        })
    }
}

impl Family for Stylegan2Family {
    super::gan::wrapped::wrapped_gan_family!(inner);

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        let (reg, step) = (&mut self.reg, ctx.step);
        let mut record = self.inner.train_step_with(ctx, &mut |parts, next_real, noise| {
            let g = parts.g;
            let g = g
                .as_any()
                .and_then(|a| a.downcast_ref::<Stylegan2Generator>())
                .ok_or_else(|| GanError::Invalid("the StyleGAN2 family needs its generator as built (not under [device] bf16 autocast)".into()))?;
            stylegan2_step(parts, g, reg, step, next_real, noise)
        })?;
        if let Some(pl) = &self.reg.last_pl {
            record.mean(PL_PENALTY, "the path length penalty", pl).last(PL_MEAN, &self.reg.pl_mean);
        }
        Ok(record)
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut parts = self.inner.checkpoint(step);
        let family = parts.family.get_or_insert_with(|| FamilyState { tensors: Vec::new(), values: serde_json::json!({}) });
        family.tensors.push((PL_MEAN_TENSOR.into(), self.reg.pl_mean.copy()));
        parts
    }
}
