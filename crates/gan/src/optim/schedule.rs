//! Learning-rate schedules over a run. A GAN trained at a constant rate keeps moving: its
//! samples jitter around the data instead of settling on it. Decaying the rate linearly to
//! zero, as in the CycleGAN and pix2pix recipes (Zhu et al. 2017, Isola et al. 2017) and
//! `torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 - t / T)`, lets the last updates
//! refine instead of wander; R3GAN (Huang et al. 2024) decays along a cosine to a quarter
//! of the rate instead (its `lr_scheduler`, 2e-4 to 5e-5). The factor is a pure function of
//! the step, so a resumed run follows the same schedule.

use serde::{Deserialize, Serialize};

/// How a run's learning rates change over it: `[optim] schedule` of GAN runs and `schedule`
/// of translation runs (one type, one set of formulas, one validation: [`ScheduleSettings::problems`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LrSchedule {
    /// The configured rates throughout.
    #[default]
    Constant,
    /// `lr * (1 - (1 - e) t / T)` during generator step `t` of `T` (from `t = 0`), with `e`
    /// the end factor (default 0): the first step uses the configured rate, the last one
    /// `lr (e + (1 - e) / T)`.
    Linear,
    /// `lr * (e + (1 - e) (1 + cos(pi t / T)) / 2)`: R3GAN's cosine from the configured rate
    /// to `e` times it.
    Cosine,
    /// The pix2pix / CycleGAN recipe ([`hold_then_linear`]): constant for the first
    /// `decay_from` of the run, then linear towards 0 (translation runs' default).
    HoldThenLinear,
}

/// The settings that pick a schedule's factor, as both kinds of run name them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScheduleSettings {
    pub schedule: LrSchedule,
    /// The factor `linear` and `cosine` end at (default 0).
    pub end_factor: Option<f64>,
    /// The fraction of the run `hold-then-linear` holds the rates (default 0.5).
    pub decay_from: Option<f64>,
}

/// `hold-then-linear`'s hold when a configuration names none: the papers' "constant for the
/// first half".
pub const DEFAULT_DECAY_FROM: f64 = 0.5;

impl ScheduleSettings {
    /// The factor on the configured rates during step `step` (from 0) of `total`.
    pub fn factor(&self, step: u64, total: u64) -> f64 {
        match self.schedule {
            LrSchedule::HoldThenLinear => hold_then_linear(self.decay_from.unwrap_or(DEFAULT_DECAY_FROM), step, total),
            LrSchedule::Constant | LrSchedule::Linear | LrSchedule::Cosine => self.schedule.factor(self.end_factor.unwrap_or(0.0), step, total),
        }
    }

    /// Every problem, each naming its field after `prefix` (`"optim."` or `""`).
    pub fn problems(&self, prefix: &str) -> Vec<String> {
        let mut p = Vec::new();
        let name = gan_data::names::serde_name(&self.schedule);
        if let Some(e) = self.end_factor {
            if !(0.0..=1.0).contains(&e) {
                p.push(format!("{prefix}end_factor must be in [0, 1], got {e}"));
            }
            if !matches!(self.schedule, LrSchedule::Linear | LrSchedule::Cosine) {
                p.push(format!("{prefix}end_factor needs schedule = \"linear\" or \"cosine\", not \"{name}\""));
            }
        }
        if let Some(h) = self.decay_from {
            if !(0.0..=1.0).contains(&h) {
                p.push(format!("{prefix}decay_from must be in [0, 1], got {h}"));
            }
            if self.schedule != LrSchedule::HoldThenLinear {
                p.push(format!("{prefix}decay_from needs schedule = \"hold-then-linear\", not \"{name}\""));
            }
        }
        p
    }
}

impl LrSchedule {
    /// The factor on the configured learning rates during step `step` (from 0) of `total`,
    /// ending at `end` (the factor the schedule approaches at the end of the run);
    /// `hold-then-linear` with its default hold.
    pub fn factor(self, end: f64, step: u64, total: u64) -> f64 {
        match self {
            LrSchedule::Constant => 1.0,
            LrSchedule::Linear => 1.0 - (1.0 - end) * progress(step, total),
            LrSchedule::Cosine => cosine(1.0, end, step, total),
            LrSchedule::HoldThenLinear => hold_then_linear(DEFAULT_DECAY_FROM, step, total),
        }
    }

    pub fn is_hold_then_linear(&self) -> bool {
        *self == LrSchedule::HoldThenLinear
    }

    pub fn is_constant(&self) -> bool {
        *self == LrSchedule::Constant
    }
}

fn progress(step: u64, total: u64) -> f64 {
    step.min(total) as f64 / total.max(1) as f64
}

