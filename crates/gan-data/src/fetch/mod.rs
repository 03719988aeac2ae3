//! `gan data fetch`: the canonical data sets by name, from their official files.
//!
//! Each file is named as its publisher names it and pinned by SHA-256 (the values TensorFlow
//! Datasets and torchvision check). Downloads go to `NAME.part` next to the target, resume
//! from where an earlier try stopped (an HTTP `Range` request), and become the real file by
//! an atomic rename only once the checksum matches; a mismatch deletes the partial file, so
//! nothing corrupt is ever kept. Mirrors are tried in order.

mod download;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
pub use download::{download, DownloadOptions, Progress};

/// A data set `gan data fetch` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[serde(rename_all = "kebab-case")]
pub enum Canonical {
    /// MNIST (LeCun et al. 1998): 60,000 + 10,000 grey 28x28 digits, IDX files.
    Mnist,
    /// Fashion-MNIST (Xiao et al. 2017): 60,000 + 10,000 grey 28x28 garments, IDX files.
    FashionMnist,
    /// CIFAR-10 (Krizhevsky 2009): 50,000 + 10,000 colour 32x32 images, the binary version
    /// (unpacked into `cifar-10-batches-bin/`).
    Cifar10,
}

/// One published file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RemoteFile {
    pub name: &'static str,
    pub sha256: &'static str,
}

const fn file(name: &'static str, sha256: &'static str) -> RemoteFile {
    RemoteFile { name, sha256 }
}

impl Canonical {
    pub const ALL: [Canonical; 3] = [Canonical::Mnist, Canonical::FashionMnist, Canonical::Cifar10];

    pub fn name(self) -> &'static str {
        crate::names::serde_name(&self)
    }

    /// The published files and their SHA-256 sums.
    pub fn files(self) -> &'static [RemoteFile] {
        const MNIST: [RemoteFile; 4] = [
            file("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            file("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            file("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            file("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ];
        const FASHION: [RemoteFile; 4] = [
            file("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            file("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            file("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            file("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ];
        const CIFAR: [RemoteFile; 1] = [file("cifar-10-binary.tar.gz", "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd")];
        match self {
            Canonical::Mnist => &MNIST,
            Canonical::FashionMnist => &FASHION,
            Canonical::Cifar10 => &CIFAR,
        }
    }

    /// The publishers' addresses (and their usual mirrors), in the order they are tried.
    pub fn mirrors(self) -> &'static [&'static str] {
        match self {
            Canonical::Mnist => &["https://ossci-datasets.s3.amazonaws.com/mnist/", "https://storage.googleapis.com/cvdf-datasets/mnist/"],
            Canonical::FashionMnist => &[
                "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
                "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
            ],
            Canonical::Cifar10 => &["https://www.cs.toronto.edu/~kriz/"],
        }
    }

    /// The folder under a data root that holds this set (`data/mnist`, ...).
    pub fn default_dir(self, root: &Path) -> PathBuf {
        root.join(self.name())
    }
}

/// Fetches every file of `set` into `dir` (created if missing) from `mirrors` (the set's own
/// when empty); files already there with the right checksum are kept. CIFAR-10's archive is
/// unpacked into `dir/cifar-10-batches-bin/` (then the archive is kept, so that a second run
/// verifies instead of downloading). Returns the files now in place.
pub fn fetch(set: Canonical, dir: &Path, mirrors: &[String], options: &DownloadOptions, on_progress: &mut dyn FnMut(&Progress)) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Write { path: dir.into(), source })?;
    let own: Vec<String> = set.mirrors().iter().map(|m| m.to_string()).collect();
    let mirrors = if mirrors.is_empty() { &own } else { mirrors };
    let mut out = Vec::new();
    for f in set.files() {
        let target = dir.join(f.name);
        let urls: Vec<String> = mirrors.iter().map(|m| format!("{}/{}", m.trim_end_matches('/'), f.name)).collect();
        download(&urls, &target, f.sha256, options, on_progress)?;
        out.push(target);
    }
    if set == Canonical::Cifar10 {
        out.push(crate::cifar::unpack(&dir.join(set.files()[0].name), dir)?);
    }
    Ok(out)
}
