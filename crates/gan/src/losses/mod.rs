//! Adversarial losses, each written on the discriminator's raw outputs.
//!
//! - `bce`: Goodfellow et al., "Generative Adversarial Nets" (NeurIPS 2014). The
//!   discriminator outputs logits `l`, `D(x) = sigmoid(l)`, and every loss is numerically
//!   stable binary cross-entropy on logits (`softplus` form), never `log(sigmoid)`.
//!   Discriminator: `BCE(D(x), r) + BCE(D(G(z)), 0)` where `r` is the real label (1, or 0.9
//!   with one-sided label smoothing, Salimans et al. 2016). Generator, `minimax`: minimise
//!   `mean log(1 - D(G(z)))`, the saturating objective of the value function;
//!   `non-saturating`: minimise `-mean log D(G(z))`, the paper's practical advice.
//! - `wasserstein`: Arjovsky et al., "Wasserstein GAN" (ICML 2017). A critic `C` (no
//!   sigmoid) estimates the Earth Mover's distance as `mean C(x) - mean C(G(z))`; it minimises
//!   `mean C(G(z)) - mean C(x)` and the generator minimises `-mean C(G(z))`. Only meaningful
//!   with a Lipschitz constraint on `C` (see [`crate::losses::penalty`]).
//! - `least-squares`: Mao et al., "Least Squares Generative Adversarial Networks" (ICCV
//!   2017) with the 0-1 coding: `D` minimises `1/2 mean (D(x) - 1)^2 + 1/2 mean D(G(z))^2`,
//!   `G` minimises `1/2 mean (D(G(z)) - 1)^2`.
//! - `relativistic`: the relativistic pairing GAN (RpGAN) of Jolicoeur-Martineau, "The
//!   relativistic discriminator: a key element missing from standard GAN" (ICLR 2019), as
//!   used by Huang et al., "The GAN is dead; long live the GAN! A Modern GAN Baseline"
//!   (NeurIPS 2024, R3GAN): each real sample is paired with one fake and `D` minimises
//!   `mean softplus(-(D(x) - D(G(z))))`, `G` minimises `mean softplus(-(D(G(z)) - D(x)))`
//!   (on the same pairs, `D(x)` scored by the current discriminator). With the R1 + R2
//!   penalties ([`crate::losses::penalty`]) this is R3GAN's objective.

pub mod cartoon;
pub mod matching;
pub mod path_length;
pub mod penalty;
pub mod simgan;
pub mod translation;

use serde::{Deserialize, Serialize};
use tch::{Reduction, Tensor};

use crate::losses::penalty::Lipschitz;

/// The family of adversarial loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LossKind {
    #[default]
    Bce,
    Wasserstein,
    /// Also read as `lsgan` (Mao et al.'s name, and translation configs written before the
    /// PatchGAN losses became loss kinds).
    #[serde(alias = "lsgan")]
    LeastSquares,
    Relativistic,
}

/// The generator's objective under the `bce` loss.
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
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossConfig {
    #[serde(default)]
    pub kind: LossKind,
    /// `bce` only (default `non-saturating`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generator: Option<GeneratorLoss>,
    /// `bce` only: target for real images (one-sided label smoothing when < 1; default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_label: Option<f64>,
    /// How the discriminator is kept Lipschitz (required for `wasserstein`).
    #[serde(default)]
    pub lipschitz: Lipschitz,
    /// ProGAN's drift term (Karras et al. 2018, sec. A.1): `drift * E[D(x)^2]` over the real
    /// scores added to the discriminator's loss, keeping a critic's outputs near 0 (0.001
    /// there; 0, the default, is none).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub drift: f64,
    /// Conditional runs: the discriminator also sees real images with the wrong condition
    /// (the next image's), as fakes (StackGAN's matching-aware loss, [`matching`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub matching_aware: bool,
}

fn is_zero(v: &f64) -> bool {
    *v == 0.0
}

impl LossConfig {
    /// The 2014 GAN's loss with the given generator objective and real label.
    pub fn bce(generator: GeneratorLoss, real_label: f64) -> Self {
        Self { kind: LossKind::Bce, generator: Some(generator), real_label: Some(real_label), lipschitz: Lipschitz::None, drift: 0.0, matching_aware: false }
    }

    /// A Wasserstein critic loss kept Lipschitz by `lipschitz`.
    pub fn wasserstein(lipschitz: Lipschitz) -> Self {
        Self { kind: LossKind::Wasserstein, generator: None, real_label: None, lipschitz, drift: 0.0, matching_aware: false }
    }

