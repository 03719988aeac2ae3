//! R-precision (Xu et al. 2018, AttnGAN, section 5.1, with R = 1 among 100 candidates):
//! for each image, its own caption is ranked among 99 other
//! captions drawn at random from a pool of distinct captions, by the cosine of the matcher's
//! image and sentence vectors; the score is the share of images whose own caption ranks
//! first. Chance is 1%; the real images of the same captions give the ceiling.

use gan_data::rng::{mix, SplitMix64};
use tch::{Kind, Tensor};

use super::loss::cosine_matrix;

/// Candidates per image: its own caption and 99 others.
pub const CANDIDATES: usize = 100;

/// The R-precision of image vectors `[N, E]` whose captions are `truth[i]`, rows of the
/// pool's distinct sentence vectors `pool` (`[P, E]`). The distractors of image `i` are
/// drawn with seed `(seed, i)`; with fewer than 100 captions in the pool every other one is
/// a distractor.
pub fn r_precision(images: &Tensor, pool: &Tensor, truth: &[usize], seed: u64) -> f64 {
    let n = truth.len();
    assert_eq!(images.size()[0], n as i64, "one caption per image");
    if n == 0 {
        return 0.0;
    }
    let p = pool.size()[0] as usize;
    let sims = cosine_matrix(images, pool).to_kind(Kind::Double).to_device(tch::Device::Cpu);
    let sims: Vec<f64> = Vec::<f64>::try_from(sims.flatten(0, -1)).expect("cosines");
    let mut hits = 0;
    for (i, &own) in truth.iter().enumerate() {
        let row = &sims[i * p..(i + 1) * p];
        let distractors = draw_distractors(p, own, mix(&[seed, i as u64]));
        if distractors.iter().all(|&j| row[j] < row[own]) {
            hits += 1;
        }
    }
    hits as f64 / n as f64
}

/// `min(99, p - 1)` distinct indices of `0..p` other than `own` (partial Fisher-Yates).
fn draw_distractors(p: usize, own: usize, seed: u64) -> Vec<usize> {
    let mut others: Vec<usize> = (0..p).filter(|&j| j != own).collect();
    let k = (CANDIDATES - 1).min(others.len());
    let mut r = SplitMix64::new(seed);
    for i in 0..k {
        let j = i + r.below((others.len() - i) as u64) as usize;
        others.swap(i, j);
    }
    others.truncate(k);
    others
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: image 0 points at caption 0, image 1 halfway between captions 0 and 2
    /// but nearer 0, image 2 exactly at caption 2. Truths 0, 2, 2: hits 1, 0, 1.
    #[test]
    fn hits_by_hand() {
        let pool = Tensor::from_slice(&[1f32, 0., 0., 1., -1., 0.6]).view([3, 2]);
        let images = Tensor::from_slice(&[1f32, 0.1, 1., 0.5, -1., 0.6]).view([3, 2]);
        let r = r_precision(&images, &pool, &[0, 2, 2], 0);
        assert!((r - 2.0 / 3.0).abs() < 1e-12, "{r}");
    }

    #[test]
    fn distractors_are_distinct_others() {
        let d = draw_distractors(500, 7, 3);
        assert_eq!(d.len(), 99);
        assert!(!d.contains(&7));
        let set: std::collections::BTreeSet<_> = d.iter().collect();
        assert_eq!(set.len(), 99);
        assert_eq!(draw_distractors(5, 2, 1).len(), 4);
        assert_eq!(d, draw_distractors(500, 7, 3), "seeded");
    }
}
