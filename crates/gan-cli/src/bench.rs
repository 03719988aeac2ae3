//! Throughput of the real training step, for `gan bench` (compared against the PyTorch
//! reference in `bench/reference.py` by `make bench`).

use std::time::Instant;

use tch::Device;

use gan::config::translation::TranslateConfig;
use gan::config::{OptimConfig, TrainConfig};
use gan::error::Result;
use gan::losses::penalty::Lipschitz;
use gan::losses::LossConfig;
use gan::models::MlpConfig;
use gan::optim::{AdamConfig, OptimizerConfig};
use gan::presets::translation::TranslationPreset;
use gan::presets::Preset;
use gan_data::pairs::{PairSource, Pairing};
use gan_data::Split;

/// The training steps `make bench` compares with `bench/reference.py`: each one discriminator
/// (critic) update then one generator update (for translation models, the generators' update
/// then the discriminators'), on the built-in MNIST sample.
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum BenchModel {
    /// The 2014 MLP GAN on 28x28 images (one D update + one G update).
    Mlp,
    /// The mnist-dcgan networks (BatchNorm conv G/D, BCE).
    Dcgan,
    /// WGAN-GP with the MLP critic (no dropout), lambda 10.
    WganGpMlp,
    /// WGAN-GP with the fashion-wgan-gp conv critic, lambda 10.
    WganGpConv,
    /// The edges2fashion-pix2pix networks (U-Net depth 5, PatchGAN, BCE + 100 L1) on
    /// MNIST digits -> the same digits dilated, paired.
    Pix2pix,
    /// The edges2fashion-cyclegan networks (two ResNet generators, two PatchGANs, LSGAN,
    /// cycle and identity losses, image pools) on unpaired thin and thick MNIST digits.
    Cyclegan,
    /// The mnist-stylegan2 step on the paper's objective (digits padded to 32x32, batch 32;
    /// the non-saturating loss with R1, as the reference restates it): style mixing, the lazy
    /// path length (every 4th) and R1 (every 16th) regularisers at their intervals.
    Stylegan2,
    /// The mnist-progan step at its full 32x32 (batch 16): WGAN-GP with drift, pixel norm,
    /// equalised learning rate (the warm-up steps grow the pair to 32x32).
    Progan,
}

impl BenchModel {
    pub fn name(self) -> &'static str {
        match self {
            BenchModel::Mlp => "mlp",
            BenchModel::Dcgan => "dcgan",
            BenchModel::WganGpMlp => "wgan-gp-mlp",
            BenchModel::WganGpConv => "wgan-gp-conv",
            BenchModel::Pix2pix => "pix2pix",
            BenchModel::Cyclegan => "cyclegan",
            BenchModel::Stylegan2 => "stylegan2",
            BenchModel::Progan => "progan",
        }
    }

    /// The batch size timed unless one is given: the preset's.
    pub fn default_batch(self) -> usize {
        match self {
            BenchModel::Stylegan2 => gan::presets::mnist_stylegan2_paper().batch_size,
            // The batch the preset trains its full resolution (32x32) at.
            BenchModel::Progan => {
                let c = Preset::MnistProgan.config();
                match &c.model.net {
                    gan::models::NetConfig::Progan(p) => p.batch_at(5, c.batch_size),
                    _ => c.batch_size,
                }
            }
            _ => self.translation_preset().map_or(64, |(p, _)| p.config().batch_size),
        }
    }

    fn translation_preset(self) -> Option<(TranslationPreset, Pairing)> {
        match self {
            BenchModel::Pix2pix => Some((TranslationPreset::Edges2FashionPix2pix, Pairing::Paired)),
            BenchModel::Cyclegan => Some((TranslationPreset::Edges2FashionCyclegan, Pairing::Halves)),
            _ => None,
        }
    }

    /// A translation model's run configuration (its preset's networks and losses on the
    /// built-in digits, a constant learning rate); `None` for the GAN steps.
    pub fn translation(self, batch_size: usize, steps: u64) -> Option<TranslateConfig> {
        let (preset, pairing) = self.translation_preset()?;
        let mut c = preset.config();
        c.data = PairSource::MnistThick { dir: None, split: Split::Train, pairing };
        (c.batch_size, c.steps, c.schedule, c.decay_from) = (batch_size, steps, gan::optim::LrSchedule::Constant, None);
        (c.log_every, c.sample_every, c.checkpoint_every) = (NEVER, NEVER, NEVER);
        Some(c)
    }

    /// A GAN step's configuration (one critic update per generator update); `None` for
    /// the translation models.
    pub fn config(self, batch_size: usize, steps: u64) -> Option<TrainConfig> {
        let mut c = match self {
            // The plain 2014 step (the mnist-mlp preset adds R1 and a moving average).
            BenchModel::Mlp => TrainConfig::default(),
            BenchModel::Dcgan => Preset::MnistDcgan.config(),
            BenchModel::WganGpMlp => TrainConfig {
                model: MlpConfig { d_dropout: 0.0, ..MlpConfig::default() }.into(),
                loss: LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 }),
                optim: OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr: 1e-4, betas: (0.0, 0.9), eps: 1e-8 })),
                ..TrainConfig::default()
            },
            BenchModel::WganGpConv => {
                let mut c = Preset::FashionWganGp.config();
                c.data = TrainConfig::default().data;
                c
            }
            BenchModel::Stylegan2 => gan::presets::mnist_stylegan2_paper(),
            BenchModel::Progan => {
                let mut c = Preset::MnistProgan.config();
                if let gan::models::NetConfig::Progan(p) = &mut c.model.net {
                    // One image per stable stretch and per fade: the pair is full-grown
                    // within the warm-up, one batch each resolution.
                    (p.stable_kimg, p.fade_kimg, p.batch_per_resolution) = (0.001, 0.001, Vec::new());
                }
                c
            }
            BenchModel::Pix2pix | BenchModel::Cyclegan => return None,
        };
        c.d_steps = 1;
        c.batch_size = batch_size;
        c.set_length(gan::config::Length::Steps(steps));
        (c.log_every, c.sample_every, c.checkpoint_every) = (NEVER, NEVER, NEVER);
        Some(c)
    }
}

