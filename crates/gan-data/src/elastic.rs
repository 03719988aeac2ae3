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

use crate::rendered::{gaussian_blur, BIG, SIDE, UP};
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
    4.0
}

impl Elastic {
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
                let (dx, dy) = (bilinear(&fx, SIDE, u, v, true), bilinear(&fy, SIDE, u, v, true));
                bilinear(canvas, BIG, x + dx, y + dy, false) as f32
            })
            .collect()
    }
}

/// `img` (`side x side`) at `(x, y)`, bilinearly; outside it the nearest edge (`clamp`) or 0.
fn bilinear<T: Copy + Into<f64>>(img: &[T], side: usize, x: f64, y: f64, clamp: bool) -> f64 {
    let max = (side - 1) as f64;
    let (x, y) = if clamp { (x.clamp(0.0, max), y.clamp(0.0, max)) } else { (x, y) };
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = (x - x0, y - y0);
    let at = |x: f64, y: f64| if x < 0.0 || y < 0.0 || x > max || y > max { 0.0 } else { img[y as usize * side + x as usize].into() };
    at(x0, y0) * (1.0 - tx) * (1.0 - ty) + at(x0 + 1.0, y0) * tx * (1.0 - ty) + at(x0, y0 + 1.0) * (1.0 - tx) * ty + at(x0 + 1.0, y0 + 1.0) * tx * ty
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: the centre of four pixels 0, 1, 2, 3 is their mean 1.5; beyond the
    /// right edge the clamped read repeats the edge and the other reads zero.
    #[test]
    fn bilinear_reads_match_hand_values() {
        let img = [0.0, 1.0, 2.0, 3.0];
        assert!((bilinear(&img, 2, 0.5, 0.5, false) - 1.5).abs() < 1e-12);
        assert!((bilinear(&img, 2, 0.25, 0.0, false) - 0.25).abs() < 1e-12);
        assert!((bilinear(&img, 2, 5.0, 1.0, true) - 3.0).abs() < 1e-12);
        assert_eq!(bilinear(&img, 2, 5.0, 1.0, false), 0.0);
        assert!((bilinear(&[0.0f32, 1.0, 2.0, 3.0], 2, 0.5, 0.5, false) - 1.5).abs() < 1e-12);
    }

    /// A zero field (alpha 0) leaves the canvas as it was, pixel for pixel.
    #[test]
    fn a_zero_field_is_the_identity() {
        let canvas: Vec<f32> = (0..BIG * BIG).map(|i| ((i * 7919) % 256) as f32 / 255.0).collect();
        let out = Elastic { alpha: 0.0, sigma: 4.0 }.distort(&canvas, &mut SplitMix64::new(1));
        assert_eq!(out, canvas);
    }
}
