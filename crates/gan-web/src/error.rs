//! Errors of the web server, each with its HTTP status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("not a plain path inside the runs directory: {0:?}")]
    BadPath(String),
    #[error("no run named {0:?}")]
    NoRun(String),
    #[error("no file {0:?}")]
    NoFile(String),
    #[error("{path}: {reason}")]
    Read { path: String, reason: String },
    #[error("{0}")]
    BadRequest(String),
    #[error("the lab has stopped")]
    LabGone,
    #[error("{0}")]
    LabStep(String),
    #[error("too many event streams are open (at most {0}); close a dashboard tab")]
    TooManyStreams(usize),
}

impl WebError {
    pub fn read(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        WebError::Read { path: path.display().to_string(), reason: e.to_string() }
    }

    fn status(&self) -> StatusCode {
        match self {
            WebError::BadPath(_) | WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NoRun(_) | WebError::NoFile(_) => StatusCode::NOT_FOUND,
            WebError::Read { .. } | WebError::LabGone | WebError::LabStep(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::TooManyStreams(_) => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.to_string() });
        (self.status(), axum::Json(body)).into_response()
    }
}
