//! Prompts on the dashboard (text runs, `[text]`): `GET /api/runs/{run}/prompt` says which
//! matcher reads the run's prompts (400 for a run that is not text-conditioned, so the run
//! page hides its prompt box); `POST` with `{prompt: "cat face with heart eyes", n, seed}`
//! draws `n` designs of the prompt from `n` seeded latents, as `gan sample --prompt` does,
//! and answers their bytes (row by row, RGB). A keyword list is a prompt with commas
//! (`cat, heart`), as `--keywords` joins its words. A prompt with no known word is refused
//! in one line that lists the nearest known words.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::Json;
use gan::eval::matcher::shipped::of_text;
use gan::eval::matcher::Matcher;
use gan::models::latent::latents;
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use serde::{Deserialize, Serialize};
use tch::Device;

use crate::error::WebError;
use crate::paths::run_dir;
use crate::steer::rows;
use crate::AppState;

/// Most designs per request.
const MAX_N: i64 = 16;

#[derive(Serialize)]
pub struct Reader {
    matcher: String,
    step: u64,
}

#[derive(Deserialize)]
pub struct Request {
    prompt: String,
    #[serde(default = "default_n")]
    n: i64,
    #[serde(default)]
    seed: u64,
}

fn default_n() -> i64 {
    MAX_N
}

#[derive(Serialize)]
pub struct Answer {
    width: i64,
    height: i64,
    /// Each design's bytes, `height * width * 3`, row by row.
    images: Vec<Vec<u8>>,
    /// The prompt as the matcher read it (commas as spaces).
    prompt: String,
    step: u64,
}

/// The run's generator, if it is conditioned on text, and the matcher that reads its prompts.
fn text_run(state: &AppState, name: &str) -> Result<(TrainedGenerator, Matcher), WebError> {
    let dir = run_dir(&state.runs, name)?;
    let bad = |e: gan::GanError| WebError::BadRequest(format!("{name}: {e}"));
    let g = TrainedGenerator::load(&dir, &CheckpointChoice::Latest, WeightsChoice::Best, Device::Cpu).map_err(bad)?;
    let Some(text) = &g.config.text else {
        return Err(WebError::BadRequest(format!(
            "{name} was not trained on captions (no [text] table); prompts draw from text runs such as --preset emoji-text-rpgan"
        )));
    };
    let m = of_text(text, Device::Cpu).map_err(bad)?;
    Ok((g, m))
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T, WebError> + Send + 'static) -> Result<T, WebError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| WebError::BadRequest(format!("drawing failed: {e}")))?
}

pub async fn reader(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>) -> Result<Json<Reader>, WebError> {
    let answer = blocking(move || {
        let (g, m) = text_run(&state, &name)?;
        Ok(Reader { matcher: m.describe(), step: g.step })
    })
    .await?;
    Ok(Json(answer))
}

pub async fn draw(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>, Json(r): Json<Request>) -> Result<Json<Answer>, WebError> {
    if !(1..=MAX_N).contains(&r.n) {
        return Err(WebError::BadRequest(format!("n must be 1..{MAX_N}, got {}", r.n)));
    }
    let answer = blocking(move || {
        let (g, m) = text_run(&state, &name)?;
        let prompt = r.prompt.replace(',', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        let condition = tch::no_grad(|| m.encode_prompt(&prompt)).map_err(|e| WebError::BadRequest(format!("prompt: {e}")))?;
        let z = latents(r.n, g.latent_dim(), r.seed, Device::Cpu);
        let images = g.generate_mixed(&z, Some(&condition.repeat([r.n, 1])));
        Ok(Answer { width: g.image.width, height: g.image.height, images: rows(&images), prompt, step: g.step })
    })
    .await?;
    Ok(Json(answer))
}
