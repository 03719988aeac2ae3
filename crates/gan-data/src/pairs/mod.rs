//! Data for image-to-image translation: a domain A (inputs) and a domain B (targets), paired
//! (`a[i]` translates to `b[i]`, for pix2pix) or not (for CycleGAN).
//!
//! Two built-in tasks are made from real data sets, so their answers are known:
//! - `edges2fashion`: the pix2pix paper's edges2shoes on Fashion-MNIST: A is the garment's
//!   Sobel edge map (see [`maps::sobel_edges`]), B the garment;
//! - `mnist-thick`: MNIST digits (A) and the same digits dilated by a 3x3 square (B), a
//!   local, deterministic map whose output keeps the digit's class, so an unpaired model's
//!   output can be scored pixel by pixel against the truth and by a digit classifier.
//!
//! A third, `rendered-to-mnist`, is SimGAN's ([`simulated`]): rendered digits (A, labelled by
//! construction) and real MNIST digits (B), unpaired, with no ground truth.
//!
//! With `pairing = "halves"` the built-in tasks become truly unpaired: A takes the inputs of
//! the first half of the images and B the targets of the other half. Their held-out pairs
//! ([`PairSource::held_out`]) are always paired.

pub mod folders;
pub mod maps;
pub mod simulated;
pub mod styles;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::builtin::Builtin;
use crate::dataset::{has_idx_split, load_idx_dir, Dataset, Split};
use crate::error::{DataError, Result};
use crate::rendered::RenderSettings;
use crate::vocab::ClassSet;

/// How a built-in task's images are dealt to the two domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pairing {
    /// Every image gives one pair (input, target).
    #[default]
    Paired,
    /// A: inputs of the first half of the images; B: targets of the second half.
    Halves,
}

/// How a folder of image pairs is laid out (see [`folders`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FolderLayout {
    /// Each file: input on the left half, target on the right.
    SideBySide,
    /// `A/` and `B/`, partners sharing a file name.
    TwoFolders,
    /// `A/` and `B/`, not paired.
    Unpaired,
}

crate::kind_tagged! {
/// The `[data]` table of a translation run (`kind` names the variant).
#[derive(Debug, Clone, PartialEq)]
pub enum PairSource {
    /// Fashion-MNIST IDX files in `dir`: edge maps to garments.
    #[serde(rename = "edges2fashion")]
    Edges2Fashion {
        dir: PathBuf,
        #[serde(default)]
        split: Split,
        #[serde(default)]
        pairing: Pairing,
    },
    /// MNIST digits to the same digits thickened; `dir` holds IDX files (none: the built-in
    /// MNIST-10k sample). Without `t10k-*` files the last [`HELD_OUT`] images of the training
    /// file are the test split and the training split leaves them out.
    MnistThick {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dir: Option<PathBuf>,
        #[serde(default)]
        split: Split,
        #[serde(default)]
        pairing: Pairing,
    },
    /// PNG/JPEG pairs under `dir`, as `size x size` RGB.
    Folder { dir: PathBuf, size: u32, layout: FolderLayout },
    /// Style `a` to style `b` of an image folder with one subfolder per style, paired by file
    /// name, rows chosen by their `split` field ([`styles`]).
    Styles {
        dir: PathBuf,
        a: String,
        b: String,
        size: u32,
        #[serde(default)]
        split: Split,
        #[serde(default)]
        pairing: Pairing,
    },
    /// SimGAN's task: digits rendered by `render` (A) to real MNIST digits (B), unpaired; `dir`
    /// holds the real digits as IDX files (none: the built-in MNIST-10k sample), of which the
    /// training split leaves out the last [`HELD_OUT`] when there is no `t10k` split.
    RenderedToMnist {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        dir: Option<PathBuf>,
        #[serde(default)]
        render: RenderSettings,
    },
}
}

/// Images held out of a training file that has no test split.
pub const HELD_OUT: usize = 2_000;

/// The two domains of a translation data set.
#[derive(Debug, Clone)]
pub struct PairSet {
    pub a: Dataset,
    pub b: Dataset,
    /// `a` and `b` hold the same number of images and `a[i]` translates to `b[i]`.
    pub paired: bool,
}

