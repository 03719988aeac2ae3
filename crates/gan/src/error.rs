//! The library's error type. Messages name the file, field or shape at fault.

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
    #[error("{what}: {source}")]
    Torch { what: String, source: tch::TchError },
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T> = std::result::Result<T, GanError>;

impl GanError {
    pub fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> GanError {
        let path = path.into();
        move |source| GanError::Io { path, source }
    }

    pub fn torch(what: impl Into<String>) -> impl FnOnce(tch::TchError) -> GanError {
        let what = what.into();
        move |source| GanError::Torch { what, source }
    }

    /// True for errors caused by the user's input (bad config, data, arguments), as opposed
    /// to internal failures. The CLI maps these to exit code 1.
    pub fn is_user_error(&self) -> bool {
        !matches!(self, GanError::Torch { .. })
    }
}
