//! CycleGAN's history of generated images (Zhu et al. 2017, section 4, after Shrivastava
//! et al., "Learning from Simulated and Unsupervised Images through Adversarial Training",
//! CVPR 2017): the discriminators are updated with images drawn from the last `size`
//! generated ones rather than only the newest, which damps oscillation. The reference's
//! `ImagePool.query`: while the pool fills, every image goes in and is returned; afterwards
//! each image is, with probability 1/2, swapped for a random stored one (which is returned
//! in its place), else returned as is. The draws come from the seed, and the pool is part
//! of the checkpoint, so a resumed run draws what it would have drawn.

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
}
