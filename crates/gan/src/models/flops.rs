//! Floating-point operations of the networks' forward passes per sample, counted from their
//! layer shapes as PyTorch's `torch.utils.flop_counter.FlopCounterMode` counts them: two per
//! multiply-add of every matrix product and convolution (`2 * C_in * C_out * k^2` per output
//! pixel of a convolution, per input pixel of a transposed one); biases, normalisation and
//! activations, a few per element, are left out, as there.

use super::dcgan::{geometry, DcganConfig};
use super::mlp::MlpConfig;
use super::{ImageShape, ModelConfig, NetConfig};

/// Forward FLOPs per sample of each network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetFlops {
    pub g: u64,
    pub d: u64,
}

impl NetFlops {
    /// FLOPs per sample of one GAN training step, one D update then one G update, with
    /// backward passes at twice their forward (input and weight gradients): D's update runs
    /// G forward and D forward and backward on the real and the fake halves (`G + 6 D`); G's
    /// runs G forward and backward and D forward and backward to its input only (`3 G + 2 D`).
    /// Gradient penalties, which differentiate twice, are not counted.
    pub fn gan_step(self) -> u64 {
        4 * self.g + 8 * self.d
    }
}

fn linear(sizes: &[i64]) -> u64 {
    sizes.windows(2).map(|w| 2 * (w[0] * w[1]) as u64).sum()
}

fn mlp(c: &MlpConfig, image: ImageShape, classes: i64) -> NetFlops {
    NetFlops { g: linear(&c.g_sizes(image, classes)), d: linear(&c.d_sizes(image, classes)) }
}

fn dcgan(c: &DcganConfig, image: ImageShape, classes: i64) -> Option<NetFlops> {
    let (b, n) = geometry(image).ok()?;
    // G: z (1x1) -> b x b, then n doublings; a transposed convolution costs per input pixel.
    let mut g = 0u64;
    let (mut cin, mut side) = (c.latent_dim + classes, 1i64);
    for stage in 0..=n {
        let cout = if stage == n { image.channels } else { c.g_base << (n - 1 - stage) };
        let k = if stage == 0 { b } else { 4 };
        g += 2 * (cin * cout * k * k * side * side) as u64;
        side = if stage == 0 { b } else { side * 2 };
        cin = cout;
    }
    // D: n halvings, then a b x b convolution to one score; a convolution costs per output pixel.
    let mut d = 0u64;
    let (mut cin, mut side) = (image.channels + classes, image.height);
    for stage in 0..n {
        let cout = c.d_base << stage;
        side /= 2;
        d += 2 * (cin * cout * 16 * side * side) as u64;
        cin = cout;
    }
    d += 2 * (cin * b * b) as u64;
    Some(NetFlops { g, d })
}

impl ModelConfig {
    /// Forward FLOPs per sample of G and D for `image`s (`None` for the VAE, or an image the
    /// model cannot take).
    pub fn forward_flops(&self, image: ImageShape, classes: i64) -> Option<NetFlops> {
        match &self.net {
            NetConfig::Mlp(c) => Some(mlp(c, image, classes)),
            NetConfig::Dcgan(c) => dcgan(c, image, classes),
            NetConfig::Vae(_) | NetConfig::Progan(_) | NetConfig::Stylegan2(_) | NetConfig::Stackgan(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// PyTorch's counts for the bench networks of `bench/reference.py`, by
    /// `FlopCounterMode(display=False)` around one forward pass of a batch of one
    /// (`get_total_flops()`):
    ///
    /// ```python
    /// import torch, reference as r
    /// from torch.utils.flop_counter import FlopCounterMode
    /// def count(net, x):
    ///     with FlopCounterMode(display=False) as f: net(x)
    ///     return f.get_total_flops()
    /// print(count(r.conv_g(), torch.randn(1, 100, 1, 1)), count(r.conv_d(), torch.randn(1, 1, 28, 28)))
    /// print(count(r.mlp_g(), torch.randn(1, 100)), count(r.mlp_d(), torch.randn(1, 784)))
    /// ```
    const PT_DCGAN_G: u64 = 14_500_864;
    const PT_DCGAN_D: u64 = 13_259_008;
    const PT_MLP_G: u64 = 2_967_552;
    const PT_MLP_D: u64 = 2_916_864;

    #[test]
    fn counts_match_pytorchs_flop_counter() {
        let mnist = ImageShape { channels: 1, height: 28, width: 28 };
        let dc = ModelConfig::from(DcganConfig::default()).forward_flops(mnist, 0).unwrap();
        assert_eq!((dc.g, dc.d), (PT_DCGAN_G, PT_DCGAN_D));
        let mlp = ModelConfig::from(MlpConfig::default()).forward_flops(mnist, 0).unwrap();
        assert_eq!((mlp.g, mlp.d), (PT_MLP_G, PT_MLP_D));
    }

    /// By hand: a 4x4 image (b = 4, n = 0 would not fit; 8x8: b 4, n 1) with tiny widths.
    #[test]
    fn a_tiny_dcgan_by_hand() {
        let c = DcganConfig { latent_dim: 2, g_base: 3, d_base: 5, ..DcganConfig::default() };
        let f = dcgan(&c, ImageShape { channels: 1, height: 8, width: 8 }, 0).unwrap();
        // G: convT 2->3, k 4 on 1x1 (2*2*3*16 = 192); convT 3->1, k 4 on 4x4 (2*3*1*16*16 = 1536).
        assert_eq!(f.g, 192 + 1536);
        // D: conv 1->5, k 4, to 4x4 (2*1*5*16*16 = 2560); conv 5->1, k 4 on 4x4 (2*5*16 = 160).
        assert_eq!(f.d, 2560 + 160);
        assert_eq!(f.gan_step(), 4 * 1728 + 8 * 2720);
    }
}
