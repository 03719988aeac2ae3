//! Findings from the metrics a run logs, each against its `[doctor]` threshold: D's scores
//! (the discriminator wins, or sits at chance while the samples are poor), the critic's Earth
//! Mover's estimate and penalty, and each network's gradient norm against its own history.

use super::{DiagnosisKind, Finding};
use crate::config::DoctorConfig;
use crate::losses::{LossConfig, LossKind};
use crate::run::metrics::names::{D_FAKE, D_GRAD_NORM, D_REAL, G_GRAD_NORM, G_LOSS, PENALTY, WASSERSTEIN};
use crate::run::metrics::StepMetrics;

/// What the sample checks say about the samples' quality: the share that are good, and
/// what "good" means there.
#[derive(Debug, Clone, PartialEq)]
pub struct Quality {
    pub share: f64,
    pub what: &'static str,
}

impl Quality {
    fn poor(q: Option<&Quality>, cfg: &DoctorConfig) -> Option<String> {
        q.filter(|q| q.share < cfg.min_quality).map(|q| format!("only {:.0}% of the samples {}", 100.0 * q.share, q.what))
    }
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// A value over the records since the last check: its first and last.
fn trend(recent: &[StepMetrics], f: impl Fn(&StepMetrics) -> Option<f64>) -> Option<(f64, f64)> {
    let v: Vec<f64> = recent.iter().filter_map(f).collect();
    Some((*v.first()?, *v.last()?))
}

/// Findings from the records logged since the previous check (`history[from..]`), with the
/// whole history as the gradients' reference and the samples' `quality` when a sample check
/// measured it.
pub fn from_metrics(cfg: &DoctorConfig, loss: &LossConfig, history: &[StepMetrics], from: usize, quality: Option<&Quality>) -> Vec<Finding> {
    let recent = &history[from.min(history.len())..];
    let mut out = Vec::new();
    // D's scores are probabilities only under the `bce` loss.
    if loss.kind == LossKind::Bce {
        let fake = mean(recent.iter().filter_map(|m| m.get(D_FAKE)));
        let real = mean(recent.iter().filter_map(|m| m.get(D_REAL)));
        if let (Some(fake), Some(real)) = (fake, real) {
            if fake < cfg.d_fake_floor {
                let g = trend(recent, |m| m.get(G_LOSS)).map_or(String::new(), |(a, b)| format!(", G loss {b:.3} (from {a:.3})"));
                out.push(Finding {
                    kind: DiagnosisKind::DiscriminatorWins,
                    evidence: format!("mean D(G(z)) {fake:.4} below {} with D(x) {real:.3}{g}", cfg.d_fake_floor),
                });
            } else if let Some(poor) = at_chance(cfg, history).and(Quality::poor(quality, cfg)) {
                out.push(Finding {
                    kind: DiagnosisKind::DiscriminatorAtChance,
                    evidence: format!(
                        "D(x) and D(G(z)) within {} of each other for {} steps (now {real:.3} and {fake:.3}), while {poor}",
                        cfg.chance_gap, cfg.chance_steps
                    ),
                });
            }
        }
    }
    if let Some(w) = mean(recent.iter().filter_map(|m| m.get(WASSERSTEIN).map(f64::abs))) {
        if w > cfg.max_wasserstein {
            let mut evidence = format!("|W| estimate {w:.1} above {}", cfg.max_wasserstein);
            if let Some((a, b)) = trend(recent, |m| m.get(WASSERSTEIN)) {
                evidence += &format!(", W {b:.1} (from {a:.1})");
            }
            if let Some((a, b)) = trend(recent, |m| m.get(PENALTY)) {
                evidence += &format!(", penalty {b:.3} (from {a:.3})");
            }
            out.push(Finding { kind: DiagnosisKind::CriticExploding, evidence });
        }
    }
    out.extend(gradients(cfg, history, recent, quality));
    out
}

/// Whether every record of the last `chance_steps` steps has D(x) and D(G(z)) within
/// `chance_gap` (and the history is that long): D cannot tell real from fake. A run with R1
/// keeps D near chance while it learns (measured on the toy R1 recipe: within 0.05 from step
/// 100), so a short stretch says nothing.
fn at_chance(cfg: &DoctorConfig, history: &[StepMetrics]) -> Option<()> {
    let last = history.last()?.step;
    let first = history.first()?.step;
    let since = last.checked_sub(cfg.chance_steps).filter(|&s| s >= first)?;
    history
        .iter()
        .filter(|m| m.step >= since)
        .all(|m| matches!((m.get(D_REAL), m.get(D_FAKE)), (Some(r), Some(f)) if (r - f).abs() < cfg.chance_gap))
        .then_some(())
}

/// A network's gradient explodes when its norm rises past `grad_explode` times its start
/// (the median of its first three logged norms). The generator's vanishes when it falls below
/// `grad_vanish` of its largest so far while the samples are poor: near an equilibrium a
/// healthy run's gradients shrink too (measured: the R1 toy recipe's G norm falls to 1% of its
/// start over 11,000 steps), and a discriminator that wins has a small gradient of its own.
fn gradients(cfg: &DoctorConfig, history: &[StepMetrics], recent: &[StepMetrics], quality: Option<&Quality>) -> Option<Finding> {
    type Norm = fn(&StepMetrics) -> Option<f64>;
    let nets: [(&str, Norm); 2] = [("G", |m| m.get(G_GRAD_NORM)), ("D", |m| m.get(D_GRAD_NORM))];
    for (name, norm) in nets {
        let Some(now) = recent.iter().rev().find_map(norm) else { continue };
        let mut first: Vec<f64> = history.iter().filter_map(norm).take(3).collect();
        first.sort_by(f64::total_cmp);
        let start = first[first.len() / 2];
        if now > cfg.grad_explode * start {
            let evidence = format!("{name}'s gradient norm {now:.3e} is {:.0}x its {start:.3e} at the start", now / start);
            return Some(Finding { kind: DiagnosisKind::ExplodingGradient, evidence });
        }
        let peak = history.iter().filter_map(norm).fold(0.0, f64::max);
        if name == "G" && now < cfg.grad_vanish * peak {
            if let Some(poor) = Quality::poor(quality, cfg) {
                let evidence = format!("G's gradient norm {now:.3e} is {:.2}% of its largest, {peak:.3e}, while {poor}", 100.0 * now / peak);
                return Some(Finding { kind: DiagnosisKind::VanishingGradient, evidence });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::GeneratorLoss;

    fn m(step: u64, d_real: f64, d_fake: f64, g: f64) -> StepMetrics {
        StepMetrics::of(step, &[("d_loss", 0.1), ("g_loss", g), ("d_real", d_real), ("d_fake", d_fake)])
    }

    fn kinds(f: &[Finding]) -> Vec<DiagnosisKind> {
        f.iter().map(|f| f.kind).collect()
    }

    #[test]
    fn thresholds_decide_each_score_finding() {
        let cfg = DoctorConfig::default();
        let bce = LossConfig::bce(GeneratorLoss::Minimax, 1.0);
        let winning = [m(10, 0.99, 0.01, 4.0), m(20, 0.99, 0.02, 5.0)];
        let f = from_metrics(&cfg, &bce, &winning, 0, None);
        assert_eq!(kinds(&f), [DiagnosisKind::DiscriminatorWins]);
        assert!(f[0].evidence.contains("D(G(z)) 0.0150") && f[0].evidence.contains("G loss 5.000 (from 4.000)"), "{}", f[0].evidence);
        assert!(from_metrics(&cfg, &bce, &[m(10, 0.6, 0.4, 1.0)], 0, None).is_empty());
        // Under another loss D's scores are not probabilities.
        let ls = LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() };
        assert!(from_metrics(&cfg, &ls, &winning, 0, None).is_empty());
        let mut w = [m(10, 0.0, 0.0, 0.0), m(20, 0.0, 0.0, 0.0)];
        for (r, (wd, p)) in w.iter_mut().zip([(-40.0, 0.5), (-120.0, 2.0)]) {
            r.set(WASSERSTEIN, wd);
            r.set(PENALTY, p);
        }
        let f = from_metrics(&cfg, &ls, &w, 0, None);
        assert_eq!(kinds(&f), [DiagnosisKind::CriticExploding]);
        assert_eq!(f[0].evidence, "|W| estimate 80.0 above 50, W -120.0 (from -40.0), penalty 2.000 (from 0.500)");
    }

    /// D at chance is a finding only over a long stretch and while the samples are poor: a
    /// healthy run near its equilibrium, or one with R1, has D at chance too.
    #[test]
    fn d_at_chance_needs_a_long_stretch_and_poor_samples() {
        let cfg = DoctorConfig { chance_steps: 20, ..DoctorConfig::default() };
        let bce = LossConfig::bce(GeneratorLoss::NonSaturating, 1.0);
        let chance = [m(10, 0.51, 0.49, 0.7), m(20, 0.5, 0.47, 0.7), m(30, 0.52, 0.5, 0.7)];
        let poor = Quality { share: 0.1, what: "are high quality" };
        let good = Quality { share: 0.9, what: "are high quality" };
        assert!(from_metrics(&cfg, &bce, &chance, 2, None).is_empty());
        assert!(from_metrics(&cfg, &bce, &chance, 2, Some(&good)).is_empty());
        let f = from_metrics(&cfg, &bce, &chance, 2, Some(&poor));
        assert_eq!(kinds(&f), [DiagnosisKind::DiscriminatorAtChance]);
        assert_eq!(
            f[0].evidence,
            "D(x) and D(G(z)) within 0.05 of each other for 20 steps (now 0.520 and 0.500), while only 10% of the samples are high quality"
        );
        // Too short a history, or one record of the stretch apart by 0.05 or more: no finding.
        assert!(from_metrics(&cfg, &bce, &chance[1..], 1, Some(&poor)).is_empty());
        let apart = [m(10, 0.51, 0.49, 0.7), m(20, 0.55, 0.5, 0.7), m(30, 0.52, 0.5, 0.7)];
        assert!(from_metrics(&cfg, &bce, &apart, 2, Some(&poor)).is_empty());
    }

    #[test]
    fn gradients_are_judged_against_their_own_history() {
        let cfg = DoctorConfig::default();
        let ls = LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() };
        let with = |step, g: f64, d: f64| {
            let mut r = m(step, 0.5, 0.5, 0.0);
            r.set(G_GRAD_NORM, g);
            r.set(D_GRAD_NORM, d);
            r
        };
        // Start: median(2, 1, 3) = 2 for G; the peak of G is 3.
        let mut h = vec![with(1, 2.0, 1.0), with(2, 1.0, 1.0), with(3, 3.0, 1.0), with(4, 1.0, 1.0)];
        assert!(from_metrics(&cfg, &ls, &h, 3, None).is_empty());
        h.push(with(5, 201.0, 150.0));
        let f = from_metrics(&cfg, &ls, &h, 4, None);
        assert_eq!(kinds(&f), [DiagnosisKind::ExplodingGradient], "one finding for both networks");
        assert_eq!(f[0].evidence, "G's gradient norm 2.010e2 is 100x its 2.000e0 at the start");
        // 0.02 is under 1% of G's peak, 201: a finding only with poor samples.
        h.push(with(6, 0.02, 1.0));
        assert!(from_metrics(&cfg, &ls, &h, 5, None).is_empty());
        let poor = Quality { share: 0.0, what: "are high quality" };
        let f = from_metrics(&cfg, &ls, &h, 5, Some(&poor));
        assert_eq!(kinds(&f), [DiagnosisKind::VanishingGradient]);
        assert!(f[0].evidence.starts_with("G's gradient norm 2.000e-2 is 0.01% of its largest, 2.010e2"), "{}", f[0].evidence);
    }
}
