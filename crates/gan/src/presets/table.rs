//! The image presets as one table: each preset, what `gan presets` says of it, and its recipe
//! (`recipes.rs`); its name is serde's.

use super::{emoji, recipes, styled, Preset};
use crate::config::TrainConfig;

pub(super) struct Entry {
    pub preset: Preset,
    pub about: &'static str,
    pub make: fn() -> TrainConfig,
}

/// In the order `gan presets` lists them (the default first).
pub(super) const TABLE: [Entry; 33] = [
    Entry { preset: Preset::MnistRpgan, about: "(default) R3GAN's objective on DCGAN networks: relativistic pairing loss + R1 + R2 (gamma 1, lazy every 4), no norm in D, EMA generator, Adam 2e-4 (0, 0.99), batch 64, 6,000 steps (about 10 minutes on 2 CPU cores); draws every digit", make: recipes::mnist_rpgan },
    Entry { preset: Preset::MnistMlp, about: "2014 GAN, MLP G/D on MNIST: batch 64, Adam 2e-4 (0.5, 0.999), non-saturating G loss, with R1 (gamma 1) and an EMA generator so that it draws every digit, 60 epochs (10-14 minutes on one CPU core)", make: recipes::mnist_mlp },
    Entry { preset: Preset::MnistMlpMinimax, about: "as mnist-mlp with the paper's saturating minimax G loss, log(1 - D(G(z)))", make: recipes::mnist_mlp_minimax },
    Entry { preset: Preset::MnistMlpSmooth, about: "as mnist-mlp with one-sided label smoothing (real target 0.9)", make: recipes::mnist_mlp_smooth },
    Entry { preset: Preset::MnistDcgan, about: "DCGAN on MNIST: conv G/D with BatchNorm, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs", make: recipes::mnist_dcgan },
    Entry { preset: Preset::FashionDcgan, about: "DCGAN on Fashion-MNIST (--data DIR, default data/fashion-mnist): as mnist-dcgan, 10 epochs", make: recipes::fashion_dcgan },
    Entry { preset: Preset::MnistWganClip, about: "WGAN on MNIST: DCGAN critic, weight clipping 0.01, RMSprop 5e-5, 5 critic steps, batch 64, 100 epochs", make: recipes::mnist_wgan_clip },
    Entry { preset: Preset::FashionWganGp, about: "WGAN-GP on Fashion-MNIST (--data DIR): conv critic without norm, lambda 10, Adam 1e-4 (0.0, 0.9), 5 critic steps, 20 epochs", make: recipes::fashion_wgan_gp },
    Entry { preset: Preset::Faces128WganGp, about: "WGAN-GP on a folder of face images at 128x128 (--data DIR): z 200, InstanceNorm critic, lambda 10, Adam 1e-4 (0.5, 0.999), 5 critic cycles on one real batch with fresh generator noise (the seed notebook's loop), batch 128, 6,000 generator steps", make: recipes::faces128_wgan_gp },
    Entry { preset: Preset::MnistLsgan, about: "LSGAN on MNIST: DCGAN networks, least-squares loss, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs", make: recipes::mnist_lsgan },
    Entry { preset: Preset::MnistCgan, about: "conditional DCGAN on MNIST: one-hot digit appended to z and stacked as maps on D's input, non-saturating BCE, Adam 2e-4 (0.5, 0.999), batch 64, 20 epochs", make: recipes::mnist_cgan },
    Entry { preset: Preset::FashionCgan, about: "conditional DCGAN on Fashion-MNIST (--data DIR): as mnist-cgan, 10 epochs; sample with --prompt \"ankle boot\"", make: recipes::fashion_cgan },
    Entry { preset: Preset::MnistVae, about: "VAE baseline on MNIST: MLP encoder/decoder the size of mnist-mlp's D/G, z 20, Bernoulli (BCE) ELBO, Adam 1e-3, batch 64, 30 epochs", make: recipes::mnist_vae },
    Entry { preset: Preset::FashionVae, about: "VAE baseline on Fashion-MNIST (--data DIR): as mnist-vae, 10 epochs", make: recipes::fashion_vae },
    Entry { preset: Preset::FashionRpgan, about: "as mnist-rpgan on Fashion-MNIST (--data DIR), 10,000 steps", make: recipes::fashion_rpgan },
    Entry { preset: Preset::StackedDcgan, about: "DCGAN on Stacked MNIST (three digits as RGB, 1,000 modes): BatchNorm conv G/D, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 10,000 steps", make: recipes::stacked_dcgan },
    Entry { preset: Preset::StackedPacgan2, about: "as stacked-dcgan with a PacGAN2 discriminator (judges pairs of samples)", make: recipes::stacked_pacgan2 },
    Entry { preset: Preset::StackedRpgan, about: "as mnist-rpgan on Stacked MNIST, 10,000 steps", make: recipes::stacked_rpgan },
    Entry { preset: Preset::Cifar10Dcgan, about: "DCGAN on CIFAR-10 (32x32 colour; `gan data fetch cifar10` or --data DIR): BatchNorm conv G/D from a 4x4 start, BCE, Adam 2e-4 (0.5, 0.999), batch 64, 30 epochs", make: recipes::cifar10_dcgan },
    Entry { preset: Preset::Cifar10Cgan, about: "conditional DCGAN on CIFAR-10 (`gan data fetch cifar10`): as cifar10-dcgan with the class one-hot on z and D's input; sample with --prompt \"horse\"", make: recipes::cifar10_cgan },
    Entry { preset: Preset::Cifar10WganGp, about: "WGAN-GP on CIFAR-10 (`gan data fetch cifar10`): conv critic without norm, lambda 10, Adam 1e-4 (0.0, 0.9), 5 critic steps, 50 epochs", make: recipes::cifar10_wgan_gp },
    Entry { preset: Preset::EmojiRpgan, about: "the default recipe on the emoji set (64x64 colour, both vendors' train split; --data DIR, default ../shared/data/emoji): R3GAN's objective on DCGAN networks (32 base channels), EMA, DiffAugment color,translation,cutout, batch 64, 10,000 steps (about 54 minutes on 2 CPU cores)", make: emoji::emoji_rpgan },
    Entry { preset: Preset::EmojiCgan, about: "as emoji-rpgan for 6,000 steps, conditioned on skin tone (the people drawn with one tone, 1-5); sample with --prompt 5", make: emoji::emoji_cgan },
    Entry { preset: Preset::EmojiTextRpgan, about: "as emoji-rpgan for 6,000 steps, conditioned on each emoji's name as text: the shipped matcher's frozen text encoder gives sentence vectors (30% of images read their keyword list instead), conditioning augmentation into G (128-d, KL weight 1), a projection D; sample with --prompt \"cat face with heart eyes\" or --keywords cat,heart", make: emoji::emoji_text_rpgan },
    Entry { preset: Preset::EmojiStackgan, about: "StackGAN (Zhang et al. 2017) on the emoji names, on emoji-text-rpgan's captions, batch and length: Stage-I 32x32 for 3,000 steps, then Stage-II 64x64 with Stage-I frozen for 3,000; conditioning augmentation (128-d, KL weight 2), matching-aware BCE, Adam 2e-4 (0.5, 0.999), no EMA or augmentation, as the reference trains; sample with --prompt", make: emoji::emoji_stackgan },
    Entry { preset: Preset::EmojiWganGp, about: "the seed notebook's face WGAN-GP with one stage less, on the emoji set at 64x64: z 200, InstanceNorm critic 16-128 channels, lambda 10, Adam 1e-4 (0.5, 0.999), 5 critic cycles on one real batch, batch 128, 6,000 generator steps", make: emoji::emoji_wgan_gp },
    Entry { preset: Preset::EmojiFacesWganGp, about: "the seed notebook's face WGAN-GP as written (128x128, 6,000 generator steps) on the emoji people and smileys, upscaled from 64x64", make: emoji::emoji_faces_wgan_gp },
    Entry { preset: Preset::EmojiVae, about: "the VAE baseline on the emoji set at 64x64: MLP encoder/decoder, z 64, Adam 1e-3, batch 64, 6,000 steps", make: emoji::emoji_vae },
    Entry { preset: Preset::EmojiProgan, about: "ProGAN (Karras et al. 2018) on the emoji set, grown 4x4 to 64x64: equalised learning rate, pixel norm, minibatch stddev, 128-32 feature maps, WGAN-GP with drift 0.001, Adam 1e-3 (0, 0.99), 20k images per stable stretch and per fade (the paper's 600k scaled down), batch 32 to 16x16 then 16, EMA, 8,125 steps (180k images)", make: emoji::emoji_progan },
    Entry { preset: Preset::EmojiStylegan2, about: "StyleGAN2 (Karras et al. 2020) on the emoji set at 64x64: 2-layer mapping, modulated convolutions with noise, skip G, residual D, 128-32 feature maps, non-saturating loss with lazy R1 (gamma 0.05, every 16) and path length (every 4), style mixing 0.9, DiffAugment, Adam 0.002 (0, 0.99), EMA with ramp-up, 6,000 steps", make: emoji::emoji_stylegan2 },
    Entry { preset: Preset::MnistStylegan2, about: "StyleGAN2 on the digits padded to 32x32: the repository's cifar configuration scaled down (2-layer mapping, 128-64 feature maps, path length every 4, style mixing 0.9, Adam 0.0025 (0, 0.99), EMA with ramp-up) on R3GAN's objective (relativistic loss, R1 + R2 weight 1 lazily every 16), batch 32, 5,000 steps (about 3 hours on one CPU core)", make: styled::mnist_stylegan2 },
    Entry { preset: Preset::FashionStylegan2, about: "as mnist-stylegan2 on Fashion-MNIST padded to 32x32 (--data DIR)", make: styled::fashion_stylegan2 },
    Entry { preset: Preset::MnistProgan, about: "ProGAN on the digits padded to 32x32, grown 4x4 to 32x32: as emoji-progan with 12k images per stable stretch and per fade, 4,125 steps (108k images)", make: styled::mnist_progan },
];