impl PairSource {
    pub fn open(&self) -> Result<PairSet> {
        match self {
            PairSource::Edges2Fashion { dir, split, pairing } => {
                let ds = load_idx_dir(dir, *split)?;
                Ok(task(ds, maps::sobel_edges, *pairing))
            }
            PairSource::MnistThick { dir, split, pairing } => {
                let ds = mnist_split(dir.as_ref(), *split)?;
                // A: the digits, B: the digits thickened.
                let thick = Dataset { pixels: maps::map_images(&ds.pixels, ds.height, ds.width, maps::dilate), ..ds.clone() };
                Ok(deal(ds, thick, *pairing))
            }
            PairSource::Folder { dir, size, layout } => {
                let (a, b) = match layout {
                    FolderLayout::SideBySide => folders::side_by_side(dir, *size)?,
                    FolderLayout::TwoFolders => folders::two_folders(dir, *size)?,
                    FolderLayout::Unpaired => folders::unpaired(dir, *size)?,
                };
                Ok(PairSet { a, b, paired: *layout != FolderLayout::Unpaired })
            }
            PairSource::Styles { dir, a, b, size, split, pairing } => styles::styles(dir, (a, b), *size, *split, *pairing),
            PairSource::RenderedToMnist { dir, render } => simulated::open(render, mnist_split(dir.as_ref(), Split::Train)?),
        }
    }

    /// The paired test data that score a model trained on this source (none for folders).
    pub fn held_out(&self) -> Option<PairSource> {
        match self {
            PairSource::Edges2Fashion { dir, .. } => Some(PairSource::Edges2Fashion { dir: dir.clone(), split: Split::Test, pairing: Pairing::Paired }),
            PairSource::MnistThick { dir, .. } => Some(PairSource::MnistThick { dir: dir.clone(), split: Split::Test, pairing: Pairing::Paired }),
            PairSource::Styles { dir, a, b, size, .. } => {
                Some(PairSource::Styles { dir: dir.clone(), a: a.clone(), b: b.clone(), size: *size, split: Split::Test, pairing: Pairing::Paired })
            }
            PairSource::Folder { .. } | PairSource::RenderedToMnist { .. } => None,
        }
    }

    /// Whether training pairs are aligned (pix2pix needs it).
    pub fn paired(&self) -> bool {
        match self {
            PairSource::Edges2Fashion { pairing, .. } | PairSource::MnistThick { pairing, .. } | PairSource::Styles { pairing, .. } => {
                *pairing == Pairing::Paired
            }
            PairSource::Folder { layout, .. } => *layout != FolderLayout::Unpaired,
            PairSource::RenderedToMnist { .. } => false,
        }
    }

    /// The names of the target domain's classes, when its images have labels.
    pub fn class_set(&self) -> Option<ClassSet> {
        match self {
            PairSource::Edges2Fashion { .. } => Some(ClassSet::FashionMnist),
            PairSource::MnistThick { .. } | PairSource::RenderedToMnist { .. } => Some(ClassSet::Mnist),
            PairSource::Folder { .. } | PairSource::Styles { .. } => None,
        }
    }

    /// The folder it reads, if any.
    pub fn dir(&self) -> Option<&std::path::Path> {
        match self {
            PairSource::Edges2Fashion { dir, .. } | PairSource::Folder { dir, .. } | PairSource::Styles { dir, .. } => Some(dir),
            PairSource::MnistThick { dir, .. } | PairSource::RenderedToMnist { dir, .. } => dir.as_deref(),
        }
    }

    /// Reads from `dir` instead (`--data DIR`).
    pub fn set_dir(&mut self, new: PathBuf) {
        match self {
            PairSource::Edges2Fashion { dir, .. } | PairSource::Folder { dir, .. } | PairSource::Styles { dir, .. } => *dir = new,
            PairSource::MnistThick { dir, .. } | PairSource::RenderedToMnist { dir, .. } => *dir = Some(new),
        }
    }

    pub fn problems(&self) -> Vec<String> {
        match self {
            PairSource::Folder { size, .. } | PairSource::Styles { size, .. } if *size == 0 || *size > 4096 => {
                vec![format!("data.size must be between 1 and 4096, got {size}")]
            }
            PairSource::Styles { a, b, .. } if a == b || a.is_empty() || b.is_empty() => {
                vec![format!("data.a and data.b must name two different style folders, got \"{a}\" and \"{b}\"")]
            }
            PairSource::RenderedToMnist { render, .. } => render.problems().into_iter().map(|p| p.replacen("data.", "data.render.", 1)).collect(),
            _ => Vec::new(),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            PairSource::Edges2Fashion { dir, .. } => format!("edges2fashion from {}", dir.display()),
            PairSource::MnistThick { dir: Some(dir), .. } => format!("mnist-thick from {}", dir.display()),
            PairSource::MnistThick { dir: None, .. } => "mnist-thick from the built-in mnist-10k".into(),
            PairSource::Folder { dir, layout, .. } => format!("{} image pairs in {}", serde_name(layout), dir.display()),
            PairSource::Styles { dir, a, b, pairing, .. } => {
                format!("styles {a} -> {b} in {}{}", dir.display(), if *pairing == Pairing::Halves { " (unpaired halves)" } else { "" })
            }
            PairSource::RenderedToMnist { dir, render } => {
                let real = dir.as_ref().map_or("the built-in mnist-10k".to_string(), |d| d.display().to_string());
                format!("{} -> MNIST digits from {real}", render.describe())
            }
        }
    }
}