    pub fn generator_loss(&self) -> GeneratorLoss {
        self.generator.unwrap_or_default()
    }

    pub fn real_label(&self) -> f64 {
        self.real_label.unwrap_or(1.0)
    }

    /// This loss during step `step` (from 0) of `total`, scheduled weights at their value then.
    pub fn at(&self, step: u64, total: u64) -> LossConfig {
        LossConfig { lipschitz: self.lipschitz.at(step, total), ..self.clone() }
    }

    /// Every problem, including parts that cannot be combined.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if let Some(r) = self.real_label {
            if !(r > 0.5 && r <= 1.0) {
                p.push(format!("real_label must be in (0.5, 1.0], got {r}"));
            }
        }
        if self.kind != LossKind::Bce {
            let kind = self.kind.name();
            if self.generator.is_some() {
                p.push(format!("generator applies only to kind = \"bce\", not \"{kind}\"; remove it"));
            }
            if self.real_label.is_some() {
                p.push(format!("real_label applies only to kind = \"bce\", not \"{kind}\"; remove it"));
            }
        }
        if !(self.drift >= 0.0 && self.drift.is_finite()) {
            p.push(format!("drift must be a number >= 0, got {}", self.drift));
        }
        p.extend(self.lipschitz.problems().into_iter().map(|s| format!("lipschitz.{s}")));
        match (self.kind, &self.lipschitz) {
            (LossKind::Wasserstein, Lipschitz::None) => {
                p.push("kind = \"wasserstein\" needs a 1-Lipschitz critic: set lipschitz.kind to \"clip\" or \"gradient-penalty\"".into())
            }
            (LossKind::Wasserstein, Lipschitz::R1 { .. } | Lipschitz::R1R2 { .. }) => p.push(format!(
                "lipschitz.kind = \"{}\" is a zero-centred penalty and does not keep a Wasserstein critic \
                 1-Lipschitz: use \"clip\" or \"gradient-penalty\", or kind = \"bce\" or \"relativistic\" with it",
                self.lipschitz.name()
            )),
            (LossKind::Bce | LossKind::LeastSquares | LossKind::Relativistic, Lipschitz::Clip { .. }) => p.push(format!(
                "lipschitz.kind = \"clip\" needs kind = \"wasserstein\": clipping the weights of a {} discriminator only \
                 shrinks its outputs towards 0 (it does not estimate a distance); use the gradient penalty or kind = \"wasserstein\"",
                match self.kind {
                    LossKind::Bce => "sigmoid/BCE",
                    other => other.name(),
                }
            )),
            _ => {}
        }
        p
    }
}

impl LossKind {
    /// The name used in configuration files.
    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    /// Whether the generator's loss compares with the scores of real samples (which the
    /// step then computes with the current discriminator).
    pub fn generator_needs_real(self) -> bool {
        self == LossKind::Relativistic
    }
}

/// Mean binary cross-entropy of `logits` against the constant target `target`.
pub fn bce_with_logits(logits: &Tensor, target: f64) -> Tensor {
    let t = logits.full_like(target);
    logits.binary_cross_entropy_with_logits::<Tensor>(&t, None, None, Reduction::Mean)
}

fn half_mse(out: &Tensor, target: f64) -> Tensor {
    (out - target).square().mean(None) * 0.5
}

/// The discriminator's (critic's) adversarial loss with the drift term, without any
/// Lipschitz penalty.
pub fn discriminator_loss(cfg: &LossConfig, real_out: &Tensor, fake_out: &Tensor) -> Tensor {
    let loss = adversarial_d_loss(cfg, real_out, fake_out);
    if cfg.drift > 0.0 {
        return loss + real_out.square().mean(None) * cfg.drift;
    }
    loss
}

fn adversarial_d_loss(cfg: &LossConfig, real_out: &Tensor, fake_out: &Tensor) -> Tensor {
    match cfg.kind {
        LossKind::Bce => bce_with_logits(real_out, cfg.real_label()) + bce_with_logits(fake_out, 0.0),
        LossKind::Wasserstein => fake_out.mean(None) - real_out.mean(None),
        LossKind::LeastSquares => half_mse(real_out, 1.0) + half_mse(fake_out, 0.0),
        LossKind::Relativistic => (real_out - fake_out).neg().softplus().mean(None),
    }
}

