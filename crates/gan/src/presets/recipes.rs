//! The recipe of each image preset: a function building its configuration from the
//! defaults (see `table.rs` for the names and descriptions). Each reads as the edits a
//! recipe makes to the defaults, hence assignments after `default()`.
#![allow(clippy::field_reassign_with_default)]

use std::path::PathBuf;

use gan_data::folder::FolderSource;
use gan_data::vocab::ClassSet;
use gan_data::{DataSource, Split};

use super::{CIFAR10_DIR, FASHION_MNIST_DIR};
use crate::config::{CriticCycles, Length, OptimConfig, TrainConfig};
use crate::losses::penalty::Lipschitz;
use crate::losses::{GeneratorLoss, LossConfig, LossKind};
use crate::models::{DcganConfig, EmaConfig, ModelConfig, NetConfig, Norm, VaeConfig};
use crate::optim::{AdamConfig, OptimizerConfig, RmsPropConfig};

/// Generator steps of the Stacked MNIST presets.
const STACKED_STEPS: u64 = 10_000;

fn fashion() -> DataSource {
    DataSource::Idx { dir: FASHION_MNIST_DIR.into(), split: Split::Train, classes: Some(ClassSet::FashionMnist), pad: 0 }
}

fn cifar10() -> DataSource {
    DataSource::Cifar10 { dir: CIFAR10_DIR.into(), split: Split::Train }
}

/// 100,000 Stacked MNIST images from the built-in digits.
fn stacked() -> DataSource {
    DataSource::StackedMnist { dir: None, images: 100_000, seed: 0 }
}

fn adam(lr: f64, betas: (f64, f64)) -> OptimConfig {
    OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr, betas, eps: 1e-8 }))
}

/// R3GAN's objective (Huang et al. 2024) on the DCGAN pair: the relativistic pairing loss
/// with R1 + R2, a critic without normalisation (the penalties are per sample), a moving
/// average of the generator, and R3GAN's Adam (beta1 = 0).
fn rpgan(steps: u64, data: Option<DataSource>) -> TrainConfig {
    let mut c = TrainConfig::default();
    c.model = ModelConfig { net: NetConfig::Dcgan(DcganConfig { d_norm: Norm::None, ..DcganConfig::default() }), ema: EmaConfig::new(20_000, Some(0.05)) };
    c.loss = LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: 1.0, weight_end: None, every: Some(4) }, ..LossConfig::default() };
    c.optim = adam(2e-4, (0.0, 0.99));
    c.set_length(Length::Steps(steps));
    c.sample_every = 500;
    if let Some(d) = data {
        c.data = d;
    }
    c
}

pub fn mnist_rpgan() -> TrainConfig {
    rpgan(6000, None)
}

pub fn fashion_rpgan() -> TrainConfig {
    rpgan(10_000, Some(fashion()))
}

pub fn stacked_rpgan() -> TrainConfig {
    rpgan(STACKED_STEPS, Some(stacked()))
}

/// The 2014 MLP pair with R1 and a moving average: without R1 it collapses onto a few
/// digits (RESULTS.md).
pub fn mnist_mlp() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.loss.lipschitz = Lipschitz::R1 { weight: 1.0 };
    c.model.ema = EmaConfig::new(10_000, Some(0.05));
    c.set_length(Length::Epochs(60));
    c
}

pub fn mnist_mlp_minimax() -> TrainConfig {
    let mut c = mnist_mlp();
    c.loss.generator = Some(GeneratorLoss::Minimax);
    c
}

pub fn mnist_mlp_smooth() -> TrainConfig {
    let mut c = mnist_mlp();
    c.loss.real_label = Some(0.9);
    c
}

pub fn mnist_dcgan() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.model = DcganConfig::default().into();
    c.set_length(Length::Epochs(20));
    c
}

pub fn fashion_dcgan() -> TrainConfig {
    let mut c = mnist_dcgan();
    c.data = fashion();
    c.set_length(Length::Epochs(10));
    c
}

pub fn cifar10_dcgan() -> TrainConfig {
    let mut c = mnist_dcgan();
    c.data = cifar10();
    c.set_length(Length::Epochs(30));
    c
}

pub fn mnist_lsgan() -> TrainConfig {
    let mut c = mnist_dcgan();
    c.loss = LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() };
    c
}

pub fn mnist_cgan() -> TrainConfig {
    TrainConfig { conditional: true, ..mnist_dcgan() }
}

pub fn fashion_cgan() -> TrainConfig {
    TrainConfig { conditional: true, ..fashion_dcgan() }
}

pub fn cifar10_cgan() -> TrainConfig {
    TrainConfig { conditional: true, ..cifar10_dcgan() }
}

pub fn mnist_wgan_clip() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.model = DcganConfig::default().into();
    c.loss = LossConfig::wasserstein(Lipschitz::Clip { clip: 0.01 });
    c.optim = OptimConfig::same(OptimizerConfig::RmsProp(RmsPropConfig { lr: 5e-5, ..RmsPropConfig::default() }));
    (c.d_steps, c.epochs, c.sample_every) = (5, Some(100), 250);
    c
}

fn wgan_gp(data: DataSource, epochs: u64) -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = data;
    c.model = DcganConfig { d_norm: Norm::None, ..DcganConfig::default() }.into();
    c.loss = LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 });
    c.optim = adam(1e-4, (0.0, 0.9));
    (c.d_steps, c.sample_every) = (5, 250);
    c.set_length(Length::Epochs(epochs));
    c
}

pub fn fashion_wgan_gp() -> TrainConfig {
    wgan_gp(fashion(), 20)
}

pub fn cifar10_wgan_gp() -> TrainConfig {
    wgan_gp(cifar10(), 50)
}

pub fn mnist_vae() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.model = VaeConfig::default().into();
    c.loss = LossConfig::default();
    c.optim = adam(1e-3, (0.9, 0.999));
    c
}

pub fn fashion_vae() -> TrainConfig {
    let mut c = mnist_vae();
    c.data = fashion();
    c.set_length(Length::Epochs(10));
    c
}

fn stacked_dcgan_packed(pack: u32) -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = stacked();
    c.model = DcganConfig::default().into();
    c.pack = pack;
    c.set_length(Length::Steps(STACKED_STEPS));
    c
}

pub fn stacked_dcgan() -> TrainConfig {
    stacked_dcgan_packed(1)
}

pub fn stacked_pacgan2() -> TrainConfig {
    stacked_dcgan_packed(2)
}

pub fn faces128_wgan_gp() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = DataSource::Folder(FolderSource::new(PathBuf::new(), 128));
    c.model =
        DcganConfig { latent_dim: 200, g_base: 32, d_base: 16, d_norm: Norm::Instance, d_norm_first: true, leaky_slope: 0.2, ..DcganConfig::default() }.into();
    c.loss = LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 });
    c.optim = adam(1e-4, (0.5, 0.999));
    // The seed notebook's loop and length: one real batch for the five critic cycles, fresh
    // noise for the generator, the critic's mean loss logged; 6,000 generator steps.
    (c.batch_size, c.d_steps, c.critic_cycles, c.sample_every, c.checkpoint_every) = (128, 5, CriticCycles::SEED, 100, 200);
    c.set_length(Length::Steps(6_000));
    c
}
