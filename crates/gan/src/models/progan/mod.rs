//! ProGAN: Karras, Aila, Laine and Lehtinen, "Progressive Growing of GANs for Improved
//! Quality, Stability, and Variation" (ICLR 2018); reference code
//! `tkarras/progressive_growing_of_gans` (networks.py `G_paper` / `D_paper`, train.py's
//! schedule). Both networks are built for the full image size with every layer, as the
//! reference builds them; a level of detail `lod` (a variable of each network, saved with its
//! weights) says how far they run: `lod = R - 2` trains 4x4 images, `lod = 0` the full
//! `2^R`, and a fractional `lod` fades the next block in. The training schedule that moves
//! `lod` belongs to the ProGAN training family (the `progan` folder of the families layer).
//!
//! As stated differences from the paper's configuration: the separate (not fused) upscale and
//! downscale layers (the reference's `fused_scale = False`), and unconditional networks only.

pub mod discriminator;
pub mod generator;
pub mod layers;

use serde::{Deserialize, Serialize};
use tch::nn;

use super::size::{MAX_CHANNELS, MAX_WIDTH};
use super::ImageShape;

pub use discriminator::ProganDiscriminator;
pub use generator::ProganGenerator;

/// The name of the level-of-detail variable in both networks' weights.
pub const LOD_VAR: &str = "lod";

/// Sizes of the pair and its growth schedule (the `[model]` table of `kind = "progan"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProganConfig {
    pub latent_dim: i64,
    /// Feature maps: `nf(stage) = min(fmap_base / 2^(stage * fmap_decay), fmap_max)`, stage
    /// `s` feeding resolution `2^(s + 1)` (the reference's 8192, 1.0, 512).
    pub fmap_base: i64,
    #[serde(default = "one")]
    pub fmap_decay: f64,
    pub fmap_max: i64,
    /// Group size of the minibatch standard deviation (0 or 1: none).
    #[serde(default = "four")]
    pub mbstd_group: i64,
    /// Thousands of real images shown at each resolution before the next fades in (the
    /// reference's `lod_training_kimg`, 600 in the paper).
    pub stable_kimg: f64,
    /// Thousands of images over which a new resolution fades in (`lod_transition_kimg`).
    pub fade_kimg: f64,
    /// The batch at 4x4, 8x8, 16x16, ... (the last entry holds for larger ones); each a
    /// multiple of `batch_size`, which is the step through the data. Empty: `batch_size`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub batch_per_resolution: Vec<usize>,
}

fn one() -> f64 {
    1.0
}

fn four() -> i64 {
    4
}

impl Default for ProganConfig {
    fn default() -> Self {
        Self {
            latent_dim: 128,
            fmap_base: 1024,
            fmap_decay: 1.0,
            fmap_max: 128,
            mbstd_group: 4,
            stable_kimg: 20.0,
            fade_kimg: 20.0,
            batch_per_resolution: Vec::new(),
        }
    }
}

/// The resolutions of a pair for images of `2^log2` pixels a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Levels {
    pub log2: i64,
}

impl Levels {
    pub fn of(image: ImageShape) -> Result<Self, String> {
        Ok(Self { log2: super::size::pow2_side(image, "progan")? })
    }

    /// The largest level of detail (4x4 images).
    pub fn max_lod(&self) -> f64 {
        (self.log2 - 2) as f64
    }

    /// `(top, t)`: the resolution (log2) the networks run to at `lod`, and the weight of the
    /// block before it while it fades in.
    pub fn at(&self, lod: f64) -> (i64, f64) {
        let lod = lod.clamp(0.0, self.max_lod());
        (self.log2 - lod.floor() as i64, lod - lod.floor())
    }
}

impl ProganConfig {
    /// Feature maps of stage `s`.
    pub fn nf(&self, s: i64) -> i64 {
        ((self.fmap_base as f64 / 2f64.powf(s as f64 * self.fmap_decay)) as i64).clamp(1, self.fmap_max)
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v, max) in [
            ("latent_dim", self.latent_dim, MAX_WIDTH),
            ("fmap_base", self.fmap_base, MAX_WIDTH),
            ("fmap_max", self.fmap_max, MAX_CHANNELS),
            ("mbstd_group", self.mbstd_group, 1024),
        ] {
            let min = i64::from(name != "mbstd_group");
            if !(min..=max).contains(&v) {
                p.push(format!("{name} must be between {min} and {max}, got {v}"));
            }
        }
        for (name, v) in [("fmap_decay", self.fmap_decay), ("stable_kimg", self.stable_kimg), ("fade_kimg", self.fade_kimg)] {
            if !(v >= 0.0 && v.is_finite() && v < 1e9) {
                p.push(format!("{name} must be a number from 0 to 1e9, got {v}"));
            }
        }
        if self.batch_per_resolution.iter().any(|&b| b == 0 || b > 1 << 20) {
            p.push(format!("batch_per_resolution must hold batches from 1 to {}, got {:?}", 1 << 20, self.batch_per_resolution));
        }
        p
    }

    /// The batch at resolution `2^res_log2` when the data is stepped through `base` images at
    /// a time.
    pub fn batch_at(&self, res_log2: i64, base: usize) -> usize {
        let i = (res_log2 - 2).max(0) as usize;
        self.batch_per_resolution.get(i).or(self.batch_per_resolution.last()).copied().unwrap_or(base)
    }

    pub fn generator(&self, root: &nn::Path, image: ImageShape) -> ProganGenerator {
        ProganGenerator::new(self, root, Levels::of(image).expect("image checked before building"), image.channels)
    }

    pub fn discriminator(&self, root: &nn::Path, image: ImageShape) -> ProganDiscriminator {
        ProganDiscriminator::new(self, root, Levels::of(image).expect("image checked before building"), image.channels)
    }

    /// `(generator, discriminator)` weight counts (biases included).
    pub fn weights(&self, image: ImageShape) -> Option<(u128, u128)> {
        let levels = Levels::of(image).ok()?;
        let nf = |s: i64| self.nf(s) as u128;
        let conv = |cin: u128, cout: u128, k: u128| cin * cout * k * k + cout;
        let c = image.channels as u128;
        let mut g = self.latent_dim as u128 * nf(1) * 16 + nf(1) + conv(nf(1), nf(1), 3);
        let mut d = conv(nf(1) + 1, nf(1), 3) + nf(1) * 16 * nf(0) + nf(0) + nf(0) + 1;
        for r in 2..=levels.log2 {
            g += conv(nf(r - 1), c, 1);
            d += conv(c, nf(r - 1), 1);
            if r >= 3 {
                g += conv(nf(r - 2), nf(r - 1), 3) + conv(nf(r - 1), nf(r - 1), 3);
                d += conv(nf(r - 1), nf(r - 1), 3) + conv(nf(r - 1), nf(r - 2), 3);
            }
        }
        Some((g, d))
    }
}

/// Sets the level of detail of a ProGAN network whose weights are in `vs` (nothing for a
/// store without one).
pub fn set_lod(vs: &nn::VarStore, lod: f64) {
    if let Some(mut v) = vs.variables().remove(LOD_VAR) {
        tch::no_grad(|| {
            let _ = v.fill_(lod);
        });
    }
}
