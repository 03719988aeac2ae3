//! Throughput of the real training step, for `gan bench` (compared against the PyTorch
//! reference in `bench/reference.py` by `make bench`).

use std::time::Instant;

use tch::Device;

use gan::config::{OptimConfig, TrainConfig};
use gan::error::Result;
use gan::losses::penalty::Lipschitz;
use gan::losses::LossConfig;
use gan::models::MlpConfig;
use gan::optim::{AdamConfig, OptimizerConfig};
use gan::presets::Preset;
use gan::train::Trainer;

/// The training steps `make bench` compares with `bench/reference.py`: each one discriminator
/// (critic) update then one generator update, batch 64, on the built-in MNIST sample.
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
}

impl BenchModel {
    pub fn name(self) -> &'static str {
        match self {
            BenchModel::Mlp => "mlp",
            BenchModel::Dcgan => "dcgan",
            BenchModel::WganGpMlp => "wgan-gp-mlp",
            BenchModel::WganGpConv => "wgan-gp-conv",
        }
    }

    /// The step's configuration (one critic update per generator update).
    pub fn config(self, batch_size: usize, steps: u64) -> TrainConfig {
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
        };
        c.d_steps = 1;
        c.batch_size = batch_size;
        (c.steps, c.epochs) = (Some(steps), None);
        // Keep the timed loop free of logging, sampling and checkpoint I/O.
        let never = 1 << 40;
        (c.log_every, c.sample_every, c.checkpoint_every) = (never, never, never);
        c
    }
}

/// Steps per second of `config`'s training step after `warmup` untimed steps, timed over
/// `steps` steps. Runs in a temporary directory that is deleted afterwards.
pub fn steps_per_sec(config: TrainConfig, device: Device, warmup: u64, steps: u64) -> Result<f64> {
    let dir = std::env::temp_dir().join(format!("gan-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = (|| {
        let mut t = Trainer::new(config, &dir, device)?;
        for _ in 0..warmup {
            let _ = t.train_step()?;
        }
        sync(device);
        let start = Instant::now();
        for _ in 0..steps {
            let _ = t.train_step()?;
        }
        sync(device);
        Ok(steps as f64 / start.elapsed().as_secs_f64())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
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
