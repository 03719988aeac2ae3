//! The lab's server side: one [`gan::lab::Lab`] session, owned by a worker thread (libtorch
//! work stays off the async runtime), driven by commands from the page and published as
//! frames that every open page receives as server-sent events.
//!
//! A step that panics (libtorch reports some failures so) does not take the lab down: the
//! worker catches it, starts a fresh session on the same settings, answers the request that
//! asked for the step with a 500 naming the failure (or, while playing, publishes it with the
//! next frame), and goes on serving. No lock here is ever poisoned for good.

use std::convert::Infallible;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::IntoResponse;
use axum::Json;
use futures_util::stream::{self, Stream};
use futures_util::StreamExt;
use gan::lab::{curves_csv, Lab, LabConfig, LabData, LabLoss, LabRecord};
use gan::GanError;
use gan_data::toy::ToyDist;
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};

use crate::error::WebError;
use crate::AppState;

/// Training time between two frames while playing.
const BURST: Duration = Duration::from_millis(80);

/// What the page asks the worker to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    Play,
    Pause,
    /// One discriminator update.
    StepD,
    /// One generator update.
    StepG,
    /// One round (`d_steps` then `g_steps`).
    Step,
    /// A fresh session with the same settings.
    Reset,
}

enum Command {
    Act(Action, oneshot::Sender<Result<(), String>>),
    Configure(LabConfig, oneshot::Sender<Result<(), GanError>>),
}

/// The latest published state.
#[derive(Clone, Default)]
pub struct Published {
    /// Counts sessions: a new one means the curves start over.
    pub session: u64,
    pub playing: bool,
    /// The frame, serialised once for every page.
    pub frame: Arc<String>,
    pub config: Option<LabConfig>,
    /// The last step that failed, while its session is the current one.
    pub error: Option<String>,
}

/// Locks `m`, taking the data even from a holder that panicked (every writer here leaves it
/// consistent: whole records appended, or cleared).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Test hook: `GAN_FAULT_LAB_PANIC=step-d` (or another action's name) makes the worker panic,
/// once, when it takes that action, as a failing libtorch call would.
const FAULT_ENV: &str = "GAN_FAULT_LAB_PANIC";
static FAULT_FIRED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn fault_point(action: Action) {
    let name = serde_json::to_value(action).ok().and_then(|v| v.as_str().map(str::to_string));
    if std::env::var(FAULT_ENV).ok() == name && !FAULT_FIRED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        std::panic::resume_unwind(Box::new(format!("injected lab fault in {}", name.unwrap_or_default())));
    }
}

/// The first line of a caught panic's message.
fn panic_text(p: &(dyn std::any::Any + Send)) -> String {
    let text = p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "a panic".into());
    text.lines().next().unwrap_or_default().to_string()
}

/// The handle the HTTP side holds.
pub struct LabHandle {
    commands: Option<Mutex<mpsc::Sender<Command>>>,
    worker: Option<std::thread::JoinHandle<()>>,
    pub published: watch::Receiver<Published>,
    /// The records of the current session (the curves).
    pub history: Arc<Mutex<Vec<LabRecord>>>,
}

impl LabHandle {
    /// Starts the worker with `config` (paused).
    pub fn start(config: LabConfig) -> Result<Self, GanError> {
        let lab = Lab::new(config)?;
        let (tx, rx) = mpsc::channel();
        let (pub_tx, pub_rx) = watch::channel(Published::default());
        let history = Arc::new(Mutex::new(Vec::new()));
        let mut worker = Worker { lab, session: 1, playing: false, published: pub_tx, history: history.clone(), error: None };
        worker.publish();
        let worker = std::thread::Builder::new().name("gan-lab".into()).spawn(move || worker.run(rx)).expect("spawn the lab thread");
        Ok(Self { commands: Some(Mutex::new(tx)), worker: Some(worker), published: pub_rx, history })
    }

    fn send(&self, c: Command) -> Result<(), WebError> {
        let commands = self.commands.as_ref().ok_or(WebError::LabGone)?;
        lock(commands).send(c).map_err(|_| WebError::LabGone)
    }
}

impl Drop for LabHandle {
    /// Stops the worker and waits for it, so that no libtorch work is under way while the
    /// process exits.
    fn drop(&mut self) {
        self.commands.take();
        if let Some(w) = self.worker.take() {
            let _ = w.join();
        }
    }
}

struct Worker {
    lab: Lab,
    session: u64,
    playing: bool,
    published: watch::Sender<Published>,
    history: Arc<Mutex<Vec<LabRecord>>>,
    error: Option<String>,
}

