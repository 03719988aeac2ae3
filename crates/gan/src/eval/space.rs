//! The feature spaces an image evaluation can score in, and what each accepts:
//!
//! - a LeNet classifier of 28x28 grey images ([`super::images::FeatureNet`]): its 128-d
//!   penultimate layer, class probabilities for the classifier score and class histogram;
//! - pytorch-fid's Inception-v3 ([`super::inception`]): pool3, any size, grey or RGB, the
//!   1008 logits for the Inception Score; the space papers report FID in;
//! - an attribute classifier of colour images with metadata ([`super::attributes`], the emoji
//!   set's): its 256-d penultimate layer, its first head's probabilities (the emoji groups)
//!   for the score and the class histogram against the real data's; any size, RGB;
//! - a rotation-prediction CNN trained on the run's own data ([`super::learned`]): any size
//!   and channel count, features only.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::attributes::AttributeNet;
use super::images::FeatureNet;
use super::inception::Inception;
use super::learned::LearnedNet;
use crate::error::{GanError, Result};
use crate::models::ImageShape;

/// Which kind of space a report was computed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SpaceKind {
    #[default]
    Classifier,
    Inception,
    Learned,
    Attributes,
}

/// A feature network, borrowed.
#[derive(Clone, Copy)]
pub enum FeatureSpace<'a> {
    Classifier(&'a FeatureNet),
    Inception(&'a Inception),
    Learned(&'a LearnedNet),
    Attributes(&'a AttributeNet),
}

impl FeatureSpace<'_> {
    pub fn kind(&self) -> SpaceKind {
        match self {
            FeatureSpace::Classifier(_) => SpaceKind::Classifier,
            FeatureSpace::Inception(_) => SpaceKind::Inception,
            FeatureSpace::Learned(_) => SpaceKind::Learned,
            FeatureSpace::Attributes(_) => SpaceKind::Attributes,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            FeatureSpace::Classifier(n) => n.describe(),
            FeatureSpace::Inception(n) => n.describe(),
            FeatureSpace::Learned(n) => n.describe(),
            FeatureSpace::Attributes(n) => n.describe(),
        }
    }

    /// SHA-256 of the network's weights file.
    pub fn sha256(&self) -> &str {
        match self {
            FeatureSpace::Classifier(n) => &n.sha256,
            FeatureSpace::Inception(n) => &n.sha256,
            FeatureSpace::Learned(n) => &n.sha256,
            FeatureSpace::Attributes(n) => &n.sha256,
        }
    }

    pub fn device(&self) -> Device {
        match self {
            FeatureSpace::Classifier(n) => n.classifier.device(),
            FeatureSpace::Inception(n) => n.device(),
            FeatureSpace::Learned(n) => n.device(),
            FeatureSpace::Attributes(n) => n.device(),
        }
    }

    /// Images per forward pass (Inception works at 299x299).
    fn chunk(&self) -> i64 {
        match self {
            FeatureSpace::Inception(_) => 50,
            _ => 500,
        }
    }

    /// Whether the network reads images of this shape; says why not.
    pub fn check(&self, shape: ImageShape) -> Result<()> {
        let got = format!("{}x{}x{}", shape.channels, shape.height, shape.width);
        match self {
            FeatureSpace::Classifier(_) if crate::eval::classifier::margin(shape).is_none() => Err(GanError::Invalid(format!(
                "the classifier's feature space takes 28x28 grey images (or padded ones, read at their centre); this run makes {got} images (use --features inception or learned)"
            ))),
            FeatureSpace::Inception(_) if !matches!(shape.channels, 1 | 3) => {
                Err(GanError::Invalid(format!("Inception features take grey or RGB images; this run makes {got} images")))
            }
            FeatureSpace::Learned(n) if shape.channels != n.card.channels => {
                Err(GanError::Invalid(format!("the learned feature network reads {}-channel images; this run makes {got} images", n.card.channels)))
            }
            FeatureSpace::Attributes(n) => n.check(shape),
            _ => Ok(()),
        }
    }

    /// Features `[B, d]` and, where the network has them, class probabilities of a batch
    /// in `[-1, 1]`.
    fn batch(&self, x: &Tensor) -> (Tensor, Option<Tensor>) {
        match self {
            FeatureSpace::Classifier(n) => {
                let x = crate::eval::classifier::centre(x);
                (n.classifier.features(&x), Some(n.classifier.probs(&x)))
            }
            FeatureSpace::Inception(n) => {
                let (f, logits) = n.forward(x);
                (f, Some(logits.softmax(-1, Kind::Float)))
            }
            FeatureSpace::Learned(n) => (n.features(x), None),
            FeatureSpace::Attributes(n) => (n.features(x), Some(n.probs(x, 0))),
        }
    }

    /// Features (and probabilities) of `n` images, `images(start, len)` giving each chunk.
    pub fn embed(&self, images: impl Fn(i64, i64) -> Tensor, n: i64) -> (Tensor, Option<Tensor>) {
        let (mut f, mut p) = (Vec::new(), Vec::new());
        let chunk = self.chunk();
        for start in (0..n).step_by(chunk as usize) {
            let x = images(start, chunk.min(n - start)).to_device(self.device());
            tch::no_grad(|| {
                let (fx, px) = self.batch(&x);
                f.push(fx.to_device(Device::Cpu));
                p.extend(px.map(|t| t.to_device(Device::Cpu)));
            });
        }
        let probs = (!p.is_empty()).then(|| Tensor::cat(&p, 0));
        (Tensor::cat(&f, 0), probs)
    }
}
