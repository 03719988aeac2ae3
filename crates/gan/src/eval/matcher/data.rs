//! A captioned folder read for the matcher and for R-precision: every metadata row's image at
//! 64x64 (over white, as training reads it), its caption (`text`), its keyword list joined
//! by spaces (`keywords`, empty when absent), its group, and whether it is held out
//! (`split = test`).

use std::path::Path;

use gan_data::metadata::Metadata;
use serde_json::Value;
use tch::Tensor;

use crate::error::{GanError, Result};

/// The caption field, the keyword field, and the field and value of held-out rows.
pub const CAPTION: &str = crate::config::CAPTION_FIELD;
pub const KEYWORDS: &str = "keywords";
pub const HELD_OUT: (&str, &str) = ("split", "test");

/// The rows of a captioned folder.
pub struct CaptionedData {
    /// `[N, 3, 64, 64]` bytes.
    pub images: Tensor,
    pub captions: Vec<String>,
    pub keywords: Vec<String>,
    pub groups: Vec<String>,
    pub held_out: Vec<bool>,
}

impl CaptionedData {
    /// The rows of the held-out split (`true`) or of the training rows (`false`).
    pub fn rows(&self, held_out: bool) -> Vec<usize> {
        (0..self.captions.len()).filter(|&i| self.held_out[i] == held_out).collect()
    }

    /// Images `[k, 3, 64, 64]` in `[-1, 1]` of `rows`.
    pub fn images_pm1(&self, rows: &[usize]) -> Tensor {
        let idx = Tensor::from_slice(&rows.iter().map(|&i| i as i64).collect::<Vec<_>>());
        self.images.index_select(0, &idx).to_kind(tch::Kind::Float) / 127.5 - 1.0
    }
}

fn text_of(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" "),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

/// Reads every row of the metadata of `dir` (its own file or its subfolders'); every row needs
/// a caption.
pub fn read(dir: &Path) -> Result<CaptionedData> {
    let meta =
        Metadata::find(dir)?.ok_or_else(|| GanError::Invalid(format!("{}: no metadata.jsonl or metadata.csv (in it or its subfolders)", dir.display())))?;
    let mut data = CaptionedData { images: Tensor::new(), captions: Vec::new(), keywords: Vec::new(), groups: Vec::new(), held_out: Vec::new() };
    for r in &meta.rows {
        let caption = text_of(r.fields.get(CAPTION));
        if caption.trim().is_empty() {
            return Err(GanError::Invalid(format!("{} line {}: no caption (`{CAPTION}` field) for {}", r.source.display(), r.line, r.file_name)));
        }
        data.captions.push(caption);
        data.keywords.push(text_of(r.fields.get(KEYWORDS)));
        data.groups.push(text_of(r.fields.get("group")));
        data.held_out.push(text_of(r.fields.get(HELD_OUT.0)) == HELD_OUT.1);
    }
    data.images = crate::eval::attributes::data::decode_all(dir)?;
    Ok(data)
}
