//! The networks of image-to-image translation, as in the pix2pix / CycleGAN reference code
//! (junyanz/pytorch-CycleGAN-and-pix2pix, `models/networks.py`):
//! - [`unet`]: pix2pix's U-Net generator (Isola et al., "Image-to-Image Translation with
//!   Conditional Adversarial Networks", CVPR 2017);
//! - [`resnet`]: CycleGAN's ResNet generator (Zhu et al., "Unpaired Image-to-Image
//!   Translation using Cycle-Consistent Adversarial Networks", ICCV 2017, after Johnson et
//!   al. 2016);
//! - [`patchgan`]: the PatchGAN discriminator both use, one logit per overlapping patch.
//!
//! Weights start from N(0, 0.02), batch-norm scales from N(1, 0.02), biases at 0 (the
//! reference's `init_type = "normal"`). A convolution followed by a batch norm has no bias;
//! with instance norm (no affine parameters) it has one, as in the reference.

pub mod nets;
pub mod patchgan;
pub mod resnet;
pub mod unet;

use serde::{Deserialize, Serialize};
use tch::{nn, nn::ModuleT, Tensor};

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

/// The normalisation after a convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NormKind {
    /// `BatchNorm2d` (pix2pix).
    #[default]
    Batch,
    /// `InstanceNorm2d(affine=False)` (CycleGAN).
    Instance,
}

/// One normalisation layer.
pub(crate) enum Norm2d {
    Batch(nn::BatchNorm),
    Instance,
}

impl Norm2d {
    pub(crate) fn new(kind: NormKind, path: nn::Path, channels: i64) -> Self {
        match kind {
            NormKind::Batch => Norm2d::Batch(nn::batch_norm2d(
                path,
                channels,
                nn::BatchNormConfig { ws_init: normal(1.0), bs_init: nn::Init::Const(0.0), momentum: 0.1, eps: 1e-5, ..Default::default() },
            )),
            NormKind::Instance => Norm2d::Instance,
        }
    }

    pub(crate) fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        match self {
            // In a data-parallel group the batch is every rank's (as torch's SyncBatchNorm).
            Norm2d::Batch(b) => match crate::dist::sync_batch_norm().filter(|_| train) {
                Some(d) => d.batch_norm(b, x, 0.1, 1e-5),
                None => b.forward_t(x, train),
            },
            Norm2d::Instance => x.instance_norm::<Tensor>(None, None, None, None, true, 0.1, 1e-5, true),
        }
    }
}

/// The reference's weight initialisation.
pub(crate) fn normal(mean: f64) -> nn::Init {
    nn::Init::Randn { mean, stdev: 0.02 }
}

/// `Conv2d(cin, cout, k, stride, padding, bias)` with the reference's initialisation.
pub(crate) fn conv(path: nn::Path, cin: i64, cout: i64, k: i64, stride: i64, padding: i64, bias: bool) -> nn::Conv2D {
    nn::conv2d(path, cin, cout, k, nn::ConvConfig { stride, padding, bias, ws_init: normal(0.0), bs_init: nn::Init::Const(0.0), ..Default::default() })
}

/// `ConvTranspose2d(cin, cout, k, stride, padding=1, output_padding, bias)`, initialised
/// likewise (both generators pad their transposed convolutions by 1).
pub(crate) fn conv_t(path: nn::Path, cin: i64, cout: i64, k: i64, stride: i64, output_padding: i64, bias: bool) -> nn::ConvTranspose2D {
    let cfg = nn::ConvTransposeConfig { stride, padding: 1, output_padding, bias, ws_init: normal(0.0), bs_init: nn::Init::Const(0.0), ..Default::default() };
    nn::conv_transpose2d(path, cin, cout, k, cfg)
}

pub(crate) fn leaky(x: &Tensor) -> Tensor {
    super::leaky_relu(x, 0.2)
}
