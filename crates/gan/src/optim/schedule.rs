//! Learning-rate schedules over a run. A GAN trained at a constant rate keeps moving: its
//! samples jitter around the data instead of settling on it. Decaying the rate linearly to
//! zero, as in the CycleGAN and pix2pix recipes (Zhu et al. 2017, Isola et al. 2017) and
//! `torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 - t / T)`, lets the last updates
//! refine instead of wander. The factor is a pure function of the step, so a resumed run
//! follows the same schedule.

use serde::{Deserialize, Serialize};

/// `[optim] schedule`: how both optimisers' rates change over the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LrSchedule {
    /// The configured rates throughout.
    #[default]
    Constant,
    /// `lr * (1 - t / T)` during generator step `t` of `T` (from `t = 0`): the first step
    /// uses the configured rate, the last one `lr / T`.
    Linear,
}

impl LrSchedule {
    /// The factor on the configured learning rates during step `step` (from 0) of `total`.
    pub fn factor(self, step: u64, total: u64) -> f64 {
        match self {
            LrSchedule::Constant => 1.0,
            LrSchedule::Linear => 1.0 - step.min(total) as f64 / total.max(1) as f64,
        }
    }

    pub fn is_constant(&self) -> bool {
        *self == LrSchedule::Constant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_decays_from_one_to_one_over_t() {
        let s = LrSchedule::Linear;
        assert_eq!(s.factor(0, 4), 1.0);
        assert_eq!(s.factor(1, 4), 0.75);
        assert_eq!(s.factor(3, 4), 0.25);
        assert_eq!(LrSchedule::Constant.factor(3, 4), 1.0);
    }
}
