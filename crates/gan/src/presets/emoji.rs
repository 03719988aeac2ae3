//! The emoji presets (`../shared/data/emoji`, or `--data DIR` for a folder laid out the same
//! way): the two vendors' 64x64 drawings with their metadata, the `train` split only (the
//! `test` split's base emojis stay unseen, for evaluation).
#![allow(clippy::field_reassign_with_default)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use gan_data::folder::{FolderSource, Unlabelled};
use gan_data::metadata::{Match, Scalar};
use gan_data::DataSource;

use super::recipes;
use crate::config::{Length, TextConfig, TrainConfig};
use crate::losses::penalty::Lipschitz;
use crate::losses::{GeneratorLoss, LossConfig};
use crate::models::condition::CondAugmentConfig;
use crate::models::diffaugment::{AugmentConfig, Transform};
use crate::models::progan::ProganConfig;
use crate::models::stackgan::StackganConfig;
use crate::models::stylegan2::Stylegan2Config;
use crate::models::{DcganConfig, EmaConfig, ModelConfig, NetConfig, Norm, VaeConfig};
use crate::optim::{AdamConfig, OptimConfig, OptimizerConfig};

/// Where the emoji presets look (override with `--data DIR`).
pub const EMOJI_DIR: &str = "../shared/data/emoji";

fn text(s: &str) -> Scalar {
    Scalar::Text(s.into())
}

/// The train split of both vendors at `size`, with `filter`'s extra conditions.
fn emoji(size: u32, mut filter: BTreeMap<String, Match>) -> DataSource {
    filter.insert("split".into(), Match::One(text("train")));
    DataSource::Folder(FolderSource { filter, ..FolderSource::new(PathBuf::from(EMOJI_DIR), size) })
}

/// The people and the smileys: the set's faces.
fn faces() -> BTreeMap<String, Match> {
    BTreeMap::from([("group".to_string(), Match::Any(vec![text("people & body"), text("smileys & emotion")]))])
}

/// DiffAugment's policy for small data sets (Zhao et al. 2020).
fn diffaugment() -> AugmentConfig {
    AugmentConfig { policy: vec![Transform::Color, Transform::Translation, Transform::Cutout], ada: None }
}

/// The default recipe's objective at 64x64 with DiffAugment: one sitting of an hour on 2 cores.
pub fn emoji_rpgan() -> TrainConfig {
    rpgan64(EMOJI_RPGAN_STEPS)
}

/// `emoji-rpgan`'s data, networks, objective and augmentation, for `steps` generator steps.
fn rpgan64(steps: u64) -> TrainConfig {
    let mut c = recipes::mnist_rpgan();
    c.data = emoji(64, BTreeMap::new());
    c.model = ModelConfig { net: NetConfig::Dcgan(DcganConfig { g_base: 32, d_base: 32, d_norm: Norm::None, ..DcganConfig::default() }), ..c.model };
    c.augment = diffaugment();
    c.set_length(Length::Steps(steps));
    c
}

/// Generator steps of `emoji-rpgan` (and of its ablation without augmentation): about 54
/// minutes on 2 cores (3.1 steps/s). At 6,000 DiffAugment had not yet paid; at 10,000 the run
/// without it is 31% worse (RESULTS.md).
pub const EMOJI_RPGAN_STEPS: u64 = 10_000;

/// Generator steps of the emoji presets measured at `emoji-rpgan`'s first length (its
/// conditional and text-to-image variants, StyleGAN2 and the VAE).
pub const EMOJI_STEPS: u64 = 6000;

/// As `emoji-rpgan` at its first length, conditioned on the skin tone of the people drawn with
/// one tone.
pub fn emoji_cgan() -> TrainConfig {
    let mut c = rpgan64(EMOJI_STEPS);
    let DataSource::Folder(f) = &mut c.data else { unreachable!("emoji data is a folder") };
    f.filter.insert("group".into(), Match::One(text("people & body")));
    (f.label, f.unlabelled) = (Some("skin_tone".into()), Unlabelled::Skip);
    c.conditional = true;
    c
}

/// As `emoji-rpgan` at its first length, conditioned on the emojis' names as text (`[text]`):
/// conditioning augmentation into G, projection in D.
pub fn emoji_text_rpgan() -> TrainConfig {
    let mut c = rpgan64(EMOJI_STEPS);
    let DataSource::Folder(f) = &mut c.data else { unreachable!("emoji data is a folder") };
    f.label = Some(crate::config::CAPTION_FIELD.into());
    c.conditional = true;
    c.text = Some(TextConfig { matcher: None, keyword_share: 0.3 });
    if let NetConfig::Dcgan(d) = &mut c.model.net {
        (d.augment_condition, d.projection) = (Some(CondAugmentConfig { dim: 128, kl_weight: 1.0 }), true);
    }
    c
}

