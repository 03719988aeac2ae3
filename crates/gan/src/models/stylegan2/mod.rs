//! StyleGAN2: Karras, Laine, Aittala, Hellsten, Lehtinen and Aila, "Analyzing and Improving
//! the Image Quality of StyleGAN" (CVPR 2020), as `NVlabs/stylegan2-ada-pytorch` writes it
//! (training/networks.py; Karras et al. 2020b for that code): a mapping network from `z` to
//! `w`, a synthesis network of modulated, demodulated convolutions with per-pixel noise and
//! skip connections to the image, and a residual discriminator with the minibatch standard
//! deviation. The reference's `cifar` configuration is the template (two mapping layers,
//! `channel_base` 32768 and `channel_max` 512 there, scaled down here and stated per preset).
//!
//! As stated differences: unconditional networks only, and every layer in float32 (the
//! reference runs the top four resolutions in float16 on GPUs; `conv_clamp` 256, which it sets
//! with them, is kept as the default).

pub mod discriminator;
pub mod generator;
pub mod import;
mod import_names;
pub mod layers;
pub mod mapping;
pub mod synthesis;

use serde::{Deserialize, Serialize};
use tch::nn;

use super::size::{MAX_CHANNELS, MAX_WIDTH};
use super::ImageShape;

pub use discriminator::Stylegan2Discriminator;
pub use generator::Stylegan2Generator;

/// Sizes of the pair (the `[model]` table of `kind = "stylegan2"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stylegan2Config {
    /// `z`'s size (the reference's `z_dim`).
    pub latent_dim: i64,
    pub w_dim: i64,
    /// Fully connected layers of the mapping network (2 in `cifar`, 8 in the paper).
    pub mapping_layers: i64,
    /// Feature maps at resolution `r`: `min(channel_base / r, channel_max)`.
    pub channel_base: i64,
    pub channel_max: i64,
    /// Group size of the minibatch standard deviation (0 or 1: none).
    #[serde(default = "four")]
    pub mbstd_group: i64,
    /// Feature maps the minibatch standard deviation adds (its `num_channels`).
    #[serde(default = "one")]
    pub mbstd_channels: i64,
    /// Activations clamped to `[-conv_clamp, conv_clamp]` after every convolution.
    #[serde(default = "clamp")]
    pub conv_clamp: Option<f64>,
    /// The mapping network's learning-rate multiplier.
    #[serde(default = "lr_mul")]
    pub mapping_lr_mul: f64,
    /// Decay of the tracked average `w`.
    #[serde(default = "beta")]
    pub w_avg_beta: f64,
    /// How the StyleGAN2 family trains the pair (the `[model.training]` table).
    #[serde(default)]
    pub training: Regularisation,
}

/// StyleGAN2's training terms (stylegan2-ada-pytorch's `StyleGAN2Loss` and training loop):
/// style mixing, the path length regulariser and the lazy intervals of both regularisers
/// (R1's gamma is `[loss.lipschitz] kind = "r1"`'s `weight`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regularisation {
    /// Probability that a generated batch takes its styles from two latents (0.9).
    #[serde(default = "mixing")]
    pub style_mixing: f64,
    /// Weight of the path length penalty (2; 0 turns it off), the decay of its running
    /// mean (0.01), the factor its batch is smaller by (2), and its interval in generator
    /// updates (4).
    #[serde(default = "pl_weight")]
    pub pl_weight: f64,
    #[serde(default = "pl_decay")]
    pub pl_decay: f64,
    #[serde(default = "two")]
    pub pl_batch_shrink: i64,
    #[serde(default = "four_u32")]
    pub pl_every: u32,
    /// R1's interval in discriminator updates (16).
    #[serde(default = "sixteen")]
    pub r1_every: u32,
}

impl Default for Regularisation {
    fn default() -> Self {
        Self { style_mixing: mixing(), pl_weight: pl_weight(), pl_decay: pl_decay(), pl_batch_shrink: two(), pl_every: four_u32(), r1_every: sixteen() }
    }
}

fn mixing() -> f64 {
    0.9
}

fn pl_weight() -> f64 {
    2.0
}

fn pl_decay() -> f64 {
    0.01
}

fn two() -> i64 {
    2
}

fn four_u32() -> u32 {
    4
}

fn sixteen() -> u32 {
    16
}

impl Regularisation {
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v) in [("style_mixing", self.style_mixing), ("pl_decay", self.pl_decay)] {
            if !(0.0..=1.0).contains(&v) {
                p.push(format!("{name} must be in [0, 1], got {v}"));
            }
        }
        if !(self.pl_weight >= 0.0 && self.pl_weight.is_finite()) {
            p.push(format!("pl_weight must be a number of at least 0, got {}", self.pl_weight));
        }
        if !(1..=1024).contains(&self.pl_batch_shrink) {
            p.push(format!("pl_batch_shrink must be between 1 and 1024, got {}", self.pl_batch_shrink));
        }
        for (name, v) in [("pl_every", self.pl_every), ("r1_every", self.r1_every)] {
            if !(1..=1_000_000).contains(&v) {
                p.push(format!("{name} must be between 1 and 1000000, got {v}"));
            }
        }
        p
    }
}

fn four() -> i64 {
    4
}

fn one() -> i64 {
    1
}

fn clamp() -> Option<f64> {
    Some(256.0)
}

fn lr_mul() -> f64 {
    0.01
}

fn beta() -> f64 {
    0.995
}

