//! The `[optim]` table: one optimiser per network and the learning-rate schedule both follow.

use serde::{Deserialize, Serialize};

use super::{LrSchedule, OptimizerConfig};

/// One optimiser per network, and the schedule both follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptimConfig {
    pub g: OptimizerConfig,
    pub d: OptimizerConfig,
    #[serde(default, skip_serializing_if = "LrSchedule::is_constant")]
    pub schedule: LrSchedule,
    /// The factor on both rates that a decaying schedule ends at (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_factor: Option<f64>,
}

impl OptimConfig {
    /// The same optimiser settings for both networks, at constant rates.
    pub fn same(opt: OptimizerConfig) -> Self {
        Self { g: opt.clone(), d: opt, schedule: LrSchedule::Constant, end_factor: None }
    }

    /// The factor on both configured rates during step `step` (from 0) of `total`.
    pub fn lr_factor(&self, step: u64, total: u64) -> f64 {
        self.schedule.factor(self.end_factor.unwrap_or(0.0), step, total)
    }

    pub(crate) fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        p.extend(self.g.problems().into_iter().map(|s| format!("optim.g.{s}")));
        p.extend(self.d.problems().into_iter().map(|s| format!("optim.d.{s}")));
        if let Some(e) = self.end_factor {
            if !(0.0..=1.0).contains(&e) {
                p.push(format!("optim.end_factor must be in [0, 1], got {e}"));
            }
            if self.schedule.is_constant() {
                p.push("optim.end_factor needs schedule = \"linear\" or \"cosine\"".into());
            }
        }
        p
    }
}
