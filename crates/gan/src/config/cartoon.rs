//! CartoonGAN's configuration (`[model] kind = "cartoongan"` of a translation run) and the
//! fixed feature network of its content loss (loaded by `families::translation::content`).

use crate::models::translation::cartoon::{CartoonDiscriminatorConfig, CartoonGeneratorConfig};
use serde::{Deserialize, Serialize};

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

fn yes() -> bool {
    true
}
