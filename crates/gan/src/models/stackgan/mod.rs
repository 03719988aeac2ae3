//! StackGAN: Zhang, Xu, Li, Zhang, Wang, Huang and Metaxas, "StackGAN: Text to Photo-realistic
//! Image Synthesis with Stacked Generative Adversarial Networks" (ICCV 2017); reference code
//! `hanzhanggit/StackGAN-Pytorch` (`code/model.py`: `STAGE1_G`, `STAGE2_G`, `STAGE1_D`,
//! `STAGE2_D`, `CA_NET`, `D_GET_LOGITS`). Stage-I draws a low-resolution image (half the run's
//! size: 32x32 for 64x64 images) from the noise and a conditioning-augmented sentence vector;
//! Stage-II encodes that image, joins its own conditioning-augmented vector, refines through
//! residual blocks and upsamples to the full size. Each stage has its own discriminator, and a
//! `stage` variable in each network's weights says which stage runs (0: Stage-I, whose image
//! is upscaled to the full size by repetition and whose discriminator reads the average of each
//! 2x2 block; 1: Stage-II). The training schedule that switches stages belongs to the StackGAN
//! family (the `stackgan` folder of the families layer), which keeps Stage-I frozen in Stage-II.
//!
//! Stated differences from the reference: the stages' sizes are half and full of the run's
//! image (the reference's 64 and 256); the discriminators read the sentence vector itself
//! replicated over their 4x4 features (the reference reads the generator's detached CA mean);
//! Stage-II's discriminator has the conditional logit only (the reference averages it with an
//! unconditional one); Stage-I runs in evaluation mode (its BatchNorm's running statistics
//! fixed) while Stage-II trains, so that it is frozen exactly.

pub mod discriminator;
pub mod generator;

use serde::{Deserialize, Serialize};
use tch::nn;

use super::condition::CondAugmentConfig;
use super::size::{MAX_CHANNELS, MAX_WIDTH};
use super::ImageShape;

pub use discriminator::StackganDiscriminator;
pub use generator::StackganGenerator;

/// The name of the stage variable in both networks' weights (0: Stage-I, 1: Stage-II).
pub const STAGE_VAR: &str = "stage";

/// The `[model]` table of `kind = "stackgan"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackganConfig {
    pub latent_dim: i64,
    /// Both stages' conditioning augmentation (the reference's `CONDITION_DIM = 128`,
    /// `COEFF.KL = 2`).
    pub augment_condition: CondAugmentConfig,
    /// Stage-I's generator starts at `8 * g_base` maps at 4x4 (the reference's `GF_DIM`
    /// 128), halving at each doubling; Stage-II's works at `4 * g_base`.
    pub g_base: i64,
    /// Maps of the discriminators' first convolution, doubling at each halving (`DF_DIM`).
    pub d_base: i64,
    /// Stage-II's residual blocks (`R_NUM`).
    pub residual_blocks: i64,
    /// Steps of Stage-I; Stage-II trains from then on.
    pub stage1_steps: u64,
}

/// The doublings of Stage-I from 4x4 to half the image (`None` when the image is not square
/// with a power-of-two side of 16 to 1024).
pub fn stage1_doublings(image: ImageShape) -> std::result::Result<i64, String> {
    let s = image.height;
    if image.width != s || !(16..=1024).contains(&s) || s & (s - 1) != 0 {
        return Err(format!("StackGAN needs square images with a power-of-two side from 16 to 1024, got {image}"));
    }
    Ok(s.trailing_zeros() as i64 - 3)
}

