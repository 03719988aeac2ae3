//! The real side of an image evaluation: the first `n` images of a permutation of the run's
//! training data with a fixed seed (so every run on the same data shares it), as bytes, with
//! a hash that names the data in caches. Folder data is decoded at the run's training size,
//! on every core; an undecodable file stops the evaluation or is passed over, as the run's
//! `on_error` says.

use gan_data::folder::{ImageFolder, OnError};
use gan_data::rng::permutation;
use gan_data::source::Opened;
use tch::{Kind, Tensor};

use crate::error::{GanError, Result};
use crate::eval::cache::sha256_hex;

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
    pub fn of(data: &gan_data::DataSource, n: usize) -> Result<Self> {
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
