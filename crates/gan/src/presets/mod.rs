//! Named, ready-to-run configurations (`gan presets` lists them).

pub mod toy;
pub mod translation;

use serde::{Deserialize, Serialize};

use std::path::PathBuf;

use gan_data::folder::OnError;
use gan_data::vocab::ClassSet;
use gan_data::{DataSource, Split};

use crate::config::{OptimConfig, TrainConfig};
use crate::error::{GanError, Result};
use crate::losses::penalty::Lipschitz;
use crate::losses::{GeneratorLoss, LossConfig, LossKind};
use crate::models::{DcganConfig, EmaConfig, ModelConfig, NetConfig, Norm, VaeConfig};
use crate::optim::{AdamConfig, OptimizerConfig, RmsPropConfig};
use crate::presets::toy::{ToyLoss, ToyPreset};
use gan_data::toy::ToyDist;

fn fashion() -> DataSource {
    DataSource::Idx { dir: FASHION_MNIST_DIR.into(), split: Split::Train, classes: Some(ClassSet::FashionMnist) }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    MnistMlp,
    MnistMlpMinimax,
    MnistMlpSmooth,
    MnistDcgan,
    FashionDcgan,
    MnistWganClip,
    FashionWganGp,
    Faces128WganGp,
    MnistLsgan,
    MnistCgan,
    FashionCgan,
    MnistVae,
    FashionVae,
    MnistRpgan,
    FashionRpgan,
    StackedDcgan,
    StackedPacgan2,
    StackedRpgan,
    Cifar10Dcgan,
    Cifar10Cgan,
    Cifar10WganGp,
}

/// Where the Fashion-MNIST presets look for the IDX files (override with `--data DIR`).
pub const FASHION_MNIST_DIR: &str = "data/fashion-mnist";
/// Where the CIFAR-10 presets look (`gan data fetch cifar10` puts it there).
pub const CIFAR10_DIR: &str = "data/cifar10";

fn cifar10() -> DataSource {
    DataSource::Cifar10 { dir: CIFAR10_DIR.into(), split: Split::Train }
}

impl Preset {
    pub const ALL: [Preset; 21] = [
        Preset::MnistRpgan,
        Preset::MnistMlp,
        Preset::MnistMlpMinimax,
        Preset::MnistMlpSmooth,
        Preset::MnistDcgan,
        Preset::FashionDcgan,
        Preset::MnistWganClip,
        Preset::FashionWganGp,
        Preset::Faces128WganGp,
        Preset::MnistLsgan,
        Preset::MnistCgan,
        Preset::FashionCgan,
        Preset::MnistVae,
        Preset::FashionVae,
        Preset::FashionRpgan,
        Preset::StackedDcgan,
        Preset::StackedPacgan2,
        Preset::StackedRpgan,
        Preset::Cifar10Dcgan,
        Preset::Cifar10Cgan,
        Preset::Cifar10WganGp,
    ];

    /// What `gan train` and `make run` train when no preset is named.
    pub const DEFAULT: Preset = Preset::MnistRpgan;

