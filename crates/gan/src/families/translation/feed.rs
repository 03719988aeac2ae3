//! Batches of a translation data set: both domains held in memory as bytes, batch `i` a pure
//! function of `(seed, i)` (see [`gan_data::BatchSampler`]). Paired data share one order, so
//! `a[k]` and `b[k]` of a batch are partners; unpaired domains are shuffled independently,
//! as the CycleGAN reference's unaligned data set draws B at random.

use gan_data::pairs::PairSet;
use gan_data::rng::mix;
use gan_data::{BatchSampler, Dataset};
use tch::{Device, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::models::ImageShape;

const A_STREAM: u64 = 11;
const B_STREAM: u64 = 12;

/// A domain's images as a `[N, C, H, W]` byte tensor.
pub fn bytes_tensor(ds: &Dataset) -> Tensor {
    Tensor::from_slice(&ds.pixels).reshape([ds.len() as i64, ds.channels as i64, ds.height as i64, ds.width as i64])
}

/// Bytes `0..=255` to floats in `[-1, 1]` on `device`.
pub fn to_pm1(bytes: &Tensor, device: Device) -> Tensor {
    bytes.to_device(device).to_kind(Kind::Float) / 127.5 - 1.0
}

/// One batch: `a` and `b` in `[-1, 1]`, for CartoonGAN `b` with its edges smoothed, and the
/// labels of `a` when domain A has them (SimGAN's simulated images).
pub struct PairBatch {
    pub a: Tensor,
    pub b: Tensor,
    pub b_edged: Option<Tensor>,
    pub a_labels: Option<Tensor>,
}

pub struct PairFeed {
    a: Tensor,
    b: Tensor,
    /// Domain B's images edge-promoted (`gan_data::edges`), when the model learns from them.
    b_edged: Option<Tensor>,
    /// Domain A's labels (int64), when it has them.
    a_labels: Option<Tensor>,
    sampler_a: BatchSampler,
    /// `None` for paired data (B follows A's order).
    sampler_b: Option<BatchSampler>,
    pub image: ImageShape,
    device: Device,
}

impl PairFeed {
    /// The feed of `set`; with `edges`, it also smooths the edges of every image of B once.
    pub fn new(set: &PairSet, batch_size: usize, seed: u64, device: Device, edges: bool) -> Result<Self> {
        let shape = |d: &Dataset| ImageShape { channels: d.channels as i64, height: d.height as i64, width: d.width as i64 };
        let image = shape(&set.a);
        if shape(&set.b) != image {
            return Err(GanError::Invalid(format!("domain A holds {} images and domain B {}; both domains need one shape", image, shape(&set.b))));
        }
        let sampler_a = BatchSampler::new(set.a.len(), batch_size, mix(&[seed, A_STREAM]))?;
        let sampler_b = if set.paired { None } else { Some(BatchSampler::new(set.b.len(), batch_size, mix(&[seed, B_STREAM]))?) };
        let b_edged = edges.then(|| {
            let d = &set.b;
            let pixels: Vec<u8> = d.pixels.chunks_exact(d.sample_len()).flat_map(|x| gan_data::edges::edge_smooth(x, d.channels, d.height, d.width)).collect();
            Tensor::from_slice(&pixels).reshape([d.len() as i64, d.channels as i64, d.height as i64, d.width as i64])
        });
        let a_labels = set.a.labels.as_deref().map(crate::eval::classifier::label_tensor);
        Ok(Self { a: bytes_tensor(&set.a), b: bytes_tensor(&set.b), b_edged, a_labels, sampler_a, sampler_b, image, device })
    }

    /// Batches per pass over domain A.
    pub fn batches_per_epoch(&self) -> u64 {
        self.sampler_a.batches_per_epoch()
    }

    /// Batch `index` on the device.
    pub fn batch(&mut self, index: u64) -> PairBatch {
        let ids = |s: &mut BatchSampler| Tensor::from_slice(&s.batch(index).iter().map(|&i| i as i64).collect::<Vec<_>>());
        let ia = ids(&mut self.sampler_a);
        let ib = match &mut self.sampler_b {
            Some(s) => ids(s),
            None => ia.shallow_clone(),
        };
        PairBatch {
            a: to_pm1(&self.a.index_select(0, &ia), self.device),
            b: to_pm1(&self.b.index_select(0, &ib), self.device),
            b_edged: self.b_edged.as_ref().map(|e| to_pm1(&e.index_select(0, &ib), self.device)),
            a_labels: self.a_labels.as_ref().map(|l| l.index_select(0, &ia).to_device(self.device)),
        }
    }
}
