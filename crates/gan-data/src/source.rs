//! Where a run's training images come from: a built-in set or a folder of IDX files.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::builtin::Builtin;
use crate::dataset::{load_idx_dir, Dataset, Split};
use crate::error::Result;

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
}

impl Default for DataSource {
    fn default() -> Self {
        DataSource::Builtin { name: Builtin::Mnist10k }
    }
}

impl DataSource {
    pub fn load(&self) -> Result<Dataset> {
        match self {
            DataSource::Builtin { name } => name.load(),
            DataSource::Idx { dir, split } => load_idx_dir(dir, *split),
        }
    }

    /// A short description for progress output.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Builtin { name } => format!("built-in {}", name.name()),
            DataSource::Idx { dir, split } => format!("{} ({:?})", dir.display(), split).to_lowercase(),
        }
    }
}
