//! StyleGAN2 and ProGAN on the grey sets: the digits and Fashion-MNIST padded with 2 black
//! pixels to 32x32 (both families grow in powers of two), the repository's `cifar`
//! configuration scaled to 2 cores (the emoji ones are in `emoji.rs`).
#![allow(clippy::field_reassign_with_default)]

use gan_data::builtin::Builtin;
use gan_data::vocab::ClassSet;
use gan_data::{DataSource, Split};

use super::FASHION_MNIST_DIR;
use crate::config::{Length, TrainConfig};
use crate::losses::penalty::Lipschitz;
use crate::losses::{LossConfig, LossKind};
use crate::models::progan::ProganConfig;
use crate::models::stylegan2::Stylegan2Config;
use crate::models::{EmaConfig, ModelConfig, NetConfig};
use crate::optim::{AdamConfig, OptimConfig, OptimizerConfig};

/// Black pixels around each 28x28 image: 32x32.
const PAD: u32 = 2;

/// Generator steps of `mnist-stylegan2` and `fashion-stylegan2`: on the digits their class
/// KL falls below 0.05 between steps 4,250 and 4,500 (RESULTS.md).
pub const GREY_STYLEGAN2_STEPS: u64 = 5_000;

/// Generator steps of `mnist-progan`: 12k images stable at 4x4, then 12k fading in and 12k
/// stable at each of 8x8, 16x16 (batch 32) and 32x32 (batch 16), then 12k more at 32x32:
/// 375 + 750 + 750 + 1,500 + 750 = 4,125 (`tests/progan.rs` walks the schedule).
pub const MNIST_PROGAN_STEPS: u64 = 4_125;

fn mnist32() -> DataSource {
    DataSource::Builtin { name: Builtin::Mnist10k, pad: PAD }
}

fn fashion32() -> DataSource {
    DataSource::Idx { dir: FASHION_MNIST_DIR.into(), split: Split::Train, classes: Some(ClassSet::FashionMnist), pad: PAD }
}

fn adam(lr: f64) -> OptimConfig {
    OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr, betas: (0.0, 0.99), eps: 1e-8 }))
}

/// The `cifar` configuration at 32x32 scaled down: feature maps `min(2048 / r, 128)` (128,
/// 128, 128, 64 where `cifar` has 512 throughout), a 2-layer mapping network, R1 gamma 0.01,
/// Adam 0.0025 (0, 0.99), batch 32, the average's half-life 5k images with ramp-up 0.05:
/// the paper's objective, which collapses on the digits (RESULTS.md), and the step the
/// PyTorch benchmark restates (`gan bench --model stylegan2`).
pub fn stylegan2_32_paper(data: DataSource) -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = data;
    c.model = ModelConfig { net: NetConfig::Stylegan2(Stylegan2Config::default()), ema: EmaConfig::new(5_000, Some(0.05)) };
    c.loss = LossConfig { lipschitz: Lipschitz::R1 { weight: 0.01 }, ..LossConfig::default() };
    c.optim = adam(0.0025);
    (c.batch_size, c.d_steps, c.sample_every, c.checkpoint_every) = (32, 1, 500, 500);
    c.set_length(Length::Steps(GREY_STYLEGAN2_STEPS));
    c
}

/// The same networks and schedule on R3GAN's objective (Huang et al. 2024, config B): the
/// relativistic pairing loss with R1 and R2 (weight 1, lazily with R1), which draws all ten
/// digits where the paper's collapses to two.
fn stylegan2_32(data: DataSource) -> TrainConfig {
    let mut c = stylegan2_32_paper(data);
    c.loss = LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: 1.0, weight_end: None, every: None }, ..LossConfig::default() };
    c
}

pub fn mnist_stylegan2() -> TrainConfig {
    stylegan2_32(mnist32())
}

/// `mnist-stylegan2` as the paper trains it (the benchmark's step).
pub fn mnist_stylegan2_paper() -> TrainConfig {
    stylegan2_32_paper(mnist32())
}

pub fn fashion_stylegan2() -> TrainConfig {
    stylegan2_32(fashion32())
}

/// ProGAN grown 4x4 to 32x32 on the padded digits, as `emoji-progan` with 12k images per
/// stable stretch and per fade.
pub fn mnist_progan() -> TrainConfig {
    let mut c = super::emoji::emoji_progan();
    c.data = mnist32();
    let net = ProganConfig { stable_kimg: 12.0, fade_kimg: 12.0, batch_per_resolution: vec![32, 32, 32, 16], ..ProganConfig::default() };
    c.model = ModelConfig { net: NetConfig::Progan(net), ..c.model };
    c.set_length(Length::Steps(MNIST_PROGAN_STEPS));
    c
}
