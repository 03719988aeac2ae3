//! The signals a check reads, each turned into a [`Finding`] when it crosses its `[doctor]`
//! threshold: the metrics logged since the previous check (D's scores, the critic's
//! estimate), the modes a toy run's samples cover, and the classes of an image run's samples
//! as the shipped classifier sees them.

use gan_data::modes::ModeReport;
use gan_data::vocab::Vocabulary;

use super::{DiagnosisKind, Finding};
use crate::config::DoctorConfig;
use crate::losses::{LossConfig, LossKind};
use crate::run::metrics::StepMetrics;

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// Findings from the metrics records logged since the previous check.
pub fn from_metrics(cfg: &DoctorConfig, loss: &LossConfig, recent: &[StepMetrics]) -> Vec<Finding> {
    let mut out = Vec::new();
    // D(G(z)) is a probability only under the `bce` loss.
    if loss.kind == LossKind::Bce {
        if let Some(fake) = mean(recent.iter().filter_map(|m| m.d_fake)) {
            if fake < cfg.d_fake_floor {
                let real = mean(recent.iter().filter_map(|m| m.d_real)).unwrap_or(f64::NAN);
                let g: Vec<f64> = recent.iter().filter_map(|m| m.g_loss).collect();
                let trend = match (g.first(), g.last()) {
                    (Some(a), Some(b)) => format!(", G loss {b:.3} (from {a:.3})"),
                    _ => String::new(),
                };
                out.push(Finding {
                    kind: DiagnosisKind::DiscriminatorWins,
                    evidence: format!("mean D(G(z)) {fake:.4} below {} with D(x) {real:.3}{trend}", cfg.d_fake_floor),
                });
            }
        }
    }
    if let Some(w) = mean(recent.iter().filter_map(|m| m.wasserstein.map(f64::abs))) {
        if w > cfg.max_wasserstein {
            out.push(Finding { kind: DiagnosisKind::CriticExploding, evidence: format!("|W| estimate {w:.1} above {}", cfg.max_wasserstein) });
        }
    }
    out
}

/// Mode collapse on a toy mixture: too few modes covered by high-quality samples.
pub fn from_modes(cfg: &DoctorConfig, r: &ModeReport) -> Option<Finding> {
    ((r.covered as f64) < cfg.min_coverage * r.modes as f64).then(|| Finding {
        kind: DiagnosisKind::ModeCollapse,
        evidence: format!("{} of {} modes covered, {:.0}% of {} samples high quality", r.covered, r.modes, 100.0 * r.high_quality, r.samples),
    })
}

/// Mode collapse on images: too few classes among the samples, a class counting when it holds
/// at least `class_presence` of a uniform share.
pub fn from_classes(cfg: &DoctorConfig, shares: &[f64], vocabulary: &Vocabulary, samples: usize) -> Option<Finding> {
    let k = shares.len();
    let floor = cfg.class_presence / k as f64;
    let mut present: Vec<(usize, f64)> = shares.iter().copied().enumerate().filter(|(_, s)| *s >= floor).collect();
    if present.len() as f64 >= cfg.min_coverage * k as f64 {
        return None;
    }
    present.sort_by(|a, b| b.1.total_cmp(&a.1));
    let names: Vec<String> = present.iter().map(|(c, s)| format!("{} {:.0}%", vocabulary.name(*c), 100.0 * s)).collect();
    Some(Finding {
        kind: DiagnosisKind::ModeCollapse,
        evidence: format!("{} of {k} classes among {samples} samples ({})", present.len(), if names.is_empty() { "none".into() } else { names.join(", ") }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::GeneratorLoss;

    fn m(step: u64, d_real: f64, d_fake: f64, g: f64) -> StepMetrics {
        StepMetrics {
            step,
            epoch: 0.0,
            d_loss: Some(0.1),
            g_loss: Some(g),
            d_real: Some(d_real),
            d_fake: Some(d_fake),
            vae: None,
            wasserstein: None,
            penalty: None,
            steps_per_sec: 1.0,
        }
    }

    #[test]
    fn thresholds_decide_each_finding() {
        let cfg = DoctorConfig::default();
        let bce = LossConfig::bce(GeneratorLoss::Minimax, 1.0);
        let winning = [m(10, 0.99, 0.01, 4.0), m(20, 0.99, 0.02, 5.0)];
        let f = from_metrics(&cfg, &bce, &winning);
        assert_eq!(f.len(), 1);
        assert!(f[0].evidence.contains("D(G(z)) 0.0150") && f[0].evidence.contains("G loss 5.000 (from 4.000)"), "{}", f[0].evidence);
        assert!(from_metrics(&cfg, &bce, &[m(10, 0.6, 0.4, 1.0)]).is_empty());
        // Under another loss D's scores are not probabilities.
        let ls = LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() };
        assert!(from_metrics(&cfg, &ls, &winning).is_empty());
        let mut w = m(10, 0.0, 0.0, 0.0);
        w.wasserstein = Some(-80.0);
        assert_eq!(from_metrics(&cfg, &ls, &[w])[0].kind, DiagnosisKind::CriticExploding);

        let v = Vocabulary::numbered(10);
        let mut shares = vec![0.0; 10];
        (shares[3], shares[7], shares[1]) = (0.5, 0.45, 0.05);
        let f = from_classes(&cfg, &shares, &v, 500).unwrap();
        assert!(f.evidence.starts_with("3 of 10 classes among 500 samples (3 50%, 7 45%, 1 5%)"), "{}", f.evidence);
        assert!(from_classes(&cfg, &[0.1; 10], &v, 500).is_none());
    }
}