/// StackGAN (Zhang et al. 2017) on the emoji names, at `emoji-text-rpgan`'s data, batch and
/// length: Stage-I at 32x32 for the first half, Stage-II at 64x64 (Stage-I frozen) for the
/// second; conditioning augmentation (128-d, the reference's KL weight 2), the matching-aware
/// BCE loss and Adam 2e-4 (0.5, 0.999) as the reference trains; no moving average and no
/// augmentation (the reference has neither); channels scaled to 2 cores (`g_base` 32 where
/// the reference's `GF_DIM` is 128, `d_base` 32 for its 64).
pub fn emoji_stackgan() -> TrainConfig {
    let mut c = emoji_text_rpgan();
    let net = StackganConfig {
        latent_dim: 100,
        augment_condition: CondAugmentConfig { dim: 128, kl_weight: 2.0 },
        g_base: 32,
        d_base: 32,
        residual_blocks: 2,
        stage1_steps: EMOJI_STEPS / 2,
    };
    c.model = ModelConfig { net: NetConfig::Stackgan(net), ema: EmaConfig::default() };
    c.loss = LossConfig { matching_aware: true, ..LossConfig::bce(GeneratorLoss::NonSaturating, 1.0) };
    c.optim = OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr: 2e-4, betas: (0.5, 0.999), eps: 1e-8 }));
    c.augment = AugmentConfig::default();
    c
}

/// The seed notebook's face WGAN-GP with one stage less, for 64x64.
pub fn emoji_wgan_gp() -> TrainConfig {
    let mut c = recipes::faces128_wgan_gp();
    c.data = emoji(64, BTreeMap::new());
    c
}

/// The seed notebook's face WGAN-GP as written, at 128x128 on the people and smileys.
pub fn emoji_faces_wgan_gp() -> TrainConfig {
    let mut c = recipes::faces128_wgan_gp();
    c.data = emoji(128, faces());
    c
}

/// The VAE baseline (MLP encoder and decoder) at 64x64.
pub fn emoji_vae() -> TrainConfig {
    let mut c = recipes::mnist_vae();
    c.data = emoji(64, BTreeMap::new());
    c.model = VaeConfig { latent_dim: 64, ..VaeConfig::default() }.into();
    c.set_length(Length::Steps(EMOJI_STEPS));
    c
}

/// ProGAN grown from 4x4 to 64x64, the paper's configuration scaled to 2 cores: feature maps
/// `min(1024 / 2^stage, 128)` (128 to 32 where the paper has 512 to 16), 20k images per
/// stable stretch and per fade where the paper shows 600k, batch 32 up to 16x16 and 16 above
/// (the paper's 16 throughout at these sizes), the moving average of G with a half-life of
/// 10k images (the reference's beta 0.999 per batch of 16 is 11k).
pub fn emoji_progan() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = emoji(64, BTreeMap::new());
    let net = ProganConfig { stable_kimg: 20.0, fade_kimg: 20.0, batch_per_resolution: vec![32, 32, 32, 16], ..ProganConfig::default() };
    c.model = ModelConfig { net: NetConfig::Progan(net), ema: EmaConfig::new(10_000, None) };
    c.loss = LossConfig { drift: 0.001, ..LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 }) };
    c.optim = OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.0, 0.99), eps: 1e-8 }));
    (c.batch_size, c.d_steps, c.sample_every, c.checkpoint_every) = (16, 1, 500, 500);
    c.set_length(Length::Steps(EMOJI_PROGAN_STEPS));
    c
}

/// StyleGAN2 at 64x64 after stylegan2-ada-pytorch's `auto` configuration scaled to 2 cores:
/// feature maps `min(2048 / r, 128)` (128 to 32 where `auto` has 512 to 256), a 2-layer
/// mapping network, batch 16, R1 gamma `0.0002 r^2 / batch` = 0.05, Adam 0.002 (0, 0.99),
/// the moving average's half-life `batch * 10 / 32` kimg = 5k images with ramp-up 0.05, and
/// DiffAugment (colour, translation, cutout) for the small set.
pub fn emoji_stylegan2() -> TrainConfig {
    let mut c = TrainConfig::default();
    c.data = emoji(64, BTreeMap::new());
    c.model = ModelConfig { net: NetConfig::Stylegan2(Stylegan2Config::default()), ema: EmaConfig::new(5_000, Some(0.05)) };
    c.loss = LossConfig { lipschitz: Lipschitz::R1 { weight: 0.05 }, ..LossConfig::default() };
    c.optim = OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr: 0.002, betas: (0.0, 0.99), eps: 1e-8 }));
    c.augment = diffaugment();
    (c.batch_size, c.d_steps, c.sample_every, c.checkpoint_every) = (16, 1, 500, 500);
    c.set_length(Length::Steps(EMOJI_STEPS));
    c
}

/// Generator steps of `emoji-progan`: 180k real images (4 growth phases of 40k, then 20k
/// stable at 64x64): 625 steps of 32 images at 4x4, 1,250 at 8x8 and at 16x16, 1,250 of 16
/// images at 32x32 and 64x64 each... (`tests/progan.rs` walks the schedule).
pub const EMOJI_PROGAN_STEPS: u64 = 8_125;