/// A cosine from `start` (step 0) to `end` (step `total`), as R3GAN's
/// `cosine_decay_with_warmup` without warm-up: `end + (start - end) (1 + cos(pi t / T)) / 2`.
pub fn cosine(start: f64, end: f64, step: u64, total: u64) -> f64 {
    end + (start - end) * 0.5 * (1.0 + (std::f64::consts::PI * progress(step, total)).cos())
}

/// The pix2pix / CycleGAN reference's `lambda_rule` (junyanz/pytorch-CycleGAN-and-pix2pix,
/// `models/networks.py`, `lr_policy = "linear"`, the scheduler stepped after each epoch):
/// with `n = floor(hold * T)` constant steps and `T - n` decaying ones, step `t` (from 0)
/// trains at `1 - max(0, t + 1 - n) / (T - n + 1)`, so the last step still trains at
/// `1 / (T - n + 1)`.
pub fn hold_then_linear(hold: f64, step: u64, total: u64) -> f64 {
    let n = (hold * total as f64).floor() as u64;
    1.0 - (step + 1).saturating_sub(n) as f64 / (total - n + 1) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand from the reference's `1 - max(0, epoch + 1 - n_epochs) / (n_epochs_decay + 1)`
    /// with 2 + 2 epochs: 1, 1, 2/3, 1/3; with no constant part (hold 0) over 3: 3/4, 2/4, 1/4.
    #[test]
    fn hold_then_linear_is_the_cyclegan_lambda_rule() {
        let f = |hold, total| (0..total).map(|t| hold_then_linear(hold, t, total)).collect::<Vec<_>>();
        assert_eq!(f(0.5, 4), [1.0, 1.0, 1.0 - 1.0 / 3.0, 1.0 - 2.0 / 3.0]);
        assert_eq!(f(0.0, 3), [0.75, 0.5, 0.25]);
        assert_eq!(f(1.0, 3), [1.0, 1.0, 1.0]);
        let settings = ScheduleSettings { schedule: LrSchedule::HoldThenLinear, end_factor: None, decay_from: Some(0.0) };
        assert_eq!((0..3).map(|t| settings.factor(t, 3)).collect::<Vec<_>>(), [0.75, 0.5, 0.25]);
        assert_eq!(LrSchedule::HoldThenLinear.factor(0.0, 3, 4), 1.0 - 2.0 / 3.0);
    }

    #[test]
    fn settings_name_the_field_that_does_not_fit_the_schedule() {
        let s = |schedule, end_factor, decay_from| ScheduleSettings { schedule, end_factor, decay_from }.problems("optim.");
        assert!(s(LrSchedule::Linear, Some(0.25), None).is_empty());
        assert!(s(LrSchedule::HoldThenLinear, None, Some(0.25)).is_empty());
        assert_eq!(s(LrSchedule::Constant, Some(0.25), None), ["optim.end_factor needs schedule = \"linear\" or \"cosine\", not \"constant\""]);
        assert_eq!(s(LrSchedule::Cosine, None, Some(0.5)), ["optim.decay_from needs schedule = \"hold-then-linear\", not \"cosine\""]);
        assert_eq!(s(LrSchedule::HoldThenLinear, None, Some(1.5)), ["optim.decay_from must be in [0, 1], got 1.5"]);
    }

    #[test]
    fn linear_decays_from_one_to_one_over_t() {
        let s = LrSchedule::Linear;
        assert_eq!(s.factor(0.0, 0, 4), 1.0);
        assert_eq!(s.factor(0.0, 1, 4), 0.75);
        assert_eq!(s.factor(0.0, 3, 4), 0.25);
        // To half the rate: 1 - 0.5 * 2/4.
        assert_eq!(s.factor(0.5, 2, 4), 0.75);
        assert_eq!(LrSchedule::Constant.factor(0.0, 3, 4), 1.0);
    }

    /// R3GAN's `cosine_decay_with_warmup(cur, base, total, final)` with numpy:
    /// `base + (1 - 0.5 * (1 + cos(pi * cur / total))) * (final - base)`; at a quarter of the
    /// way from 2e-4 to 5e-5: 2e-4 + (1 - 0.5 (1 + cos(pi/4))) (-1.5e-4) = 1.780330e-4.
    #[test]
    fn cosine_matches_r3gans_formula() {
        let want = 2e-4 + (1.0 - 0.5 * (1.0 + (std::f64::consts::PI / 4.0).cos())) * (5e-5 - 2e-4);
        assert!((cosine(2e-4, 5e-5, 25, 100) - want).abs() < 1e-18);
        assert!((want - 1.780_330e-4).abs() < 1e-9);
        assert_eq!(cosine(0.05, 0.005, 0, 10), 0.05);
        assert!((cosine(0.05, 0.005, 10, 10) - 0.005).abs() < 1e-15);
        assert!((LrSchedule::Cosine.factor(0.25, 50, 100) - 0.625).abs() < 1e-15);
    }
}
