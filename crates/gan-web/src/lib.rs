//! `gan-web`: the toolkit's local web dashboard and lab, in the spirit of GAN Lab (Kahng et
//! al., IEEE VIS 2018) but driving the toolkit's own training code.
//!
//! - `/`: the runs in a runs directory, each with its loss curves, D(x) / D(G(z)), sample
//!   grids over training and evaluation, updated live (server-sent events) while it trains.
//! - `/lab`: an interactive 1-D/2-D GAN ([`gan::lab`]) stepped in this process.
//!
//! The pages are plain HTML, CSS and JavaScript compiled into the binary: nothing is fetched
//! from anywhere else, so the dashboard works offline. Files are only ever read from inside
//! the runs directory (see [`paths`]).

mod assets;
pub mod error;
mod lab;
pub mod paths;
mod runs;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::routing::{get, post};
use axum::Router;
use gan::lab::LabConfig;
use gan::GanError;

pub use error::WebError;
pub use lab::LabHandle;

/// What the handlers share.
pub struct AppState {
    pub runs: PathBuf,
    pub lab: LabHandle,
}

/// The server's settings.
pub struct ServeOptions {
    pub runs: PathBuf,
    pub addr: SocketAddr,
    /// The lab's first session (the lab page is served in either case).
    pub lab: LabConfig,
}

/// All routes over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/lab", get(assets::lab))
        .route("/assets/{name}", get(assets::file))
        .route("/api/runs", get(runs::list))
        .route("/api/runs/{run}", get(runs::detail))
        .route("/api/runs/{run}/events", get(runs::events))
        .route("/runs/{run}/{*path}", get(runs::file))
        .route("/api/lab/frame", get(lab::frame))
        .route("/api/lab/stream", get(lab::stream))
        .route("/api/lab/control", post(lab::control))
        .route("/api/lab/config", post(lab::configure))
        .route("/api/lab/recommended", get(lab::recommended))
        .route("/api/lab/curves.csv", get(lab::curves))
        .fallback(assets::not_found)
        .with_state(state)
}

/// A bound server, not yet serving: its address is known (port 0 picks a free one).
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
}

impl Server {
    /// Binds `options.addr` and starts the lab's worker.
    pub async fn bind(options: ServeOptions) -> Result<Self, ServeError> {
        let listener = tokio::net::TcpListener::bind(options.addr).await.map_err(|e| ServeError::Bind(options.addr, e))?;
        let lab = LabHandle::start(options.lab)?;
        Ok(Self { listener, state: Arc::new(AppState { runs: options.runs, lab }) })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// Serves until the process ends (open event streams never finish, so there is no
    /// graceful shutdown to wait for).
    pub async fn serve(self) -> Result<(), ServeError> {
        axum::serve(self.listener, router(self.state)).await.map_err(ServeError::Serve)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, std::io::Error),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
    #[error(transparent)]
    Lab(#[from] GanError),
}
