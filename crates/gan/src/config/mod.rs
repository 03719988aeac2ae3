//! Run configuration: one TOML document (`config.toml` in every run directory) that fully
//! determines a training run together with its seed.
//!
//! Sources are layered: a preset, then a user's TOML file (any subset of the fields), then
//! command-line overrides. Unknown keys and values of the wrong type are rejected by serde
//! with the key's name; [`TrainConfig::validate`] then reports every semantic problem at once.

pub mod cartoon;
mod cycles;
mod doctor;
mod layer;
mod length;
mod log;
pub mod simgan;
mod text;
pub mod translation;
mod validate;

pub use cycles::CriticCycles;
pub use doctor::DoctorConfig;
pub use layer::differences;
pub use length::Length;
pub use text::{TextConfig, CAPTION_FIELD};

use gan_data::DataSource;
use serde::{Deserialize, Serialize};

use crate::losses::{GeneratorLoss, LossConfig};
use crate::models::diffaugment::AugmentConfig;
use crate::models::precision::Precision;
use crate::models::ModelConfig;
pub use crate::optim::OptimConfig;
use crate::optim::OptimizerConfig;
pub use log::LogConfig;

/// Everything that defines a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Seeds weights, noise, dropout and data order.
    pub seed: u64,
    pub batch_size: usize,
    /// Training length in generator updates; exactly one of `steps` and `epochs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Training length in passes over the data (counting the discriminator's batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u64>,
    /// Discriminator updates per generator update (`k` in Goodfellow et al. 2014, Alg. 1).
    pub d_steps: u32,
    /// How those updates take their data (see [`CriticCycles`]).
    #[serde(default, skip_serializing_if = "CriticCycles::is_default")]
    pub critic_cycles: CriticCycles,
    /// DiffAugment of what the discriminator sees (none by default).
    #[serde(default, skip_serializing_if = "AugmentConfig::is_default")]
    pub augment: AugmentConfig,
    /// Condition both networks on the data's class labels (Mirza & Osindero 2014).
    #[serde(default)]
    pub conditional: bool,
    /// Condition on each image's caption as text (`[text]`), not as a one-hot class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<TextConfig>,
    /// The discriminator judges packs of this many samples (PacGAN, Lin et al. 2018); 1: no
    /// packing.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub pack: u32,
    /// Average and record metrics every this many steps.
    pub log_every: u64,
    /// Save a sample grid from a fixed z every this many steps.
    pub sample_every: u64,
    /// Save a checkpoint every this many steps (and always at the end).
    pub checkpoint_every: u64,
    /// How many checkpoints to keep (older ones are deleted; at least two stay, so that a
    /// reader loading the newest is not cut off by the next save).
    pub keep_checkpoints: usize,
    /// Also keep the checkpoint of every this-many-th step for good (0: none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub keep_every: u64,
    pub data: DataSource,
    pub model: ModelConfig,
    pub loss: LossConfig,
    pub optim: OptimConfig,
    /// When and how training is checked for mode collapse, a winning discriminator and an
    /// exploding critic.
    #[serde(default, skip_serializing_if = "DoctorConfig::is_default")]
    pub doctor: DoctorConfig,
    /// The networks' arithmetic: `f32`, or `bf16` (matrix products and convolutions in
    /// bfloat16 under autocast; weights, losses and optimiser in float32).
    #[serde(default, skip_serializing_if = "Precision::is_f32")]
    pub precision: Precision,
    /// In data-parallel training, batch norms take their statistics over every rank's rows
    /// (`torch.nn.SyncBatchNorm`; in a group of one, the plain batch norm, as torch's) instead of
    /// each rank's own (DDP's default).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sync_batch_norm: bool,
    /// Where the run logs besides `metrics.jsonl` (`[log] tensorboard = false` turns the
    /// TensorBoard files off).
    #[serde(default, skip_serializing_if = "LogConfig::is_default")]
    pub log: LogConfig,
}

fn one() -> u32 {
    1
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl Default for TrainConfig {
    /// The seed setup of the 2014 GAN on MNIST: batch 64, Adam 2e-4 (0.5, 0.999),
    /// non-saturating generator loss, one D step per G step.
    fn default() -> Self {
        Self {
            seed: 0,
            batch_size: 64,
            steps: None,
            epochs: Some(30),
            d_steps: 1,
            critic_cycles: CriticCycles::default(),
            augment: AugmentConfig::default(),
            conditional: false,
            text: None,
            pack: 1,
            log_every: 10,
            sample_every: 500,
            checkpoint_every: 1000,
            keep_checkpoints: 2,
            keep_every: 0,
            data: DataSource::default(),
            model: ModelConfig::default(),
            loss: LossConfig::bce(GeneratorLoss::NonSaturating, 1.0),
            optim: OptimConfig::same(OptimizerConfig::default()),
            doctor: DoctorConfig::default(),
            precision: Precision::F32,
            sync_batch_norm: false,
            log: LogConfig::default(),
        }
    }
}

impl TrainConfig {
    /// The run's length; `None` when the document sets both `steps` and `epochs` or neither
    /// (the validation says which).
    pub fn length(&self) -> Option<Length> {
        match (self.steps, self.epochs) {
            (Some(s), None) => Some(Length::Steps(s)),
            (None, Some(e)) => Some(Length::Epochs(e)),
            _ => None,
        }
    }

    pub fn set_length(&mut self, length: Length) {
        (self.steps, self.epochs) = length.fields();
    }

    /// Total generator steps for a data set of `n_images`.
    pub fn total_steps(&self, n_images: usize) -> u64 {
        self.length().map_or(1, |l| l.total_steps(n_images, self.batch_size, self.d_steps))
    }
}
