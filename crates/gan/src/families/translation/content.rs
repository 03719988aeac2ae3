//! CartoonGAN's fixed feature network, loaded as its configuration names it
//! ([`ContentNetwork`]): the shipped emoji classifier's last convolution stage, or VGG19's
//! conv4_4 from a weights file.

use tch::{Device, Tensor};

use crate::config::translation::ContentNetwork;
use crate::error::Result;

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

/// Loads the network `content` names.
pub fn load(content: &ContentNetwork, device: Device) -> Result<Box<dyn FeatureMaps>> {
    Ok(match content {
        ContentNetwork::EmojiClassifier => Box::new(crate::eval::attributes::shipped::emoji(device)?),
        ContentNetwork::Vgg19 { weights } => Box::new(crate::models::vgg::Vgg19::load(weights, device)?),
    })
}
