//! What training reports while it runs. The library never prints; callers render these.

use std::path::PathBuf;

use crate::run::diagnoses::Diagnosis;
use crate::run::metrics::StepMetrics;

#[derive(Debug, Clone)]
pub enum Event {
    /// Training is about to take its first step (`start_step` > 0 when resuming).
    Started {
        run_dir: PathBuf,
        start_step: u64,
        total_steps: u64,
        data: String,
        /// Training examples and what they are (`images` or `points`).
        examples: usize,
        unit: &'static str,
        device: String,
        g_params: i64,
        d_params: i64,
        /// The class names of a conditional run (empty when unconditional).
        classes: Vec<String>,
    },
    /// An image file could not be decoded and was left out of its batch.
    SkippedImage {
        reason: String,
    },
    /// One generator update finished; `step` counts updates so far.
    Step {
        step: u64,
    },
    /// Averages over the last `log_every` steps (also appended to `metrics.jsonl`).
    Metrics(StepMetrics),
    SamplesSaved {
        step: u64,
        path: PathBuf,
    },
    CheckpointSaved {
        step: u64,
        path: PathBuf,
    },
    /// The doctor started or cleared a diagnosis (also appended to `diagnoses.jsonl`).
    Diagnosis(Diagnosis),
    /// Before `Finished`: how many checks the doctor made and every diagnosis it made.
    Health {
        checks: u64,
        /// `[doctor] every`.
        every: u64,
        seen: Vec<Diagnosis>,
    },
    /// Training reached its last step (or the requested stop).
    Finished {
        step: u64,
        run_dir: PathBuf,
        last: Option<StepMetrics>,
    },
}
