//! `[critic_cycles]`: how the `d_steps` critic updates of one generator step take their data.
//! The default is Algorithm 1 of Gulrajani et al. 2017 as this toolkit runs it: a fresh real
//! batch and fresh noise for every critic update, the last update's fakes reused for the
//! generator's, the last update's loss logged. The seed course's WGAN-GP notebook ("Generating
//! Design Ideas from Keywords", after Coursera's GAN specialisation, C1W3) writes its loop
//! differently, and these options reproduce it:
//! - `same_real`: one real batch for all the critic cycles of a generator step (the notebook
//!   draws `real` once per step of its data loader);
//! - `fresh_generator_noise`: new noise for the generator's update (`fake_noise_2`) instead
//!   of the last critic cycle's fakes;
//! - `log_mean`: the critic's loss and scores logged as their mean over the cycles (the
//!   notebook's `mean_crit_loss`), not the last cycle's.

use serde::{Deserialize, Serialize};

/// The critic cycles' options (all off by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriticCycles {
    #[serde(default)]
    pub same_real: bool,
    #[serde(default)]
    pub fresh_generator_noise: bool,
    #[serde(default)]
    pub log_mean: bool,
}

impl CriticCycles {
    /// The seed notebook's loop: all three options on.
    pub const SEED: CriticCycles = CriticCycles { same_real: true, fresh_generator_noise: true, log_mean: true };

    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