fn serde_name(layout: &FolderLayout) -> &'static str {
    match layout {
        FolderLayout::SideBySide => "side-by-side",
        FolderLayout::TwoFolders => "two-folder",
        FolderLayout::Unpaired => "unpaired",
    }
}

/// A built-in task: the input of image `i` is `input(b[i])`.
fn task(target: Dataset, input: fn(&[u8], usize, usize) -> Vec<u8>, pairing: Pairing) -> PairSet {
    let a =
        Dataset { name: format!("{} (inputs)", target.name), pixels: maps::map_images(&target.pixels, target.height, target.width, input), ..target.clone() };
    deal(a, target, pairing)
}

/// Deals aligned inputs and targets to the domains.
fn deal(a: Dataset, b: Dataset, pairing: Pairing) -> PairSet {
    match pairing {
        Pairing::Paired => PairSet { a, b, paired: true },
        Pairing::Halves => {
            let half = a.len() / 2;
            PairSet { a: slice(&a, 0, half), b: slice(&b, half, b.len()), paired: false }
        }
    }
}

/// Images `[from, to)` of a data set.
pub fn slice(ds: &Dataset, from: usize, to: usize) -> Dataset {
    let n = ds.sample_len();
    Dataset { pixels: ds.pixels[from * n..to * n].to_vec(), labels: ds.labels.as_ref().map(|l| l[from..to].to_vec()), ..ds.clone() }
}

/// A split of the MNIST digits in `dir` (none: the built-in MNIST-10k sample): its `t10k`
/// files when it has them, else the training file less (train) or only (test) its last
/// [`HELD_OUT`] images.
pub fn mnist_split(dir: Option<&PathBuf>, split: Split) -> Result<Dataset> {
    let whole = match dir {
        Some(d) if split == Split::Test && has_idx_split(d, Split::Test) => return load_idx_dir(d, Split::Test),
        Some(d) if has_idx_split(d, Split::Test) => return load_idx_dir(d, Split::Train),
        Some(d) => load_idx_dir(d, Split::Train)?,
        None => Builtin::Mnist10k.load()?,
    };
    if whole.len() <= HELD_OUT {
        let n = whole.len();
        return Err(DataError::Invalid { name: whole.name, reason: format!("{n} images: holding out {HELD_OUT} for testing leaves none to train on") });
    }
    let cut = whole.len() - HELD_OUT;
    Ok(match split {
        Split::Train => slice(&whole, 0, cut),
        Split::Test => slice(&whole, cut, whole.len()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mnist_thick_holds_out_the_tail_and_dilates() {
        let train = PairSource::MnistThick { dir: None, split: Split::Train, pairing: Pairing::Paired }.open().unwrap();
        let test = PairSource::MnistThick { dir: None, split: Split::Test, pairing: Pairing::Paired }.open().unwrap();
        assert_eq!((train.a.len(), train.b.len(), test.a.len()), (8_000, 8_000, HELD_OUT));
        assert!(train.paired && test.paired);
        let ink = |d: &Dataset| d.pixels.iter().filter(|&&p| p > 127).count();
        assert!(ink(&train.b) > ink(&train.a) * 3 / 2, "dilation thickens the strokes");
        assert_eq!(train.b.labels, train.a.labels);
        let halves = PairSource::MnistThick { dir: None, split: Split::Train, pairing: Pairing::Halves }.open().unwrap();
        assert!(!halves.paired);
        assert_eq!((halves.a.len(), halves.b.len()), (4_000, 4_000));
        assert_eq!(halves.a.pixels[..784], train.a.pixels[..784]);
        assert_eq!(halves.b.pixels[..784], train.b.pixels[4_000 * 784..4_001 * 784]);
    }

    #[test]
    fn sources_read_from_toml_and_refuse_unknown_keys() {
        let s: PairSource = toml::from_str("kind = \"edges2fashion\"\ndir = \"x\"\npairing = \"halves\"").unwrap();
        assert_eq!(s, PairSource::Edges2Fashion { dir: "x".into(), split: Split::Train, pairing: Pairing::Halves });
        assert!(!s.paired());
        let e = toml::from_str::<PairSource>("kind = \"edges2fashion\"\ndir = \"x\"\nsize = 3").unwrap_err().to_string();
        assert!(e.contains("size"), "{e}");
        let f: PairSource = toml::from_str("kind = \"folder\"\ndir = \"x\"\nsize = 64\nlayout = \"side-by-side\"").unwrap();
        assert!(f.paired() && f.held_out().is_none());
    }
}
