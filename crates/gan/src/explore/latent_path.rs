//! Paths through latent space for interpolation and morphing: linear interpolation, and
//! spherical linear interpolation (Shoemake 1985), which White, "Sampling Generative
//! Networks" (2016) recommends for Gaussian latents because it keeps the points at the norm
//! typical of the prior instead of cutting through the low-density centre.

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// How a path joins two latents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
pub enum PathMode {
    /// Straight line.
    Lerp,
    /// Great circle (keeps Gaussian latents at a typical norm).
    #[default]
    Slerp,
}

/// `frames` points from `a` to `b` (1-D tensors of the same length), both ends included:
/// `[frames, dim]`. `frames` must be at least 2.
pub fn latent_path(a: &Tensor, b: &Tensor, frames: i64, mode: PathMode) -> Tensor {
    assert!(frames >= 2, "a path needs at least 2 frames");
    let (a64, b64) = (a.to_kind(Kind::Double), b.to_kind(Kind::Double));
    let t = Tensor::linspace(0.0, 1.0, frames, (Kind::Double, a.device())).unsqueeze(1);
    let (wa, wb) = match mode {
        PathMode::Lerp => (Tensor::from(1.0) - &t, t),
        PathMode::Slerp => {
            let cos = (a64.dot(&b64) / (a64.norm() * b64.norm())).clamp(-1.0, 1.0);
            let omega = cos.acos().double_value(&[]);
            if omega.sin().abs() < 1e-6 {
                // (Anti)parallel ends: slerp degenerates; the straight line is the limit.
                (Tensor::from(1.0) - &t, t)
            } else {
                let s = omega.sin();
                let one_minus: Tensor = 1.0 - &t;
                ((one_minus * omega).sin() / s, (&t * omega).sin() / s)
            }
        }
    };
    (wa * a64.unsqueeze(0) + wb * b64.unsqueeze(0)).to_kind(a.kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(t: &Tensor) -> Vec<Vec<f64>> {
        (0..t.size()[0]).map(|i| Vec::<f64>::try_from(t.get(i).to_kind(Kind::Double)).unwrap()).collect()
    }

    #[test]
    fn lerp_by_hand() {
        let p = latent_path(&Tensor::from_slice(&[0.0f64, 2.0]), &Tensor::from_slice(&[4.0f64, -2.0]), 3, PathMode::Lerp);
        assert_eq!(rows(&p), vec![vec![0.0, 2.0], vec![2.0, 0.0], vec![4.0, -2.0]]);
    }

    /// Between the orthogonal unit vectors e1 and e2 the slerp midpoint is
    /// (cos 45deg, sin 45deg) and every point keeps norm 1 (lerp's midpoint has norm 0.707).
    #[test]
    fn slerp_by_hand_keeps_the_norm() {
        let (a, b) = (Tensor::from_slice(&[1.0f64, 0.0]), Tensor::from_slice(&[0.0f64, 1.0]));
        let p = rows(&latent_path(&a, &b, 5, PathMode::Slerp));
        let h = std::f64::consts::FRAC_1_SQRT_2;
        assert!((p[2][0] - h).abs() < 1e-12 && (p[2][1] - h).abs() < 1e-12, "{p:?}");
        // 22.5 degrees at t = 1/4.
        let q = std::f64::consts::PI / 8.0;
        assert!((p[1][0] - q.cos()).abs() < 1e-12 && (p[1][1] - q.sin()).abs() < 1e-12);
        for r in &p {
            assert!(((r[0] * r[0] + r[1] * r[1]).sqrt() - 1.0).abs() < 1e-12);
        }
        assert_eq!(p[0], vec![1.0, 0.0]);
        assert!((p[4][0]).abs() < 1e-12 && (p[4][1] - 1.0).abs() < 1e-12);
        // Parallel ends fall back to the straight line instead of dividing by sin 0.
        let same = latent_path(&a, &(&a * 2.0), 3, PathMode::Slerp);
        assert_eq!(rows(&same)[1], vec![1.5, 0.0]);
    }
}
