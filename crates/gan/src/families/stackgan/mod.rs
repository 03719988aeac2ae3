//! The StackGAN family: Zhang et al., "StackGAN: Text to Photo-realistic Image Synthesis with
//! Stacked Generative Adversarial Networks" (ICCV 2017); reference code
//! `hanzhanggit/StackGAN-Pytorch` (`code/trainer.py`). A text-conditioned GAN run
//! (`crate::families::gan`, whose step with the matching-aware loss, data, captions, moving
//! average and doctor it reuses) of StackGAN's networks (`crate::models::stackgan`), trained in
//! two stages in one run directory: Stage-I for `stage1_steps` steps, then Stage-II with
//! Stage-I frozen. At the switch both networks and the moving average take the stage and the
//! optimisers start afresh (the reference trains Stage-II as a new run with new optimisers
//! over a loaded, frozen Stage-I); a fresh Adam state with the zero gradients of the networks
//! a stage does not use leaves their weights exactly as they are. The stage of the last step
//! is the family's checkpoint state (`family.json`), and the networks' weights hold it too,
//! so a run resumes in its stage.

use std::path::Path;

use tch::{Device, Tensor};

use super::gan::GanFamily;
use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::stackgan::{set_stage, stage_two};
use crate::models::NetConfig;
use crate::run::checkpoint::{CheckpointChoice, CheckpointParts, FamilyState};
use crate::run::metrics::names::STACKGAN_STAGE;
use crate::train::record::Record;
use crate::train::{Family, StepContext, Trainer};

/// The key of the family's state in `family.json`.
const STATE_KEY: &str = "stackgan";

/// A StackGAN run: a text-conditioned GAN run in two stages.
pub struct StackganFamily {
    inner: GanFamily,
    stage1_steps: u64,
    /// Whether the last step trained Stage-II (none before the first).
    last_two: Option<bool>,
}

/// A new StackGAN run of `config` in `run_dir`.
pub fn new_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    super::gan::build::new_family_run(config, run_dir, device, StackganFamily::build)
}

/// Continues the StackGAN run in `run_dir` (as `crate::families::gan::resume_run`).
pub fn resume_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    super::gan::build::resume_family_run(run_dir, requested, choice, device, StackganFamily::build)
}

impl StackganFamily {
    fn build(config: TrainConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        let NetConfig::Stackgan(net) = &config.model.net else {
            return Err(GanError::Invalid(format!("the StackGAN family trains model.kind = \"stackgan\", not \"{}\"", config.model.family())));
        };
        let stage1_steps = net.stage1_steps;
        let inner = GanFamily::build(config, device, ckpt)?;
        // A resumed run continues in the stage its weights hold.
        let last_two = ckpt.map(|_| inner.stores().first().is_some_and(|vs| stage_two(vs)));
        Ok(Self { inner, stage1_steps, last_two })
    }
}

impl Family for StackganFamily {
    super::gan::wrapped::wrapped_gan_family!(inner);

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        let two = ctx.step >= self.stage1_steps;
        if self.last_two == Some(!two) {
            self.inner.reset_optimizers();
        }
        if self.last_two != Some(two) {
            for vs in self.inner.stores() {
                set_stage(vs, two);
            }
        }
        self.last_two = Some(two);
        let mut record = self.inner.step(ctx)?;
        record.last(STACKGAN_STAGE, &Tensor::from(if two { 2f32 } else { 1f32 }));
        Ok(record)
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut parts = self.inner.checkpoint(step);
        let family = parts.family.get_or_insert_with(|| FamilyState { tensors: Vec::new(), values: serde_json::json!({}) });
        if let (Some(two), Some(values)) = (self.last_two, family.values.as_object_mut()) {
            values.insert(STATE_KEY.into(), serde_json::json!({ "stage": if two { 2 } else { 1 }, "stage1_steps": self.stage1_steps }));
        }
        parts
    }
}
