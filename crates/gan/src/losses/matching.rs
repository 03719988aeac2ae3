//! The matching-aware discriminator loss of GAN-CLS (Reed et al. 2016, "Generative
//! Adversarial Text to Image Synthesis", Algorithm 1) as StackGAN trains it (Zhang et al.
//! 2017; `hanzhanggit/StackGAN-Pytorch`, `code/miscc/utils.py` `compute_discriminator_loss`):
//! besides real images with their own condition (real) and fakes with theirs (fake), the
//! discriminator scores real images with the wrong condition, image `i` with image `i + 1`'s
//! (`real_imgs[:-1]` with `cond[1:]`), as fake; the two kinds of fake share the fake side's
//! weight: `errD = errD_real + (errD_wrong + errD_fake) / 2`.
//!
//! The reference uses binary cross-entropy; the same split of the fake side is made for the
//! least-squares and Wasserstein losses, and the relativistic pairing loss averages its
//! real-fake and real-wrong pairings. The drift term, where set, is added as usual.

use tch::Tensor;

use super::{bce_with_logits, half_mse, LossConfig, LossKind};

/// The discriminator's matching-aware loss from its scores of real pairs `[B]`, fake pairs
/// `[B]` and wrong pairs `[B - 1]` (real image `i` with condition `i + 1`).
pub fn matching_aware_d_loss(cfg: &LossConfig, real_out: &Tensor, fake_out: &Tensor, wrong_out: &Tensor) -> Tensor {
    let loss = match cfg.kind {
        LossKind::Bce => bce_with_logits(real_out, cfg.real_label()) + (bce_with_logits(wrong_out, 0.0) + bce_with_logits(fake_out, 0.0)) * 0.5,
        LossKind::LeastSquares => half_mse(real_out, 1.0) + (half_mse(wrong_out, 0.0) + half_mse(fake_out, 0.0)) * 0.5,
        LossKind::Wasserstein => (wrong_out.mean(None) + fake_out.mean(None)) * 0.5 - real_out.mean(None),
        LossKind::Relativistic => {
            let n = wrong_out.size()[0];
            let fake = (real_out - fake_out).neg().softplus().mean(None);
            let wrong = (real_out.narrow(0, 0, n) - wrong_out).neg().softplus().mean(None);
            (fake + wrong) * 0.5
        }
    };
    if cfg.drift > 0.0 {
        return loss + real_out.square().mean(None) * cfg.drift;
    }
    loss
}

/// The wrong conditions of a batch's conditions `[B, width]`: row `i` is row `i + 1`'s
/// (`[B - 1, width]`, the reference's `cond[1:]`, paired with images `0 .. B - 1`).
pub fn wrong_conditions(y: &Tensor) -> Tensor {
    let n = y.size()[0];
    y.narrow(0, 1, n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::GeneratorLoss;

    fn t(v: &[f32]) -> Tensor {
        Tensor::from_slice(v)
    }

    /// Worked by hand with logits 0 (BCE ln 2 each): real ln 2 + (ln 2 + ln 2) / 2 = 2 ln 2;
    /// logits real 2, fake -1, wrong 1: softplus(-2) + (softplus(1) + softplus(-1)) / 2.
    #[test]
    fn bce_by_hand() {
        let cfg = LossConfig::bce(GeneratorLoss::NonSaturating, 1.0);
        let zero = t(&[0.0, 0.0]);
        let l = matching_aware_d_loss(&cfg, &zero, &zero, &t(&[0.0])).double_value(&[]);
        assert!((l - 2.0 * 2f64.ln()).abs() < 1e-6, "{l}");
        let sp = |x: f64| (1.0 + x.exp()).ln();
        let l = matching_aware_d_loss(&cfg, &t(&[2.0, 2.0]), &t(&[-1.0, -1.0]), &t(&[1.0])).double_value(&[]);
        let want = sp(-2.0) + (sp(1.0) + sp(-1.0)) / 2.0;
        assert!((l - want).abs() < 1e-6, "{l} vs {want}");
    }

    /// The relativistic form pairs the first B - 1 real scores with the wrong ones:
    /// real (1, 3), fake (0, 0), wrong (2): (softplus(-1) + softplus(-3)) / 2 / 2 +
    /// softplus(1) / 2.
    #[test]
    fn relativistic_by_hand() {
        let cfg = LossConfig { kind: LossKind::Relativistic, ..LossConfig::default() };
        let sp = |x: f64| (1.0 + x.exp()).ln();
        let l = matching_aware_d_loss(&cfg, &t(&[1.0, 3.0]), &t(&[0.0, 0.0]), &t(&[2.0])).double_value(&[]);
        let want = (sp(-1.0) + sp(-3.0)) / 4.0 + sp(1.0) / 2.0;
        assert!((l - want).abs() < 1e-6, "{l} vs {want}");
        let y = t(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).view([3, 2]);
        assert_eq!(Vec::<f32>::try_from(wrong_conditions(&y).flatten(0, -1)).unwrap(), vec![3.0, 4.0, 5.0, 6.0]);
    }
}
