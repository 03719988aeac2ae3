//! Where a run's training images come from: a built-in set, a folder of IDX files, or a
//! folder of PNG/JPEG images.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::builtin::Builtin;
use crate::dataset::{load_idx_dir, Dataset, Split};
use crate::error::{DataError, Result};
use crate::folder::{ImageFolder, OnError};

/// The `[data]` table of a run configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DataSource {
    /// A data set compiled into the binary.
    Builtin { name: Builtin },
    /// A folder with `train-images-idx3-ubyte[.gz]` (and optionally labels).
    Idx {
        dir: PathBuf,
        #[serde(default)]
        split: Split,
    },
    /// PNG/JPEG files anywhere under `dir`, as `size x size` RGB, streamed batch by batch.
    Folder {
        dir: PathBuf,
        size: u32,
        #[serde(default)]
        on_error: OnError,
    },
}

/// A source ready to read: fully in memory, or a folder streamed batch by batch.
pub enum Opened {
    Memory(Dataset),
    Folder(ImageFolder, OnError),
}

impl Default for DataSource {
    fn default() -> Self {
        DataSource::Builtin { name: Builtin::Mnist10k }
    }
}

impl DataSource {
    pub fn open(&self) -> Result<Opened> {
        match self {
            DataSource::Builtin { name } => name.load().map(Opened::Memory),
            DataSource::Idx { dir, split } => load_idx_dir(dir, *split).map(Opened::Memory),
            DataSource::Folder { dir, size, on_error } => {
                if dir.as_os_str().is_empty() {
                    return Err(DataError::Invalid {
                        name: "image folder".into(),
                        reason: "no folder given: pass --data DIR or set `dir` in [data]".into(),
                    });
                }
                Ok(Opened::Folder(ImageFolder::scan(dir, *size)?, *on_error))
            }
        }
    }

    /// Problems visible without touching the disk.
    pub fn problems(&self) -> Vec<String> {
        match self {
            DataSource::Folder { size, .. } if *size < 4 || *size > 1024 => vec![format!("size must be between 4 and 1024, got {size}")],
            _ => vec![],
        }
    }

    /// A short description for progress output.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Builtin { name } => format!("built-in {}", name.name()),
            DataSource::Idx { dir, split } => format!("{} ({})", dir.display(), format!("{split:?}").to_lowercase()),
            DataSource::Folder { dir, size, .. } => format!("{} (images at {size}x{size})", dir.display()),
        }
    }
}
