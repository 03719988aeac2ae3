//! StyleGAN2's generator (`Generator` of stylegan2-ada-pytorch's networks.py): the mapping
//! network's `w`, broadcast to every layer of the synthesis network (or, with style mixing,
//! taken from two latents on either side of a cut), and optionally truncated toward `w_avg`.

use tch::{nn, Tensor};

use super::mapping::Mapping;
use super::synthesis::{Noise, Synthesis};
use super::Stylegan2Config;
use crate::models::Generator;

#[derive(Debug)]
pub struct Stylegan2Generator {
    latent: i64,
    pub mapping: Mapping,
    pub synthesis: Synthesis,
}

impl Stylegan2Generator {
    pub fn new(c: &Stylegan2Config, root: &nn::Path, log2: i64, channels: i64) -> Self {
        let mapping = Mapping::new(c, root / "mapping");
        let synthesis = Synthesis::new(c, root / "synthesis", log2, channels);
        Self { latent: c.latent_dim, mapping, synthesis }
    }

    pub fn num_ws(&self) -> i64 {
        self.synthesis.num_ws()
    }

    /// `ws [B, num_ws, w_dim]` of `z`, truncated by `psi` (1: none); `track` moves `w_avg`.
    pub fn ws(&self, z: &Tensor, psi: f64, track: bool) -> Tensor {
        let w = self.mapping.truncate(&self.mapping.forward(z, track), psi);
        w.unsqueeze(1).repeat([1, self.num_ws(), 1])
    }

    /// `ws` taking layers from `cut` on from `other` (style mixing).
    pub fn mix(ws: &Tensor, other: &Tensor, cut: i64) -> Tensor {
        let n = ws.size()[1];
        if cut >= n {
            return ws.shallow_clone();
        }
        Tensor::cat(&[ws.narrow(1, 0, cut), other.narrow(1, cut, n - cut)], 1)
    }

    pub fn images(&self, ws: &Tensor, noise: Noise) -> Tensor {
        self.synthesis.forward(ws, noise)
    }
}

impl Generator for Stylegan2Generator {
    fn latent_dim(&self) -> i64 {
        self.latent
    }

    fn classes(&self) -> i64 {
        0
    }

    /// Training draws fresh noise; sampling uses each layer's constant noise, as the
    /// reference's generate.py does by default, so that a seed gives one image.
    fn forward_t(&self, z: &Tensor, _y: Option<&Tensor>, train: bool) -> Tensor {
        self.images(&self.ws(z, 1.0, train), if train { Noise::Random } else { Noise::Const })
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
