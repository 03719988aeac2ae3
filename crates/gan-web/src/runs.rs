//! The runs dashboard's API: the list of runs, one run's configuration, metrics, sample
//! grids and evaluation, its files, and a live stream of what a training run appends.

use std::convert::Infallible;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use futures_util::stream::{self, Stream};
use futures_util::StreamExt;
use gan::run::dir::RunDir;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::WebError;
use crate::paths::{content_type, run_dir, run_file};
use crate::AppState;

/// A run counts as live while its metrics changed this recently.
const LIVE_WINDOW: Duration = Duration::from_secs(20);
/// How often a stream looks for new metrics and samples.
const POLL: Duration = Duration::from_millis(250);

#[derive(Serialize)]
pub struct RunSummary {
    name: String,
    /// The last logged step (0 before the first log).
    step: u64,
    live: bool,
    evaluated: bool,
    samples: usize,
    /// Seconds since the Unix epoch of the last change to the metrics.
    modified: u64,
}

#[derive(Serialize)]
pub struct RunDetail {
    name: String,
    config: String,
    metrics: Vec<Value>,
    samples: Vec<Sample>,
    eval: Option<Value>,
    /// The doctor's diagnoses (`diagnoses.jsonl`), each start and clear in order.
    diagnoses: Vec<Value>,
    live: bool,
    /// Where the metrics read here end: `events?from=` continues from it.
    offset: u64,
}

#[derive(Serialize, Clone, PartialEq)]
pub struct Sample {
    step: u64,
    /// Path relative to the run directory.
    file: String,
}

fn modified(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

fn is_live(run: &RunDir) -> bool {
    modified(&run.metrics()).and_then(|t| t.elapsed().ok()).is_some_and(|age| age < LIVE_WINDOW)
}

fn samples(run: &RunDir) -> Vec<Sample> {
    let base = run.root();
    run.sample_grids()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|(step, path)| path.strip_prefix(base).ok().and_then(|p| p.to_str()).map(|f| Sample { step, file: f.replace('\\', "/") }))
        .collect()
}

/// Complete lines from byte `from` on: the parsed records and the offset after the last
/// complete line (a line still being written is left for the next read).
fn read_metrics_from(path: &Path, from: u64) -> Result<(Vec<Value>, u64), WebError> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
        Err(e) => return Err(WebError::read(path, e)),
    };
    f.seek(SeekFrom::Start(from)).map_err(|e| WebError::read(path, e))?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(|e| WebError::read(path, e))?;
    let end = buf.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    let records = String::from_utf8_lossy(&buf[..end]).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    Ok((records, from + end as u64))
}

/// The records of `diagnoses.jsonl` (none when missing; a torn last line is left out).
fn read_diagnoses(run: &RunDir) -> Vec<Value> {
    let text = std::fs::read_to_string(run.diagnoses()).unwrap_or_default();
    text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn read_eval(run: &RunDir) -> Option<Value> {
    std::fs::read_to_string(run.eval()).ok().and_then(|t| serde_json::from_str(&t).ok())
}

pub async fn list(State(state): State<Arc<AppState>>) -> Result<Json<Vec<RunSummary>>, WebError> {
    let root = &state.runs;
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Json(Vec::new())),
        Err(e) => return Err(WebError::read(root, e)),
    };
    let mut runs: Vec<RunSummary> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("config.toml").is_file())
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_string();
            let run = RunDir::new(e.path());
            let (metrics, _) = read_metrics_from(&run.metrics(), 0).ok()?;
            let step = metrics.last().and_then(|m| m["step"].as_u64()).unwrap_or(0);
            let modified = modified(&run.metrics()).or_else(|| modified(&run.config()));
            Some(RunSummary {
                step,
                live: is_live(&run),
                evaluated: run.eval().is_file(),
                samples: samples(&run).len(),
                modified: modified.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok()).map_or(0, |d| d.as_secs()),
                name,
            })
        })
        .collect();
    runs.sort_by(|a, b| b.modified.cmp(&a.modified).then(a.name.cmp(&b.name)));
    Ok(Json(runs))
}

