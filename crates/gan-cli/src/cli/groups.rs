//! Argument groups that several subcommands share (`#[command(flatten)]`): loading a trained
//! run's generator, drawing its latents, and choosing the classifier that judges it.

use std::path::{Path, PathBuf};

use clap::Args;
use gan::eval::learned::LearnedConfig;
use gan::models::latent::LatentDraw;
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use gan::DeviceChoice;
use tch::Device;

/// Which of a run's generators to load, and where (`sample`, `interpolate`, `steer`,
/// `classifier judge`, `eval`, `compare`).
#[derive(Args, Debug, Clone)]
pub struct LoadArgs {
    /// The checkpoint to load: a step number, or a checkpoint directory (default: the
    /// newest; `gan checkpoints RUN` lists them).
    #[arg(long, value_name = "STEP|PATH")]
    pub checkpoint: Option<CheckpointChoice>,
    /// Use the trained generator's own weights instead of their moving average (for runs
    /// with ema_half_life > 0, which otherwise sample from the average).
    #[arg(long)]
    pub raw: bool,
    /// auto: the first CUDA GPU when libtorch sees one, else the CPU.
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceChoice,
}

impl LoadArgs {
    pub fn choice(&self) -> WeightsChoice {
        WeightsChoice::raw_if(self.raw)
    }

    /// The generator of the run in `run` (the chosen checkpoint), on the chosen device.
    pub fn load(&self, run: &Path) -> anyhow::Result<(TrainedGenerator, Device)> {
        let device = self.device.resolve()?;
        Ok((TrainedGenerator::load(run, &self.checkpoint.clone().unwrap_or_default(), self.choice(), device)?, device))
    }
}

/// A trained run to draw from.
#[derive(Args, Debug, Clone)]
pub struct GeneratorArgs {
    /// The run directory to load the newest checkpoint from.
    #[arg(long)]
    pub run: PathBuf,
    #[command(flatten)]
    pub load: LoadArgs,
}

impl GeneratorArgs {
    pub fn load(&self) -> anyhow::Result<(TrainedGenerator, Device)> {
        self.load.load(&self.run)
    }
}

/// Seeded latents, optionally truncated (`sample`, `classifier judge`).
#[derive(Args, Debug, Clone, Copy)]
pub struct LatentArgs {
    /// Seed of the latent vectors (the same z for every chosen class).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Truncation trick (Brock et al. 2019): redraw latent entries beyond this magnitude
    /// (e.g. 1.0), for more typical, less varied samples.
    #[arg(long)]
    pub truncation: Option<f64>,
}

impl LatentArgs {
    pub fn draw(&self) -> LatentDraw {
        LatentDraw { seed: self.seed, truncation: self.truncation }
    }
}

/// The classifier that judges a run (`steer`, `classifier judge`, `eval`, `compare`).
#[derive(Args, Debug, Clone)]
pub struct ClassifierArg {
    /// The classifier (for eval, the feature network): `mnist`, `fashion-mnist` (shipped) or
    /// a .safetensors file from `gan classifier train` (default: the shipped classifier for
    /// the run's data).
    #[arg(long)]
    pub classifier: Option<String>,
}

impl ClassifierArg {
    pub fn name(&self) -> Option<&str> {
        self.classifier.as_deref()
    }
}

/// The feature space of an image evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FeatureChoice {
    /// The shipped classifier for 28x28 grey data it knows (and Stacked MNIST), the shipped
    /// emoji classifier for RGB folders with the emoji metadata; otherwise Inception when its
    /// weights are given; otherwise a network trained on the run's data.
    #[default]
    Auto,
    /// A LeNet classifier (`--classifier`): 28x28 grey images.
    Classifier,
    /// pytorch-fid's Inception-v3 (needs `--weights` or GAN_INCEPTION_WEIGHTS): any size,
    /// grey or RGB; the space published FIDs are in.
    Inception,
    /// A rotation-prediction CNN that gan trains on the run's data (cached): any size and
    /// channel count; compares runs on the same data only.
    Learned,
    /// The shipped emoji attribute classifier (group, subgroup, skin tone, vendor): RGB, any
    /// size; reports the groups drawn against the data's.
    Attributes,
}

/// Which feature network scores an image run (`eval`, `compare`, `train --eval`).
#[derive(Args, Debug, Clone)]
pub struct FeatureArgs {
    #[arg(long, value_enum, default_value = "auto")]
    pub features: FeatureChoice,
    /// Training steps of the learned feature network (16 images in 4 rotations each).
    #[arg(long, default_value_t = LearnedConfig::default().steps)]
    pub learned_steps: u32,
    /// pytorch-fid's Inception weights: the pt_inception-2015-12-05-6726825d.pth file (read
    /// once through Python with torch, $GAN_PYTHON or python3, and cached as safetensors), or a
    /// .safetensors copy (default: $GAN_INCEPTION_WEIGHTS).
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
}

impl Default for FeatureArgs {
    fn default() -> Self {
        Self { features: FeatureChoice::Auto, learned_steps: LearnedConfig::default().steps, weights: None }
    }
}

impl FeatureArgs {
    /// `--weights`, else $GAN_INCEPTION_WEIGHTS.
    pub fn inception_weights(&self) -> Option<PathBuf> {
        self.weights.clone().or_else(|| std::env::var_os("GAN_INCEPTION_WEIGHTS").filter(|v| !v.is_empty()).map(PathBuf::from))
    }
}