impl StackganConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v, min, max) in [
            ("latent_dim", self.latent_dim, 1, MAX_WIDTH),
            ("g_base", self.g_base, 1, MAX_CHANNELS / 8),
            ("d_base", self.d_base, 1, MAX_CHANNELS / 8),
            ("residual_blocks", self.residual_blocks, 0, 64),
        ] {
            if !(min..=max).contains(&v) {
                p.push(format!("{name} must be between {min} and {max}, got {v}"));
            }
        }
        let ca = self.augment_condition;
        if !((1..=MAX_WIDTH).contains(&ca.dim) && ca.kl_weight >= 0.0 && ca.kl_weight.is_finite()) {
            p.push(format!("augment_condition needs dim between 1 and {MAX_WIDTH} and a finite kl_weight >= 0, got {} and {}", ca.dim, ca.kl_weight));
        }
        p
    }

    /// `(generator, discriminator)` weight counts (trainable) for `image` conditioned on
    /// `width`-wide sentence vectors, counted without building (`None` for an image it cannot
    /// take).
    pub fn weights(&self, image: ImageShape, width: i64) -> Option<(u128, u128)> {
        let k = stage1_doublings(image).ok()? as u128;
        let [l, w, d, h, db, ch, r] =
            [self.latent_dim, width, self.augment_condition.dim, self.g_base, self.d_base, image.channels, self.residual_blocks].map(|v| v.max(0) as u128);
        let (ca, conv3, bn) = (w * 2 * d + 2 * d, |a: u128, b: u128| 9 * a * b, |c: u128| 2 * c);
        let m = 8 * h;
        let ups: u128 = (0..k).map(|i| conv3(m >> i, m >> (i + 1)) + bn(m >> (i + 1))).sum();
        let one = ca + (l + d) * m * 16 + bn(m * 16) + ups + conv3(m >> k, ch);
        let res = r * 2 * (conv3(4 * h, 4 * h) + bn(4 * h));
        let two = ca + conv3(ch, h) + 16 * h * 4 * h + bn(4 * h) + conv3(4 * h + d, 4 * h) + bn(4 * h) + res;
        let two = two + conv3(4 * h, 2 * h) + bn(2 * h) + conv3(2 * h, h) + bn(h) + conv3(h, ch);
        let critic = |n: u128| {
            let downs: u128 = (1..n).map(|i| 16 * (db << (i - 1)) * (db << i) + bn(db << i)).sum();
            let top = db << (n - 1);
            16 * ch * db + downs + conv3(top + w, top) + bn(top) + 16 * top + 1
        };
        Some((one + two, critic(k) + critic(k + 1)))
    }

    pub fn generator(&self, root: &nn::Path, image: ImageShape, width: i64) -> StackganGenerator {
        StackganGenerator::new(self, root, image, width)
    }

    pub fn discriminator(&self, root: &nn::Path, image: ImageShape, width: i64) -> StackganDiscriminator {
        StackganDiscriminator::new(self, root, image, width)
    }
}

/// Sets the stage of a StackGAN network whose weights are in `vs` (nothing for a store
/// without one): `false` Stage-I, `true` Stage-II.
pub fn set_stage(vs: &nn::VarStore, two: bool) {
    if let Some(mut v) = vs.variables().remove(STAGE_VAR) {
        tch::no_grad(|| {
            let _ = v.fill_(if two { 1.0 } else { 0.0 });
        });
    }
}

/// Whether the network of `vs` runs Stage-II.
pub fn stage_two(vs: &nn::VarStore) -> bool {
    vs.variables().get(STAGE_VAR).is_some_and(|v| v.double_value(&[]) > 0.5)
}

#[cfg(test)]
mod tests {
    use tch::{Device, Kind, Tensor};

    use super::*;
    use crate::models::progan::layers::{downscale, upscale};
    use crate::models::{Discriminator, Generator};

    fn tiny() -> StackganConfig {
        StackganConfig {
            latent_dim: 5,
            augment_condition: CondAugmentConfig { dim: 6, kl_weight: 2.0 },
            g_base: 4,
            d_base: 3,
            residual_blocks: 2,
            stage1_steps: 1,
        }
    }

    fn image(side: i64) -> ImageShape {
        ImageShape { channels: 3, height: side, width: side }
    }

