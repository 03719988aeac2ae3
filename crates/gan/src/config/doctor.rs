//! The `[doctor]` table: how often training is checked for the failures GAN courses teach,
//! and the thresholds of each diagnosis (see the `doctor` module). Every field has a default, so
//! a configuration without the table gets the documented behaviour.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DoctorConfig {
    /// Check every this many steps (0: never).
    pub every: u64,
    /// Consecutive checks a finding must hold before its diagnosis starts, and be absent
    /// before it clears (hysteresis: no flapping).
    pub patience: u32,
    /// Mode collapse: fewer than this share of the modes (toy data) or classes (images the
    /// shipped classifier knows) appear among the samples.
    pub min_coverage: f64,
    /// A class counts as present when at least this share of a uniform share of the samples
    /// fall in it (0.5: half of 1/k).
    pub class_presence: f64,
    /// Samples drawn from the generator for the class check.
    pub samples: usize,
    /// The discriminator wins: mean D(G(z)) (a probability, `bce` loss) below this.
    pub d_fake_floor: f64,
    /// The critic's Earth Mover's estimate explodes: |W| above this (Wasserstein losses).
    pub max_wasserstein: f64,
}

impl Default for DoctorConfig {
    fn default() -> Self {
        Self { every: 250, patience: 2, min_coverage: 0.75, class_presence: 0.5, samples: 500, d_fake_floor: 0.05, max_wasserstein: 50.0 }
    }
}

impl DoctorConfig {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if self.patience == 0 || self.patience > 100 {
            p.push(format!("doctor.patience must be between 1 and 100, got {}", self.patience));
        }
        for (name, v) in [("min_coverage", self.min_coverage), ("class_presence", self.class_presence), ("d_fake_floor", self.d_fake_floor)] {
            if !(0.0..=1.0).contains(&v) {
                p.push(format!("doctor.{name} must be in [0, 1], got {v}"));
            }
        }
        if !(self.max_wasserstein > 0.0) {
            p.push(format!("doctor.max_wasserstein must be a positive number, got {}", self.max_wasserstein));
        }
        if !(10..=100_000).contains(&self.samples) {
            p.push(format!("doctor.samples must be between 10 and 100000, got {}", self.samples));
        }
        p
    }
}
