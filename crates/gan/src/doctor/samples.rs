//! Findings from what the generator draws, each against its `[doctor]` threshold: the modes
//! a toy run covers, the classes the shipped classifier sees in an image run (the requested
//! class, for a conditional one), the digit triples of Stacked MNIST, and for images
//! without a classifier the samples' spread against the real images'.

use gan_data::modes::ModeReport;
use gan_data::vocab::Vocabulary;

use super::{DiagnosisKind, Finding};
use crate::config::DoctorConfig;

fn collapse(evidence: String) -> Finding {
    Finding { kind: DiagnosisKind::ModeCollapse, evidence }
}

/// Mode collapse on a toy mixture: too few modes covered by high-quality samples.
pub fn from_modes(cfg: &DoctorConfig, r: &ModeReport) -> Option<Finding> {
    ((r.covered as f64) < cfg.min_coverage * r.modes as f64)
        .then(|| collapse(format!("{} of {} modes covered, {:.0}% of {} samples high quality", r.covered, r.modes, 100.0 * r.high_quality, r.samples)))
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
    let listed = if names.is_empty() { "none".into() } else { names.join(", ") };
    Some(collapse(format!("{} of {k} classes among {samples} samples ({listed})", present.len())))
}

/// A conditional generator that ignores its labels: too few samples are classified as the
/// class they were drawn for. `requested[i]` and `predicted[i]` are sample i's classes.
pub fn from_labels(cfg: &DoctorConfig, requested: &[i64], predicted: &[i64], vocabulary: &Vocabulary) -> Option<Finding> {
    let k = vocabulary.len();
    let mut hits = vec![(0usize, 0usize); k];
    for (&r, &p) in requested.iter().zip(predicted) {
        hits[r as usize].1 += 1;
        hits[r as usize].0 += usize::from(r == p);
    }
    let right: usize = hits.iter().map(|h| h.0).sum();
    let n = requested.len().min(predicted.len());
    let accuracy = right as f64 / n.max(1) as f64;
    if accuracy >= cfg.min_label_accuracy {
        return None;
    }
    let mut worst: Vec<(usize, f64)> = hits.iter().enumerate().filter(|(_, h)| h.1 > 0).map(|(c, h)| (c, h.0 as f64 / h.1 as f64)).collect();
    worst.sort_by(|a, b| a.1.total_cmp(&b.1));
    let names: Vec<String> = worst.iter().take(3).map(|(c, a)| format!("{} {:.0}%", vocabulary.name(*c), 100.0 * a)).collect();
    Some(Finding {
        kind: DiagnosisKind::IgnoresLabels,
        evidence: format!(
            "{:.0}% of {} samples come out as the class asked for (chance: {:.0}%; worst: {})",
            100.0 * accuracy,
            n,
            100.0 / k as f64,
            names.join(", ")
        ),
    })
}

/// The distinct modes a generator drawing uniformly from `modes` shows in `samples` draws.
pub fn expected_distinct(modes: usize, samples: usize) -> f64 {
    modes as f64 * (1.0 - (1.0 - 1.0 / modes as f64).powi(samples as i32))
}

/// Mode collapse on Stacked MNIST: fewer distinct digit triples than `min_coverage` of what a
/// uniform generator would show in as many samples.
pub fn from_stacked(cfg: &DoctorConfig, covered: usize, modes: usize, samples: usize) -> Option<Finding> {
    let expected = expected_distinct(modes, samples);
    ((covered as f64) < cfg.min_coverage * expected)
        .then(|| collapse(format!("{covered} distinct modes among {samples} samples, where covering all {modes} would show about {expected:.0}")))
}

/// The spread of a set of feature vectors: the mean distance over all pairs, and each
/// vector's distance to its nearest other one.
#[derive(Debug, Clone, PartialEq)]
pub struct Spread {
    pub mean_pairwise: f64,
    pub nearest: Vec<f64>,
}

