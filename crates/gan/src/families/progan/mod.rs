//! The ProGAN family: Karras, Aila, Laine and Lehtinen, "Progressive Growing of GANs for
//! Improved Quality, Stability, and Variation" (ICLR 2018); reference code
//! `tkarras/progressive_growing_of_gans` (train.py). A GAN run (`crate::families::gan`, whose
//! step, data, moving average and doctor it reuses) of the ProGAN networks
//! (`crate::models::progan`), grown by [`schedule`]: before each step the level of detail
//! follows the real images shown, both networks and the moving average take it, the real
//! batch is shown at the current resolution (faded between two while a block fades in, as the
//! reference's `process_reals`), the batch follows `batch_per_resolution`, and the optimisers'
//! states are reset when a fade starts and ends. The level of detail of the last step is the
//! family's checkpoint state (`family.json`), with the resolution and alpha it means.
//!
//! Stated differences from the reference's loop: one update of each network per step (its
//! `minibatch_repeats = 4` only spaces its schedule's updates), one learning rate for every
//! resolution, and images downscaled in floating point (the reference's data sets store each
//! resolution rounded to 8 bits).

pub mod schedule;

use std::path::Path;

use tch::{Device, Tensor};

use super::gan::GanFamily;
use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::progan::layers::{downscale, lerp, upscale};
use crate::models::progan::{set_lod, Levels, ProganConfig};
use crate::models::NetConfig;
use crate::run::checkpoint::{self, CheckpointChoice, CheckpointParts, FamilyState};
use crate::run::metrics::names::{GROWTH_ALPHA, GROWTH_RESOLUTION};
use crate::train::record::Record;
use crate::train::{Family, StepContext, Trainer};
use schedule::{Schedule, Stage};

/// The key of the family's state in `family.json`.
const STATE_KEY: &str = "progan";

/// A ProGAN run: a GAN run whose networks grow.
pub struct ProganFamily {
    inner: GanFamily,
    net: ProganConfig,
    schedule: Schedule,
    /// The level of detail of the last step (none before the first).
    last_lod: Option<f64>,
}

/// A new ProGAN run of `config` in `run_dir`.
pub fn new_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    super::gan::build::new_family_run(config, run_dir, device, ProganFamily::build)
}

/// Continues the ProGAN run in `run_dir` (as `crate::families::gan::resume_run`).
pub fn resume_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    super::gan::build::resume_family_run(run_dir, requested, choice, device, ProganFamily::build)
}

/// Real images as the networks see them at level of detail `lod`: at the resolution trained,
/// faded toward the one below by the new block's `t`, upscaled back to full size.
pub fn fade_reals(x: &Tensor, levels: Levels, lod: f64) -> Tensor {
    let (top, t) = levels.at(lod);
    let k = 1 << (levels.log2 - top);
    let mut x = downscale(x, k);
    if t > 0.0 {
        x = lerp(&x, &upscale(&downscale(&x, 2), 2), t);
    }
    upscale(&x, k)
}

impl ProganFamily {
    fn build(config: TrainConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        let NetConfig::Progan(net) = config.model.net.clone() else {
            return Err(GanError::Invalid(format!("the ProGAN family trains model.kind = \"progan\", not \"{}\"", config.model.family())));
        };
        let inner = GanFamily::build(config, device, ckpt)?;
        let levels = Levels::of(inner.image()).map_err(GanError::Invalid)?;
        let last_lod = match ckpt {
            Some(dir) => Some(Self::saved_lod(dir)?),
            None => None,
        };
        Ok(Self { schedule: Schedule::new(&net, levels), inner, net, last_lod })
    }

    fn saved_lod(dir: &Path) -> Result<f64> {
        let values = checkpoint::read_family_state(dir)?.values;
        values[STATE_KEY]["lod"].as_f64().ok_or_else(|| GanError::Checkpoint {
            path: dir.join(checkpoint::FAMILY_VALUES_FILE),
            reason: format!("has no {STATE_KEY}.lod (the level of detail a ProGAN run stopped at)"),
        })
    }

    /// Moves the networks to the level of detail of the images shown so far.
    fn grow(&mut self) -> Stage {
        let lod = self.schedule.lod(self.inner.images_seen());
        if self.last_lod.is_some_and(|before| Schedule::resets(before, lod)) {
            self.inner.reset_optimizers();
        }
        // The networks hold the last step's level of detail (a resumed run's, from its weights).
        if self.last_lod != Some(lod) {
            for vs in self.inner.stores() {
                set_lod(vs, lod);
            }
        }
        self.last_lod = Some(lod);
        let levels = self.schedule.levels;
        let stage = Stage::at(levels, lod);
        let base = self.inner.config().batch_size;
        let k = self.net.batch_at(stage.resolution.trailing_zeros() as i64, base) / base;
        self.inner.set_real_batches(k as u64, Some(Box::new(move |x: &Tensor| fade_reals(x, levels, lod))));
        stage
    }
}

impl Family for ProganFamily {
    super::gan::wrapped::wrapped_gan_family!(inner);

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        let stage = self.grow();
        let mut record = self.inner.step(ctx)?;
        record.last(GROWTH_RESOLUTION, &Tensor::from(stage.resolution as f32)).last(GROWTH_ALPHA, &Tensor::from(stage.alpha as f32));
        Ok(record)
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut parts = self.inner.checkpoint(step);
        let family = parts.family.get_or_insert_with(|| FamilyState { tensors: Vec::new(), values: serde_json::json!({}) });
        if let (Some(lod), Some(values)) = (self.last_lod, family.values.as_object_mut()) {
            let stage = Stage::at(self.schedule.levels, lod);
            let kimg = self.inner.images_seen() as f64 / 1000.0;
            values.insert(STATE_KEY.into(), serde_json::json!({ "lod": lod, "resolution": stage.resolution, "alpha": stage.alpha, "kimg": kimg }));
        }
        parts
    }
}
