//! Elastic distortion for the digit renderer (Simard, Steinkraus & Platt, "Best Practices for
//! Convolutional Neural Networks Applied to Visual Document Analysis", ICDAR 2003, section 2):
//! every pixel moves by a random displacement field, uniform in [-1, 1] per pixel and axis,
//! smoothed by a Gaussian of standard deviation `sigma` and scaled by `alpha` (both in 28x28
//! pixels; the paper's MNIST values are sigma 4 and alpha 34). Where affine jitter only moves
//! and tilts a glyph, this bends its strokes locally, the way handwriting varies.
//!
//! The field is drawn and smoothed at 28x28 and interpolated bilinearly onto the renderer's
//! 112x112 canvas, which is resampled bilinearly (zero outside).

use serde::{Deserialize, Serialize};

use crate::rendered::{bilinear, gaussian_blur, BIG, SIDE, UP};
use crate::rng::SplitMix64;

/// `[data.elastic]` / `[data.render.elastic]`: the displacement field's scale and smoothness.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Elastic {
    /// The field's scale, in 28x28 pixels (Simard et al.: 34).
    pub alpha: f64,
    /// The smoothing Gaussian's standard deviation, in 28x28 pixels (Simard et al.: 4).
    #[serde(default = "default_sigma")]
    pub sigma: f64,
}

fn default_sigma() -> f64 {
    Elastic::SIMARD.sigma
}

impl Elastic {
    /// Simard et al.'s values for MNIST: alpha 34, sigma 4.
    pub const SIMARD: Elastic = Elastic { alpha: 34.0, sigma: 4.0 };

    /// What is wrong with the settings, each naming its field (under `data.elastic`).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, v, lo, hi) in [("alpha", self.alpha, 0.0, 100.0), ("sigma", self.sigma, 1.0, 10.0)] {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                p.push(format!("data.elastic.{name} must be between {lo} and {hi}, got {v}"));
            }
        }
        p
    }

    /// The 112x112 `canvas` displaced by a field drawn from `rng`.
    pub fn distort(&self, canvas: &[f32], rng: &mut SplitMix64) -> Vec<f32> {
        let mut field = || {
            let noise: Vec<f64> = (0..SIDE * SIDE).map(|_| 2.0 * rng.uniform() - 1.0).collect();
            gaussian_blur(&noise, self.sigma).into_iter().map(|v| v * self.alpha * UP as f64).collect::<Vec<f64>>()
        };
        let (fx, fy) = (field(), field());
        (0..BIG * BIG)
            .map(|i| {
                let (x, y) = ((i % BIG) as f64, (i / BIG) as f64);
                // This canvas pixel's position in the 28x28 field's pixel centres.
                let (u, v) = ((x + 0.5) / UP as f64 - 0.5, (y + 0.5) / UP as f64 - 0.5);
                let (dx, dy) = (bilinear(&fx, (SIDE, SIDE), u, v, true), bilinear(&fy, (SIDE, SIDE), u, v, true));
                bilinear(canvas, (BIG, BIG), x + dx, y + dy, false) as f32
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zero field (alpha 0) leaves the canvas as it was, pixel for pixel.
    #[test]
    fn a_zero_field_is_the_identity() {
        let canvas: Vec<f32> = (0..BIG * BIG).map(|i| ((i * 7919) % 256) as f32 / 255.0).collect();
        let out = Elastic { alpha: 0.0, sigma: 4.0 }.distort(&canvas, &mut SplitMix64::new(1));
        assert_eq!(out, canvas);
    }
}
