//! Where a run's training data come from: a built-in set, a folder of IDX files, CIFAR-10, a folder of
//! PNG/JPEG images, stacked MNIST digits, rendered digits, or points drawn from a toy
//! distribution.

use std::path::PathBuf;

use crate::builtin::Builtin;
use crate::dataset::{load_idx_dir, Dataset, Split};
use crate::error::{DataError, Result};
use crate::folder::{FolderSource, ImageFolder, OnError};
use crate::rendered::RenderSettings;
use crate::stacked::StackedMnist;
use crate::toy::ToyDist;
use crate::vocab::{ClassSet, Vocabulary};

crate::kind_tagged! {
    /// The `[data]` table of a run configuration (`kind` names the variant).
    #[derive(Debug, Clone, PartialEq)]
    pub enum DataSource {
        /// A data set compiled into the binary; `pad` black pixels around each image (2 takes
        /// MNIST's 28x28 to the 32x32 that networks doubling from 4x4 draw).
        Builtin {
            name: Builtin,
            #[serde(default, skip_serializing_if = "is_zero")]
            pad: u32,
        },
        /// A folder with `train-images-idx3-ubyte[.gz]` (and optionally labels).
        Idx {
            dir: PathBuf,
            #[serde(default)]
            split: Split,
            /// The names of the labels (`"mnist"`, `"fashion-mnist"`); without it classes are
            /// known by number.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            classes: Option<ClassSet>,
            /// Black pixels around each image (as the built-in set's `pad`).
            #[serde(default, skip_serializing_if = "is_zero")]
            pad: u32,
        },
        /// CIFAR-10's binary batches in `dir` (or `dir/cifar-10-batches-bin`, where `gan data
        /// fetch cifar10` puts them): 32x32 colour images with their ten class names.
        Cifar10 {
            dir: PathBuf,
            #[serde(default)]
            split: Split,
        },
        /// PNG/JPEG files anywhere under `dir`, as `size x size` RGB, streamed batch by batch
        /// (with metadata: the rows it selects, their labels and captions).
        Folder(FolderSource),
        /// Stacked MNIST: `images` colour images whose channels are three digits drawn
        /// independently (with `seed`) from the built-in MNIST sample or the labelled IDX
        /// digits in `dir`.
        StackedMnist {
            #[serde(default, skip_serializing_if = "Option::is_none")]
            dir: Option<PathBuf>,
            #[serde(default = "default_stacked_images")]
            images: usize,
            #[serde(default)]
            seed: u64,
        },
        /// Digits rendered from fonts with seeded distortions, labelled by construction
        /// ([`crate::rendered`]): SimGAN's simulator.
        RenderedDigits(RenderSettings),
        /// `points` points drawn once (with `seed`) from a toy distribution.
        Toy {
            dist: ToyDist,
            #[serde(default = "default_points")]
            points: usize,
            #[serde(default)]
            seed: u64,
        },
    }
}

/// The most toy points or Stacked MNIST images a source may draw up front.
pub const MAX_DRAWN: usize = 10_000_000;

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// The most padding a grey set may take on each side.
pub const MAX_PAD: u32 = 64;

fn default_points() -> usize {
    100_000
}

fn default_stacked_images() -> usize {
    100_000
}

/// Points of a toy data set, `len x dim` row-major.
pub struct PointSet {
    pub dist: ToyDist,
    pub dim: usize,
    pub points: Vec<f32>,
}

