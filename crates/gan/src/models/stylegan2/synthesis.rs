//! StyleGAN2's synthesis network in its `skip` architecture (`SynthesisNetwork`,
//! `SynthesisBlock`, `SynthesisLayer` and `ToRGBLayer` of stylegan2-ada-pytorch's
//! networks.py): a learned 4x4 constant, then per resolution two modulated 3x3 convolutions
//! (the first upsampling), each with per-pixel noise at a learned strength (initialised 0),
//! bias, LeakyReLU and an optional clamp; every block adds its ToRGB (a modulated 1x1
//! convolution without demodulation, its styles scaled by `1 / sqrt(in)`) to the upsampled
//! image of the blocks before. Style affines start with bias 1. Layer `i` takes `ws[:, i]`;
//! a block's ToRGB shares its index with the next block's first convolution.

use tch::{nn, Kind, Tensor};

use super::layers::{bias_act, modulated_conv2d, upsample2d, Act, Dense};
use super::Stylegan2Config;

/// Where the per-pixel noise comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Noise {
    /// Drawn anew for each image (training, and sampling by default).
    Random,
    /// The layer's fixed noise image (`noise_const`), the same for every image.
    Const,
    /// No noise.
    Off,
}

#[derive(Debug)]
struct Layer {
    affine: Dense,
    weight: Tensor,
    bias: Tensor,
    strength: Tensor,
    noise_const: Tensor,
    up: i64,
    clamp: Option<f64>,
}

impl Layer {
    fn new(p: nn::Path, cin: i64, cout: i64, w_dim: i64, res: i64, up: i64, clamp: Option<f64>) -> Self {
        let affine = Dense::new(&p / "affine", w_dim, cin, Act::Linear, 1.0, 1.0);
        let weight = p.var("weight", &[cout, cin, 3, 3], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let noise_const = p.zeros_no_train("noise_const", &[res, res]);
        let _ = tch::no_grad(|| noise_const.shallow_clone().normal_(0.0, 1.0));
        let strength = p.zeros("noise_strength", &[]);
        let bias = p.zeros("bias", &[cout]);
        Self { affine, weight, bias, strength, noise_const, up, clamp }
    }

    fn forward(&self, x: &Tensor, w: &Tensor, noise: Noise) -> Tensor {
        let styles = self.affine.forward(w);
        let res = x.size()[2] * self.up;
        let noise = match noise {
            Noise::Random => Some(Tensor::randn([x.size()[0], 1, res, res], (Kind::Float, x.device())).to_kind(x.kind()) * &self.strength),
            Noise::Const => Some(&self.noise_const * &self.strength),
            Noise::Off => None,
        };
        let x = modulated_conv2d(x, &self.weight, &styles, noise.as_ref(), self.up, true);
        bias_act(&x, Some(&self.bias), Act::Lrelu, 1.0, self.clamp)
    }
}

#[derive(Debug)]
struct ToRgb {
    affine: Dense,
    weight: Tensor,
    bias: Tensor,
    clamp: Option<f64>,
}

impl ToRgb {
    fn new(p: nn::Path, cin: i64, channels: i64, w_dim: i64, clamp: Option<f64>) -> Self {
        let affine = Dense::new(&p / "affine", w_dim, cin, Act::Linear, 1.0, 1.0);
        let weight = p.var("weight", &[channels, cin, 1, 1], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let bias = p.zeros("bias", &[channels]);
        Self { affine, weight, bias, clamp }
    }

    fn forward(&self, x: &Tensor, w: &Tensor) -> Tensor {
        let cin = self.weight.size()[1] as f64;
        let styles = self.affine.forward(w) * (1.0 / cin.sqrt());
        let x = modulated_conv2d(x, &self.weight, &styles, None, 1, false);
        bias_act(&x, Some(&self.bias), Act::Linear, 1.0, self.clamp)
    }
}

#[derive(Debug)]
struct Block {
    /// The 4x4 block's constant input (`[C, 4, 4]`), absent elsewhere.
    constant: Option<Tensor>,
    /// The upsampling convolution (absent at 4x4) and the second one.
    conv0: Option<Layer>,
    conv1: Layer,
    torgb: ToRgb,
}

#[derive(Debug)]
pub struct Synthesis {
    blocks: Vec<Block>,
}

impl Synthesis {
    pub fn new(c: &Stylegan2Config, p: nn::Path, log2: i64, channels: i64) -> Self {
        let clamp = c.conv_clamp;
        let blocks = (2..=log2)
            .map(|r| {
                let (res, cout) = (1 << r, c.channels_at(1 << r));
                let p = &p / format!("b{res}");
                let (constant, conv0) = if r == 2 {
                    (Some(p.randn_standard("const", &[cout, 4, 4])), None)
                } else {
                    (None, Some(Layer::new(&p / "conv0", c.channels_at(res / 2), cout, c.w_dim, res, 2, clamp)))
                };
                let conv1 = Layer::new(&p / "conv1", cout, cout, c.w_dim, res, 1, clamp);
                let torgb = ToRgb::new(&p / "torgb", cout, channels, c.w_dim, clamp);
                Block { constant, conv0, conv1, torgb }
            })
            .collect();
        Self { blocks }
    }

    /// Every layer's fixed noise image (`noise_const`), sharing storage with the network (the
    /// projector optimises them in place).
    pub fn noise_buffers(&self) -> Vec<Tensor> {
        self.blocks.iter().flat_map(|b| b.conv0.iter().chain([&b.conv1])).map(|l| l.noise_const.shallow_clone()).collect()
    }

    /// How many `w` the network takes (`2 log2 - 2`).
    pub fn num_ws(&self) -> i64 {
        2 * self.blocks.len() as i64
    }

    /// Images of `ws [B, num_ws, w_dim]`.
    pub fn forward(&self, ws: &Tensor, noise: Noise) -> Tensor {
        let w = |i: i64| ws.select(1, i);
        let mut x = Tensor::new();
        let mut img: Option<Tensor> = None;
        let mut i = 0;
        for b in &self.blocks {
            if let Some(c) = &b.constant {
                x = c.unsqueeze(0).repeat([ws.size()[0], 1, 1, 1]).to_kind(ws.kind());
            }
            if let Some(conv0) = &b.conv0 {
                x = conv0.forward(&x, &w(i), noise);
                i += 1;
            }
            x = b.conv1.forward(&x, &w(i), noise);
            i += 1;
            let y = b.torgb.forward(&x, &w(i));
            img = Some(match img {
                Some(prev) => upsample2d(&prev) + y,
                None => y,
            });
        }
        img.expect("at least the 4x4 block")
    }
}
