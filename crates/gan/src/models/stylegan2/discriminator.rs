//! StyleGAN2's discriminator in its `resnet` architecture (`Discriminator`,
//! `DiscriminatorBlock` and `DiscriminatorEpilogue` of stylegan2-ada-pytorch's networks.py):
//! a 1x1 FromRGB at the full resolution, then per resolution two 3x3 convolutions (the second
//! downsampling by the [1, 3, 3, 1] filter) beside a 1x1 downsampling skip without bias, the
//! two added at gain `sqrt(1/2)` each; at 4x4 the minibatch standard deviation, a 3x3
//! convolution, a fully connected LeakyReLU layer and the linear logit.

use tch::{nn, Tensor};

use super::layers::{minibatch_stddev, Act, Conv, Dense};
use super::Stylegan2Config;
use crate::models::Discriminator;

const HALF_SQRT: f64 = std::f64::consts::FRAC_1_SQRT_2;

#[derive(Debug)]
struct Block {
    conv0: Conv,
    conv1: Conv,
    skip: Conv,
}

#[derive(Debug)]
pub struct Stylegan2Discriminator {
    fromrgb: Conv,
    blocks: Vec<Block>,
    mbstd: (i64, i64),
    conv: Conv,
    fc: Dense,
    out: Dense,
}

impl Stylegan2Discriminator {
    pub fn new(c: &Stylegan2Config, root: &nn::Path, log2: i64, channels: i64) -> Self {
        let clamp = c.conv_clamp;
        let top = 1 << log2;
        let fromrgb = Conv::new(root / format!("b{top}") / "fromrgb", (channels, c.channels_at(top), 1), true, Act::Lrelu, 1, clamp);
        let blocks = (3..=log2)
            .rev()
            .map(|r| {
                let res = 1 << r;
                let (tmp, out) = (c.channels_at(res), c.channels_at(res / 2));
                let p = root / format!("b{res}");
                Block {
                    conv0: Conv::new(&p / "conv0", (tmp, tmp, 3), true, Act::Lrelu, 1, clamp),
                    conv1: Conv::new(&p / "conv1", (tmp, out, 3), true, Act::Lrelu, 2, clamp),
                    skip: Conv::new(&p / "skip", (tmp, out, 1), false, Act::Linear, 2, None),
                }
            })
            .collect();
        let c4 = c.channels_at(4);
        let p = root / "b4";
        let mbstd = (c.mbstd_group, if c.mbstd_group > 1 { c.mbstd_channels } else { 0 });
        Self {
            fromrgb,
            blocks,
            mbstd,
            conv: Conv::new(&p / "conv", (c4 + mbstd.1, c4, 3), true, Act::Lrelu, 1, clamp),
            fc: Dense::new(&p / "fc", c4 * 16, c4, Act::Lrelu, 1.0, 0.0),
            out: Dense::new(&p / "out", c4, 1, Act::Linear, 1.0, 0.0),
        }
    }

    /// The logits `[B]` of images `[B, C, R, R]`.
    pub fn logits(&self, img: &Tensor) -> Tensor {
        let mut x = self.fromrgb.forward(img, 1.0);
        for b in &self.blocks {
            let y = b.skip.forward(&x, HALF_SQRT);
            x = y + b.conv1.forward(&b.conv0.forward(&x, 1.0), HALF_SQRT);
        }
        if self.mbstd.1 > 0 {
            x = minibatch_stddev(&x, self.mbstd.0, self.mbstd.1);
        }
        let x = self.conv.forward(&x, 1.0);
        self.out.forward(&self.fc.forward(&x.flatten(1, -1))).view([-1])
    }
}

impl Discriminator for Stylegan2Discriminator {
    fn forward_t(&self, x: &Tensor, _y: Option<&Tensor>, _train: bool) -> Tensor {
        self.logits(x)
    }

    fn per_sample(&self) -> bool {
        self.mbstd.1 == 0
    }
}