impl Worker {
    fn run(mut self, rx: mpsc::Receiver<Command>) {
        loop {
            let next = if self.playing {
                match rx.try_recv() {
                    Ok(c) => Some(c),
                    Err(mpsc::TryRecvError::Empty) => None,
                    Err(mpsc::TryRecvError::Disconnected) => return,
                }
            } else {
                match rx.recv() {
                    Ok(c) => Some(c),
                    Err(_) => return,
                }
            };
            if let Some(c) = next {
                self.handle(c);
            }
            if self.playing {
                let start = Instant::now();
                let burst = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    while start.elapsed() < BURST {
                        self.lab.round();
                    }
                }));
                if let Err(p) = burst {
                    self.recover(&panic_text(p.as_ref()));
                }
                self.publish();
            }
        }
    }

    fn handle(&mut self, c: Command) {
        match c {
            Command::Act(action, reply) => {
                let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.act(action)));
                let answer = match done {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(p) => Err(self.recover(&panic_text(p.as_ref()))),
                };
                // The frame is published before the answer: a caller that hears of the action
                // (or of its failure, with the fresh session) sees its result, and no tensor
                // work runs after the last answer.
                self.publish();
                let _ = reply.send(answer);
            }
            Command::Configure(config, reply) => {
                let answer = self.restart(config);
                self.publish();
                let _ = reply.send(answer);
            }
        }
    }

    fn act(&mut self, action: Action) -> Result<(), GanError> {
        fault_point(action);
        match action {
            Action::Play => self.playing = true,
            Action::Pause => self.playing = false,
            Action::StepD => self.lab.step_d(),
            Action::StepG => self.lab.step_g(),
            Action::Step => self.lab.round(),
            Action::Reset => self.restart(self.lab.config().clone())?,
        }
        Ok(())
    }

    /// After a step panicked: a fresh session on the same settings (the old one may be half
    /// updated), paused, with the failure published. Returns the message.
    fn recover(&mut self, what: &str) -> String {
        let config = self.lab.config().clone();
        let _ = self.restart(config);
        let message = format!("a lab step failed ({what}); the session restarted on the same settings");
        self.error = Some(message.clone());
        message
    }

    fn restart(&mut self, config: LabConfig) -> Result<(), GanError> {
        self.lab = Lab::new(config)?;
        self.session += 1;
        self.playing = false;
        self.error = None;
        lock(&self.history).clear();
        Ok(())
    }

    fn publish(&mut self) {
        let frame = self.lab.frame();
        {
            let mut h = lock(&self.history);
            let have = h.len();
            h.extend_from_slice(&self.lab.history()[have..]);
        }
        let frame = Arc::new(serde_json::to_string(&frame).expect("frames serialise"));
        let config = Some(self.lab.config().clone());
        self.published.send_replace(Published { session: self.session, playing: self.playing, frame, config, error: self.error.clone() });
    }
}

#[derive(Deserialize)]
pub struct Control {
    action: Action,
}

/// Takes an action; a step that fails answers 500 with what went wrong (the lab goes on, on a
/// fresh session).
pub async fn control(State(state): State<Arc<AppState>>, Json(c): Json<Control>) -> Result<Json<serde_json::Value>, WebError> {
    let (tx, rx) = oneshot::channel();
    state.lab.send(Command::Act(c.action, tx))?;
    match rx.await.map_err(|_| WebError::LabGone)? {
        Ok(()) => Ok(Json(serde_json::json!({ "ok": true }))),
        Err(e) => Err(WebError::LabStep(e)),
    }
}

/// Replaces the session with one on new settings (400 naming each bad field).
pub async fn configure(State(state): State<Arc<AppState>>, Json(config): Json<LabConfig>) -> Result<Json<serde_json::Value>, WebError> {
    let (tx, rx) = oneshot::channel();
    state.lab.send(Command::Configure(config, tx))?;
    match rx.await.map_err(|_| WebError::LabGone)? {
        Ok(()) => Ok(Json(serde_json::json!({ "ok": true }))),
        Err(e) => Err(WebError::BadRequest(e.to_string())),
    }
}

#[derive(Deserialize)]
pub struct RecommendedQuery {
    loss: LabLoss,
    dist: Option<ToyDist>,
}

/// The recommended settings for a loss (the page fills in its data).
pub async fn recommended(axum::extract::Query(q): axum::extract::Query<RecommendedQuery>) -> Json<LabConfig> {
    Json(LabConfig::recommended(LabData::Toy { dist: q.dist.unwrap_or(ToyDist::Ring8) }, q.loss))
}

pub async fn curves(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let csv = curves_csv(&lock(&state.lab.history));
    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), (header::CONTENT_DISPOSITION, "attachment; filename=\"gan-lab-curves.csv\"")], csv)
}

/// One message of the stream: the frame, and the records the page does not have yet.
#[derive(Serialize)]
struct Message<'a> {
    session: u64,
    playing: bool,
    config: &'a Option<LabConfig>,
    /// True when `history` holds the whole session's records (replace, do not append).
    restart: bool,
    history: &'a [LabRecord],
    frame: &'a serde_json::value::RawValue,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: &'a Option<String>,
}

fn message(p: &Published, history: &[LabRecord], sent: &mut (u64, usize)) -> String {
    let restart = sent.0 != p.session || sent.1 > history.len();
    let from = if restart { 0 } else { sent.1 };
    *sent = (p.session, history.len());
    let frame = serde_json::value::RawValue::from_string(p.frame.to_string()).expect("frames are JSON");
    serde_json::to_string(&Message {
        session: p.session,
        playing: p.playing,
        config: &p.config,
        restart,
        history: &history[from..],
        frame: &frame,
        error: &p.error,
    })
    .expect("serialisable")
}

/// The current frame (one message, as the stream would send it first).
pub async fn frame(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    let lab = &state.lab;
    let p = lab.published.borrow().clone();
    let text = message(&p, &lock(&lab.history), &mut (0, 0));
    ([(header::CONTENT_TYPE, "application/json")], text)
}

/// Server-sent `frame` events, one per published frame.
pub async fn stream(State(state): State<Arc<AppState>>) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    let permit = state.stream_permit()?;
    let lab = &state.lab;
    let (rx, history) = (lab.published.clone(), lab.history.clone());
    let s = stream::unfold((rx, history, (0u64, 0usize), true), |(mut rx, history, mut sent, first)| async move {
        if !first && rx.changed().await.is_err() {
            return None;
        }
        let p = rx.borrow_and_update().clone();
        let text = message(&p, &lock(&history), &mut sent);
        Some((Ok(Event::default().event("frame").data(text)), (rx, history, sent, false)))
    });
    // The permit goes with the stream and returns when the client goes.
    let s = s.map(move |e| {
        let _held = &permit;
        e
    });
    Ok(Sse::new(s).keep_alive(KeepAlive::default()))
}