impl PointSet {
    pub fn len(&self) -> usize {
        self.points.len() / self.dim
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

/// A source ready to read: fully in memory, or a folder streamed batch by batch.
pub enum Opened {
    Memory(Dataset),
    Folder(ImageFolder, OnError),
    Points(PointSet),
    Stacked(StackedMnist),
}

impl Default for DataSource {
    fn default() -> Self {
        DataSource::Builtin { name: Builtin::Mnist10k, pad: 0 }
    }
}

impl DataSource {
    pub fn open(&self) -> Result<Opened> {
        match self {
            DataSource::Builtin { name, pad } => name.load().map(|d| Opened::Memory(d.padded(*pad as usize))),
            DataSource::Idx { dir, split, pad, .. } => load_idx_dir(dir, *split).map(|d| Opened::Memory(d.padded(*pad as usize))),
            DataSource::Cifar10 { dir, split } => crate::cifar::load(dir, *split).map(Opened::Memory),
            DataSource::Folder(f) => {
                if f.dir.as_os_str().is_empty() {
                    return Err(DataError::Invalid { name: "image folder".into(), reason: "no folder given: pass --data DIR or set `dir` in [data]".into() });
                }
                Ok(Opened::Folder(f.open()?, f.on_error))
            }
            DataSource::StackedMnist { dir, images, seed } => {
                let digits = match dir {
                    Some(dir) => load_idx_dir(dir, Split::Train)?,
                    None => Builtin::Mnist10k.load()?,
                };
                StackedMnist::draw(digits, *images, *seed).map(Opened::Stacked)
            }
            DataSource::Toy { dist, points, seed } => Ok(Opened::Points(PointSet { dist: *dist, dim: dist.dim(), points: dist.sample(*points, *seed) })),
            DataSource::RenderedDigits(r) => r.render().map(Opened::Memory),
        }
    }

    /// Problems visible without touching the disk.
    pub fn problems(&self) -> Vec<String> {
        match self {
            DataSource::Folder(f) => f.problems(),
            DataSource::RenderedDigits(r) => r.problems(),
            DataSource::Toy { points, .. } if !(1..=MAX_DRAWN).contains(points) => vec![format!("points must be between 1 and {MAX_DRAWN}, got {points}")],
            DataSource::StackedMnist { images, .. } if !(1..=MAX_DRAWN).contains(images) => {
                vec![format!("images must be between 1 and {MAX_DRAWN}, got {images}")]
            }
            DataSource::Builtin { pad, .. } | DataSource::Idx { pad, .. } if *pad > MAX_PAD => vec![format!("pad must be at most {MAX_PAD}, got {pad}")],
            _ => vec![],
        }
    }

    /// The black border a grey set adds around its images (0 for other sources).
    pub fn pad(&self) -> u32 {
        match self {
            DataSource::Builtin { pad, .. } | DataSource::Idx { pad, .. } => *pad,
            _ => 0,
        }
    }

    /// The named vocabulary of this source's labels, if it has one.
    pub fn class_set(&self) -> Option<ClassSet> {
        match self {
            DataSource::Builtin { name: Builtin::Mnist10k, .. } | DataSource::RenderedDigits(_) => Some(ClassSet::Mnist),
            DataSource::Idx { classes, .. } => *classes,
            DataSource::Cifar10 { .. } => Some(ClassSet::Cifar10),
            // Stacked images are labelled by their mode number (0-999).
            DataSource::Folder(_) | DataSource::Toy { .. } | DataSource::StackedMnist { .. } => None,
        }
    }

    /// The names of `k` classes: the source's vocabulary (its first `k` classes), or the
    /// label numbers. Fails when the vocabulary names fewer classes than the labels use.
    pub fn vocabulary(&self, k: usize) -> Result<Vocabulary> {
        // A labelled folder's classes are its label field's values, read from its metadata.
        if let DataSource::Folder(f @ FolderSource { label: Some(_), .. }) = self {
            let names = f.open()?.class_names;
            if names.len() < k {
                return Err(DataError::Invalid { name: self.describe(), reason: format!("the metadata names {} classes but the run has {k}", names.len()) });
            }
            return Ok(Vocabulary::named(&names).truncated(k));
        }
        match self.class_set() {
            None => Ok(Vocabulary::numbered(k)),
            Some(set) => {
                let v = set.vocabulary();
                if v.len() < k {
                    return Err(DataError::Invalid {
                        name: self.describe(),
                        reason: format!("classes = \"{}\" names {} classes but the labels go up to {}", set.name(), v.len(), k - 1),
                    });
                }
                Ok(v.truncated(k))
            }
        }
    }

    /// The toy distribution, for point data.
    pub fn toy(&self) -> Option<ToyDist> {
        match self {
            DataSource::Toy { dist, .. } => Some(*dist),
            _ => None,
        }
    }

    /// A short description for progress output.
    pub fn describe(&self) -> String {
        match self {
            DataSource::Builtin { name, .. } => format!("built-in {}", name.name()),
            DataSource::Idx { dir, split, .. } => format!("{} ({})", dir.display(), format!("{split:?}").to_lowercase()),
            DataSource::Cifar10 { dir, split } => format!("CIFAR-10 in {} ({})", dir.display(), format!("{split:?}").to_lowercase()),
            DataSource::Folder(f) => format!("{} (images at {s}x{s})", f.describe_rows(), s = f.size),
            DataSource::Toy { dist, .. } => format!("toy distribution {}", dist.name()),
            DataSource::RenderedDigits(r) => r.describe(),
            DataSource::StackedMnist { dir, .. } => {
                let digits = dir.as_ref().map_or_else(|| "built-in mnist-10k".to_string(), |d| d.display().to_string());
                format!("stacked MNIST (digits from {digits})")
            }
        }
    }
}
