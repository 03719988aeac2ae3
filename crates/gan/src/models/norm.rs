//! The normalisation layers and the weight initialisation every convolutional network here
//! shares: the DCGAN pair (Radford et al. 2016), the WGAN-GP critic (Gulrajani et al. 2017,
//! whose penalty needs a per-sample critic: instance or layer norm) and the pix2pix /
//! CycleGAN networks (junyanz/pytorch-CycleGAN-and-pix2pix, `models/networks.py`,
//! `init_type = "normal"`): weights from N(0, 0.02), batch-norm scales from N(1, 0.02),
//! biases at 0.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, nn::ModuleT, Tensor};

/// A network's normalisation after a convolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Norm {
    /// `BatchNorm2d` (DCGAN, pix2pix); synchronised across a data-parallel group.
    #[default]
    Batch,
    /// `InstanceNorm2d(affine=False)`: per sample and channel, over the pixels (CycleGAN).
    Instance,
    /// `LayerNorm([C, H, W])` with its affine parameters (the WGAN-GP critic's).
    Layer,
    /// None.
    None,
}

/// PyTorch's BatchNorm defaults (tch's too).
pub(crate) const BN_MOMENTUM: f64 = 0.1;
pub(crate) const BN_EPS: f64 = 1e-5;

/// One normalisation layer.
pub(crate) enum NormLayer {
    Batch(nn::BatchNorm),
    Instance,
    Layer(nn::LayerNorm),
}

impl NormLayer {
    /// The layer `kind` over `channels` maps of `size x size` pixels (the size matters to
    /// `layer` only); `None` for [`Norm::None`].
    pub(crate) fn new(kind: Norm, path: nn::Path, channels: i64, size: i64) -> Option<Self> {
        match kind {
            Norm::Batch => Some(NormLayer::Batch(nn::batch_norm2d(path, channels, bn_config()))),
            Norm::Instance => Some(NormLayer::Instance),
            Norm::Layer => Some(NormLayer::Layer(nn::layer_norm(path, vec![channels, size, size], Default::default()))),
            Norm::None => None,
        }
    }

    pub(crate) fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        match self {
            // In a data-parallel group the batch is every rank's (as torch's SyncBatchNorm).
            NormLayer::Batch(b) => match crate::dist::sync_batch_norm().filter(|_| train) {
                Some(d) => d.batch_norm(b, x, BN_MOMENTUM, BN_EPS),
                None => b.forward_t(x, train),
            },
            NormLayer::Instance => x.instance_norm::<Tensor>(None, None, None, None, true, BN_MOMENTUM, BN_EPS, true),
            NormLayer::Layer(l) => l.forward(x),
        }
    }
}

/// Weights from N(`mean`, 0.02).
pub(crate) fn normal(mean: f64) -> nn::Init {
    nn::Init::Randn { mean, stdev: 0.02 }
}

/// BatchNorm with scales from N(1, 0.02) and zero bias.
pub(crate) fn bn_config() -> nn::BatchNormConfig {
    nn::BatchNormConfig { ws_init: normal(1.0), bs_init: nn::Init::Const(0.0), momentum: BN_MOMENTUM, eps: BN_EPS, ..Default::default() }
}

/// `Conv2d(cin, cout, k, stride, padding, bias)` with weights from N(0, 0.02), zero bias.
pub(crate) fn conv(path: nn::Path, cin: i64, cout: i64, k: i64, stride: i64, padding: i64, bias: bool) -> nn::Conv2D {
    nn::conv2d(path, cin, cout, k, nn::ConvConfig { stride, padding, bias, ws_init: normal(0.0), bs_init: nn::Init::Const(0.0), ..Default::default() })
}

/// `ConvTranspose2d(cin, cout, k, stride, padding, output_padding, bias)`, initialised likewise.
pub(crate) fn conv_t(path: nn::Path, cin: i64, cout: i64, k: i64, (stride, padding, output_padding): (i64, i64, i64), bias: bool) -> nn::ConvTranspose2D {
    let cfg = nn::ConvTransposeConfig { stride, padding, output_padding, bias, ws_init: normal(0.0), bs_init: nn::Init::Const(0.0), ..Default::default() };
    nn::conv_transpose2d(path, cin, cout, k, cfg)
}
