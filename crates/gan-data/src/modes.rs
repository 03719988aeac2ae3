//! Mode metrics for Gaussian mixtures, as defined by Srivastava et al., "VEEGAN" (NeurIPS
//! 2017, sec. 5.1) and Lin et al., "PacGAN" (NeurIPS 2018, sec. 5):
//!
//! - each generated sample belongs to its nearest mode (Euclidean distance to the means);
//! - it is **high quality** when it lies within 3 standard deviations of that mode's mean;
//! - a mode is **covered** when at least one high-quality sample belongs to it;
//! - **reverse KL** is `KL(p_gen || p_true)` over the mode histogram: `p_gen(m)` is the share
//!   of all samples whose nearest mode is `m`, `p_true` is uniform, so it is
//!   `sum_m p_gen(m) log(M p_gen(m))` (0 for a perfect spread, `log M` when every sample sits
//!   on one mode).
//!
//! The papers evaluate 2,500 samples ([`PAPER_SAMPLES`]).

use serde::{Deserialize, Serialize};

use crate::toy::Modes;

/// Samples per evaluation in VEEGAN and PacGAN.
pub const PAPER_SAMPLES: usize = 2500;
/// A sample within this many standard deviations of its mode is high quality.
pub const HQ_STDS: f64 = 3.0;

/// The mode metrics of one set of samples.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModeReport {
    pub samples: usize,
    pub modes: usize,
    /// Modes with at least one high-quality sample.
    pub covered: usize,
    /// Share of samples within 3 std of their nearest mode.
    pub high_quality: f64,
    /// `KL(p_gen || uniform)` of the nearest-mode histogram, in nats.
    pub reverse_kl: f64,
    /// High-quality samples per mode.
    pub hq_per_mode: Vec<usize>,
}

/// Evaluates `points` (`n x modes.dim`, row-major).
pub fn mode_report(modes: &Modes, points: &[f32]) -> ModeReport {
    let (d, m) = (modes.dim, modes.count());
    assert_eq!(points.len() % d, 0, "points are rows of {d}");
    let n = points.len() / d;
    let radius2 = (HQ_STDS * modes.std).powi(2);
    let mut nearest = vec![0usize; m];
    let mut hq_per_mode = vec![0usize; m];
    let mut hq = 0usize;
    for p in points.chunks(d) {
        let (best, dist2) = (0..m)
            .map(|i| (i, modes.center(i).iter().zip(p).map(|(c, &x)| (x as f64 - c).powi(2)).sum::<f64>()))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .expect("at least one mode");
        nearest[best] += 1;
        if dist2 <= radius2 {
            hq_per_mode[best] += 1;
            hq += 1;
        }
    }
    let reverse_kl = kl_to_uniform(&nearest);
    ModeReport {
        samples: n,
        modes: m,
        covered: hq_per_mode.iter().filter(|&&c| c > 0).count(),
        high_quality: if n == 0 { 0.0 } else { hq as f64 / n as f64 },
        reverse_kl,
        hq_per_mode,
    }
}

/// `KL(p || uniform)` in nats of the histogram `counts` over its `M = counts.len()` bins:
/// `sum_m p_m ln(M p_m)` with `p_m = counts[m] / sum(counts)` (0 for an empty histogram).
pub fn kl_to_uniform(counts: &[usize]) -> f64 {
    let n: usize = counts.iter().sum();
    let m = counts.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n as f64;
            p * (p * m).ln()
        })
        .sum()
}

/// The share of `predicted` labels (each in `0..k`) that falls on each of the `k` classes
/// (all zero for no labels).
pub fn class_shares(predicted: &[i64], k: usize) -> Vec<f64> {
    let mut counts = vec![0usize; k];
    for &c in predicted {
        counts[c as usize] += 1;
    }
    counts.iter().map(|&c| c as f64 / predicted.len().max(1) as f64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::toy::ToyDist;

    #[test]
    fn real_samples_cover_every_mode_at_high_quality() {
        for dist in [ToyDist::Ring8, ToyDist::Grid25] {
            let modes = dist.modes().unwrap();
            let r = mode_report(&modes, &dist.sample(PAPER_SAMPLES, 9));
            assert_eq!((r.samples, r.covered), (PAPER_SAMPLES, modes.count()));
            // 3 std in 2-D holds 1 - exp(-9/2) = 98.9% of an isotropic Gaussian.
            assert!((r.high_quality - 0.989).abs() < 0.006, "{dist:?}: {}", r.high_quality);
            assert!(r.reverse_kl < 0.02, "{dist:?}: {}", r.reverse_kl);
        }
    }

    #[test]
    fn hand_worked_case() {
        // Two modes at -1 and +1 (1-D), std 0.1: HQ radius 0.3.
        let modes = Modes { dim: 1, centers: vec![-1.0, 1.0], std: 0.1 };
        // Nearest: -1, -1, -1, +1. HQ: -1.2 and -0.75 (dist 0.2, 0.25), 1.29 (0.29); 0.2 is not HQ.
        let r = mode_report(&modes, &[-1.2, -0.75, -0.2, 1.29]);
        assert_eq!(r.hq_per_mode, vec![2, 1]);
        assert_eq!((r.covered, r.high_quality), (2, 0.75));
        // p_gen = (3/4, 1/4): 3/4 ln(3/2) + 1/4 ln(1/2).
        let want = 0.75 * 1.5f64.ln() + 0.25 * 0.5f64.ln();
        assert!((r.reverse_kl - want).abs() < 1e-12);
        // Everything on one mode, none of it high quality: KL = ln 2, nothing covered.
        let r = mode_report(&modes, &[0.5, 0.6]);
        assert_eq!((r.covered, r.high_quality), (0, 0.0));
        assert!((r.reverse_kl - 2f64.ln()).abs() < 1e-12);
    }

    #[test]
    fn a_collapsed_generator_covers_one_mode() {
        let modes = ToyDist::Ring8.modes().unwrap();
        let pts: Vec<f32> = std::iter::repeat_n([1.0f32, 0.005], 100).flatten().collect();
        let r = mode_report(&modes, &pts);
        assert_eq!((r.covered, r.high_quality), (1, 1.0));
        assert!((r.reverse_kl - 8f64.ln()).abs() < 1e-12);
    }
}
