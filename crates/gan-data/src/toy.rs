//! Toy distributions for watching GANs learn (and fail) in one or two dimensions.
//!
//! - `ring8`: 8 Gaussians with means `(cos 2 pi i/8, sin 2 pi i/8)` and std 0.01, and
//!   `grid25`: 25 Gaussians with means `{-4, -2, 0, 2, 4}^2` and std 0.05, the mode-collapse
//!   benchmarks of Metz et al., "Unrolled GANs" (ICLR 2017), Srivastava et al., "VEEGAN"
//!   (NeurIPS 2017) and Lin et al., "PacGAN" (NeurIPS 2018). Each mode has equal weight.
//! - `spiral`: an Archimedean spiral `r = theta / pi`, `theta` in `[0, 3 pi]` (uniform along
//!   the swept area), plus N(0, 0.05^2) noise per coordinate.
//! - `two-moons`: the two interleaved half circles of scikit-learn's `make_moons`, centred on
//!   the origin, noise std 0.05.
//! - `normal`: the 1-D N(4, 0.5^2) that a generator starting near 0 must travel to.
//!
//! Points are drawn from [`SplitMix64`], so a `(distribution, n, seed)` triple gives the same
//! points on every platform.

use std::f64::consts::{PI, TAU};

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64;

/// A toy distribution.
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToyDist {
    Ring8,
    Grid25,
    Spiral,
    TwoMoons,
    Normal,
}

/// Gaussian modes of equal weight and equal isotropic std.
#[derive(Debug, Clone, PartialEq)]
pub struct Modes {
    pub dim: usize,
    /// `count x dim` centres, row-major.
    pub centers: Vec<f64>,
    pub std: f64,
}

impl Modes {
    pub fn count(&self) -> usize {
        self.centers.len() / self.dim
    }

    pub fn center(&self, i: usize) -> &[f64] {
        &self.centers[i * self.dim..(i + 1) * self.dim]
    }
}

/// Noise of the curve-shaped distributions.
const CURVE_NOISE: f64 = 0.05;
const NORMAL_MEAN: f64 = 4.0;
const NORMAL_STD: f64 = 0.5;

impl ToyDist {
    pub const ALL: [ToyDist; 5] = [ToyDist::Ring8, ToyDist::Grid25, ToyDist::Spiral, ToyDist::TwoMoons, ToyDist::Normal];

