//! CycleGAN's ResNet generator (Zhu et al. 2017, appendix 7.2, after Johnson et al.,
//! "Perceptual Losses for Real-Time Style Transfer", ECCV 2016; the reference's
//! `ResnetGenerator`): c7s1-64, d128, d256, `blocks` residual blocks R256, u128, u64,
//! c7s1-3. `c7s1-k`: reflection pad 3, 7x7 convolution, norm, ReLU; `dk`: 3x3 stride-2
//! convolution, norm, ReLU; `Rk`: two reflection-padded 3x3 convolutions with a norm each
//! (ReLU between), added to the input; `uk`: 3x3 stride-1/2 transposed convolution
//! (output padding 1), norm, ReLU; the last layer ends in tanh instead. Images need sides
//! divisible by 4.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::{base_problem, conv, conv_bias, conv_t, norm_problems, quarter_sides, Norm, Norm2d, Translator};
use crate::models::ImageShape;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResnetConfig {
    /// Channels of the first stage (`ngf`).
    pub base: i64,
    /// Residual blocks (`n_blocks`: 6 at 128 px, 9 at 256).
    pub blocks: u32,
    #[serde(default = "instance")]
    pub norm: Norm,
}

fn instance() -> Norm {
    Norm::Instance
}

impl Default for ResnetConfig {
    /// The paper's 256-px generator.
    fn default() -> Self {
        Self { base: 64, blocks: 9, norm: Norm::Instance }
    }
}

struct Block {
    c1: nn::Conv2D,
    n1: Norm2d,
    c2: nn::Conv2D,
    n2: Norm2d,
}

pub struct ResnetGenerator {
    stem: nn::Conv2D,
    stem_norm: Norm2d,
    downs: Vec<(nn::Conv2D, Norm2d)>,
    blocks: Vec<Block>,
    ups: Vec<(nn::ConvTranspose2D, Norm2d)>,
    head: nn::Conv2D,
}

impl ResnetConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = norm_problems("model.generator.norm", self.norm);
        p.extend(base_problem("model.generator.base", self.base));
        if self.blocks > 32 {
            p.push(format!("model.generator.blocks must be at most 32, got {}", self.blocks));
        }
        p
    }

    pub fn check_image(&self, image: ImageShape) -> Result<(), String> {
        quarter_sides("the ResNet generator", image)
    }

    pub fn build(&self, root: &nn::Path, input_channels: i64, output_channels: i64) -> ResnetGenerator {
        let (b, bias) = (self.base, conv_bias(self.norm));
        let norm = |name: String, c| Norm2d::new(self.norm, root / name, c);
        let downs =
            (0..2).map(|i| (conv(root / format!("down{i}"), b << i, b << (i + 1), 3, 2, 1, bias), norm(format!("down{i}_norm"), b << (i + 1)))).collect();
        let blocks = (0..self.blocks)
            .map(|i| {
                let c = b * 4;
                Block {
                    c1: conv(root / format!("block{i}") / "conv1", c, c, 3, 1, 0, bias),
                    n1: norm(format!("block{i}_norm1"), c),
                    c2: conv(root / format!("block{i}") / "conv2", c, c, 3, 1, 0, bias),
                    n2: norm(format!("block{i}_norm2"), c),
                }
            })
            .collect();
        let ups = (0..2)
            .map(|i| {
                let cin = b << (2 - i);
                (conv_t(root / format!("up{i}"), cin, cin / 2, 3, 2, 1, bias), norm(format!("up{i}_norm"), cin / 2))
            })
            .collect();
        ResnetGenerator {
            stem: conv(root / "stem", input_channels, b, 7, 1, 0, bias),
            stem_norm: norm("stem_norm".into(), b),
            downs,
            blocks,
            ups,
            head: conv(root / "head", b, output_channels, 7, 1, 0, true),
        }
    }
}

impl Translator for ResnetGenerator {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let mut h = self.stem_norm.forward_t(&self.stem.forward(&x.reflection_pad2d([3, 3, 3, 3])), train).relu();
        for (c, n) in &self.downs {
            h = n.forward_t(&c.forward(&h), train).relu();
        }
        for blk in &self.blocks {
            let r = blk.n1.forward_t(&blk.c1.forward(&h.reflection_pad2d([1, 1, 1, 1])), train).relu();
            let r = blk.n2.forward_t(&blk.c2.forward(&r.reflection_pad2d([1, 1, 1, 1])), train);
            // Out of place: `+=` would overwrite the ReLU output its backward pass reads.
            #[allow(clippy::assign_op_pattern)]
            {
                h = h + r;
            }
        }
        for (c, n) in &self.ups {
            h = n.forward_t(&c.forward(&h), train).relu();
        }
        self.head.forward(&h.reflection_pad2d([3, 3, 3, 3])).tanh()
    }
}
