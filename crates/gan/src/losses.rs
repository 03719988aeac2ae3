//! Adversarial losses of Goodfellow et al., "Generative Adversarial Nets" (NeurIPS 2014).
//!
//! The discriminator outputs logits `l`, `D(x) = sigmoid(l)`. Every loss is written with
//! numerically stable binary cross-entropy on logits (`softplus` form), never `log(sigmoid)`.
//!
//! - Discriminator: `BCE(D(x), r) + BCE(D(G(z)), 0)` where `r` is the real label (1, or 0.9
//!   with one-sided label smoothing, Salimans et al. 2016).
//! - Generator, `minimax`: minimise `mean log(1 - D(G(z)))`, the saturating objective of the
//!   paper's value function.
//! - Generator, `non-saturating`: minimise `-mean log D(G(z))`, the paper's practical advice
//!   ("strong gradients early in learning").

use serde::{Deserialize, Serialize};
use tch::{Reduction, Tensor};

/// The generator's objective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum GeneratorLoss {
    /// `log(1 - D(G(z)))`, minimised: saturates when D rejects fakes confidently.
    Minimax,
    /// `-log D(G(z))`, minimised.
    #[default]
    NonSaturating,
}

/// The `[loss]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossConfig {
    pub generator: GeneratorLoss,
    /// Target for real images in the discriminator's loss (one-sided label smoothing < 1).
    pub real_label: f64,
}

impl Default for LossConfig {
    fn default() -> Self {
        Self { generator: GeneratorLoss::NonSaturating, real_label: 1.0 }
    }
}

impl LossConfig {
    pub fn problems(&self) -> Vec<String> {
        if self.real_label > 0.5 && self.real_label <= 1.0 {
            vec![]
        } else {
            vec![format!("real_label must be in (0.5, 1.0], got {}", self.real_label)]
        }
    }
}

/// Mean binary cross-entropy of `logits` against the constant target `target`.
pub fn bce_with_logits(logits: &Tensor, target: f64) -> Tensor {
    let t = logits.full_like(target);
    logits.binary_cross_entropy_with_logits::<Tensor>(&t, None, None, Reduction::Mean)
}

/// The discriminator's loss: real images towards `real_label`, fakes towards 0.
pub fn discriminator_loss(real_logits: &Tensor, fake_logits: &Tensor, real_label: f64) -> Tensor {
    bce_with_logits(real_logits, real_label) + bce_with_logits(fake_logits, 0.0)
}

/// The generator's loss on the discriminator's logits for generated images.
pub fn generator_loss(kind: GeneratorLoss, fake_logits: &Tensor) -> Tensor {
    match kind {
        // log(1 - sigmoid(l)) = -softplus(l) = -BCE(l, 0)
        GeneratorLoss::Minimax => -bce_with_logits(fake_logits, 0.0),
        // -log sigmoid(l) = softplus(-l) = BCE(l, 1)
        GeneratorLoss::NonSaturating => bce_with_logits(fake_logits, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    fn t(v: &[f64]) -> Tensor {
        Tensor::from_slice(v)
    }

    #[test]
    fn hand_worked_values() {
        let l = [0.0, 2.0, -3.0];
        // Direct formulas in f64, independent of libtorch.
        let ns: f64 = l.iter().map(|&x| -sigmoid(x).ln()).sum::<f64>() / 3.0;
        let mm: f64 = l.iter().map(|&x| (1.0 - sigmoid(x)).ln()).sum::<f64>() / 3.0;
        let d: f64 = l.iter().map(|&x| -(0.9 * sigmoid(x).ln() + 0.1 * (1.0 - sigmoid(x)).ln())).sum::<f64>() / 3.0
            + l.iter().map(|&x| -(1.0 - sigmoid(x)).ln()).sum::<f64>() / 3.0;
        assert!((generator_loss(GeneratorLoss::NonSaturating, &t(&l)).double_value(&[]) - ns).abs() < 1e-12);
        assert!((generator_loss(GeneratorLoss::Minimax, &t(&l)).double_value(&[]) - mm).abs() < 1e-12);
        assert!((discriminator_loss(&t(&l), &t(&l), 0.9).double_value(&[]) - d).abs() < 1e-12);
        // ln 2 for a logit of 0 against target 1: the classic "D is guessing" value.
        assert!((bce_with_logits(&t(&[0.0]), 1.0).double_value(&[]) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn stable_at_extreme_logits() {
        let l = t(&[-200.0, 200.0]);
        for v in [
            generator_loss(GeneratorLoss::NonSaturating, &l),
            generator_loss(GeneratorLoss::Minimax, &l),
            discriminator_loss(&l, &l, 1.0),
        ] {
            assert!(v.double_value(&[]).is_finite());
        }
        // -log sigmoid(-200) = 200 exactly in f64 (softplus form), not inf.
        let ns = generator_loss(GeneratorLoss::NonSaturating, &t(&[-200.0]));
        assert!((ns.double_value(&[]) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn minimax_saturates_and_non_saturating_does_not() {
        // When D confidently rejects a fake (logit -10), the minimax generator gets almost
        // no gradient (-sigmoid(l) ~ -4.5e-5) while the non-saturating one gets ~ -1.
        let grad = |kind| {
            let l = Tensor::from_slice(&[-10.0f64]).set_requires_grad(true);
            generator_loss(kind, &l).backward();
            l.grad().double_value(&[0])
        };
        let mm = grad(GeneratorLoss::Minimax);
        let ns = grad(GeneratorLoss::NonSaturating);
        assert!((mm - (-sigmoid(-10.0))).abs() < 1e-12, "{mm}");
        assert!((ns - (sigmoid(-10.0) - 1.0)).abs() < 1e-12, "{ns}");
        assert!(ns.abs() > 1e4 * mm.abs());
    }

    #[test]
    fn real_label_validated() {
        assert!(LossConfig { real_label: 0.9, ..Default::default() }.problems().is_empty());
        assert!(!LossConfig { real_label: 1.2, ..Default::default() }.problems().is_empty());
    }
}
