//! ProGAN's discriminator (networks.py `D_paper`, its recursive structure): a 1x1 `FromRGB`
//! (LeakyReLU) at every resolution, one block per halving (two 3x3 convolutions, LeakyReLU,
//! box-filter downscale), and at 4x4 the minibatch standard deviation (groups of 4), a 3x3
//! convolution and two dense layers to one score (the last with gain 1, linear). It takes
//! full-size images: at level of detail `lod` it downscales them to `2^(R - floor(lod))`
//! and, while a block fades in (`t = lod - floor(lod) > 0`), blends that block's output with
//! `FromRGB` of the images downscaled once more, with weight `t`.

use tch::{nn, Tensor};

use super::layers::{downscale, lerp, lrelu, minibatch_stddev, WsConv, WsDense};
use super::{Levels, ProganConfig};
use crate::models::Discriminator;

#[derive(Debug)]
pub struct ProganDiscriminator {
    levels: Levels,
    mbstd_group: i64,
    /// `FromRGB` of resolution 4, 8, ...
    from_rgb: Vec<WsConv>,
    /// Blocks of resolution 8, 16, ...
    blocks: Vec<(WsConv, WsConv)>,
    conv4: WsConv,
    dense0: WsDense,
    dense1: WsDense,
    lod: Tensor,
}

impl ProganDiscriminator {
    pub fn new(c: &ProganConfig, root: &nn::Path, levels: Levels, channels: i64) -> Self {
        let nf = |s: i64| c.nf(s);
        let gain = 2f64.sqrt();
        let from_rgb = (2..=levels.log2).map(|r| WsConv::new(root / format!("rgb{}", 1 << r), channels, nf(r - 1), 1, gain)).collect();
        let blocks = (3..=levels.log2)
            .map(|r| {
                let p = root / format!("r{}", 1 << r);
                (WsConv::new(&p / "conv0", nf(r - 1), nf(r - 1), 3, gain), WsConv::new(&p / "conv1", nf(r - 1), nf(r - 2), 3, gain))
            })
            .collect();
        let extra = i64::from(c.mbstd_group > 1);
        let conv4 = WsConv::new(root / "r4" / "conv", nf(1) + extra, nf(1), 3, gain);
        let dense0 = WsDense::new(root / "r4" / "dense0", nf(1) * 16, nf(0), nf(0), gain);
        let dense1 = WsDense::new(root / "r4" / "dense1", nf(0), 1, 1, 1.0);
        let lod = root.zeros_no_train(super::LOD_VAR, &[]);
        Self { levels, mbstd_group: c.mbstd_group, from_rgb, blocks, conv4, dense0, dense1, lod }
    }

    fn read_rgb(&self, images: &Tensor, res_log2: i64) -> Tensor {
        let x = downscale(images, 1 << (self.levels.log2 - res_log2));
        lrelu(&self.from_rgb[(res_log2 - 2) as usize].forward(&x))
    }

    fn block(&self, x: &Tensor, res_log2: i64) -> Tensor {
        let (conv0, conv1) = &self.blocks[(res_log2 - 3) as usize];
        downscale(&lrelu(&conv1.forward(&lrelu(&conv0.forward(x)))), 2)
    }

    /// One score per image of `images` (full size).
    pub fn scores(&self, images: &Tensor) -> Tensor {
        let (top, t) = self.levels.at(self.lod.double_value(&[]));
        let mut x = self.read_rgb(images, top);
        if top > 2 {
            x = self.block(&x, top);
            if t > 0.0 {
                x = lerp(&x, &self.read_rgb(images, top - 1), t);
            }
            for r in (3..top).rev() {
                x = self.block(&x, r);
            }
        }
        if self.mbstd_group > 1 {
            x = minibatch_stddev(&x, self.mbstd_group);
        }
        let x = lrelu(&self.conv4.forward(&x));
        let x = lrelu(&self.dense0.forward(&x.flatten(1, -1)));
        self.dense1.forward(&x).view([-1])
    }
}

impl Discriminator for ProganDiscriminator {
    fn forward_t(&self, x: &Tensor, _y: Option<&Tensor>, _train: bool) -> Tensor {
        self.scores(x)
    }

    fn per_sample(&self) -> bool {
        self.mbstd_group <= 1
    }
}
