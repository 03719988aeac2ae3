//! An attribute classifier for colour images with metadata: one convolutional body and one
//! head per metadata field (for the emoji set: group, subgroup, skin tone and vendor), so that
//! a colour run has what the LeNet classifiers give grey runs: a feature space for FID, KID
//! and precision/recall (the body's 256-d penultimate layer, as Inception's pool3 is to
//! pytorch-fid), the classes a generator draws, and differentiable targets for steering.
//!
//! The network ([`net`]) is the VGG pattern (Simonyan & Zisserman 2015) made small: four
//! stages of 3x3 conv, BatchNorm, ReLU and 2x2 max-pool (32-256 channels) at 64x64, a 256-unit
//! ReLU layer, dropout 0.3, a linear head per field. [`data`] reads a metadata folder's
//! images and fields; [`train`] trains it on the rows that are not held out. The emoji set's
//! network is compiled in ([`shipped`]); its card records the held-out accuracy of every head
//! and the command that made it.

pub mod agreement;
pub mod data;
pub mod net;
pub mod shipped;

pub mod train;

use serde::{Deserialize, Serialize};

pub use net::AttributeNet;

/// One head: its metadata field, the class names it tells apart, its held-out accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadCard {
    pub field: String,
    pub classes: Vec<String>,
    /// Share of the held-out images whose most likely class is theirs.
    pub accuracy: f64,
}

/// What the JSON card next to the weights records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeCard {
    /// The folder it was trained on.
    pub data: String,
    pub heads: Vec<HeadCard>,
    /// Which rows were held out (`split = test`), and how many images that is.
    pub held_out: String,
    pub held_out_images: usize,
    pub train_images: usize,
    pub epochs: u32,
    pub seed: u64,
    /// The command that produced the file.
    pub command: String,
}

impl AttributeCard {
    /// The index of the head for `field`.
    pub fn head(&self, field: &str) -> Option<usize> {
        self.heads.iter().position(|h| h.field == field)
    }
}