    pub fn name(self) -> &'static str {
        match self {
            Preset::MnistMlp => "mnist-mlp",
            Preset::MnistMlpMinimax => "mnist-mlp-minimax",
            Preset::MnistMlpSmooth => "mnist-mlp-smooth",
            Preset::MnistDcgan => "mnist-dcgan",
            Preset::FashionDcgan => "fashion-dcgan",
            Preset::MnistWganClip => "mnist-wgan-clip",
            Preset::FashionWganGp => "fashion-wgan-gp",
            Preset::Faces128WganGp => "faces128-wgan-gp",
            Preset::MnistLsgan => "mnist-lsgan",
            Preset::MnistCgan => "mnist-cgan",
            Preset::FashionCgan => "fashion-cgan",
            Preset::MnistVae => "mnist-vae",
            Preset::FashionVae => "fashion-vae",
            Preset::MnistRpgan => "mnist-rpgan",
            Preset::FashionRpgan => "fashion-rpgan",
            Preset::StackedDcgan => "stacked-dcgan",
            Preset::StackedPacgan2 => "stacked-pacgan2",
            Preset::StackedRpgan => "stacked-rpgan",
            Preset::Cifar10Dcgan => "cifar10-dcgan",
            Preset::Cifar10Cgan => "cifar10-cgan",
            Preset::Cifar10WganGp => "cifar10-wgan-gp",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Preset::MnistMlp => "2014 GAN, MLP G/D on MNIST: batch 64, Adam 2e-4 (0.5, 0.999), non-saturating G loss, with R1 (gamma 1) and an EMA generator so that it draws every digit, 60 epochs (10-14 minutes on one CPU core)",
            Preset::MnistMlpMinimax => "as mnist-mlp with the paper's saturating minimax G loss, log(1 - D(G(z)))",
            Preset::MnistMlpSmooth => "as mnist-mlp with one-sided label smoothing (real target 0.9)",
            Preset::MnistDcgan => "DCGAN on MNIST: conv G/D with BatchNorm, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs",
            Preset::FashionDcgan => "DCGAN on Fashion-MNIST (--data DIR, default data/fashion-mnist): as mnist-dcgan, 10 epochs",
            Preset::MnistWganClip => "WGAN on MNIST: DCGAN critic, weight clipping 0.01, RMSprop 5e-5, 5 critic steps, batch 64, 100 epochs",
            Preset::FashionWganGp => "WGAN-GP on Fashion-MNIST (--data DIR): conv critic without norm, lambda 10, Adam 1e-4 (0.0, 0.9), 5 critic steps, 20 epochs",
            Preset::Faces128WganGp => "WGAN-GP on a folder of face images at 128x128 (--data DIR): z 200, InstanceNorm critic, lambda 10, Adam 1e-4 (0.5, 0.999), 5 critic steps, batch 128, 50 epochs",
            Preset::MnistLsgan => "LSGAN on MNIST: DCGAN networks, least-squares loss, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs",
            Preset::MnistCgan => "conditional DCGAN on MNIST: one-hot digit appended to z and stacked as maps on D's input, non-saturating BCE, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs",
            Preset::FashionCgan => "conditional DCGAN on Fashion-MNIST (--data DIR): as mnist-cgan, 10 epochs; sample with --prompt \"ankle boot\"",
            Preset::MnistVae => "VAE baseline on MNIST: MLP encoder/decoder the size of mnist-mlp's D/G, z 20, Bernoulli (BCE) ELBO, Adam 1e-3, batch 64, 30 epochs",
            Preset::FashionVae => "VAE baseline on Fashion-MNIST (--data DIR): as mnist-vae, 10 epochs",
            Preset::MnistRpgan => "(default) R3GAN's objective on DCGAN networks: relativistic pairing loss + R1 + R2 (gamma 1, lazy every 4), no norm in D, EMA generator, Adam 2e-4 (0, 0.99), batch 64, 6,000 steps (about 10 minutes on 2 CPU cores); draws every digit",
            Preset::FashionRpgan => "as mnist-rpgan on Fashion-MNIST (--data DIR), 10,000 steps",
            Preset::StackedDcgan => "DCGAN on Stacked MNIST (three digits as RGB, 1,000 modes): BatchNorm conv G/D, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 10,000 steps",
            Preset::StackedPacgan2 => "as stacked-dcgan with a PacGAN2 discriminator (judges pairs of samples)",
            Preset::StackedRpgan => "as mnist-rpgan on Stacked MNIST, 10,000 steps",
            Preset::Cifar10Dcgan => "DCGAN on CIFAR-10 (32x32 colour; `gan data fetch cifar10` or --data DIR): BatchNorm conv G/D from a 4x4 start, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 30 epochs",
            Preset::Cifar10Cgan => "conditional DCGAN on CIFAR-10 (`gan data fetch cifar10`): as cifar10-dcgan with the class one-hot on z and D's input; sample with --prompt \"horse\"",
            Preset::Cifar10WganGp => "WGAN-GP on CIFAR-10 (`gan data fetch cifar10`): conv critic without norm, lambda 10, Adam 1e-4 (0.0, 0.9), 5 critic steps, 50 epochs",
        }
    }

    pub fn config(self) -> TrainConfig {
        let mut c = TrainConfig::default();
        match self {
            Preset::MnistMlp | Preset::MnistMlpMinimax | Preset::MnistMlpSmooth => {
                // Without R1 the pair collapses onto a few digits (RESULTS.md).
                c.loss.lipschitz = Lipschitz::R1 { weight: 1.0 };
                c.model.ema = EmaConfig::new(10_000, Some(0.05));
                c.epochs = Some(60);
                match self {
                    Preset::MnistMlpMinimax => c.loss.generator = Some(GeneratorLoss::Minimax),
                    Preset::MnistMlpSmooth => c.loss.real_label = Some(0.9),
                    _ => {}
                }
            }
            Preset::MnistDcgan
            | Preset::FashionDcgan
            | Preset::MnistLsgan
            | Preset::MnistCgan
            | Preset::FashionCgan
            | Preset::Cifar10Dcgan
            | Preset::Cifar10Cgan => {
                c.model = DcganConfig::default().into();
                c.epochs = Some(20);
                c.conditional = matches!(self, Preset::MnistCgan | Preset::FashionCgan | Preset::Cifar10Cgan);
                if matches!(self, Preset::FashionDcgan | Preset::FashionCgan) {
                    c.data = fashion();
                    c.epochs = Some(10);
                }
                if matches!(self, Preset::Cifar10Dcgan | Preset::Cifar10Cgan) {
                    c.data = cifar10();
                    c.epochs = Some(30);
                }
                if self == Preset::MnistLsgan {
                    c.loss = LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() };
                }
            }
            Preset::MnistWganClip => {
                c.model = DcganConfig::default().into();
                c.loss = LossConfig::wasserstein(Lipschitz::Clip { clip: 0.01 });
                let rms = OptimizerConfig::RmsProp(RmsPropConfig { lr: 5e-5, ..RmsPropConfig::default() });
                c.optim = OptimConfig::same(rms);
                c.d_steps = 5;
                c.epochs = Some(100);
                c.sample_every = 250;
            }
            Preset::FashionWganGp | Preset::Cifar10WganGp => {
                c.data = if self == Preset::Cifar10WganGp { cifar10() } else { fashion() };
                c.model = DcganConfig { d_norm: Norm::None, ..DcganConfig::default() }.into();
                c.loss = LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 });
                let adam = OptimizerConfig::Adam(AdamConfig { lr: 1e-4, betas: (0.0, 0.9), eps: 1e-8 });
                c.optim = OptimConfig::same(adam);
                c.d_steps = 5;
                c.epochs = Some(if self == Preset::Cifar10WganGp { 50 } else { 20 });
                c.sample_every = 250;
            }
            Preset::MnistVae | Preset::FashionVae => {
                c.model = VaeConfig::default().into();
                c.loss = LossConfig::default();
                let adam = OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8 });
                c.optim = OptimConfig::same(adam);
                if self == Preset::FashionVae {
                    c.data = fashion();
                    c.epochs = Some(10);
                }
            }
            Preset::MnistRpgan | Preset::FashionRpgan | Preset::StackedRpgan => {
                rpgan(&mut c);
                c.steps = Some(match self {
                    Preset::MnistRpgan => 6000,
                    Preset::FashionRpgan => 10_000,
                    _ => STACKED_STEPS,
                });
                match self {
                    Preset::FashionRpgan => c.data = fashion(),
                    Preset::StackedRpgan => c.data = stacked(),
                    _ => {}
                }
            }
            Preset::StackedDcgan | Preset::StackedPacgan2 => {
                c.data = stacked();
                c.model = DcganConfig::default().into();
                c.pack = if self == Preset::StackedPacgan2 { 2 } else { 1 };
                c.steps = Some(STACKED_STEPS);
                c.epochs = None;
            }
            Preset::Faces128WganGp => {
                c.data = DataSource::Folder { dir: PathBuf::new(), size: 128, on_error: OnError::Stop };
                c.model = DcganConfig { latent_dim: 200, g_base: 32, d_base: 16, d_norm: Norm::Instance, d_norm_first: true, leaky_slope: 0.2 }.into();
                c.loss = LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 });
                let adam = OptimizerConfig::Adam(AdamConfig { lr: 1e-4, betas: (0.5, 0.999), eps: 1e-8 });
                c.optim = OptimConfig::same(adam);
                c.batch_size = 128;
                c.d_steps = 5;
                c.epochs = Some(50);
                c.sample_every = 100;
                c.checkpoint_every = 200;
            }
        }
        c
    }

    /// Looks an image preset up by name; an unknown name lists the known ones.
    pub fn from_name(name: &str) -> Result<Preset> {
        Self::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| unknown(name))
    }
}

