//! Mixed precision (Micikevicius et al., "Mixed Precision Training", ICLR 2018, in bfloat16
//! after Kalamkar et al., "A Study of BFLOAT16 for Deep Learning Training", 2019): the
//! networks' matrix products and convolutions run in bf16 inside an autocast region, while
//! the weights, the optimiser's state, the losses and the penalties stay float32. bf16 keeps
//! float32's exponent range, so no loss scaling is needed. On CPUs with AMX or AVX512-BF16
//! (oneDNN) and on tensor-core GPUs this is where the speed is.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::{Discriminator, Generator};

/// The arithmetic of the networks' forward and backward passes.
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Precision {
    /// Float32 throughout.
    #[default]
    F32,
    /// bf16 matrix products and convolutions under autocast; float32 weights, losses and
    /// optimiser.
    Bf16,
}

impl Precision {
    pub fn is_f32(&self) -> bool {
        *self == Precision::F32
    }

    /// The name configurations use.
    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    /// An autocast region for this precision on `device` (none for f32): what is computed
    /// while it is held runs as the networks run.
    pub fn region(self, device: Device) -> Option<gan_shim::Autocast> {
        (self == Precision::Bf16).then(|| gan_shim::Autocast::bf16(device).expect("autocast on a CPU or CUDA device"))
    }
}

/// Runs `f` in a bf16 autocast region on `device` and returns its tensor in float32 (so
/// that losses, penalties and whatever reads the result see float32).
fn in_bf16(device: Device, f: impl FnOnce() -> Tensor) -> Tensor {
    let _region = Precision::Bf16.region(device);
    f().to_kind(Kind::Float)
}

/// A generator whose forward pass runs under bf16 autocast.
pub struct Bf16Generator {
    pub inner: Box<dyn Generator>,
    pub device: Device,
}

impl Generator for Bf16Generator {
    fn latent_dim(&self) -> i64 {
        self.inner.latent_dim()
    }

    fn classes(&self) -> i64 {
        self.inner.classes()
    }

    fn forward_t(&self, z: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        in_bf16(self.device, || self.inner.forward_t(z, y, train))
    }

    fn regularizer(&self, y: Option<&Tensor>) -> Option<Tensor> {
        self.inner.regularizer(y)
    }
}

/// A discriminator whose forward pass runs under bf16 autocast.
pub struct Bf16Discriminator {
    pub inner: Box<dyn Discriminator>,
    pub device: Device,
}

impl Discriminator for Bf16Discriminator {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        in_bf16(self.device, || self.inner.forward_t(x, y, train))
    }

    fn per_sample(&self) -> bool {
        self.inner.per_sample()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{DcganConfig, ImageShape, ModelConfig};

    /// The wrapped networks return float32 close to the float32 networks' (bf16 keeps about
    /// three significant digits), and the gradient reaches the float32 weights in float32.
    #[test]
    fn bf16_networks_stay_close_to_float32_and_train_float32_weights() {
        let image = ImageShape { channels: 1, height: 28, width: 28 };
        let model = ModelConfig::from(DcganConfig::default());
        tch::manual_seed(0);
        let nets = model.build(image, 0, 1, Device::Cpu);
        let crate::models::Partner::Discriminator(d) = nets.partner else { unreachable!() };
        let x = Tensor::randn([8, 1, 28, 28], (Kind::Float, Device::Cpu));
        let z = Tensor::randn([8, 100], (Kind::Float, Device::Cpu));
        let (g32, d32) = (nets.g.forward_t(&z, None, false), d.forward_t(&x, None, false));
        let bg = Bf16Generator { inner: nets.g, device: Device::Cpu };
        let g16 = bg.forward_t(&z, None, false);
        assert_eq!(g16.kind(), Kind::Float);
        let err = (&g16 - &g32).abs().max().double_value(&[]);
        assert!(err > 0.0 && err < 0.05, "G differs by {err}");
        let bd = Bf16Discriminator { inner: d, device: Device::Cpu };
        let d16 = bd.forward_t(&x, None, false);
        assert_eq!(d16.kind(), Kind::Float);
        let rel = (&d16 - &d32).abs().max().double_value(&[]) / d32.abs().max().double_value(&[]).max(1e-6);
        assert!(rel > 0.0 && rel < 0.05, "D differs by {rel} of its largest score");
        let w = &nets.d_vs.trainable_variables()[0];
        let g = Tensor::run_backward(&[d16.sum(Kind::Float)], &[w], false, false).remove(0);
        assert_eq!(g.kind(), Kind::Float);
        assert!(g.abs().sum(Kind::Float).double_value(&[]) > 0.0);
    }
}