pub async fn detail(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>) -> Result<Json<RunDetail>, WebError> {
    let run = RunDir::new(run_dir(&state.runs, &name)?);
    let config = std::fs::read_to_string(run.config()).map_err(|e| WebError::read(&run.config(), e))?;
    let (metrics, offset) = read_metrics_from(&run.metrics(), 0)?;
    Ok(Json(RunDetail { config, metrics, samples: samples(&run), eval: read_eval(&run), diagnoses: read_diagnoses(&run), live: is_live(&run), name, offset }))
}

pub async fn file(State(state): State<Arc<AppState>>, UrlPath((name, rel)): UrlPath<(String, String)>) -> Result<Response, WebError> {
    let path = run_file(&state.runs, &name, &rel)?;
    let bytes = tokio::fs::read(&path).await.map_err(|e| WebError::read(&path, e))?;
    Ok(([(header::CONTENT_TYPE, content_type(&path)), (header::CACHE_CONTROL, "no-cache")], bytes).into_response())
}

/// What a stream has sent so far.
struct Tail {
    run: RunDir,
    offset: u64,
    samples: Vec<Sample>,
    eval_time: Option<SystemTime>,
    /// Diagnoses sent so far.
    diagnoses: usize,
    first: bool,
}

impl Tail {
    /// Events for what changed since the last call.
    fn poll(&mut self) -> Vec<Event> {
        let mut events = Vec::new();
        let len = std::fs::metadata(self.run.metrics()).map_or(0, |m| m.len());
        if len < self.offset {
            // Rewritten (a resumed run drops records after its checkpoint): start over.
            self.offset = 0;
            events.push(Event::default().event("reset").data("{}"));
        }
        if let Ok((records, offset)) = read_metrics_from(&self.run.metrics(), self.offset) {
            self.offset = offset;
            if !records.is_empty() {
                events.push(json_event("metrics", &records));
            }
        }
        let samples = samples(&self.run);
        if samples != self.samples {
            self.samples = samples;
            events.push(json_event("samples", &self.samples));
        }
        let eval_time = modified(&self.run.eval());
        if eval_time != self.eval_time {
            self.eval_time = eval_time;
            if let Some(v) = read_eval(&self.run) {
                events.push(json_event("eval", &v));
            }
        }
        let diagnoses = read_diagnoses(&self.run);
        if diagnoses.len() != self.diagnoses {
            self.diagnoses = diagnoses.len();
            events.push(json_event("diagnoses", &diagnoses));
        }
        if self.first {
            self.first = false;
            events.push(json_event("live", &is_live(&self.run)));
        }
        events
    }
}

fn json_event(name: &str, value: &impl Serialize) -> Event {
    Event::default().event(name).data(serde_json::to_string(value).expect("serialisable"))
}

#[derive(Deserialize)]
pub struct From {
    /// Byte offset in `metrics.jsonl` to continue from (the `offset` of `detail`).
    #[serde(default)]
    from: u64,
}

/// Server-sent events for one run: `metrics` (records after `?from=`), `samples` (the full
/// list, first and whenever it changes), `eval` and `diagnoses` (likewise), `reset` (metrics rewritten;
/// reload them) and `live` (once, first).
pub async fn events(
    State(state): State<Arc<AppState>>,
    UrlPath(name): UrlPath<String>,
    Query(From { from }): Query<From>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, WebError> {
    let run = RunDir::new(run_dir(&state.runs, &name)?);
    let permit = state.stream_permit()?;
    let tail = Tail { samples: Vec::new(), eval_time: None, diagnoses: 0, offset: from, run, first: true };
    let stream = stream::unfold((tail, Vec::<Event>::new()), |(mut tail, mut pending)| async move {
        loop {
            if let Some(e) = pending.pop() {
                return Some((Ok(e), (tail, pending)));
            }
            if !tail.first {
                tokio::time::sleep(POLL).await;
            }
            pending = tail.poll();
            pending.reverse();
        }
    });
    // The permit goes with the stream and returns when the client goes.
    let stream = stream.map(move |e| {
        let _held = &permit;
        e
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
