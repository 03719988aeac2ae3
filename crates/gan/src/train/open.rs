//! Starting a run and resuming one. Nothing on disk changes until everything a run needs has
//! loaded: the family builds (its data opens, its networks build, a checkpoint's files all
//! read back with the right names, shapes and values). Only then does a new run create its
//! directory, or a resumed one record its holder in the lock file, set newer checkpoints aside
//! and rewrite its metrics log. Bad input therefore leaves the run directory exactly as it was.

use std::path::Path;

use super::{Build, Family, Trainer};
use crate::doctor::Doctor;
use crate::error::{GanError, Result};
use crate::run::checkpoint::{self, CheckpointChoice};
use crate::run::diagnoses::DiagnosesLog;
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::MetricsLog;

impl Trainer {
    /// Starts a new run in `run_dir`, which must not already hold a run, with the family
    /// `build(None)` makes.
    pub fn new(run_dir: &Path, build: Build<'_>) -> Result<Self> {
        let run = RunDir::new(run_dir);
        RunLock::check_free(&run)?;
        let family = build(None)?;
        Self::open(family, run, 0, RunLock::claim_new)
    }

    /// Continues the run in `run_dir` from the checkpoint `choice` names (normally the newest),
    /// with the family `build` makes from that checkpoint's directory. Continuing from an
    /// older one moves the newer checkpoints into `checkpoints/superseded/` and truncates the
    /// metrics log to it.
    pub fn resume(run_dir: &Path, choice: &CheckpointChoice, build: Build<'_>) -> Result<Self> {
        let run = RunDir::new(run_dir);
        if !run.config().is_file() {
            return Err(GanError::Invalid(format!("cannot resume {}: no config.toml there", run_dir.display())));
        }
        // Held while the checkpoint loads, so that no other trainer saves or prunes meanwhile.
        let lock = RunLock::acquire(&run)?;
        let ckpt = checkpoint::resolve(&run, choice)?;
        let step = ckpt.as_deref().map(checkpoint::read_state).transpose()?.map_or(0, |s| s.step);
        let family = build(ckpt.as_deref())?;
        let trainer = Self::open(family, run, step, move |run| {
            // Only the process holding the lock may remove what an interrupted save left.
            checkpoint::remove_leftovers(run)?;
            Ok(lock)
        })?;
        // Set the newer checkpoints aside only once the older one has loaded.
        if *choice != CheckpointChoice::Latest {
            checkpoint::supersede_after(&trainer.run, trainer.step)?;
        }
        Ok(trainer)
    }

    /// `claim` takes the directory (creating it, or cleaning up after an interrupted save,
    /// under the lock); then the run writes its holder, metrics log and configuration.
    fn open(family: Box<dyn Family>, run: RunDir, step: u64, claim: impl FnOnce(&RunDir) -> Result<RunLock>) -> Result<Self> {
        let settings = family.settings();
        let mut lock = claim(&run)?;
        lock.record_holder()?;
        // A user may have deleted the sample grids of a run to save space.
        std::fs::create_dir_all(run.samples()).map_err(GanError::io(run.samples()))?;
        // Records an interrupted run wrote after its last checkpoint are dropped.
        let (metrics_log, history) = MetricsLog::open(&run.metrics(), step, settings.tensorboard.then(|| run.tensorboard()).as_deref())?;
        let (diagnoses_log, seen) = DiagnosesLog::open(&run.diagnoses(), step)?;
        checkpoint::write_atomic(&run.config(), family.config_toml().as_bytes())?;
        Ok(Self {
            doctor: Doctor::resume(settings.doctor.clone(), seen),
            checked_through: step,
            diagnoses_log,
            family,
            settings,
            run,
            _lock: lock,
            step,
            metrics_log,
            history,
            stop: None,
            saved_at: None,
        })
    }
}
