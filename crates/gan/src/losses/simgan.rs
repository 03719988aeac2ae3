//! SimGAN's losses (Shrivastava et al., "Learning from Simulated and Unsupervised Images
//! through Adversarial Training", CVPR 2017, eqs. 2-4), on the local discriminator's map of
//! two logits per patch, channel 0 "refined", channel 1 "real":
//! - the local adversarial loss: the cross-entropy of each patch's softmax against its class,
//!   averaged over patches and images (the paper sums over patches; the mean only rescales
//!   the weight below);
//! - the discriminator's loss: real images as real plus refined images (half of them from the
//!   history of refined images) as refined;
//! - the refiner's loss: its images judged real, plus `lambda` times the self-regularisation
//!   `|R(x) - x|_1`, the mean absolute change per pixel (the paper's `psi` is the identity).

use tch::Tensor;

/// The class index of real images in the discriminator's map.
const REAL: i64 = 1;

/// The mean cross-entropy of the patch logits `[B, 2, h, w]` against `real` (or refined).
pub fn local_adversarial(logits: &Tensor, real: bool) -> Tensor {
    let class = if real { REAL } else { 1 - REAL };
    -logits.log_softmax(1, None).select(1, class).mean(None)
}

/// The discriminator's loss: `local(D(y), real) + local(D(refined), refined)`.
pub fn discriminator_loss(real: &Tensor, refined: &Tensor) -> Tensor {
    local_adversarial(real, true) + local_adversarial(refined, false)
}

/// `mean |refined - synthetic|`.
pub fn self_regularisation(refined: &Tensor, synthetic: &Tensor) -> Tensor {
    (refined - synthetic).abs().mean(None)
}

/// The refiner's loss: `local(D(R(x)), real) + lambda * |R(x) - x|`, and its two terms.
pub fn refiner_loss(logits: &Tensor, refined: &Tensor, synthetic: &Tensor, lambda: f64) -> (Tensor, Tensor, Tensor) {
    let (adv, reg) = (local_adversarial(logits, true), self_regularisation(refined, synthetic));
    (&adv + &reg * lambda, adv, reg)
}

/// The mean probability the patches give to "real".
pub fn real_score(logits: &Tensor) -> Tensor {
    logits.softmax(1, None).select(1, REAL).mean(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// Worked by hand: a patch with logits (refined 0, real ln 3) gives "real" 3/4, so its
    /// cross-entropy is ln(4/3) as real and ln 4 as refined; equal logits give ln 2.
    #[test]
    fn patch_cross_entropies_match_hand_values() {
        // Channel 0 (refined) = (0, 0), channel 1 (real) = (ln 3, 0): two patches.
        let logits = Tensor::from_slice(&[0.0f32, 0.0, 3f32.ln(), 0.0]).view([1, 2, 1, 2]);
        let as_real = local_adversarial(&logits, true).double_value(&[]);
        let as_refined = local_adversarial(&logits, false).double_value(&[]);
        assert!((as_real - ((4.0f64 / 3.0).ln() + 2f64.ln()) / 2.0).abs() < 1e-6, "{as_real}");
        assert!((as_refined - (4f64.ln() + 2f64.ln()) / 2.0).abs() < 1e-6, "{as_refined}");
        assert!((real_score(&logits).double_value(&[]) - (0.75 + 0.5) / 2.0).abs() < 1e-6);
        let d = discriminator_loss(&logits, &logits).double_value(&[]);
        assert!((d - as_real - as_refined).abs() < 1e-6);
    }

    /// Worked by hand: refined pixels (0.5, -0.5, 1, 1) against (0, 0, 1, 0) differ by 2 in
    /// all, 0.5 per pixel; the refiner's loss adds lambda times that to its adversarial term.
    #[test]
    fn self_regularisation_is_the_mean_absolute_change() {
        let r = Tensor::from_slice(&[0.5f32, -0.5, 1.0, 1.0]).view([1, 1, 2, 2]);
        let x = Tensor::from_slice(&[0.0f32, 0.0, 1.0, 0.0]).view([1, 1, 2, 2]);
        assert!((self_regularisation(&r, &x).double_value(&[]) - 0.5).abs() < 1e-7);
        let logits = Tensor::zeros([1, 2, 3, 3], (Kind::Float, Device::Cpu));
        let (total, adv, reg) = refiner_loss(&logits, &r, &x, 4.0);
        assert!((adv.double_value(&[]) - 2f64.ln()).abs() < 1e-6 && (reg.double_value(&[]) - 0.5).abs() < 1e-7);
        assert!((total.double_value(&[]) - 2f64.ln() - 2.0).abs() < 1e-6);
    }
}
