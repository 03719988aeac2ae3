//! What a model family gives the run loop. The loop ([`super::Trainer`]) owns what every run
//! shares: the run directory and its lock, cadence (log, sample grids, checkpoints, doctor
//! checks), the divergence guard, metrics and TensorBoard, events, reseeding and resuming. A
//! family owns its networks, optimisers, data and what one step does, and reports named
//! scalars ([`Record`]).

use std::path::Path;
use std::sync::Arc;

use tch::nn;

use crate::config::DoctorConfig;
use crate::dist::Dist;
use crate::doctor::Finding;
use crate::error::{GanError, Result};
use crate::events::Event;
use crate::run::checkpoint::CheckpointParts;
use crate::run::metrics::StepMetrics;

use super::record::Record;

/// The loop's settings, from the family's configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct LoopSettings {
    /// Seeds each step (`(seed, step)` reseeds libtorch before it).
    pub seed: u64,
    pub total_steps: u64,
    pub log_every: u64,
    pub sample_every: u64,
    pub checkpoint_every: u64,
    pub keep_checkpoints: usize,
    /// Checkpoints of every `keep_every`-th step survive pruning (0: none do).
    pub keep_every: u64,
    pub doctor: DoctorConfig,
    pub tensorboard: bool,
}

/// What the run reports when training starts (see [`Event::Started`]).
#[derive(Debug, Clone)]
pub struct Description {
    pub data: String,
    pub examples: usize,
    pub unit: &'static str,
    pub device: String,
    pub classes: Vec<String>,
}

/// What the loop tells a step.
#[derive(Debug, Clone, Copy)]
pub struct StepContext {
    /// The step's number, from 0.
    pub step: u64,
    pub total_steps: u64,
    /// Whether the step measures its gradients' norms (the last step of each log interval).
    pub measure_grads: bool,
}

/// A model family (see the module's notes). `ARCHITECTURE.md` lists how to add one.
pub trait Family {
    fn settings(&self) -> LoopSettings;

    /// The run's configuration as TOML (the run directory's and each checkpoint's
    /// `config.toml`).
    fn config_toml(&self) -> String;

    fn describe(&self) -> Description;

    /// One training step: every update of the family's networks, and what follows them (a
    /// moving average, growing a network). Returns the step's named scalars.
    fn step(&mut self, ctx: StepContext) -> Result<Record>;

    /// Draws the sample grid (or plot) of the current weights to `path` (a PNG).
    fn save_samples(&mut self, step: u64, path: &Path) -> Result<()>;

    /// Every network with the words a report names it by ("generator"), in checkpoint order;
    /// the guard checks them, the start line counts the first and the second.
    fn networks(&self) -> Vec<(&'static str, &nn::VarStore)>;

    /// What a checkpoint at `step` holds.
    fn checkpoint(&self, step: u64) -> CheckpointParts<'_>;

    /// Passes over the data so far (fractional).
    fn epoch(&self) -> f64;

    /// The doctor's findings at a check: from the records since the previous one
    /// (`history[from..]`) and from what the networks do now.
    fn findings(&mut self, cfg: &DoctorConfig, history: &[StepMetrics], from: usize) -> Vec<Finding>;

    /// Events since the last call (skipped images, notices).
    fn take_events(&mut self) -> Vec<Event> {
        Vec::new()
    }

    /// Joins a data-parallel group (see [`crate::dist`]) at `step`; returns the step the group
    /// is at (rank 0's, which a follower takes with rank 0's state).
    fn join(&mut self, _dist: Arc<Dist>, _step: u64) -> Result<u64> {
        Err(GanError::Distributed("this model family does not train data-parallel".into()))
    }

    /// The group this family is a rank of, if any.
    fn dist(&self) -> Option<&Dist> {
        None
    }
}

/// Makes a run's family: for a new run (`None`) or from a checkpoint directory. Everything
/// is loaded before the loop writes anything.
pub type Build<'a> = &'a mut dyn FnMut(Option<&Path>) -> Result<Box<dyn Family>>;