/// Mode collapse on images without a classifier: the samples spread much less than the real
/// images (mean pairwise distance), or many are near-duplicates (closer to another sample
/// than a tenth of the real images' median nearest-neighbour distance).
pub fn from_spread(cfg: &DoctorConfig, fake: &Spread, real: &Spread, space: &str) -> Option<Finding> {
    let ratio = fake.mean_pairwise / real.mean_pairwise.max(f64::MIN_POSITIVE);
    let mut sorted = real.nearest.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
    let duplicates = fake.nearest.iter().filter(|&&d| d < 0.1 * median).count() as f64 / fake.nearest.len().max(1) as f64;
    (ratio < cfg.min_diversity || duplicates > cfg.max_duplicates).then(|| {
        collapse(format!(
            "the samples' mean pairwise distance is {:.0}% of the real images' ({space}), {:.0}% of {} samples near-duplicates",
            100.0 * ratio,
            100.0 * duplicates,
            fake.nearest.len()
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_and_label_findings_count_as_worked_by_hand() {
        let cfg = DoctorConfig::default();
        let v = Vocabulary::numbered(10);
        let mut shares = vec![0.0; 10];
        (shares[3], shares[7], shares[1]) = (0.5, 0.45, 0.05);
        let f = from_classes(&cfg, &shares, &v, 500).unwrap();
        assert!(f.evidence.starts_with("3 of 10 classes among 500 samples (3 50%, 7 45%, 1 5%)"), "{}", f.evidence);
        assert!(from_classes(&cfg, &[0.1; 10], &v, 500).is_none());

        // 20 samples, 2 per class; classes 0-2 come out right, the rest as 9: 6 + 2 right.
        let requested: Vec<i64> = (0..20).map(|i| i % 10).collect();
        let predicted: Vec<i64> = requested.iter().map(|&r| if r < 3 { r } else { 9 }).collect();
        let f = from_labels(&cfg, &requested, &predicted, &v).unwrap();
        assert_eq!(f.kind, DiagnosisKind::IgnoresLabels);
        assert!(f.evidence.starts_with("40% of 20 samples") && f.evidence.contains("chance: 10%; worst: 3 0%, 4 0%, 5 0%"), "{}", f.evidence);
        // One more class right reaches the threshold (50%).
        let predicted: Vec<i64> = requested.iter().map(|&r| if r < 4 { r } else { 9 }).collect();
        assert!(from_labels(&cfg, &requested, &predicted, &v).is_none());
    }

    #[test]
    fn stacked_coverage_is_judged_against_a_uniform_generator() {
        // 1000 modes, 500 draws: 1000 (1 - 0.999^500) = 393.6 distinct on average.
        assert!((expected_distinct(1000, 500) - 393.621).abs() < 1e-3);
        assert_eq!(expected_distinct(10, 10_000), 10.0);
        let cfg = DoctorConfig::default();
        assert!(from_stacked(&cfg, 300, 1000, 500).is_none());
        let f = from_stacked(&cfg, 290, 1000, 500).unwrap();
        assert!(f.evidence.contains("290 distinct modes among 500 samples") && f.evidence.contains("about 394"), "{}", f.evidence);
    }

    #[test]
    fn spread_flags_shrunken_or_duplicated_samples() {
        let cfg = DoctorConfig::default();
        let real = Spread { mean_pairwise: 10.0, nearest: vec![4.0, 5.0, 6.0] };
        let fine = Spread { mean_pairwise: 9.0, nearest: vec![4.0; 8] };
        assert!(from_spread(&cfg, &fine, &real, "pixels").is_none());
        let narrow = Spread { mean_pairwise: 4.0, nearest: vec![4.0; 8] };
        assert!(from_spread(&cfg, &narrow, &real, "pixels").unwrap().evidence.contains("is 40% of the real images' (pixels), 0% of 8"));
        // 3 of 8 samples closer than 0.5 (a tenth of the median 5) to another: 37.5% > 25%.
        let dup = Spread { mean_pairwise: 9.0, nearest: vec![0.1, 0.2, 0.4, 4.0, 4.0, 4.0, 4.0, 4.0] };
        assert!(from_spread(&cfg, &dup, &real, "pixels").unwrap().evidence.contains("38% of 8 samples near-duplicates"));
    }
}
