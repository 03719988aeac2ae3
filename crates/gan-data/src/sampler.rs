//! Seeded shuffling and batching.
//!
//! Batch `i` of a run is a pure function of `(n, batch_size, seed, i)`: epoch `e = i / B`
//! (with `B = n / batch_size` full batches per epoch; the ragged tail is dropped, as with
//! PyTorch's `drop_last=True`) uses the permutation seeded by `mix(seed, e)`. A resumed run
//! therefore needs to remember only how many batches it has consumed.

use crate::error::{DataError, Result};
use crate::rng::{mix, permutation};

/// Hands out the indices of batch `i` for any `i`.
#[derive(Debug, Clone)]
pub struct BatchSampler {
    n: usize,
    batch_size: usize,
    seed: u64,
    epoch: Option<(u64, Vec<u32>)>,
}

impl BatchSampler {
    pub fn new(n: usize, batch_size: usize, seed: u64) -> Result<Self> {
        if batch_size == 0 || batch_size > n {
            return Err(DataError::Invalid {
                name: "batching".into(),
                reason: format!("batch size {batch_size} must be between 1 and the data set's {n} images"),
            });
        }
        Ok(Self { n, batch_size, seed, epoch: None })
    }

    /// Full batches per epoch.
    pub fn batches_per_epoch(&self) -> u64 {
        (self.n / self.batch_size) as u64
    }

    /// Indices of global batch `index`.
    pub fn batch(&mut self, index: u64) -> &[u32] {
        let bpe = self.batches_per_epoch();
        let (epoch, within) = (index / bpe, (index % bpe) as usize);
        if self.epoch.as_ref().map(|(e, _)| *e) != Some(epoch) {
            self.epoch = Some((epoch, permutation(self.n, mix(&[self.seed, epoch]))));
        }
        let perm = &self.epoch.as_ref().expect("set above").1;
        &perm[within * self.batch_size..(within + 1) * self.batch_size]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_epoch_visits_every_index_once_drop_last() {
        let mut s = BatchSampler::new(10, 3, 1).unwrap();
        assert_eq!(s.batches_per_epoch(), 3);
        let mut seen: Vec<u32> = (0..3).flat_map(|i| s.batch(i).to_vec()).collect();
        seen.sort();
        seen.dedup();
        assert_eq!(seen.len(), 9);
        let e0: Vec<u32> = s.batch(0).to_vec();
        let e1: Vec<u32> = s.batch(3).to_vec();
        assert_ne!(e0, e1, "epochs reshuffle");
    }

    #[test]
    fn random_access_equals_sequential() {
        let mut a = BatchSampler::new(100, 7, 9).unwrap();
        let seq: Vec<Vec<u32>> = (0..40).map(|i| a.batch(i).to_vec()).collect();
        let mut b = BatchSampler::new(100, 7, 9).unwrap();
        for i in [33u64, 2, 39, 14, 0] {
            assert_eq!(b.batch(i), &seq[i as usize][..]);
        }
    }

    #[test]
    fn bad_batch_size() {
        assert!(BatchSampler::new(5, 6, 0).unwrap_err().to_string().contains("batch size 6"));
        assert!(BatchSampler::new(5, 0, 0).is_err());
    }
}