    pub fn name(self) -> &'static str {
        crate::names::serde_name(&self)
    }

    /// Dimension of a point.
    pub fn dim(self) -> usize {
        if self == ToyDist::Normal {
            1
        } else {
            2
        }
    }

    /// The mixture's modes, for the distributions made of Gaussians.
    pub fn modes(self) -> Option<Modes> {
        match self {
            ToyDist::Ring8 => {
                let centers = (0..8).flat_map(|i| {
                    let a = TAU * i as f64 / 8.0;
                    [a.cos(), a.sin()]
                });
                Some(Modes { dim: 2, centers: centers.collect(), std: 0.01 })
            }
            ToyDist::Grid25 => {
                let axis = [-4.0, -2.0, 0.0, 2.0, 4.0];
                let centers = axis.iter().flat_map(|&x| axis.iter().flat_map(move |&y| [x, y]));
                Some(Modes { dim: 2, centers: centers.collect(), std: 0.05 })
            }
            ToyDist::Normal => Some(Modes { dim: 1, centers: vec![NORMAL_MEAN], std: NORMAL_STD }),
            ToyDist::Spiral | ToyDist::TwoMoons => None,
        }
    }

    /// `n` points, `n x dim` row-major.
    pub fn sample(self, n: usize, seed: u64) -> Vec<f32> {
        let mut r = SplitMix64::new(seed);
        let mut out = Vec::with_capacity(n * self.dim());
        for _ in 0..n {
            match self {
                ToyDist::Ring8 | ToyDist::Grid25 | ToyDist::Normal => {
                    let modes = self.modes().expect("mixture");
                    let c = modes.center(r.below(modes.count() as u64) as usize);
                    out.extend(c.iter().map(|&m| (m + modes.std * r.normal()) as f32));
                }
                ToyDist::Spiral => {
                    let theta = r.uniform().sqrt() * 3.0 * PI;
                    let rad = theta / PI;
                    let (x, y) = (rad * theta.cos(), rad * theta.sin());
                    out.push((x + CURVE_NOISE * r.normal()) as f32);
                    out.push((y + CURVE_NOISE * r.normal()) as f32);
                }
                ToyDist::TwoMoons => {
                    let t = PI * r.uniform();
                    let (x, y) = if r.below(2) == 0 { (t.cos(), t.sin()) } else { (1.0 - t.cos(), 0.5 - t.sin()) };
                    out.push((x - 0.5 + CURVE_NOISE * r.normal()) as f32);
                    out.push((y - 0.25 + CURVE_NOISE * r.normal()) as f32);
                }
            }
        }
        out
    }

    /// A box that holds nearly all of the distribution, `[lo, hi]` per axis (for plots and
    /// the lab's views).
    pub fn extent(self) -> (f64, f64) {
        match self {
            ToyDist::Ring8 => (-1.5, 1.5),
            ToyDist::Grid25 => (-5.5, 5.5),
            ToyDist::Spiral => (-3.5, 3.5),
            ToyDist::TwoMoons => (-1.75, 1.75),
            ToyDist::Normal => (-1.0, 7.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixtures_have_the_published_modes() {
        let ring = ToyDist::Ring8.modes().unwrap();
        assert_eq!((ring.count(), ring.std), (8, 0.01));
        let c = ring.center(1);
        assert!((c[0] - 0.5f64.sqrt()).abs() < 1e-12 && (c[1] - 0.5f64.sqrt()).abs() < 1e-12);
        let grid = ToyDist::Grid25.modes().unwrap();
        assert_eq!((grid.count(), grid.std), (25, 0.05));
        assert_eq!(grid.center(0), &[-4.0, -4.0]);
        assert_eq!(grid.center(24), &[4.0, 4.0]);
        assert_eq!(grid.center(7), &[-2.0, 0.0]);
    }

    #[test]
    fn samples_sit_on_their_modes_with_the_stated_spread() {
        for dist in [ToyDist::Ring8, ToyDist::Grid25, ToyDist::Normal] {
            let modes = dist.modes().unwrap();
            let pts = dist.sample(20_000, 5);
            let d = dist.dim();
            let mut counts = vec![0usize; modes.count()];
            let mut sq = 0.0;
            for p in pts.chunks(d) {
                let (best, dist2) = (0..modes.count())
                    .map(|i| (i, modes.center(i).iter().zip(p).map(|(c, &x)| (x as f64 - c).powi(2)).sum::<f64>()))
                    .min_by(|a, b| a.1.total_cmp(&b.1))
                    .unwrap();
                counts[best] += 1;
                sq += dist2;
            }
            let std = (sq / (20_000.0 * d as f64)).sqrt();
            assert!((std / modes.std - 1.0).abs() < 0.03, "{dist:?}: std {std}");
            let expect = 20_000.0 / modes.count() as f64;
            assert!(counts.iter().all(|&c| (c as f64 - expect).abs() < 5.0 * expect.sqrt()), "{dist:?}: {counts:?}");
        }
    }

    #[test]
    fn curves_stay_in_their_extent_and_are_seeded() {
        for dist in ToyDist::ALL {
            let pts = dist.sample(5000, 1);
            assert_eq!(pts.len(), 5000 * dist.dim());
            let (lo, hi) = dist.extent();
            assert!(pts.iter().all(|&v| (lo as f32..hi as f32).contains(&v)), "{dist:?}");
            assert_eq!(pts, dist.sample(5000, 1));
            assert_ne!(pts, dist.sample(5000, 2));
        }
        // Two moons: every point lies near one of the two unit half circles (centres
        // (-0.5, -0.25) and (0.5, 0.25)); with both moons equally likely the mean is the origin.
        let pts = ToyDist::TwoMoons.sample(4000, 3);
        let near = |p: &[f32], cx: f32, cy: f32| (((p[0] - cx).powi(2) + (p[1] - cy).powi(2)).sqrt() - 1.0).abs() < 0.2;
        let on_a_moon = pts.chunks(2).filter(|p| near(p, -0.5, -0.25) || near(p, 0.5, 0.25)).count();
        assert!(on_a_moon >= 3960, "{on_a_moon}");
        let mean = |axis: usize| pts.chunks(2).map(|p| p[axis]).sum::<f32>() / 4000.0;
        assert!(mean(0).abs() < 0.03 && mean(1).abs() < 0.03, "{} {}", mean(0), mean(1));
    }
}
