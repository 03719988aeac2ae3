//! The GAN doctor: reads the signals of a run every `[doctor] every` steps and turns them into
//! diagnoses of the failures the literature describes, with hysteresis so that a diagnosis
//! neither flaps nor fires on one noisy check.
//!
//! - Mode collapse: the generator covers few modes of the data (Goodfellow, "NIPS 2016
//!   Tutorial: Generative Adversarial Networks", sec. 5.1.1; measured as VEEGAN and PacGAN do,
//!   by modes covered on toy mixtures, by the shipped classifier's classes on MNIST and
//!   Fashion-MNIST and by digit triples on Stacked MNIST (Metz et al., "Unrolled GANs", ICLR
//!   2017), and elsewhere by the samples' spread against the real images'). Remedies: packing
//!   (Lin et al., PacGAN, NeurIPS 2018), R1 (Mescheder et al., "Which Training Methods for GANs
//!   do actually Converge?", ICML 2018), the non-saturating loss (Goodfellow et al. 2014), an
//!   EMA generator (Yazici et al., ICLR 2019).
//! - The generator ignores its labels: a conditional generator's samples do not come out as
//!   the class asked for (Mirza & Osindero, "Conditional Generative Adversarial Nets", 2014;
//!   judged by a classifier as in Odena et al., AC-GAN, ICML 2017).
//! - The discriminator wins: D(G(z)) near 0, so the saturating generator loss has no gradient
//!   (Goodfellow et al. 2014, sec. 3; Arjovsky & Bottou, "Towards Principled Methods for
//!   Training GANs", ICLR 2017). Remedies: a weaker D (learning rate, `d_steps`), one-sided
//!   label smoothing (Salimans et al., "Improved Techniques for Training GANs", NeurIPS 2016).
//! - The discriminator at chance: D cannot tell real from fake for a long stretch while the
//!   samples are still poor, so the generator learns nothing (Goodfellow 2016, sec. 3.2: at
//!   the equilibrium D is 1/2 everywhere, which is why poor samples are the second signal).
//! - Vanishing and exploding gradients: the generator's gradient norm collapses with poor
//!   samples (Arjovsky & Bottou 2017, theorem 2.4), or a network's grows by orders of
//!   magnitude (Pascanu et al., "On the difficulty of training recurrent neural networks",
//!   ICML 2013, for the general failure; R1 and the gradient penalty bound D's).
//! - The critic's estimate explodes: a Wasserstein critic that is not kept Lipschitz
//!   (Arjovsky et al. 2017; Gulrajani et al., WGAN-GP, NeurIPS 2017).
//! - Divergence: a loss or weight became NaN or infinite (the divergence guard stops the run).

pub mod examine;
pub mod probe;
pub mod samples;
pub mod scores;

use crate::config::DoctorConfig;
use crate::run::diagnoses::record;
pub use crate::run::diagnoses::{active_of, Diagnosis, DiagnosisKind, Transition};

/// One check's evidence for a kind of failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub kind: DiagnosisKind,
    pub evidence: String,
}

#[derive(Debug, Clone, Default)]
struct Track {
    on: u32,
    off: u32,
    streak_since: u64,
    active_since: Option<u64>,
    last_evidence: String,
}

/// The state of every kind between checks.
#[derive(Debug, Clone)]
pub struct Doctor {
    config: DoctorConfig,
    tracks: std::collections::BTreeMap<DiagnosisKind, Track>,
    checks: u64,
    seen: Vec<Diagnosis>,
}

impl Doctor {
    pub fn new(config: DoctorConfig) -> Self {
        Self::resume(config, Vec::new())
    }

    /// A doctor that continues after the transitions `seen` (a resumed run's log): the
    /// diagnoses they leave active stay active until they clear.
    pub fn resume(config: DoctorConfig, seen: Vec<Diagnosis>) -> Self {
        let mut tracks = std::collections::BTreeMap::new();
        for d in active_of(&seen) {
            let t = Track { on: config.patience, streak_since: d.since_step, active_since: Some(d.since_step), last_evidence: d.evidence, ..Track::default() };
            tracks.insert(d.kind, t);
        }
        Self { config, tracks, checks: 0, seen }
    }

    /// Whether `step` is a check step.
    pub fn due(&self, step: u64) -> bool {
        self.config.due(step)
    }

    /// Feeds one check's findings; returns the diagnoses that start or clear with it.
    pub fn observe(&mut self, step: u64, findings: &[Finding]) -> Vec<Diagnosis> {
        self.checks += 1;
        let patience = self.config.patience.max(1);
        let mut out = Vec::new();
        for kind in DiagnosisKind::ALL {
            let t = self.tracks.entry(kind).or_default();
            match findings.iter().find(|f| f.kind == kind) {
                Some(f) => {
                    t.off = 0;
                    if t.on == 0 {
                        t.streak_since = step;
                    }
                    t.on += 1;
                    t.last_evidence = f.evidence.clone();
                    if t.active_since.is_none() && t.on >= patience {
                        t.active_since = Some(t.streak_since);
                        out.push(record(kind, Transition::Started, step, t.streak_since, &f.evidence));
                    }
                }
                None => {
                    t.on = 0;
                    if let Some(since) = t.active_since {
                        t.off += 1;
                        if t.off >= patience {
                            t.active_since = None;
                            t.off = 0;
                            out.push(record(kind, Transition::Cleared, step, since, &t.last_evidence));
                        }
                    }
                }
            }
        }
        self.seen.extend(out.iter().cloned());
        out
    }

    /// Checks made so far.
    pub fn checks(&self) -> u64 {
        self.checks
    }

    /// Every transition so far, in order.
    pub fn seen(&self) -> &[Diagnosis] {
        &self.seen
    }

    /// The diagnoses active now, as their start records.
    pub fn active(&self) -> Vec<Diagnosis> {
        active_of(&self.seen)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collapse(n: u32) -> Vec<Finding> {
        vec![Finding { kind: DiagnosisKind::ModeCollapse, evidence: format!("{n} of 8 modes") }]
    }

    /// With patience 2 a finding must hold on two checks in a row to start and be gone on two
    /// in a row to clear; a single noisy check changes nothing.
    #[test]
    fn hysteresis_starts_and_clears_after_patience_and_never_flaps() {
        let mut d = Doctor::new(DoctorConfig { patience: 2, ..DoctorConfig::default() });
        assert!(d.observe(100, &collapse(3)).is_empty());
        assert!(d.observe(200, &[]).is_empty(), "one check alone starts nothing");
        assert!(d.observe(300, &collapse(3)).is_empty());
        let started = d.observe(400, &collapse(2));
        assert_eq!(started.len(), 1);
        assert_eq!((started[0].transition, started[0].since_step, started[0].step), (Transition::Started, 300, 400));
        assert_eq!(started[0].evidence, "2 of 8 modes");
        assert!(d.observe(500, &[]).is_empty(), "one good check does not clear it");
        assert!(d.observe(600, &collapse(3)).is_empty(), "still active: no second start");
        assert!(d.observe(700, &[]).is_empty());
        let cleared = d.observe(800, &[]);
        assert_eq!((cleared[0].transition, cleared[0].since_step, cleared[0].step), (Transition::Cleared, 300, 800));
        assert!(d.active().is_empty());
        assert_eq!((d.checks(), d.seen().len()), (8, 2));
    }
}
