//! A text-image matcher: DAMSM of AttnGAN (Xu et al. 2018, "AttnGAN: Fine-Grained Text to
//! Image Generation with Attentional Generative Adversarial Networks"; `taoxugit/AttnGAN`)
//! made small, sentence level only. Its text encoder and image encoder ([`net`]) map a caption
//! and an image into one 128-d space, trained contrastively ([`loss`], [`train`]) on the
//! (image, name) and (image, keyword list) pairs of a captioned folder's training rows.
//!
//! It serves twice, as in StackGAN and AttnGAN: frozen, its text encoder gives a
//! text-conditioned generator its sentence vectors; and it scores such a generator by
//! R-precision ([`rprecision`]). The emoji set's matcher is compiled in ([`shipped`]); its
//! card records the vocabulary, the held-out R-precision of real images and the command that
//! made it.

pub mod data;
pub mod held_out;
pub mod loss;
pub mod net;
pub mod report;
pub mod rprecision;
pub mod shipped;

pub mod train;

use std::path::Path;

use gan_data::text::{PromptError, WordVocabulary};
use serde::{Deserialize, Serialize};
use tch::{nn, Device, Tensor};

use crate::error::{GanError, Result};
pub use crate::eval::carded::card_path;
use net::{token_rows, ImageEncoder, TextEncoder};

/// What the JSON card next to the weights records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatcherCard {
    /// The folder it was trained on.
    pub data: String,
    pub vocabulary: WordVocabulary,
    pub train_images: usize,
    pub held_out_images: usize,
    /// R-precision (top-1 among 100) of the held-out real images with their names.
    pub held_out_r_precision: f64,
    pub steps: u64,
    pub seed: u64,
    /// The command that produced the file.
    pub command: String,
}

/// The trained matcher with its card.
pub struct Matcher {
    vs: nn::VarStore,
    text: TextEncoder,
    image: ImageEncoder,
    pub card: MatcherCard,
    /// SHA-256 of its weights file, and where they came from.
    pub sha256: String,
    pub name: String,
}

impl Matcher {
    /// A fresh matcher for the card's vocabulary, initialised from libtorch's current seed.
    pub fn new(card: MatcherCard, device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let text = TextEncoder::new(&(vs.root() / "text"), card.vocabulary.size() as i64);
        let image = ImageEncoder::new(&(vs.root() / "image"));
        Self { vs, text, image, card, sha256: String::new(), name: String::new() }
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Sentence vectors `[B, 128]` of texts already read into word indices.
    pub fn encode_tokens(&self, texts: &[Vec<i64>]) -> Tensor {
        self.text.forward(&token_rows(texts, self.device())).1
    }

    /// Sentence vectors of free texts (unknown words read as unknown; a text with no word at
    /// all is refused).
    pub fn encode_texts(&self, texts: &[String]) -> std::result::Result<Tensor, PromptError> {
        let rows = texts.iter().map(|t| self.tokens_lenient(t)).collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(self.encode_tokens(&rows))
    }

    /// A prompt's sentence vector `[1, 128]`: refused when it has no word the vocabulary knows.
    pub fn encode_prompt(&self, prompt: &str) -> std::result::Result<Tensor, PromptError> {
        Ok(self.encode_tokens(&[self.card.vocabulary.encode(prompt)?]))
    }

    /// A text's word indices, unknown words included (training captions, evaluation pools).
    fn tokens_lenient(&self, text: &str) -> std::result::Result<Vec<i64>, PromptError> {
        let words = gan_data::text::tokenize(text);
        if words.is_empty() {
            return Err(PromptError::Empty);
        }
        Ok(words.iter().map(|w| self.card.vocabulary.index(w).unwrap_or(gan_data::text::UNKNOWN)).collect())
    }

    /// Image vectors `[B, 128]` of images in `[-1, 1]`.
    pub fn encode_images(&self, x: &Tensor) -> Tensor {
        self.image.forward(&x.to_device(self.device()))
    }

    /// One line naming the matcher: where it came from, its data, its held-out R-precision.
    pub fn describe(&self) -> String {
        format!(
            "text-image matcher {} (DAMSM made small, trained by gan on {}; held-out real R-precision {:.1}%; sha256 {})",
            self.name,
            self.card.data,
            100.0 * self.card.held_out_r_precision,
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

    /// The matcher from a weights file's bytes and its card's text; `origin` names them.
    pub fn from_bytes(origin: &Path, weights: &[u8], card: &str, device: Device) -> Result<Self> {
        let card: MatcherCard =
            serde_json::from_str(card).map_err(|e| GanError::Checkpoint { path: card_path(origin), reason: format!("not a matcher card: {e}") })?;
        let mut m = Self::new(card, device);
        crate::tensors::fill(origin, &crate::tensors::read_bytes(origin, weights)?, &mut m.vs.variables())?;
        m.vs.freeze();
        (m.sha256, m.name) = (crate::eval::cache::sha256_hex(weights), origin.display().to_string());
        Ok(m)
    }
}
