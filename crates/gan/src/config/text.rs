//! `[text]`: a run conditioned on text. Each image's class is its caption (`[data] label`,
//! `text` for the emoji set), and the networks see the caption's sentence vector from a
//! matcher's frozen text encoder (the evaluation layer's matcher), as StackGAN and AttnGAN condition
//! on a pretrained, frozen text encoder's embeddings; with `keyword_share` > 0 some images are
//! conditioned on their keyword list instead (the data's `keywords` field), so that keyword
//! prompts draw what free phrases draw.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The metadata field of a caption (the emoji set's CLDR name), the label of text runs.
pub const CAPTION_FIELD: &str = "text";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextConfig {
    /// The matcher's weights (`.safetensors`, its card beside it); without it the emoji
    /// matcher compiled into `gan` (`models/matchers/emoji.safetensors`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matcher: Option<PathBuf>,
    /// Share of the training images conditioned on their keyword list.
    #[serde(default)]
    pub keyword_share: f64,
}

impl TextConfig {
    pub fn problems(&self, conditional: bool, label: Option<&str>) -> Vec<String> {
        let mut p = Vec::new();
        if !conditional || label.is_none() {
            p.push("[text] needs `conditional = true` and the caption as the class: [data] label = \"text\" (an image folder with captions)".into());
        }
        if !(0.0..=1.0).contains(&self.keyword_share) {
            p.push(format!("text.keyword_share must be in [0, 1], got {}", self.keyword_share));
        }
        p
    }
}