/// The generator's loss on the discriminator's outputs for generated images, and for the
/// real images they are paired with (required by [`LossKind::generator_needs_real`]
/// losses, ignored by the others).
pub fn generator_loss(cfg: &LossConfig, fake_out: &Tensor, real_out: Option<&Tensor>) -> Tensor {
    match cfg.kind {
        LossKind::Bce => match cfg.generator_loss() {
            // log(1 - sigmoid(l)) = -softplus(l) = -BCE(l, 0)
            GeneratorLoss::Minimax => -bce_with_logits(fake_out, 0.0),
            // -log sigmoid(l) = softplus(-l) = BCE(l, 1)
            GeneratorLoss::NonSaturating => bce_with_logits(fake_out, 1.0),
        },
        LossKind::Wasserstein => -fake_out.mean(None),
        LossKind::LeastSquares => half_mse(fake_out, 1.0),
        LossKind::Relativistic => {
            let real_out = real_out.expect("the relativistic generator loss is given the real scores");
            (fake_out - real_out.detach()).neg().softplus().mean(None)
        }
    }
}

/// The mean score reported for a batch: `D(x)` as a probability for `bce`, the raw output
/// otherwise.
pub fn mean_score(cfg: &LossConfig, out: &Tensor) -> Tensor {
    match cfg.kind {
        LossKind::Bce => out.sigmoid().mean(None),
        LossKind::Wasserstein | LossKind::LeastSquares | LossKind::Relativistic => out.mean(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sigmoid(x: f64) -> f64 {
        1.0 / (1.0 + (-x).exp())
    }

    fn ns_cfg() -> LossConfig {
        LossConfig::bce(GeneratorLoss::NonSaturating, 1.0)
    }

    fn mm_cfg() -> LossConfig {
        LossConfig::bce(GeneratorLoss::Minimax, 1.0)
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
        assert!((generator_loss(&ns_cfg(), &t(&l), None).double_value(&[]) - ns).abs() < 1e-12);
        assert!((generator_loss(&mm_cfg(), &t(&l), None).double_value(&[]) - mm).abs() < 1e-12);
        assert!((discriminator_loss(&LossConfig::bce(GeneratorLoss::NonSaturating, 0.9), &t(&l), &t(&l)).double_value(&[]) - d).abs() < 1e-12);
        // ln 2 for a logit of 0 against target 1: the classic "D is guessing" value.
        assert!((bce_with_logits(&t(&[0.0]), 1.0).double_value(&[]) - 2f64.ln()).abs() < 1e-15);
    }

    #[test]
    fn stable_at_extreme_logits() {
        let l = t(&[-200.0, 200.0]);
        for v in [generator_loss(&ns_cfg(), &l, None), generator_loss(&mm_cfg(), &l, None), discriminator_loss(&ns_cfg(), &l, &l)] {
            assert!(v.double_value(&[]).is_finite());
        }
        // -log sigmoid(-200) = 200 exactly in f64 (softplus form), not inf.
        let ns = generator_loss(&ns_cfg(), &t(&[-200.0]), None);
        assert!((ns.double_value(&[]) - 200.0).abs() < 1e-9);
    }

    #[test]
    fn minimax_saturates_and_non_saturating_does_not() {
        // When D confidently rejects a fake (logit -10), the minimax generator gets almost
        // no gradient (-sigmoid(l) ~ -4.5e-5) while the non-saturating one gets ~ -1.
        let grad = |kind| {
            let l = Tensor::from_slice(&[-10.0f64]).set_requires_grad(true);
            generator_loss(&kind, &l, None).backward();
            l.grad().double_value(&[0])
        };
        let mm = grad(mm_cfg());
        let ns = grad(ns_cfg());
        assert!((mm - (-sigmoid(-10.0))).abs() < 1e-12, "{mm}");
        assert!((ns - (sigmoid(-10.0) - 1.0)).abs() < 1e-12, "{ns}");
        assert!(ns.abs() > 1e4 * mm.abs());
    }

    #[test]
    fn wasserstein_and_least_squares_by_hand() {
        let (r, f) = (t(&[1.0, 3.0]), t(&[-2.0, 0.5]));
        let w = LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 });
        // critic: mean C(fake) - mean C(real) = -0.75 - 2 ; generator: -mean C(fake) = 0.75
        assert!((discriminator_loss(&w, &r, &f).double_value(&[]) - (-2.75)).abs() < 1e-12);
        assert!((generator_loss(&w, &f, None).double_value(&[]) - 0.75).abs() < 1e-12);
        let ls = LossConfig { kind: LossKind::LeastSquares, ..Default::default() };
        // 1/2 mean((r-1)^2) + 1/2 mean(f^2) = 1/2 (0 + 4)/2 + 1/2 (4 + 0.25)/2
        assert!((discriminator_loss(&ls, &r, &f).double_value(&[]) - (1.0 + 1.0625)).abs() < 1e-12);
        // 1/2 mean((f-1)^2) = 1/2 (9 + 0.25)/2
        assert!((generator_loss(&ls, &f, None).double_value(&[]) - 2.3125).abs() < 1e-12);
    }

    #[test]
    fn incompatible_parts_are_refused_with_reasons() {
        let clip_bce = LossConfig { lipschitz: Lipschitz::Clip { clip: 0.01 }, ..LossConfig::bce(GeneratorLoss::NonSaturating, 1.0) };
        let e = clip_bce.problems().join("\n");
        assert!(e.contains("sigmoid/BCE") && e.contains("wasserstein"), "{e}");
        let bare = LossConfig::wasserstein(Lipschitz::None);
        assert!(bare.problems().join("\n").contains("1-Lipschitz"));
        let r1 = LossConfig::wasserstein(Lipschitz::R1 { weight: 1.0 });
        assert!(r1.problems().join("\n").contains("\"r1\" is a zero-centred penalty"), "{:?}", r1.problems());
        let r1_bce = LossConfig { lipschitz: Lipschitz::R1 { weight: 0.1 }, ..LossConfig::default() };
        assert!(r1_bce.problems().is_empty(), "{:?}", r1_bce.problems());
        let r1_bad = LossConfig { lipschitz: Lipschitz::R1 { weight: -1.0 }, ..LossConfig::default() };
        assert!(r1_bad.problems().join("\n").contains("lipschitz.weight must be a positive number"), "{:?}", r1_bad.problems());
        let mut w = LossConfig::wasserstein(Lipschitz::Clip { clip: 0.01 });
        assert!(w.problems().is_empty());
        w.real_label = Some(0.9);
        assert!(w.problems().join("\n").contains("real_label applies only"));
        // A gradient penalty on a BCE discriminator is allowed (Fedus et al. 2018).
        let gp_bce = LossConfig { lipschitz: Lipschitz::GradientPenalty { weight: 10.0 }, ..LossConfig::default() };
        assert!(gp_bce.problems().is_empty());
    }

    /// By hand: pairs (D(x), D(G(z))) = (1, -2), (0.5, 0.5), (-1, 3):
    /// D's loss is mean softplus(-(r - f)) = mean(ln(1 + e^-3), ln 2, ln(1 + e^4)),
    /// G's loss mean softplus(-(f - r)) = mean(ln(1 + e^3), ln 2, ln(1 + e^-4)).
    #[test]
    fn relativistic_pairing_by_hand() {
        let (r, f) = (t(&[1.0, 0.5, -1.0]), t(&[-2.0, 0.5, 3.0]));
        let cfg = LossConfig { kind: LossKind::Relativistic, ..LossConfig::default() };
        let sp = |x: f64| (1.0 + x.exp()).ln();
        let d = (sp(-3.0) + 2f64.ln() + sp(4.0)) / 3.0;
        let g = (sp(3.0) + 2f64.ln() + sp(-4.0)) / 3.0;
        assert!((discriminator_loss(&cfg, &r, &f).double_value(&[]) - d).abs() < 1e-12);
        assert!((generator_loss(&cfg, &f, Some(&r)).double_value(&[]) - g).abs() < 1e-12);
        // G's gradient flows through its own scores only: d/df_i = sigmoid(r_i - f_i) / 3.
        let fv = f.set_requires_grad(true);
        let rv = r.set_requires_grad(true);
        generator_loss(&cfg, &fv, Some(&rv)).backward();
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        for (i, want) in [sig(3.0), sig(0.0), sig(-4.0)].iter().enumerate() {
            assert!((fv.grad().double_value(&[i as i64]) + want / 3.0).abs() < 1e-12);
        }
        assert!(!rv.grad().defined(), "no gradient reaches the real scores");
        assert!(cfg.problems().is_empty());
        let clip = LossConfig { lipschitz: Lipschitz::Clip { clip: 0.01 }, ..cfg };
        assert!(clip.problems().join(" ").contains("relativistic discriminator"), "{:?}", clip.problems());
    }

    #[test]
    fn real_label_validated() {
        assert!(LossConfig::bce(GeneratorLoss::NonSaturating, 0.9).problems().is_empty());
        assert!(!LossConfig::bce(GeneratorLoss::NonSaturating, 1.2).problems().is_empty());
    }
}
