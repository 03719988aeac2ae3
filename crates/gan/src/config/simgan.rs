//! SimGAN's configuration (`[model] kind = "simgan"` of a translation run).

use serde::{Deserialize, Serialize};

use crate::models::translation::simgan::{LocalDiscriminatorConfig, RefinerConfig};

/// SimGAN (Shrivastava et al., "Learning from Simulated and Unsupervised Images through
/// Adversarial Training", CVPR 2017, algorithm 1): a refiner from simulated images (A) to
/// real-looking ones under a local discriminator that learns real images (B) as real and
/// refined ones, half of them drawn from a history of earlier refinements, as refined; the
/// refiner's loss adds `lambda_reg` times the self-regularisation (see
/// [`crate::losses::simgan`]). The first `refiner_init_steps` train the refiner by the
/// self-regularisation alone, the next `discriminator_init_steps` the discriminator alone;
/// afterwards each step makes `refiner_updates` refiner updates (the paper's K_g) and one
/// discriminator update (K_d).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimGanConfig {
    pub refiner: RefinerConfig,
    pub discriminator: LocalDiscriminatorConfig,
    /// Weight of the self-regularisation term (per pixel; the adversarial term is per patch).
    pub lambda_reg: f64,
    /// Refined images the history keeps (the paper's buffer B); 0: the current batch only.
    pub history: usize,
    /// Steps of self-regularisation alone (1,000 in the paper).
    pub refiner_init_steps: u64,
    /// Steps of the discriminator alone after them (200 in the paper).
    pub discriminator_init_steps: u64,
    /// Refiner updates per step after the initialisation (K_g; 2 in the paper's gaze runs).
    #[serde(default = "one")]
    pub refiner_updates: u32,
    /// CyCADA's semantic consistency: a classifier of the simulated images keeps the
    /// refined ones in their class (none by default, as in the paper).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<TaskConsistencyConfig>,
}

/// The task-consistency term (Hoffman et al., "CyCADA", ICML 2018, eq. 4): a classifier
/// trained on the labelled simulated images (domain A) for `epochs` passes before the first
/// step, then frozen; the refiner's loss adds `weight` times its cross-entropy on each
/// refined image against the simulated image's label (the translation family's `task`
/// module).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskConsistencyConfig {
    pub weight: f64,
    #[serde(default = "two")]
    pub epochs: u32,
}

fn two() -> u32 {
    2
}

fn one() -> u32 {
    1
}

impl SimGanConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = self.refiner.problems();
        p.extend(self.discriminator.problems());
        if !(self.lambda_reg.is_finite() && self.lambda_reg >= 0.0) {
            p.push(format!("model.lambda_reg must be a number >= 0, got {}", self.lambda_reg));
        }
        if self.history > 100_000 {
            p.push(format!("model.history must be at most 100000, got {}", self.history));
        }
        if !(1..=50).contains(&self.refiner_updates) {
            p.push(format!("model.refiner_updates must be between 1 and 50, got {}", self.refiner_updates));
        }
        if let Some(c) = &self.consistency {
            if !(c.weight.is_finite() && c.weight >= 0.0) {
                p.push(format!("model.consistency.weight must be a number >= 0, got {}", c.weight));
            }
            if !(1..=50).contains(&c.epochs) {
                p.push(format!("model.consistency.epochs must be between 1 and 50, got {}", c.epochs));
            }
        }
        p
    }
}
