//! A translation run's trained generators, loaded from a checkpoint for `gan translate`
//! and `gan eval`.

use std::path::{Path, PathBuf};

use tch::{Device, Tensor};

use crate::config::translation::TranslateConfig;
use crate::error::{GanError, Result};
use crate::models::translation::Generators;
use crate::models::ImageShape;
use crate::run::checkpoint::{self, CheckpointChoice, GENERATOR_EMA_FILE};
use crate::run::dir::RunDir;
use crate::run::trained::Weights;

/// Which way to translate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum Direction {
    #[default]
    A2b,
    /// CycleGAN runs only.
    B2a,
}

pub struct TrainedTranslator {
    pub config: TranslateConfig,
    pub image: ImageShape,
    pub step: u64,
    pub checkpoint: PathBuf,
    /// The generators' moving average when the checkpoint has one, else their weights.
    pub weights: Weights,
    nets: Generators,
    device: Device,
}

impl TrainedTranslator {
    pub fn load(run: &Path, choice: &CheckpointChoice, device: Device) -> Result<Self> {
        let rd = RunDir::new(run);
        if !rd.config().is_file() {
            return Err(GanError::Invalid(format!("{} is not a run directory (no config.toml)", run.display())));
        }
        let text = std::fs::read_to_string(rd.config()).map_err(GanError::io(rd.config()))?;
        let config = TranslateConfig::from_toml_str(&text, &rd.config().display().to_string())?;
        let dir = checkpoint::resolve(&rd, choice)?
            .ok_or_else(|| GanError::Invalid(format!("{} has no checkpoint yet (checkpoints/latest is missing)", run.display())))?;
        let state = checkpoint::read_state(&dir)?;
        config
            .model
            .check_image(state.image)
            .map_err(|reason| GanError::Checkpoint { path: dir.join(checkpoint::STATE_FILE), reason: format!("image {}: {reason}", state.image) })?;
        let mut nets = config.model.build_generators(state.image, device);
        let weights = if dir.join(GENERATOR_EMA_FILE).is_file() { Weights::Ema } else { Weights::Raw };
        checkpoint::load_weights(&mut nets.vs, &dir.join(weights.file()))?;
        Ok(Self { config, image: state.image, step: state.step, checkpoint: dir, weights, nets, device })
    }

    pub fn device(&self) -> Device {
        self.device
    }

    /// Translates `[B, C, H, W]` images in `[-1, 1]` (of the run's shape) in evaluation mode.
    pub fn translate(&self, x: &Tensor, direction: Direction) -> Result<Tensor> {
        let net = match direction {
            Direction::A2b => self.nets.a2b.as_ref(),
            Direction::B2a => self.nets.b2a().ok_or_else(|| {
                GanError::Invalid(format!("--direction b2a needs a CycleGAN run; this is a {} run, which translates A to B only", self.config.model.name()))
            })?,
        };
        let size = x.size();
        let want = [self.image.channels, self.image.height, self.image.width];
        if size.len() != 4 || size[1..] != want {
            return Err(GanError::Invalid(format!("the run translates {} images; got {:?}", self.image, &size[1..])));
        }
        Ok(tch::no_grad(|| net.forward_t(&x.to_device(self.device), false)))
    }
}
