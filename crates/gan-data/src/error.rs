//! Errors of the data layer. Every variant names the file or folder it is about.

use std::path::PathBuf;

/// Why a data set could not be loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("{path}: cannot read: {source}")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("{path}: cannot write: {source}")]
    Write { path: PathBuf, source: std::io::Error },
    #[error("{path}: corrupt or truncated gzip stream: {source}")]
    Gzip { path: PathBuf, source: std::io::Error },
    #[error("{path}: not an IDX {kind} file: magic number {found} (expected {expected})")]
    BadMagic { path: PathBuf, kind: &'static str, found: u32, expected: u32 },
    #[error("{path}: truncated: the IDX header needs {needed} bytes, the file has {found}")]
    TruncatedHeader { path: PathBuf, needed: usize, found: usize },
    #[error("{path}: truncated: the header promises {expected} data bytes ({shape}), the file has {found}")]
    Truncated { path: PathBuf, shape: String, expected: usize, found: usize },
    #[error("{path}: {extra} unexpected bytes after the {shape} the header declares")]
    TrailingBytes { path: PathBuf, shape: String, extra: usize },
    #[error("{path}: invalid dimensions {shape}: {reason}")]
    BadDims { path: PathBuf, shape: String, reason: &'static str },
    #[error("{images} holds {n_images} images but {labels} holds {n_labels} labels")]
    CountMismatch { images: PathBuf, n_images: usize, labels: PathBuf, n_labels: usize },
    #[error("data directory {0} does not exist")]
    MissingDir(PathBuf),
    #[error("{dir}: no {name} or {name}.gz in this directory")]
    MissingFile { dir: PathBuf, name: String },
    #[error("{path}: cannot decode image: {reason}")]
    Image { path: PathBuf, reason: String },
    #[error("{0}: no PNG or JPEG images in this folder or its subfolders")]
    NoImages(PathBuf),
    #[error("data set {name}: {reason}")]
    Invalid { name: String, reason: String },
    /// No row of an image folder's metadata passes the filter (with a label, when `labelled`).
    #[error("{}: no {}row passes the filter", path.display(), if *labelled { "labelled " } else { "" })]
    NoRows { path: PathBuf, labelled: bool },
    /// A problem in an image folder's metadata file, at `line` (0: the file as a whole).
    #[error("{}{}: {reason}", path.display(), at_line(*line))]
    Metadata { path: PathBuf, line: usize, reason: String },
}

fn at_line(line: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(" line {line}")
    }
}

pub type Result<T> = std::result::Result<T, DataError>;
