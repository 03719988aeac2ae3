//! The `[optim]` table: one optimiser per network and the learning-rate schedule both follow.

use serde::{Deserialize, Serialize};

use super::{LrSchedule, OptimizerConfig, ScheduleSettings};

/// One optimiser per network, and the schedule both follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimConfig {
    pub g: OptimizerConfig,
    pub d: OptimizerConfig,
    #[serde(default, skip_serializing_if = "LrSchedule::is_constant")]
    pub schedule: LrSchedule,
    /// The factor on both rates that `linear` or `cosine` ends at (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_factor: Option<f64>,
    /// The fraction of the run `hold-then-linear` holds the rates (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_from: Option<f64>,
}

impl OptimConfig {
    /// The same optimiser settings for both networks, at constant rates.
    pub fn same(opt: OptimizerConfig) -> Self {
        Self { g: opt.clone(), d: opt, schedule: LrSchedule::Constant, end_factor: None, decay_from: None }
    }

    fn settings(&self) -> ScheduleSettings {
        ScheduleSettings { schedule: self.schedule, end_factor: self.end_factor, decay_from: self.decay_from }
    }

    /// The factor on both configured rates during step `step` (from 0) of `total`.
    pub fn lr_factor(&self, step: u64, total: u64) -> f64 {
        self.settings().factor(step, total)
    }

    pub(crate) fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        p.extend(self.g.problems().into_iter().map(|s| format!("optim.g.{s}")));
        p.extend(self.d.problems().into_iter().map(|s| format!("optim.d.{s}")));
        p.extend(self.settings().problems("optim."));
        p
    }
}
