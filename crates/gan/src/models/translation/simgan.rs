//! SimGAN's networks (Shrivastava et al., "Learning from Simulated and Unsupervised Images
//! through Adversarial Training", CVPR 2017, section 3 and appendix A), with `base` channels:
//! - the refiner: a k3 convolution to `base` maps and ReLU; `blocks` ResNet blocks of two k3
//!   convolutions (ReLU between, the input added, ReLU after); a k1 convolution to the
//!   image's channels. The paper leaves the output unbounded; here a tanh keeps it in the
//!   images' `[-1, 1]`. No normalisation: each image is refined on its own.
//! - the local discriminator: k3s2 to `3 base` maps, k3s2 to `2 base`, a 3x3 max-pool of
//!   stride 1, k3s1 to `base`, k1 to `base`, k1 to 2 (ReLU between): two logits (refined,
//!   real) per patch of a map a quarter of the image's side, softmax in the loss
//!   ([`crate::losses::simgan`]). The paper's gaze network is `base` 32 (96, 64, 32, 32, 2).
//!
//! Convolutions pad to keep the side (`k / 2`); weights N(0, 0.02), biases 0, as the other
//! translation networks.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::{base_problem, conv, Translator};
use crate::models::ImageShape;

/// SimGAN's refiner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefinerConfig {
    /// Feature maps of every layer (64 in the paper).
    pub base: i64,
    /// ResNet blocks (4 in the paper).
    pub blocks: u32,
}

/// SimGAN's local discriminator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalDiscriminatorConfig {
    /// The narrowest layer's maps (32 in the paper; the first layer has 3x, the second 2x).
    pub base: i64,
}

fn same(root: &nn::Path, name: &str, (cin, cout): (i64, i64), k: i64, stride: i64) -> nn::Conv2D {
    conv(root / name, cin, cout, k, stride, k / 2, true)
}

pub struct Refiner {
    stem: nn::Conv2D,
    blocks: Vec<(nn::Conv2D, nn::Conv2D)>,
    head: nn::Conv2D,
}

impl RefinerConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p: Vec<String> = base_problem("model.refiner.base", self.base).into_iter().collect();
        if self.blocks > 32 {
            p.push(format!("model.refiner.blocks must be at most 32, got {}", self.blocks));
        }
        p
    }

    pub fn build(&self, root: &nn::Path, channels: i64) -> Refiner {
        let b = self.base;
        let blocks = (0..self.blocks).map(|i| (same(root, &format!("block{i}_a"), (b, b), 3, 1), same(root, &format!("block{i}_b"), (b, b), 3, 1))).collect();
        Refiner { stem: same(root, "stem", (channels, b), 3, 1), blocks, head: same(root, "head", (b, channels), 1, 1) }
    }
}

impl Translator for Refiner {
    fn forward_t(&self, x: &Tensor, _train: bool) -> Tensor {
        let mut h = self.stem.forward(x).relu();
        for (a, b) in &self.blocks {
            h = (b.forward(&a.forward(&h).relu()) + &h).relu();
        }
        self.head.forward(&h).tanh()
    }
}

pub struct LocalDiscriminator {
    down: [nn::Conv2D; 2],
    tail: [nn::Conv2D; 3],
}

/// The discriminator halves the image twice.
pub fn check_image(image: ImageShape) -> Result<(), String> {
    if image.height < 8 || image.width < 8 {
        return Err(format!("SimGAN's discriminator needs sides of at least 8 pixels, got {}x{}", image.height, image.width));
    }
    Ok(())
}

impl LocalDiscriminatorConfig {
    pub fn problems(&self) -> Vec<String> {
        base_problem("model.discriminator.base", self.base).into_iter().collect()
    }

    pub fn build(&self, root: &nn::Path, channels: i64) -> LocalDiscriminator {
        let b = self.base;
        LocalDiscriminator {
            down: [same(root, "conv0", (channels, 3 * b), 3, 2), same(root, "conv1", (3 * b, 2 * b), 3, 2)],
            tail: [same(root, "conv2", (2 * b, b), 3, 1), same(root, "conv3", (b, b), 1, 1), same(root, "head", (b, 2), 1, 1)],
        }
    }
}

impl Translator for LocalDiscriminator {
    fn forward_t(&self, x: &Tensor, _train: bool) -> Tensor {
        let h = self.down[1].forward(&self.down[0].forward(x).relu()).relu();
        let h = h.max_pool2d([3, 3], [1, 1], [1, 1], [1, 1], false);
        let h = self.tail[1].forward(&self.tail[0].forward(&h).relu()).relu();
        self.tail[2].forward(&h)
    }
}
