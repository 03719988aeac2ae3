//! CartoonGAN's networks (Chen et al., "CartoonGAN: Generative Adversarial Networks for Photo
//! Cartoonization", CVPR 2018, figure 2; the training reference `znxlwm/pytorch-CartoonGAN`,
//! `networks.py`), with `base` channels (`nf`: 64 in G, 32 in D) and `blocks` residual blocks
//! (8 in the paper):
//! - the generator: k7n64s1 with instance norm and ReLU; two down stages, each k3s2 then k3s1
//!   with norm and ReLU; residual blocks of two k3s1 convolutions with norms (ReLU between)
//!   added to the input; two up stages, each a k3 stride-1/2 transposed convolution then k3s1
//!   with norm and ReLU; k7n3s1 and tanh. Convolutions pad with zeros.
//! - the discriminator: k3n32s1 and LeakyReLU(0.2); k3s2 then k3s1 with norm (LeakyReLU after
//!   each), twice; k3s1 with norm and LeakyReLU; k3n1s1: one logit per patch of a map a
//!   quarter of the image's side (the reference's sigmoid is in the loss).
//!
//! Norms are `InstanceNorm2d(affine=False)` and weights N(0, 0.02), biases 0, as the
//! reference's `initialize_weights`.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::{base_problem, conv, conv_t, leaky, quarter_sides, Norm, Norm2d, Translator};
use crate::models::ImageShape;

/// CartoonGAN's generator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartoonGeneratorConfig {
    /// Channels of the first stage (`ngf`, 64).
    pub base: i64,
    /// Residual blocks (`nb`, 8).
    pub blocks: u32,
}

/// CartoonGAN's discriminator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartoonDiscriminatorConfig {
    /// Channels of the first layer (`ndf`, 32).
    pub base: i64,
}

/// One `conv` (and its norm, if any) of a stage.
struct Layer {
    conv: nn::Conv2D,
    norm: Option<Norm2d>,
}

impl Layer {
    fn new(root: &nn::Path, name: &str, (cin, cout): (i64, i64), (k, stride): (i64, i64), norm: bool) -> Self {
        Self {
            conv: conv(root / name, cin, cout, k, stride, k / 2, true),
            norm: norm.then(|| Norm2d::new(Norm::Instance, root / format!("{name}_norm"), cout)),
        }
    }

    fn forward(&self, x: &Tensor) -> Tensor {
        let h = self.conv.forward(x);
        match &self.norm {
            Some(n) => n.forward_t(&h, true),
            None => h,
        }
    }
}

pub struct CartoonGenerator {
    stem: Layer,
    /// `(stride-2 conv, stride-1 conv with norm)` per stage.
    downs: Vec<(Layer, Layer)>,
    blocks: Vec<(Layer, Layer)>,
    ups: Vec<(nn::ConvTranspose2D, Layer)>,
    head: Layer,
}

/// Both networks halve the image twice.
pub fn check_image(image: ImageShape) -> Result<(), String> {
    quarter_sides("CartoonGAN's networks", image)
}

impl CartoonGeneratorConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p: Vec<String> = base_problem("model.generator.base", self.base).into_iter().collect();
        if self.blocks > 32 {
            p.push(format!("model.generator.blocks must be at most 32, got {}", self.blocks));
        }
        p
    }

    pub fn build(&self, root: &nn::Path, input_channels: i64, output_channels: i64) -> CartoonGenerator {
        let b = self.base;
        let downs = (0..2)
            .map(|i| {
                let (cin, cout) = (b << i, b << (i + 1));
                (Layer::new(root, &format!("down{i}_a"), (cin, cout), (3, 2), false), Layer::new(root, &format!("down{i}_b"), (cout, cout), (3, 1), true))
            })
            .collect();
        let blocks = (0..self.blocks)
            .map(|i| {
                let c = 4 * b;
                (Layer::new(root, &format!("block{i}_a"), (c, c), (3, 1), true), Layer::new(root, &format!("block{i}_b"), (c, c), (3, 1), true))
            })
            .collect();
        let ups = (0..2)
            .map(|i| {
                let (cin, cout) = (b << (2 - i), b << (1 - i));
                (conv_t(root / format!("up{i}_a"), cin, cout, 3, 2, 1, true), Layer::new(root, &format!("up{i}_b"), (cout, cout), (3, 1), true))
            })
            .collect();
        CartoonGenerator {
            stem: Layer::new(root, "stem", (input_channels, b), (7, 1), true),
            downs,
            blocks,
            ups,
            head: Layer::new(root, "head", (b, output_channels), (7, 1), false),
        }
    }
}

impl Translator for CartoonGenerator {
    fn forward_t(&self, x: &Tensor, _train: bool) -> Tensor {
        let mut h = self.stem.forward(x).relu();
        for (a, b) in &self.downs {
            h = b.forward(&a.forward(&h)).relu();
        }
        for (a, b) in &self.blocks {
            let r = b.forward(&a.forward(&h).relu());
            // Out of place: `+=` would overwrite the ReLU output its backward pass reads.
            #[allow(clippy::assign_op_pattern)]
            {
                h = h + r;
            }
        }
        for (a, b) in &self.ups {
            h = b.forward(&a.forward(&h)).relu();
        }
        self.head.forward(&h).tanh()
    }
}

pub struct CartoonDiscriminator {
    layers: Vec<Layer>,
    head: nn::Conv2D,
}

impl CartoonDiscriminatorConfig {
    pub fn problems(&self) -> Vec<String> {
        base_problem("model.discriminator.base", self.base).into_iter().collect()
    }

    pub fn build(&self, root: &nn::Path, input_channels: i64) -> CartoonDiscriminator {
        let b = self.base;
        // (in, out, stride, norm) of each layer before the head.
        let plan = [
            (input_channels, b, 1, false),
            (b, 2 * b, 2, false),
            (2 * b, 4 * b, 1, true),
            (4 * b, 4 * b, 2, false),
            (4 * b, 8 * b, 1, true),
            (8 * b, 8 * b, 1, true),
        ];
        let layers = plan.iter().enumerate().map(|(i, &(cin, cout, s, norm))| Layer::new(root, &format!("conv{i}"), (cin, cout), (3, s), norm)).collect();
        CartoonDiscriminator { layers, head: conv(root / "head", 8 * b, 1, 3, 1, 1, true) }
    }
}

impl Translator for CartoonDiscriminator {
    fn forward_t(&self, x: &Tensor, _train: bool) -> Tensor {
        let h = self.layers.iter().fold(x.shallow_clone(), |h, l| leaky(&l.forward(&h)));
        self.head.forward(&h)
    }
}
