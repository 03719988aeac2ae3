//! The PatchGAN discriminator of pix2pix and CycleGAN (Isola et al. 2017, section 3.2.2;
//! the reference's `NLayerDiscriminator`): it classifies every overlapping patch of its
//! input as real or fake and outputs the map of logits `[B, 1, h, w]`, which the loss
//! averages. `Conv2d(4, 2, 1)` C64 then `layers - 1` more stride-2 stages doubling the
//! channels (at most 8x), one stride-1 stage, and a stride-1 convolution to one channel;
//! LeakyReLU(0.2) throughout, no norm on the first stage.
//!
//! The patch a logit sees is [`receptive_field`] pixels wide: 70 for the paper's three
//! layers (on 256-px images, about a quarter of the side); 16 for one layer, the 28-px
//! presets' choice (a little over half of the side: at that size a 70-px patch would be the
//! whole image and 16 is the smallest that still spans a garment's outline and fill).

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::{base_problem, conv, conv_bias, leaky, norm_problems, Norm, Norm2d};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchGanConfig {
    /// Stride-2 stages (`n_layers`).
    pub layers: u32,
    /// Channels of the first stage (`ndf`).
    pub base: i64,
    #[serde(default)]
    pub norm: Norm,
}

impl Default for PatchGanConfig {
    /// The paper's 70x70 PatchGAN.
    fn default() -> Self {
        Self { layers: 3, base: 64, norm: Norm::Batch }
    }
}

/// The side of the input patch one output logit depends on, for `layers` stride-2 stages
/// followed by the two stride-1 ones (all with 4x4 kernels).
pub fn receptive_field(layers: u32) -> i64 {
    let strides = std::iter::repeat_n(2, layers as usize).chain([1, 1]);
    let strides: Vec<i64> = strides.collect();
    strides.iter().rev().fold(1, |r, &s| (r - 1) * s + 4)
}

pub struct PatchGan {
    convs: Vec<nn::Conv2D>,
    norms: Vec<Option<Norm2d>>,
}

impl PatchGanConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = norm_problems("model.discriminator.norm", self.norm);
        if !(1..=6).contains(&self.layers) {
            p.push(format!("model.discriminator.layers must be between 1 and 6, got {}", self.layers));
        }
        p.extend(base_problem("model.discriminator.base", self.base));
        p
    }

    /// The side of the logit map for an input side `s`, if positive.
    pub fn output_side(&self, s: i64) -> i64 {
        let s = (0..self.layers).fold(s, |s, _| (s + 2 - 4) / 2 + 1);
        s - 2
    }

    pub fn build(&self, root: &nn::Path, input_channels: i64) -> PatchGan {
        let bias = conv_bias(self.norm);
        let n = self.layers as i64;
        let width = |i: i64| self.base * (1 << i.min(3));
        let (mut convs, mut norms) = (Vec::new(), Vec::new());
        convs.push(conv(root / "conv0", input_channels, self.base, 4, 2, 1, true));
        norms.push(None);
        for i in 1..=n {
            let stride = if i < n { 2 } else { 1 };
            convs.push(conv(root / format!("conv{i}"), width(i - 1), width(i), 4, stride, 1, bias));
            norms.push(Some(Norm2d::new(self.norm, root / format!("norm{i}"), width(i))));
        }
        convs.push(conv(root / format!("conv{}", n + 1), width(n), 1, 4, 1, 1, true));
        norms.push(None);
        PatchGan { convs, norms }
    }
}

impl super::Translator for PatchGan {
    /// The logit map `[B, 1, h, w]` of a batch `[B, C, H, W]`.
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let last = self.convs.len() - 1;
        let mut h = x.shallow_clone();
        for (i, (c, norm)) in self.convs.iter().zip(&self.norms).enumerate() {
            h = c.forward(&h);
            if let Some(n) = norm {
                h = n.forward_t(&h, train);
            }
            if i < last {
                h = leaky(&h);
            }
        }
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, from the last layer back: r = (r - 1) * stride + 4.
    /// One layer: 4, 7, 16. Three (the paper): 4, 7, 16, 34, 70.
    #[test]
    fn receptive_fields_by_hand() {
        assert_eq!(receptive_field(1), 16);
        assert_eq!(receptive_field(2), 34);
        assert_eq!(receptive_field(3), 70);
    }
}
