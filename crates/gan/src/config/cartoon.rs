//! CartoonGAN's configuration (`[model] kind = "cartoongan"` of a translation run) and the
//! fixed feature network of its content loss.

use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::error::Result;
use crate::models::translation::cartoon::{CartoonDiscriminatorConfig, CartoonGeneratorConfig};

/// CartoonGAN (Chen et al. 2018): one generator from A to B under a discriminator that learns
/// B's images as real and, with `edge_promoting`, B's images with smoothed edges as fake
/// (`gan_data::edges`); the generator's loss adds `lambda_content` times the content loss
/// (see [`crate::losses::cartoon`]); the first `init_steps` train the generator by the
/// content loss alone (the paper's initialisation phase).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CartoonGanConfig {
    pub generator: CartoonGeneratorConfig,
    pub discriminator: CartoonDiscriminatorConfig,
    /// Weight of the content loss (10 in the paper and the reference).
    pub lambda_content: f64,
    /// Steps of the initialisation phase.
    pub init_steps: u64,
    /// Whether the discriminator learns edge-smoothed targets as fake (false: the paper's
    /// ablation, a plain adversarial loss).
    #[serde(default = "yes")]
    pub edge_promoting: bool,
    /// The fixed network whose feature maps the content loss compares.
    #[serde(default)]
    pub content: ContentNetwork,
}

/// The fixed feature network of CartoonGAN's content loss (`content = "emoji-classifier"` or
/// `content = { vgg19 = { weights = "FILE" } }`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub enum ContentNetwork {
    /// The emoji attribute classifier's last convolution stage (`models/classifiers/emoji`),
    /// standing in for VGG19, whose weights cannot be downloaded here.
    #[default]
    EmojiClassifier,
    /// The paper's VGG19 up to conv4_4 ([`crate::models::vgg`]), from a safetensors file of
    /// torchvision's state dict.
    Vgg19 { weights: std::path::PathBuf },
}

impl ContentNetwork {
    /// Loads the network.
    pub fn load(&self, device: Device) -> Result<Box<dyn FeatureMaps>> {
        Ok(match self {
            ContentNetwork::EmojiClassifier => Box::new(crate::eval::attributes::shipped::emoji(device)?),
            ContentNetwork::Vgg19 { weights } => Box::new(crate::models::vgg::Vgg19::load(weights, device)?),
        })
    }
}

/// A fixed network's feature maps of images in `[-1, 1]` (differentiable).
pub trait FeatureMaps {
    fn feature_maps(&self, x: &Tensor) -> Tensor;
}

impl FeatureMaps for crate::eval::attributes::AttributeNet {
    fn feature_maps(&self, x: &Tensor) -> Tensor {
        crate::eval::attributes::AttributeNet::feature_maps(self, x)
    }
}

impl FeatureMaps for crate::models::vgg::Vgg19 {
    fn feature_maps(&self, x: &Tensor) -> Tensor {
        crate::models::vgg::Vgg19::feature_maps(self, x)
    }
}

fn yes() -> bool {
    true
}
