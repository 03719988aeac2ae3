//! ProGAN's generator (networks.py `G_paper`, its recursive structure): the latent,
//! pixel-normalised, through a dense layer to 4x4 and a 3x3 convolution, then one block per
//! doubling (nearest upscale, two 3x3 convolutions), each convolution followed by LeakyReLU
//! and pixel norm; a 1x1 `ToRGB` (gain 1, linear) at every resolution. At level of detail
//! `lod` the network runs up to resolution `2^(R - floor(lod))` and, while a new block fades
//! in (`t = lod - floor(lod) > 0`), blends its image with the upscaled image of the block
//! before with weight `t`; the output is upscaled to the full size either way.

use tch::{nn, Tensor};

use super::layers::{lerp, lrelu, pixel_norm, upscale, WsConv, WsDense};
use super::{Levels, ProganConfig};
use crate::models::Generator;

#[derive(Debug)]
pub struct ProganGenerator {
    levels: Levels,
    latent: i64,
    dense: WsDense,
    conv4: WsConv,
    /// Blocks of resolution 8, 16, ...: the two convolutions of each.
    blocks: Vec<(WsConv, WsConv)>,
    /// `ToRGB` of resolution 4, 8, ...
    to_rgb: Vec<WsConv>,
    lod: Tensor,
}

impl ProganGenerator {
    pub fn new(c: &ProganConfig, root: &nn::Path, levels: Levels, channels: i64) -> Self {
        let nf = |s: i64| c.nf(s);
        let dense = WsDense::new(root / "r4" / "dense", c.latent_dim, nf(1) * 16, nf(1), 2f64.sqrt() / 4.0);
        let conv4 = WsConv::new(root / "r4" / "conv", nf(1), nf(1), 3, 2f64.sqrt());
        let blocks = (3..=levels.log2)
            .map(|r| {
                let p = root / format!("r{}", 1 << r);
                (WsConv::new(&p / "conv0", nf(r - 2), nf(r - 1), 3, 2f64.sqrt()), WsConv::new(&p / "conv1", nf(r - 1), nf(r - 1), 3, 2f64.sqrt()))
            })
            .collect();
        let to_rgb = (2..=levels.log2).map(|r| WsConv::new(root / format!("rgb{}", 1 << r), nf(r - 1), channels, 1, 1.0)).collect();
        let lod = root.zeros_no_train(super::LOD_VAR, &[]);
        Self { levels, latent: c.latent_dim, dense, conv4, blocks, to_rgb, lod }
    }

    /// Images of the current level of detail, at full size.
    pub fn images(&self, z: &Tensor) -> Tensor {
        let (top, t) = self.levels.at(self.lod.double_value(&[]));
        let x = pixel_norm(z);
        let x = pixel_norm(&lrelu(&self.dense.forward_4x4(&x)));
        let mut x = pixel_norm(&lrelu(&self.conv4.forward(&x)));
        let mut prev = None;
        for (conv0, conv1) in &self.blocks[..(top - 2) as usize] {
            let y = pixel_norm(&lrelu(&conv0.forward(&upscale(&x, 2))));
            let y = pixel_norm(&lrelu(&conv1.forward(&y)));
            prev = Some(std::mem::replace(&mut x, y));
        }
        let mut img = self.to_rgb[(top - 2) as usize].forward(&x);
        if let (Some(prev), true) = (prev, t > 0.0) {
            img = lerp(&img, &upscale(&self.to_rgb[(top - 3) as usize].forward(&prev), 2), t);
        }
        upscale(&img, 1 << (self.levels.log2 - top))
    }
}

impl Generator for ProganGenerator {
    fn latent_dim(&self) -> i64 {
        self.latent
    }

    fn classes(&self) -> i64 {
        0
    }

    fn forward_t(&self, z: &Tensor, _y: Option<&Tensor>, _train: bool) -> Tensor {
        self.images(z)
    }
}