    #[test]
    fn the_weight_count_is_the_built_networks() {
        for side in [16, 32, 64] {
            let (g_vs, d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
            let c = tiny();
            let _ = (c.generator(&g_vs.root(), image(side), 7), c.discriminator(&d_vs.root(), image(side), 7));
            let count = |vs: &nn::VarStore| vs.trainable_variables().iter().map(|t| t.numel() as u128).sum::<u128>();
            assert_eq!(c.weights(image(side), 7), Some((count(&g_vs), count(&d_vs))), "{side}");
        }
        assert_eq!(tiny().weights(ImageShape { channels: 3, height: 48, width: 48 }, 7), None);
    }

    /// Stage-I draws half-size images repeated over 2x2 blocks, and its discriminator reads
    /// only the 2x2 averages; Stage-II draws full-size images; each stage's KL is its own.
    #[test]
    fn the_stage_variable_picks_the_stage() {
        tch::manual_seed(0);
        let (g_vs, d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let c = tiny();
        let (g, d) = (c.generator(&g_vs.root(), image(16), 7), c.discriminator(&d_vs.root(), image(16), 7));
        let (z, y) = (Tensor::randn([4, 5], (Kind::Float, Device::Cpu)), Tensor::randn([4, 7], (Kind::Float, Device::Cpu)));
        let x = Tensor::randn([4, 3, 16, 16], (Kind::Float, Device::Cpu));
        let one = g.forward_t(&z, Some(&y), false);
        assert_eq!(one.size(), [4, 3, 16, 16]);
        assert!(one.equal(&upscale(&downscale(&one, 2), 2)), "Stage-I repeats each pixel over 2x2");
        let blocky = upscale(&downscale(&x, 2), 2);
        assert!(d.forward_t(&x, Some(&y), false).allclose(&d.forward_t(&blocky, Some(&y), false), 1e-5, 1e-6, false));
        assert!(!stage_two(&g_vs));
        set_stage(&g_vs, true);
        set_stage(&d_vs, true);
        assert!(stage_two(&g_vs) && stage_two(&d_vs));
        let two = g.forward_t(&z, Some(&y), false);
        assert_eq!(two.size(), [4, 3, 16, 16]);
        assert!(!two.equal(&upscale(&downscale(&two, 2), 2)), "Stage-II draws every pixel");
        assert!(!d.forward_t(&x, Some(&y), false).allclose(&d.forward_t(&blocky, Some(&y), false), 1e-5, 1e-6, false));
        // Each stage's KL is that of its own conditioning augmentation.
        let kl_two = g.regularizer(Some(&y)).unwrap();
        set_stage(&g_vs, false);
        let kl_one = g.regularizer(Some(&y)).unwrap();
        assert!(kl_one.double_value(&[]) > 0.0 && kl_two.double_value(&[]) > 0.0 && !kl_two.allclose(&kl_one, 1e-6, 1e-7, false));
    }

    /// No gradient reaches Stage-I from a Stage-II image.
    #[test]
    fn stage_two_trains_without_stage_one() {
        tch::manual_seed(1);
        let vs = nn::VarStore::new(Device::Cpu);
        let g = tiny().generator(&vs.root(), image(16), 7);
        set_stage(&vs, true);
        let y = Tensor::randn([2, 7], (Kind::Float, Device::Cpu));
        let loss = g.forward_t(&Tensor::randn([2, 5], (Kind::Float, Device::Cpu)), Some(&y), true).square().sum(Kind::Float);
        let vars = vs.variables();
        let names: Vec<&String> = vars.keys().filter(|k| vs.trainable_variables().iter().any(|t| t.data_ptr() == vars[*k].data_ptr())).collect();
        let params: Vec<Tensor> = names.iter().map(|n| vars[*n].shallow_clone()).collect();
        let grads = Tensor::run_backward(&[loss], &params, false, false);
        for (name, grad) in names.iter().zip(&grads) {
            let reached = grad.defined() && grad.abs().sum(Kind::Float).double_value(&[]) > 0.0;
            assert_eq!(reached, name.starts_with("stage2."), "{name}");
        }
    }
}