/// Keeps the timed loop free of logging, sampling and checkpoint I/O.
const NEVER: u64 = 1 << 40;

/// Steps per second of `config`'s training step after `warmup` untimed steps, timed over
/// `steps` steps. Runs in a temporary directory that is deleted afterwards.
pub fn steps_per_sec(config: TrainConfig, device: Device, warmup: u64, steps: u64) -> Result<f64> {
    in_temp_dir(|dir| {
        let mut t = gan::families::new_train_run(config, dir, device)?;
        timed(device, warmup, steps, || t.train_step().map(drop))
    })
}

/// As [`steps_per_sec`], for a translation run's step.
pub fn translation_steps_per_sec(config: TranslateConfig, device: Device, warmup: u64, steps: u64) -> Result<f64> {
    in_temp_dir(|dir| {
        let mut t = gan::families::translation::new_run(config, dir, device)?;
        timed(device, warmup, steps, || t.train_step().map(drop))
    })
}

/// Runs `f` on a fresh temporary run directory, deleted afterwards.
fn in_temp_dir<T>(f: impl FnOnce(&std::path::Path) -> Result<T>) -> Result<T> {
    let dir = std::env::temp_dir().join(format!("gan-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = f(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// Steps per second of `step`, timed over `steps` after `warmup` untimed ones.
fn timed(device: Device, warmup: u64, steps: u64, mut step: impl FnMut() -> Result<()>) -> Result<f64> {
    for _ in 0..warmup {
        step()?;
    }
    sync(device);
    let start = Instant::now();
    for _ in 0..steps {
        step()?;
    }
    sync(device);
    Ok(steps as f64 / start.elapsed().as_secs_f64())
}

/// Batches per second the image-folder decoder delivers (as training consumes them: in
/// order, decoded ahead on `workers` threads), timed over `batches` after `warmup`.
pub fn folder_batches_per_sec(dir: &std::path::Path, size: u32, batch_size: usize, workers: usize, warmup: u64, batches: u64) -> Result<f64> {
    let folder = gan_data::folder::ImageFolder::scan(dir, size)?;
    let sampler = gan_data::BatchSampler::new(folder.len(), batch_size, 0)?;
    let mut p = gan_data::folder::Prefetcher::start(std::sync::Arc::new(folder), sampler, 0, workers, 4, gan_data::folder::OnError::Skip);
    for _ in 0..warmup {
        p.next_batch()?;
    }
    let start = Instant::now();
    for _ in 0..batches {
        p.next_batch()?;
    }
    Ok(batches as f64 / start.elapsed().as_secs_f64())
}

pub(crate) fn sync(device: Device) {
    if let Device::Cuda(i) = device {
        tch::Cuda::synchronize(i as i64);
    }
}
