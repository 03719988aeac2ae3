//! The real side of an image evaluation: the first `n` images of a permutation of the run's
//! training data with a fixed seed (so every run on the same data shares it), as bytes, with
//! a hash that names the data in caches. Folder data is decoded at the run's training size,
//! on every core; an undecodable file stops the evaluation or is passed over, as the run's
//! `on_error` says.

use gan_data::folder::{FolderSource, ImageFolder, OnError};
use gan_data::rng::permutation;
use gan_data::source::Opened;
use gan_data::DataSource;
use tch::{Kind, Tensor};

use crate::error::{GanError, Result};
use crate::eval::cache::sha256_hex;
use crate::models::ImageShape;

/// Seed of the permutation that picks the real subset.
pub const REAL_SUBSET_SEED: u64 = 0x5EA1;

/// Real images `[n, C, H, W]` (bytes) and what identifies them.
pub struct RealSubset {
    pub images: Tensor,
    /// SHA-256 of the whole data set's pixels (in-memory data) or of the subset's decoded
    /// pixels (folders).
    pub sha256: String,
    pub data: String,
}

impl RealSubset {
    /// Up to `n` images of `data` (fewer when it has fewer).
    pub fn of(data: &DataSource, n: usize) -> Result<Self> {
        let describe = data.describe();
        match data.open()? {
            Opened::Memory(ds) => {
                let take = n.min(ds.len());
                let idx: Vec<i64> = permutation(ds.len(), REAL_SUBSET_SEED).into_iter().take(take).map(i64::from).collect();
                let all = Tensor::from_slice(&ds.pixels).view([ds.len() as i64, ds.channels as i64, ds.height as i64, ds.width as i64]);
                Ok(Self { images: all.index_select(0, &Tensor::from_slice(&idx)), sha256: sha256_hex(&ds.pixels), data: describe })
            }
            Opened::Folder(folder, on_error) => {
                let bytes = decode_subset(&folder, n, on_error)?;
                let s = folder.size as i64;
                let count = (bytes.len() / folder.image_bytes()) as i64;
                let sha256 = sha256_hex(&bytes);
                Ok(Self { images: Tensor::from_slice(&bytes).view([count, 3, s, s]), sha256, data: describe })
            }
            _ => Err(GanError::Invalid(format!("{describe}: feature-space scores need image data"))),
        }
    }

    /// Up to `n` images of the folder `dir` (a seeded choice when it holds more), decoded at
    /// `shape`'s size, and grey (the channels' mean) when `shape` is: images from elsewhere,
    /// scored in place of a generator's samples.
    /// The folder's rows that `source.filter` keeps when it has metadata.
    pub fn folder(source: &FolderSource, shape: ImageShape, n: usize) -> Result<Self> {
        if shape.height != shape.width || !matches!(shape.channels, 1 | 3) {
            return Err(GanError::Invalid(format!(
                "{}: a folder of images can stand in for square grey or RGB samples only, not {shape}",
                source.dir.display()
            )));
        }
        let data = DataSource::Folder(FolderSource { size: shape.height as u32, ..source.clone() });
        let mut subset = Self::of(&data, n)?;
        if shape.channels == 1 {
            subset.images = subset.images.to_kind(Kind::Float).mean_dim(1, true, Kind::Float).round().to_kind(Kind::Uint8);
        }
        Ok(subset)
    }

    pub fn len(&self) -> usize {
        self.images.size()[0] as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Images `start..start + len` in `[-1, 1]`.
    pub fn pm1(&self, start: i64, len: i64) -> Tensor {
        self.images.narrow(0, start, len).to_kind(Kind::Float) / 127.5 - 1.0
    }
}

/// The decoded bytes of the first `n` decodable images of the seeded permutation.
fn decode_subset(folder: &ImageFolder, n: usize, on_error: OnError) -> Result<Vec<u8>> {
    let order = permutation(folder.len(), REAL_SUBSET_SEED);
    let want = n.min(folder.len());
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).min(16);
    let mut out = Vec::with_capacity(want * folder.image_bytes());
    let (mut have, mut next) = (0, 0);
    while have < want && next < order.len() {
        let window = &order[next..(next + want - have).min(order.len())];
        next += window.len();
        let per = window.len().div_ceil(workers);
        let decoded: Vec<std::result::Result<Vec<u8>, gan_data::DataError>> = std::thread::scope(|s| {
            let handles: Vec<_> = window.chunks(per).map(|part| s.spawn(move || part.iter().map(|&i| folder.load(i as usize)).collect::<Vec<_>>())).collect();
            handles.into_iter().flat_map(|h| h.join().expect("decoder thread")).collect()
        });
        for d in decoded {
            match (d, on_error) {
                (Ok(bytes), _) => {
                    out.extend_from_slice(&bytes);
                    have += 1;
                }
                (Err(e), OnError::Stop) => return Err(e.into()),
                (Err(_), OnError::Skip) => {}
            }
        }
    }
    if have == 0 {
        return Err(GanError::Invalid(format!("{}: no image could be decoded", folder.root.display())));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_stands_in_for_grey_samples_by_its_channel_mean() {
        let t = tempfile::tempdir().unwrap();
        for (i, rgb) in [[30u8, 60, 90], [200, 100, 0]].into_iter().enumerate() {
            image::RgbImage::from_pixel(12, 12, image::Rgb(rgb)).save(t.path().join(format!("{i}.png"))).unwrap();
        }
        let grey = RealSubset::folder(&FolderSource::new(t.path(), 0), ImageShape { channels: 1, height: 8, width: 8 }, 10).unwrap();
        assert_eq!(grey.images.size(), [2, 1, 8, 8]);
        let mut means: Vec<i64> = (0..2).map(|i| grey.images.get(i).to_kind(Kind::Int64).max().int64_value(&[])).collect();
        means.sort();
        assert_eq!(means, [60, 100]);
        assert_eq!(grey.images.to_kind(Kind::Int64).min().int64_value(&[]), 60, "flat images stay flat");
        let rgb = RealSubset::folder(&FolderSource::new(t.path(), 0), ImageShape { channels: 3, height: 8, width: 8 }, 1).unwrap();
        assert_eq!(rgb.images.size(), [1, 3, 8, 8]);
        let e = RealSubset::folder(&FolderSource::new(t.path(), 0), ImageShape { channels: 3, height: 8, width: 6 }, 1).err().unwrap().to_string();
        assert!(e.contains("square") && e.contains("3x8x6"), "{e}");
    }
}