/// Generator steps of the Stacked MNIST presets.
const STACKED_STEPS: u64 = 10_000;

/// 100,000 Stacked MNIST images from the built-in digits.
fn stacked() -> DataSource {
    DataSource::StackedMnist { dir: None, images: 100_000, seed: 0 }
}

/// R3GAN's objective (Huang et al. 2024) on the DCGAN pair: the relativistic pairing loss
/// with R1 + R2, a critic without normalisation (the penalties are per sample), a moving
/// average of the generator, and R3GAN's Adam (beta1 = 0).
fn rpgan(c: &mut TrainConfig) {
    c.model = ModelConfig { net: NetConfig::Dcgan(DcganConfig { d_norm: Norm::None, ..DcganConfig::default() }), ema: EmaConfig::new(20_000, Some(0.05)) };
    c.loss = LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: 1.0, weight_end: None, every: Some(4) }, ..LossConfig::default() };
    c.optim = OptimConfig::same(OptimizerConfig::Adam(AdamConfig { lr: 2e-4, betas: (0.0, 0.99), eps: 1e-8 }));
    c.epochs = None;
    c.sample_every = 500;
}

/// The configuration of the preset called `name`: an image preset or a toy one.
pub fn config_named(name: &str) -> Result<TrainConfig> {
    match ToyPreset::from_name(name) {
        Some(t) => Ok(t.config()),
        None => Preset::from_name(name).map(Preset::config),
    }
}

