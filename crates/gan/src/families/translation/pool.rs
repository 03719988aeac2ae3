//! CycleGAN's history of generated images (Zhu et al. 2017, section 4, after Shrivastava
//! et al., "Learning from Simulated and Unsupervised Images through Adversarial Training",
//! CVPR 2017): the discriminators are updated with images drawn from the last `size`
//! generated ones rather than only the newest, which damps oscillation. The reference's
//! `ImagePool.query`: while the pool fills, every image goes in and is returned; afterwards
//! each image is, with probability 1/2, swapped for a random stored one (which is returned
//! in its place), else returned as is. The draws come from the seed, and the pool is part
//! of the checkpoint, so a resumed run draws what it would have drawn.
//!
//! SimGAN's own policy ([`ImagePool::query_half`], Shrivastava et al. section 2.3): half of
//! the discriminator's batch is the newest refined images, half is drawn from the history,
//! and then half a batch of the newest images replaces random stored ones.

use gan_data::rng::SplitMix64;
use tch::Tensor;

pub struct ImagePool {
    size: usize,
    images: Vec<Tensor>,
}

impl ImagePool {
    pub fn new(size: usize) -> Self {
        Self { size, images: Vec::new() }
    }

    /// The batch `[B, C, H, W]` the discriminator sees in place of `fresh`, with draws from
    /// `rng`.
    pub fn query(&mut self, fresh: &Tensor, rng: &mut SplitMix64) -> Tensor {
        let fresh = fresh.detach();
        if self.size == 0 {
            return fresh;
        }
        let n = fresh.size()[0];
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n {
            let image = fresh.narrow(0, i, 1).copy();
            if self.images.len() < self.size {
                self.images.push(image.shallow_clone());
                out.push(image);
            } else if rng.uniform() > 0.5 {
                let j = rng.below(self.size as u64) as usize;
                out.push(std::mem::replace(&mut self.images[j], image));
            } else {
                out.push(image);
            }
        }
        Tensor::cat(&out, 0)
    }

    /// SimGAN's history: the first `n - n/2` images of `fresh` and `n/2` stored ones drawn at
    /// random (all of `fresh` while fewer are stored); then the history takes `fresh` while it
    /// fills, and afterwards its first `max(n/2, 1)` images each replace a random stored one.
    pub fn query_half(&mut self, fresh: &Tensor, rng: &mut SplitMix64) -> Tensor {
        let fresh = fresh.detach();
        if self.size == 0 {
            return fresh;
        }
        let n = fresh.size()[0];
        let half = n / 2;
        let shown = if half > 0 && self.images.len() >= half as usize {
            let mut parts = vec![fresh.narrow(0, 0, n - half)];
            parts.extend((0..half).map(|_| self.images[rng.below(self.images.len() as u64) as usize].shallow_clone()));
            Tensor::cat(&parts, 0)
        } else {
            fresh.shallow_clone()
        };
        if self.images.len() < self.size {
            let room = (self.size - self.images.len()).min(n as usize) as i64;
            self.images.extend((0..room).map(|i| fresh.narrow(0, i, 1).copy()));
        } else {
            for i in 0..half.max(1) {
                let j = rng.below(self.size as u64) as usize;
                self.images[j] = fresh.narrow(0, i, 1).copy();
            }
        }
        shown
    }

    /// The stored images as one tensor `[n, C, H, W]` (none when empty), for a checkpoint.
    pub fn stored(&self) -> Option<Tensor> {
        (!self.images.is_empty()).then(|| Tensor::cat(&self.images, 0))
    }

    /// Restores the stored images from a checkpoint.
    pub fn restore(&mut self, stored: &Tensor) {
        self.images = (0..stored.size()[0]).map(|i| stored.narrow(0, i, 1).copy()).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    fn ids(t: &Tensor) -> Vec<i64> {
        Vec::<f32>::try_from(t.flatten(0, -1)).unwrap().into_iter().map(|v| v as i64).collect()
    }

    /// The pool fills first (every image returned as given), then returns each new image or,
    /// about half of the time, a stored one, which the new image replaces.
    #[test]
    fn fills_then_swaps_about_half() {
        let mut pool = ImagePool::new(4);
        let mut rng = SplitMix64::new(7);
        let batch = |from: i64| Tensor::arange_start(from, from + 4, (Kind::Float, Device::Cpu)).reshape([4, 1, 1, 1]);
        assert_eq!(ids(&pool.query(&batch(0), &mut rng)), vec![0, 1, 2, 3]);
        let mut swapped = 0;
        let mut seen_old = std::collections::HashSet::new();
        for round in 1..=50 {
            let out = ids(&pool.query(&batch(round * 4), &mut rng));
            for (k, v) in out.iter().enumerate() {
                if *v != round * 4 + k as i64 {
                    swapped += 1;
                    assert!(*v < round * 4 + k as i64, "a returned stored image came earlier");
                    assert!(seen_old.insert(*v), "a stored image is handed out once");
                }
            }
            let stored = ids(&pool.stored().unwrap());
            assert_eq!(stored.len(), 4);
        }
        assert!((70..130).contains(&swapped), "{swapped} of 200 swapped");
        // A restored pool answers like the original.
        let mut copy = ImagePool::new(4);
        copy.restore(&pool.stored().unwrap());
        let (mut r1, mut r2) = (SplitMix64::new(9), SplitMix64::new(9));
        assert_eq!(ids(&pool.query(&batch(1000), &mut r1)), ids(&copy.query(&batch(1000), &mut r2)));
        assert_eq!(ids(&ImagePool::new(0).query(&batch(5), &mut rng)), vec![5, 6, 7, 8]);
    }

    /// SimGAN's history: the first batch passes whole and fills it; afterwards half of each
    /// batch shown is new (its first half) and half stored, earlier images; the stored images
    /// turn over half a batch at a time, and a restored history answers like the original.
    #[test]
    fn half_from_history_half_fresh() {
        let mut pool = ImagePool::new(8);
        let mut rng = SplitMix64::new(3);
        let batch = |from: i64| Tensor::arange_start(from, from + 4, (Kind::Float, Device::Cpu)).reshape([4, 1, 1, 1]);
        assert_eq!(ids(&pool.query_half(&batch(0), &mut rng)), vec![0, 1, 2, 3]);
        assert_eq!(ids(&pool.query_half(&batch(4), &mut rng))[..2], [4, 5]);
        assert_eq!(ids(&pool.stored().unwrap()), (0..8).collect::<Vec<_>>(), "the history fills first");
        for round in 2..40 {
            let out = ids(&pool.query_half(&batch(round * 4), &mut rng));
            assert_eq!(out[..2], [round * 4, round * 4 + 1]);
            assert!(out[2..].iter().all(|&v| v < round * 4), "{out:?}: stored images are earlier ones");
            let stored = ids(&pool.stored().unwrap());
            assert!(stored.iter().filter(|&&v| v >= round * 4).count() <= 2, "at most half a batch enters");
        }
        let stored = ids(&pool.stored().unwrap());
        assert!(stored.iter().all(|&v| v >= 40), "old images are replaced in time: {stored:?}");
        let mut copy = ImagePool::new(8);
        copy.restore(&pool.stored().unwrap());
        let (mut r1, mut r2) = (SplitMix64::new(9), SplitMix64::new(9));
        assert_eq!(ids(&pool.query_half(&batch(1000), &mut r1)), ids(&copy.query_half(&batch(1000), &mut r2)));
    }
}
