//! The `[doctor]` table: how often training is checked for the failures GAN courses teach,
//! and the thresholds of each diagnosis (see the `doctor` module). Every field has a default, so
//! a configuration without the table gets the documented behaviour.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DoctorConfig {
    /// Check every this many steps (0: never).
    pub every: u64,
    /// No check before this step: a generator that has not learned yet draws noise, which
    /// is not a collapse.
    pub warmup: u64,
    /// Consecutive checks a finding must hold before its diagnosis starts, and be absent
    /// before it clears (hysteresis: no flapping).
    pub patience: u32,
    /// Mode collapse: fewer than this share of the modes (toy data) or classes (images the
    /// shipped classifier knows; Stacked MNIST: of the modes a uniform generator would show
    /// in as many samples) appear among the samples.
    pub min_coverage: f64,
    /// A class counts as present when at least this share of a uniform share of the samples
    /// fall in it (0.5: half of 1/k).
    pub class_presence: f64,
    /// Samples drawn from the generator for the sample checks.
    pub samples: usize,
    /// Conditional runs: the generator ignores its labels when fewer than this share of
    /// the samples are classified as the class they were drawn for.
    pub min_label_accuracy: f64,
    /// Images without a classifier: collapse when the samples' mean pairwise distance is
    /// below this share of the real batch's...
    pub min_diversity: f64,
    /// ...or more than this share of the samples are near-duplicates (closer to another
    /// sample than a tenth of the real images' median nearest-neighbour distance).
    pub max_duplicates: f64,
    /// The discriminator wins: mean D(G(z)) (a probability, `bce` loss) below this.
    pub d_fake_floor: f64,
    /// D at chance: D(x) and D(G(z)) closer than this (`bce` loss) in every record of the
    /// last `chance_steps` steps, while the samples are still poor (see `min_quality`).
    pub chance_gap: f64,
    pub chance_steps: u64,
    /// Samples are poor when fewer than this share are high quality (toy data: within
    /// three standard deviations of a mode; images: classified with probability >= 0.9).
    pub min_quality: f64,
    /// A network's gradient vanishes when its norm falls below this share of its norm at
    /// the start of the run (the median of the first three logged)...
    pub grad_vanish: f64,
    /// ...and explodes when it rises above this multiple of it.
    pub grad_explode: f64,
    /// The critic's Earth Mover's estimate explodes: |W| above this (Wasserstein losses).
    pub max_wasserstein: f64,
}

impl Default for DoctorConfig {
    fn default() -> Self {
        Self {
            every: 250,
            warmup: 500,
            patience: 2,
            min_coverage: 0.75,
            class_presence: 0.5,
            samples: 500,
            min_label_accuracy: 0.5,
            min_diversity: 0.5,
            max_duplicates: 0.25,
            d_fake_floor: 0.05,
            chance_gap: 0.05,
            chance_steps: 2000,
            min_quality: 0.5,
            grad_vanish: 0.01,
            grad_explode: 100.0,
            max_wasserstein: 50.0,
        }
    }
}

impl DoctorConfig {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Whether `step` is a check step.
    pub fn due(&self, step: u64) -> bool {
        self.every > 0 && step >= self.warmup && step.is_multiple_of(self.every)
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.patience == 0 || self.patience > 100 {
            p.push(format!("doctor.patience must be between 1 and 100, got {}", self.patience));
        }
        let shares = [
            ("min_coverage", self.min_coverage),
            ("class_presence", self.class_presence),
            ("min_label_accuracy", self.min_label_accuracy),
            ("min_diversity", self.min_diversity),
            ("max_duplicates", self.max_duplicates),
            ("d_fake_floor", self.d_fake_floor),
            ("chance_gap", self.chance_gap),
            ("min_quality", self.min_quality),
            ("grad_vanish", self.grad_vanish),
        ];
        for (name, v) in shares {
            if !(0.0..=1.0).contains(&v) {
                p.push(format!("doctor.{name} must be in [0, 1], got {v}"));
            }
        }
        for (name, v) in [("max_wasserstein", self.max_wasserstein), ("grad_explode", self.grad_explode)] {
            if !(v > 0.0) || v.is_infinite() {
                p.push(format!("doctor.{name} must be a positive number, got {v}"));
            }
        }
        if !(10..=100_000).contains(&self.samples) {
            p.push(format!("doctor.samples must be between 10 and 100000, got {}", self.samples));
        }
        for (name, v) in [("warmup", self.warmup), ("chance_steps", self.chance_steps)] {
            if v > 1_000_000_000 {
                p.push(format!("doctor.{name} must be at most 1000000000, got {v}"));
            }
        }
        p
    }
}
