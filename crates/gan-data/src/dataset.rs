//! An in-memory image data set and the loader for a folder of IDX files
//! (`train-images-idx3-ubyte[.gz]`, `train-labels-idx1-ubyte[.gz]`, and `t10k-*` for the
//! test split, as in the MNIST and Fashion-MNIST distributions).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::idx::{self, IdxImages};

/// Which half of an IDX distribution to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// `train-*` files.
    #[default]
    Train,
    /// `t10k-*` files.
    Test,
}

impl Split {
    fn prefix(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Test => "t10k",
        }
    }
}

/// Images as bytes (channel-major per image: `C x H x W`) with optional labels.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// A human-readable name (the folder or the built-in set's name).
    pub name: String,
    pub channels: usize,
    pub height: usize,
    pub width: usize,
    /// `len() * channels * height * width` bytes.
    pub pixels: Vec<u8>,
    /// One label per image, when the data set has them.
    pub labels: Option<Vec<u8>>,
}

impl Dataset {
    /// Builds a grey data set from IDX images and optional labels (with the labels' file
    /// name for errors), checking that the counts agree.
    pub fn from_idx(name: String, images: IdxImages, images_path: &Path, labels: Option<(Vec<u8>, PathBuf)>) -> Result<Self> {
        if images.count == 0 {
            return Err(DataError::Invalid { name, reason: format!("{} holds no images", images_path.display()) });
        }
        let labels = match labels {
            Some((l, path)) if l.len() != images.count => {
                return Err(DataError::CountMismatch { images: images_path.into(), n_images: images.count, labels: path, n_labels: l.len() })
            }
            Some((l, _)) => Some(l),
            None => None,
        };
        Ok(Self { name, channels: 1, height: images.rows, width: images.cols, pixels: images.pixels, labels })
    }

    /// The images with `pad` black pixels added on every side.
    pub fn padded(self, pad: usize) -> Self {
        if pad == 0 {
            return self;
        }
        let (h, w) = (self.height + 2 * pad, self.width + 2 * pad);
        let mut pixels = vec![0u8; self.len() * self.channels * h * w];
        for (src, dst) in self.pixels.chunks_exact(self.width).zip((0..).map(|row: usize| {
            let (plane, y) = (row / self.height, row % self.height);
            (plane * h + y + pad) * w + pad
        })) {
            pixels[dst..dst + self.width].copy_from_slice(src);
        }
        Self { height: h, width: w, pixels, ..self }
    }

    /// Number of classes the labels use (largest label + 1); `None` without labels.
    pub fn num_classes(&self) -> Option<usize> {
        self.labels.as_ref().map(|l| l.iter().copied().max().map_or(0, |m| m as usize + 1))
    }

    /// Number of images.
    pub fn len(&self) -> usize {
        self.pixels.len() / self.sample_len()
    }

    pub fn is_empty(&self) -> bool {
        self.pixels.is_empty()
    }

    /// Values per image (`C * H * W`).
    pub fn sample_len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// All pixels scaled from `0..=255` to `[-1, 1]` (`x / 127.5 - 1`), the range of a
    /// tanh generator.
    pub fn pixels_pm1(&self) -> Vec<f32> {
        self.pixels.iter().map(|&p| p as f32 / 127.5 - 1.0).collect()
    }
}

fn find_file(dir: &Path, name: &str) -> Option<PathBuf> {
    [name.to_string(), format!("{name}.gz")].into_iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

/// Whether `dir` holds the images of `split` (`<split>-images-idx3-ubyte[.gz]`).
pub fn has_idx_split(dir: &Path, split: Split) -> bool {
    find_file(dir, &format!("{}-images-idx3-ubyte", split.prefix())).is_some()
}

/// Loads `<split>-images-idx3-ubyte[.gz]` and, when present, `<split>-labels-idx1-ubyte[.gz]`
/// from `dir`.
pub fn load_idx_dir(dir: &Path, split: Split) -> Result<Dataset> {
    if !dir.is_dir() {
        return Err(DataError::MissingDir(dir.into()));
    }
    let images_name = format!("{}-images-idx3-ubyte", split.prefix());
    let images_path = find_file(dir, &images_name).ok_or_else(|| DataError::MissingFile { dir: dir.into(), name: images_name })?;
    let images = idx::read_images(&images_path)?;
    let labels = match find_file(dir, &format!("{}-labels-idx1-ubyte", split.prefix())) {
        Some(p) => Some((idx::read_labels(&p)?, p)),
        None => None,
    };
    Dataset::from_idx(dir.display().to_string(), images, &images_path, labels)
}

#[cfg(test)]
mod tests {
    #[test]
    fn padding_surrounds_every_plane_with_black() {
        let d = Dataset { name: "t".into(), channels: 1, height: 2, width: 3, pixels: (1..=12).collect(), labels: Some(vec![0, 1]) };
        let p = d.padded(1);
        assert_eq!((p.height, p.width, p.len()), (4, 5, 2));
        #[rustfmt::skip]
        let want: Vec<u8> = vec![
            0, 0, 0, 0, 0,  0, 1, 2, 3, 0,  0, 4, 5, 6, 0,  0, 0, 0, 0, 0,
            0, 0, 0, 0, 0,  0, 7, 8, 9, 0,  0, 10, 11, 12, 0,  0, 0, 0, 0, 0,
        ];
        assert_eq!(p.pixels, want);
    }

    use super::*;
    use crate::idx::{encode_images, encode_labels, write_maybe_gz};

    fn write_set(dir: &Path, n_images: usize, n_labels: usize) {
        let images = IdxImages { count: n_images, rows: 2, cols: 2, pixels: vec![255; n_images * 4] };
        write_maybe_gz(&dir.join("train-images-idx3-ubyte.gz"), &encode_images(&images)).unwrap();
        write_maybe_gz(&dir.join("train-labels-idx1-ubyte"), &encode_labels(&vec![1; n_labels])).unwrap();
    }

    #[test]
    fn loads_folder_and_scales() {
        let d = tempfile::tempdir().unwrap();
        write_set(d.path(), 3, 3);
        let ds = load_idx_dir(d.path(), Split::Train).unwrap();
        assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 1, 2, 2));
        assert_eq!(ds.labels.as_deref(), Some(&[1u8, 1, 1][..]));
        assert!(ds.pixels_pm1().iter().all(|&v| v == 1.0));
    }

    #[test]
    fn count_mismatch_names_both_files() {
        let d = tempfile::tempdir().unwrap();
        write_set(d.path(), 3, 2);
        let e = load_idx_dir(d.path(), Split::Train).unwrap_err().to_string();
        assert!(e.contains("holds 3 images") && e.contains("2 labels") && e.contains("train-labels-idx1-ubyte"), "{e}");
    }

    #[test]
    fn missing_dir_and_files() {
        let d = tempfile::tempdir().unwrap();
        let e = load_idx_dir(&d.path().join("nope"), Split::Train).unwrap_err().to_string();
        assert!(e.contains("does not exist") && e.contains("nope"), "{e}");
        let e = load_idx_dir(d.path(), Split::Test).unwrap_err().to_string();
        assert!(e.contains("t10k-images-idx3-ubyte"), "{e}");
    }

    #[test]
    fn scaling_endpoints() {
        let ds = Dataset { name: "x".into(), channels: 1, height: 1, width: 3, pixels: vec![0, 255, 128], labels: None };
        let v = ds.pixels_pm1();
        assert_eq!(v[0], -1.0);
        assert_eq!(v[1], 1.0);
        assert!((v[2] - 0.003_921_6).abs() < 1e-6);
    }
}
