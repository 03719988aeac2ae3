//! The attribute network: `[Conv3x3 BN ReLU MaxPool2] x 4` (32, 64, 128, 256 channels) on
//! 64x64 RGB in `[-1, 1]`, `Linear(4096, 256) ReLU` (the feature layer), `Dropout(0.3)`, and a
//! linear head per metadata field. Images of another size are brought to 64x64 first (area
//! averaging down, bilinear up).

use std::path::Path;

use tch::{nn, nn::Module, nn::ModuleT, Device, Kind, Tensor};

use super::{AttributeCard, HeadCard};
use crate::error::{GanError, Result};
pub use crate::eval::carded::card_path;
use crate::models::ImageShape;

/// The side images are brought to.
pub const SIDE: i64 = 64;
/// Size of the feature layer.
pub const FEATURES: i64 = 256;
const CHANNELS: [i64; 4] = [32, 64, 128, 256];

/// The trained network with its card.
pub struct AttributeNet {
    pub(super) vs: nn::VarStore,
    /// `Conv3x3 BN` of each stage (ReLU and the pool follow).
    stages: Vec<(nn::Conv2D, nn::BatchNorm)>,
    features: nn::Linear,
    heads: Vec<nn::Linear>,
    pub card: AttributeCard,
    /// SHA-256 of its weights file.
    pub sha256: String,
    /// The weights' origin, for errors and reports.
    pub name: String,
}

impl AttributeNet {
    /// A fresh network for the card's heads, initialised from libtorch's current seed.
    pub fn new(card: AttributeCard, device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let p = vs.root() / "net";
        let mut stages = Vec::new();
        let mut from = 3;
        for (i, &c) in CHANNELS.iter().enumerate() {
            let conv = nn::ConvConfig { padding: 1, bias: false, ..Default::default() };
            stages.push((nn::conv2d(&p / format!("conv{i}"), from, c, 3, conv), nn::batch_norm2d(&p / format!("bn{i}"), c, Default::default())));
            from = c;
        }
        let side = SIDE >> CHANNELS.len();
        let features = nn::linear(&p / "features", from * side * side, FEATURES, Default::default());
        let heads =
            card.heads.iter().map(|h| nn::linear(&p / "heads" / h.field.replace('.', "_"), FEATURES, h.classes.len() as i64, Default::default())).collect();
        Self { vs, stages, features, heads, card, sha256: String::new(), name: String::new() }
    }

    /// The body: the stages (ReLU and a 2x2 max-pool after each) and the feature layer; with
    /// `maps`, the last stage's maps before its pool.
    fn body(&self, x64: &Tensor, train: bool, maps: bool) -> Tensor {
        let mut h = x64.shallow_clone();
        let last = self.stages.len() - 1;
        for (i, (conv, bn)) in self.stages.iter().enumerate() {
            h = bn.forward_t(&conv.forward(&h), train).relu();
            if maps && i == last {
                return h;
            }
            h = h.max_pool2d_default(2);
        }
        self.features.forward(&h.flatten(1, -1)).relu()
    }

    /// The last stage's feature maps `[B, 256, 8, 8]` before its pool (the place of VGG19's
    /// conv4_4 in the network's stage order, after three poolings): what CartoonGAN's content
    /// loss compares (inference mode; differentiable).
    pub fn feature_maps(&self, x: &Tensor) -> Tensor {
        self.body(&crate::eval::learned::square(&x.to_kind(Kind::Float), SIDE), false, true)
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Whether the network reads images of this shape; says why not.
    pub fn check(&self, shape: ImageShape) -> Result<()> {
        if shape.channels != 3 {
            return Err(GanError::Invalid(format!("the attribute classifier {} reads RGB images; this run makes {shape} images", self.name)));
        }
        Ok(())
    }

    /// Features `[B, 256]` (inference mode; differentiable).
    pub fn features(&self, x: &Tensor) -> Tensor {
        self.body(&crate::eval::learned::square(&x.to_kind(Kind::Float), SIDE), false, false)
    }

    /// Each head's logits for images at 64x64.
    pub(super) fn logits(&self, x64: &Tensor, train: bool) -> Vec<Tensor> {
        let f = self.body(x64, train, false).dropout(0.3, train);
        self.heads.iter().map(|h| h.forward(&f)).collect()
    }

    /// Class probabilities `[B, K]` of head `head` (inference mode; differentiable with
    /// respect to `x`, for steering).
    pub fn probs(&self, x: &Tensor, head: usize) -> Tensor {
        let f = self.features(x);
        self.heads[head].forward(&f).softmax(-1, Kind::Float)
    }

    /// Every head's probabilities, from one pass.
    pub fn all_probs(&self, x: &Tensor) -> Vec<Tensor> {
        let f = self.features(x);
        self.heads.iter().map(|h| h.forward(&f).softmax(-1, Kind::Float)).collect()
    }

    /// The head of a field, or an error listing the heads.
    pub fn head(&self, field: &str) -> Result<&HeadCard> {
        self.card.head(field).map(|i| &self.card.heads[i]).ok_or_else(|| {
            let names: Vec<&str> = self.card.heads.iter().map(|h| h.field.as_str()).collect();
            GanError::Invalid(format!("the attribute classifier {} has no head `{field}` (heads: {})", self.name, names.join(", ")))
        })
    }

    /// The feature space, in words.
    pub fn describe(&self) -> String {
        let acc: Vec<String> = self.card.heads.iter().map(|h| format!("{} {:.1}%", h.field, 100.0 * h.accuracy)).collect();
        format!(
            "attribute classifier {} (256-d penultimate layer; trained by gan on {}, held-out accuracy {}; sha256 {}): compares runs on this data, not with published FIDs",
            self.name,
            self.card.data,
            acc.join(", "),
            &self.sha256[..16.min(self.sha256.len())]
        )
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        crate::eval::carded::save(&self.vs, &self.card, path)
    }

    /// Loads weights and their card (`X.json` next to `X.safetensors`).
    pub fn load(path: &Path, device: Device) -> Result<Self> {
        let (bytes, card) = crate::eval::carded::read(path)?;
        Self::from_bytes(path, &bytes, &card, device)
    }

    /// The network from a weights file's bytes and its card's text; `origin` names them.
    pub fn from_bytes(origin: &Path, weights: &[u8], card: &str, device: Device) -> Result<Self> {
        let card: AttributeCard = serde_json::from_str(card)
            .map_err(|e| GanError::Checkpoint { path: card_path(origin), reason: format!("not an attribute classifier card: {e}") })?;
        let mut net = Self::new(card, device);
        crate::tensors::fill(origin, &crate::tensors::read_bytes(origin, weights)?, &mut net.vs.variables())?;
        (net.sha256, net.name) = (crate::eval::cache::sha256_hex(weights), origin.display().to_string());
        Ok(net)
    }
}