/// Every preset, `(name, description)`: the image presets, then the toy ones.
pub fn catalogue() -> Vec<(String, String)> {
    let image = Preset::ALL.into_iter().map(|p| (p.name().to_string(), p.description().to_string()));
    let translation = translation::TranslationPreset::ALL.into_iter().map(|p| (p.name().to_string(), p.description().to_string()));
    image.chain(translation).chain(ToyPreset::all().map(|t| (t.name(), t.description()))).collect()
}

fn unknown(name: &str) -> GanError {
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
    let dists: Vec<&str> = ToyDist::ALL.iter().map(|d| d.name()).collect();
    let losses: Vec<&str> = ToyLoss::ALL.iter().map(|l| l.name()).collect();
    GanError::Invalid(format!(
        "unknown preset `{name}`; known presets: {}, and the toy presets DIST-LOSS with DIST one of {} and LOSS one of {} \
         (`gan presets` lists them all)",
        names.join(", "),
        dists.join(", "),
        losses.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_uniquely() {
        for p in Preset::ALL {
            assert!(p.config().problems().is_empty(), "{}: {:?}", p.name(), p.config().problems());
            assert_eq!(Preset::from_name(p.name()).unwrap(), p);
        }
        // The documented example file spells out the default preset field by field.
        let example = crate::TrainConfig::from_toml_str(include_str!("../../../../configs/example.toml"), "example.toml").unwrap();
        assert_eq!(example, Preset::DEFAULT.config());
        let e = Preset::from_name("mnist-mpl").unwrap_err().to_string();
        assert!(e.contains("mnist-mpl") && e.contains("mnist-mlp-minimax"), "{e}");
        assert_eq!(config_named("ring8-ls").unwrap(), ToyPreset { dist: ToyDist::Ring8, loss: ToyLoss::Ls }.config());
        assert_eq!(config_named("mnist-cgan").unwrap(), Preset::MnistCgan.config());
        let e = config_named("ring9-ns").unwrap_err().to_string();
        assert!(e.contains("two-moons") && e.contains("wgan-gp"), "{e}");
        assert_eq!(catalogue().len(), Preset::ALL.len() + translation::TranslationPreset::ALL.len() + 30);
    }
}
