//! The networks of image-to-image translation, as in the pix2pix / CycleGAN reference code
//! (junyanz/pytorch-CycleGAN-and-pix2pix, `models/networks.py`):
//! - [`unet`]: pix2pix's U-Net generator (Isola et al., "Image-to-Image Translation with
//!   Conditional Adversarial Networks", CVPR 2017);
//! - [`resnet`]: CycleGAN's ResNet generator (Zhu et al., "Unpaired Image-to-Image
//!   Translation using Cycle-Consistent Adversarial Networks", ICCV 2017, after Johnson et
//!   al. 2016);
//! - [`patchgan`]: the PatchGAN discriminator both use, one logit per overlapping patch;
//! - [`cartoon`]: CartoonGAN's generator and discriminator (Chen et al. 2018);
//! - [`simgan`]: SimGAN's refiner and local discriminator (Shrivastava et al. 2017).
//!
//! Weights start from N(0, 0.02), batch-norm scales from N(1, 0.02), biases at 0 (the
//! reference's `init_type = "normal"`). A convolution followed by a batch norm has no bias;
//! with instance norm (no affine parameters) it has one, as in the reference.

pub mod cartoon;
pub mod nets;
pub mod patchgan;
pub mod resnet;
pub mod simgan;
pub mod unet;

use tch::{nn, Tensor};

pub(crate) use super::norm::{conv, Norm, NormLayer};

pub use nets::{Generators, NetPair, TranslationNets};
pub use patchgan::PatchGanConfig;
pub use resnet::ResnetConfig;
pub use unet::UnetConfig;

/// A network from an image batch `[B, C, H, W]` to an image-like batch: a generator (domain
/// A in `[-1, 1]` to domain B) or a PatchGAN (to its map of patch logits).
pub trait Translator: Send {
    /// `train` selects batch statistics and dropout.
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor;
}

/// A translation network whose forward pass runs under bf16 autocast (see
/// `crate::models::precision`); its output is float32.
pub struct Bf16Translator {
    pub inner: Box<dyn Translator>,
    pub device: tch::Device,
}

impl Translator for Bf16Translator {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let _region = super::precision::Precision::Bf16.region(self.device);
        self.inner.forward_t(x, train).to_kind(tch::Kind::Float)
    }
}

/// A translation network's normalisation (the identity for `none`; `layer` is refused by
/// [`norm_problems`], since these networks take images of any size).
pub(crate) struct Norm2d(Option<NormLayer>);

impl Norm2d {
    pub(crate) fn new(kind: Norm, path: nn::Path, channels: i64) -> Self {
        Self(NormLayer::new(kind, path, channels, 0))
    }

    pub(crate) fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        match &self.0 {
            Some(n) => n.forward_t(x, train),
            None => x.shallow_clone(),
        }
    }
}

/// Whether a convolution before `norm` has a bias: not before a batch norm, whose shift
/// absorbs it (the reference's `use_bias = norm_layer == nn.InstanceNorm2d`).
pub(crate) fn conv_bias(norm: Norm) -> bool {
    norm != Norm::Batch
}

/// What is wrong with `norm` for the network at `field` (e.g. `model.generator.norm`).
pub(crate) fn norm_problems(field: &str, norm: Norm) -> Vec<String> {
    match norm {
        Norm::Layer => vec![format!("{field} = \"layer\" is not available for translation networks (use batch, instance or none)")],
        Norm::Batch | Norm::Instance | Norm::None => Vec::new(),
    }
}

/// `ConvTranspose2d(cin, cout, k, stride, padding=1, output_padding, bias)` (both
/// generators pad their transposed convolutions by 1).
pub(crate) fn conv_t(path: nn::Path, cin: i64, cout: i64, k: i64, stride: i64, output_padding: i64, bias: bool) -> nn::ConvTranspose2D {
    super::norm::conv_t(path, cin, cout, k, (stride, 1, output_padding), bias)
}

/// What is wrong with a network's channel `base` at `field`, if anything.
pub(crate) fn base_problem(field: &str, base: i64) -> Option<String> {
    (!(1..=1024).contains(&base)).then(|| format!("{field} must be between 1 and 1024, got {base}"))
}

/// Whether `image` suits `who` (a network that halves its input twice): sides divisible by 4
/// and at least 8 pixels.
pub(crate) fn quarter_sides(who: &str, image: crate::models::ImageShape) -> Result<(), String> {
    if image.height % 4 != 0 || image.width % 4 != 0 || image.height < 8 || image.width < 8 {
        return Err(format!("{who} needs sides divisible by 4 and at least 8 pixels, got {}x{}", image.height, image.width));
    }
    Ok(())
}

pub(crate) fn leaky(x: &Tensor) -> Tensor {
    super::leaky_relu(x, 0.2)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without a norm every convolution keeps its bias and the map passes unchanged; with batch
    /// norm the convolutions before it drop theirs.
    #[test]
    fn a_patchgan_without_norm_has_biases_and_no_norm_variables() {
        let vars = |norm| {
            let vs = nn::VarStore::new(tch::Device::Cpu);
            PatchGanConfig { layers: 2, base: 4, norm }.build(&vs.root(), 2);
            let mut names: Vec<String> = vs.variables().into_keys().collect();
            names.sort();
            names
        };
        let none = vars(Norm::None);
        assert!(none.iter().all(|n| n.starts_with("conv")), "{none:?}");
        assert_eq!(none.iter().filter(|n| n.ends_with("bias")).count(), 4);
        let batch = vars(Norm::Batch);
        assert_eq!(batch.iter().filter(|n| n.starts_with("conv") && n.ends_with("bias")).count(), 2, "{batch:?}");
        assert!(PatchGanConfig { layers: 2, base: 4, norm: Norm::Layer }.problems()[0].contains("model.discriminator.norm = \"layer\""));
    }
}
