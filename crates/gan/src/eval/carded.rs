//! Networks that `gan` trains and ships with a JSON card beside their weights
//! (`X.safetensors` and `X.json`): the attribute classifiers and the text-image matcher.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tch::nn;

use crate::error::{GanError, Result};

/// `X.json` for `X.safetensors`.
pub fn card_path(weights: &Path) -> PathBuf {
    weights.with_extension("json")
}

/// Writes the weights of `vs` to `path` and `card` beside it, each atomically.
pub fn save(vs: &nn::VarStore, card: &impl Serialize, path: &Path) -> Result<()> {
    let tmp = path.with_extension("tmp.safetensors");
    crate::tensors::save_vars(vs, &tmp).map_err(|e| GanError::Io { path: tmp.clone(), source: std::io::Error::other(e) })?;
    std::fs::rename(&tmp, path).map_err(GanError::io(path))?;
    let json = serde_json::to_string_pretty(card).expect("card serialises");
    crate::run::checkpoint::write_atomic(&card_path(path), json.as_bytes())
}

/// The bytes of the weights file `path` and the text of its card.
pub fn read(path: &Path) -> Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(path).map_err(GanError::io(path))?;
    let cp = card_path(path);
    let card = std::fs::read_to_string(&cp).map_err(GanError::io(&cp))?;
    Ok((bytes, card))
}
