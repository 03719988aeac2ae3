//! The library's error type: every variant is about the caller's input (configuration, data,
//! run directory, checkpoint files), and its message names the file, field or shape at fault.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum GanError {
    #[error(transparent)]
    Data(#[from] gan_data::DataError),
    /// A configuration with one or more problems; all of them are listed.
    #[error("{source_name}: {}", problems.join("; "))]
    Config { source_name: String, problems: Vec<String> },
    #[error("cannot resume {run}: {field} changed (run has {saved}, now {new})")]
    ResumeMismatch { run: PathBuf, field: String, saved: String, new: String },
    #[error("{path}: {reason}")]
    Checkpoint { path: PathBuf, reason: String },
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}")]
    Invalid(String),
    /// Losses or weights became NaN or infinite; nothing after `step` was checkpointed.
    #[error("training diverged at step {step}: {what} is not finite; stopped without checkpointing it ({}); lower the learning rates or add a penalty before training on", last_good.as_ref().map_or_else(|| "no checkpoint was saved before".to_string(), |p| format!("the last good checkpoint is {}", p.display())))]
    Diverged { step: u64, what: String, last_good: Option<PathBuf> },
    /// Training stopped on a signal (SIGINT, SIGTERM, ...) after finishing its step and
    /// checkpointing it.
    #[error("stopped by signal {signal} at step {step}; checkpoint {}; continue with: gan train --resume {}", checkpoint.as_ref().map_or_else(|| "not written (this rank writes none)".to_string(), |p| format!("saved: {}", p.display())), run.display())]
    Stopped { signal: usize, step: u64, checkpoint: Option<PathBuf>, run: PathBuf },
    /// A write failed because the disk is full; what it had written is removed.
    #[error("the disk is full: cannot write {writing}; its partial files were removed; {}", last_good.as_ref().map_or_else(|| "no earlier checkpoint exists".to_string(), |p| format!("the last good checkpoint is {} (free some space, then resume with gan train --resume)", p.display())))]
    DiskFull { writing: String, last_good: Option<PathBuf> },
    /// Data-parallel training could not join its group or lost a rank.
    #[error("distributed training: {0}")]
    Distributed(String),
}

pub type Result<T> = std::result::Result<T, GanError>;

impl GanError {
    /// `Ok` when `problems` is empty, else every problem of the configuration `source_name`.
    pub fn config_problems(source_name: &str, problems: Vec<String>) -> Result<()> {
        if problems.is_empty() {
            Ok(())
        } else {
            Err(GanError::Config { source_name: source_name.into(), problems })
        }
    }

    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> GanError {
        let path = path.into();
        move |source| GanError::Io { path, source }
    }

    /// Whether this error (or one it wraps, or its text) says the disk is full (ENOSPC).
    pub fn is_disk_full(&self) -> bool {
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cause {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.raw_os_error() == Some(28) || io.kind() == std::io::ErrorKind::StorageFull {
                    return true;
                }
            }
            cause = e.source();
        }
        let text = self.to_string();
        text.contains("No space left on device") || text.contains("os error 28") || matches!(self, GanError::DiskFull { .. })
    }

    /// This error as [`GanError::DiskFull`] when the disk is full (`writing` says what was
    /// being written), else unchanged.
    pub fn disk_full_as(self, writing: impl FnOnce() -> String) -> GanError {
        match self {
            e @ GanError::DiskFull { .. } => e,
            e if e.is_disk_full() => GanError::DiskFull { writing: writing(), last_good: None },
            e => e,
        }
    }
}
