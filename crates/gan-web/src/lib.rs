//! `gan-web`: the toolkit's local web dashboard and lab, in the spirit of GAN Lab (Kahng et
//! al., IEEE VIS 2018) but driving the toolkit's own training code.
//!
//! - `/`: the runs in a runs directory, each with its loss curves, D(x) / D(G(z)), sample
//!   grids over training and evaluation, updated live (server-sent events) while it trains.
//!   Colour runs can be steered toward an emoji classifier's class (skin tone, group, ...);
//!   text runs draw designs from a typed prompt.
//! - `/lab`: an interactive 1-D/2-D GAN ([`gan::lab`]) stepped in this process.
//!
//! The pages are plain HTML, CSS and JavaScript compiled into the binary: nothing is fetched
//! from anywhere else, so the dashboard works offline. Files are only ever read from inside
//! the runs directory (see [`paths`]).
//!
//! Limits: request bodies of at most [`MAX_BODY`] bytes (413 beyond), at most [`MAX_STREAMS`]
//! event streams open at once (503 beyond), and, when bound to a loopback address, only
//! requests whose `Host` names that address (`127.0.0.1:PORT`, `localhost:PORT`,
//! `[::1]:PORT`; 403 otherwise), so a web page elsewhere cannot reach the server through DNS
//! rebinding.

mod assets;
pub mod error;
mod lab;
pub mod paths;
mod project;
mod prompt;
mod runs;
mod steer;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use gan::lab::LabConfig;
use gan::GanError;
use tokio::sync::Semaphore;

pub use error::WebError;
pub use lab::LabHandle;

/// The largest request body accepted (the lab's settings are a few hundred bytes).
pub const MAX_BODY: usize = 64 * 1024;
/// Event streams (runs' live metrics, the lab's frames) open at once.
pub const MAX_STREAMS: usize = 32;

/// What the handlers share.
pub struct AppState {
    pub runs: PathBuf,
    pub lab: LabHandle,
    /// One permit per open event stream.
    pub streams: Arc<Semaphore>,
    /// The `Host` values accepted; `None` accepts any (a server bound to a public address).
    pub hosts: Option<Vec<String>>,
}

impl AppState {
    pub fn new(runs: PathBuf, lab: LabHandle, addr: SocketAddr) -> Self {
        let hosts = addr.ip().is_loopback().then(|| {
            let p = addr.port();
            ["127.0.0.1", "localhost", "[::1]"].iter().flat_map(|h| [format!("{h}:{p}"), h.to_string()]).collect()
        });
        Self { runs, lab, streams: Arc::new(Semaphore::new(MAX_STREAMS)), hosts }
    }

    /// A permit for one more event stream, to keep for the stream's life.
    pub fn stream_permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, WebError> {
        self.streams.clone().try_acquire_owned().map_err(|_| WebError::TooManyStreams(MAX_STREAMS))
    }
}

/// Refuses a request whose `Host` is not the server's own loopback address.
async fn check_host(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    if let Some(hosts) = &state.hosts {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
            return (StatusCode::FORBIDDEN, format!("Host {host:?} is not this server's address ({})", hosts[0])).into_response();
        }
    }
    next.run(req).await
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
        .route("/api/runs/{run}/project", post(project::project_drawing))
        .route("/api/runs/{run}/steer", get(steer::heads).post(steer::steer))
        .route("/api/runs/{run}/prompt", get(prompt::reader).post(prompt::draw))
        .route("/runs/{run}/{*path}", get(runs::file))
        .route("/api/lab/frame", get(lab::frame))
        .route("/api/lab/stream", get(lab::stream))
        .route("/api/lab/control", post(lab::control))
        .route("/api/lab/config", post(lab::configure))
        .route("/api/lab/recommended", get(lab::recommended))
        .route("/api/lab/curves.csv", get(lab::curves))
        .fallback(assets::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY))
        .layer(middleware::from_fn_with_state(state.clone(), check_host))
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
        let addr = listener.local_addr().map_err(|e| ServeError::Bind(options.addr, e))?;
        Ok(Self { listener, state: Arc::new(AppState::new(options.runs, lab, addr)) })
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