impl Default for Stylegan2Config {
    fn default() -> Self {
        Self {
            latent_dim: 128,
            w_dim: 128,
            mapping_layers: 2,
            channel_base: 2048,
            channel_max: 128,
            mbstd_group: four(),
            mbstd_channels: one(),
            conv_clamp: clamp(),
            mapping_lr_mul: lr_mul(),
            w_avg_beta: beta(),
            training: Regularisation::default(),
        }
    }
}

/// `log2` of the side of images these networks take: square, 4 to 1024 pixels, a power of 2.
pub fn log2_of(image: ImageShape) -> Result<i64, String> {
    super::size::pow2_side(image, "stylegan2")
}

impl Stylegan2Config {
    pub fn channels_at(&self, res: i64) -> i64 {
        (self.channel_base / res).min(self.channel_max).max(1)
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v, min, max) in [
            ("latent_dim", self.latent_dim, 1, MAX_WIDTH),
            ("w_dim", self.w_dim, 1, MAX_WIDTH),
            ("mapping_layers", self.mapping_layers, 1, 64),
            ("channel_base", self.channel_base, 1, MAX_WIDTH * 100),
            ("channel_max", self.channel_max, 1, MAX_CHANNELS),
            ("mbstd_group", self.mbstd_group, 0, 1024),
            ("mbstd_channels", self.mbstd_channels, 1, MAX_CHANNELS),
        ] {
            if !(min..=max).contains(&v) {
                p.push(format!("{name} must be between {min} and {max}, got {v}"));
            }
        }
        if self.mbstd_group > 1 && self.mbstd_channels >= 1 && self.channels_at(4) % self.mbstd_channels != 0 {
            p.push(format!("mbstd_channels ({}) must divide the 4x4 feature maps ({})", self.mbstd_channels, self.channels_at(4)));
        }
        if let Some(c) = self.conv_clamp.filter(|c| !(*c > 0.0 && c.is_finite())) {
            p.push(format!("conv_clamp must be a positive number, got {c}"));
        }
        if !(self.mapping_lr_mul > 0.0 && self.mapping_lr_mul <= 1.0) {
            p.push(format!("mapping_lr_mul must be in (0, 1], got {}", self.mapping_lr_mul));
        }
        if !(0.0..1.0).contains(&self.w_avg_beta) {
            p.push(format!("w_avg_beta must be in [0, 1), got {}", self.w_avg_beta));
        }
        p.extend(self.training.problems());
        p
    }

    pub fn generator(&self, root: &nn::Path, image: ImageShape) -> Stylegan2Generator {
        Stylegan2Generator::new(self, root, log2_of(image).expect("image checked before building"), image.channels)
    }

    pub fn discriminator(&self, root: &nn::Path, image: ImageShape) -> Stylegan2Discriminator {
        Stylegan2Discriminator::new(self, root, log2_of(image).expect("image checked before building"), image.channels)
    }

    /// `(generator, discriminator)` trainable weight counts.
    pub fn weights(&self, image: ImageShape) -> Option<(u128, u128)> {
        let log2 = log2_of(image).ok()?;
        let ch = |res: i64| self.channels_at(res) as u128;
        let (w, z, c) = (self.w_dim as u128, self.latent_dim as u128, image.channels as u128);
        let dense = |cin: u128, cout: u128| cin * cout + cout;
        let mut g = dense(z, w) + (self.mapping_layers as u128 - 1) * dense(w, w) + ch(4) * 16;
        let layer = |cin: u128, cout: u128| dense(w, cin) + cout * cin * 9 + cout + 1;
        let mut d = c * ch(1 << log2) + ch(1 << log2);
        for r in 2..=log2 {
            let res = 1 << r;
            g += layer(ch(res), ch(res)) + dense(w, ch(res)) + c * ch(res) + c;
            if r > 2 {
                g += layer(ch(res / 2), ch(res));
                d += (ch(res) * ch(res) * 9 + ch(res)) + (ch(res) * ch(res / 2) * 9 + ch(res / 2)) + ch(res) * ch(res / 2);
            }
        }
        let (c4, f) = (ch(4), if self.mbstd_group > 1 { self.mbstd_channels as u128 } else { 0 });
        d += (c4 + f) * c4 * 9 + c4 + dense(c4 * 16, c4) + dense(c4, 1);
        Some((g, d))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weight_estimate_counts_what_the_networks_build() {
        let cfg = Stylegan2Config { latent_dim: 8, w_dim: 12, mapping_layers: 3, channel_base: 64, channel_max: 16, ..Default::default() };
        let image = ImageShape { channels: 3, height: 16, width: 16 };
        let (g_vs, d_vs) = (nn::VarStore::new(tch::Device::Cpu), nn::VarStore::new(tch::Device::Cpu));
        let _g = cfg.generator(&g_vs.root(), image);
        let _d = cfg.discriminator(&d_vs.root(), image);
        let count = |vs: &nn::VarStore| crate::models::param_count(vs) as u128;
        assert_eq!(cfg.weights(image), Some((count(&g_vs), count(&d_vs))));
    }

    #[test]
    fn bad_sizes_are_named() {
        let cfg = Stylegan2Config { mapping_layers: 0, mbstd_channels: 3, conv_clamp: Some(-1.0), w_avg_beta: 1.0, ..Default::default() };
        let p = cfg.problems().join("\n");
        for field in ["mapping_layers", "mbstd_channels", "conv_clamp", "w_avg_beta"] {
            assert!(p.contains(field), "{field} missing from {p}");
        }
        assert!(log2_of(ImageShape { channels: 3, height: 28, width: 28 }).unwrap_err().contains("28"));
    }
}
