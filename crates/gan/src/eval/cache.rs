//! The real side of an image evaluation, computed once per (data set, classifier, size) and
//! kept in a cache folder as `real-<data>-<classifier>-n<N>.safetensors` (features, and class
//! probabilities when the network has them; the hashes are the first 16 hex digits of SHA-256 over the data's pixels and
//! over the classifier's weights file). Written atomically, so an interrupted run never leaves
//! a half file that a later one would trust.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use tch::{Kind, Tensor};

use crate::error::{GanError, Result};

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Where the real features of `data_hash` under `classifier_hash` for `n` images live.
pub fn path(dir: &Path, data_hash: &str, classifier_hash: &str, n: usize) -> PathBuf {
    dir.join(format!("real-{}-{}-n{n}.safetensors", &data_hash[..16], &classifier_hash[..16]))
}

/// Cached features and probabilities, if the file exists.
pub fn load(path: &Path) -> Result<Option<(Tensor, Option<Tensor>)>> {
    if !path.is_file() {
        return Ok(None);
    }
    let named = Tensor::read_safetensors(path).map_err(|e| GanError::Checkpoint { path: path.into(), reason: e.to_string() })?;
    let get = |name: &str| named.iter().find(|(n, _)| n == name).map(|(_, t)| t.to_kind(Kind::Float));
    match get("features") {
        Some(f) => Ok(Some((f, get("probs")))),
        None => Err(GanError::Checkpoint { path: path.into(), reason: "a real-feature cache needs `features`; delete the file".into() }),
    }
}

/// Saves features and probabilities (temporary file, then rename).
pub fn save(path: &Path, features: &Tensor, probs: Option<&Tensor>) -> Result<()> {
    let dir = path.parent().expect("cache files live in a folder");
    std::fs::create_dir_all(dir).map_err(GanError::io(dir))?;
    let tmp = path.with_extension("tmp.safetensors");
    let mut named = vec![("features", features)];
    named.extend(probs.map(|p| ("probs", p)));
    Tensor::write_safetensors(&named, &tmp).map_err(|e| GanError::Io { path: tmp.clone(), source: std::io::Error::other(e) })?;
    std::fs::rename(&tmp, path).map_err(GanError::io(path))
}
