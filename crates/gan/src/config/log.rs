//! The `[log]` table: where a run's logs go besides `metrics.jsonl`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// TensorBoard event files in the run's `tb/` folder (scalars, sample grids,
    /// evaluations).
    #[serde(default = "yes")]
    pub tensorboard: bool,
}

fn yes() -> bool {
    true
}

impl Default for LogConfig {
    fn default() -> Self {
        Self { tensorboard: true }
    }
}

impl LogConfig {
    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}
