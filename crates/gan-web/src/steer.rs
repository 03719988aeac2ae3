//! Steering on the dashboard (colour runs): `GET /api/runs/{run}/steer` lists the emoji
//! classifier's heads and classes for the run page's pickers; `POST` with `{target:
//! "skin_tone=5", n, steps}` steers `n` seeded latents toward it (`gan::explore::steer::heads`)
//! and answers the images before and after (bytes, row by row, RGB), the share of samples
//! read as the target before and after, and how often each other head changed its reading.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::Json;
use gan::eval::attributes::{shipped, AttributeNet};
use gan::explore::steer::heads::{steer_head, Moved, Target};
use gan::explore::steer::SteerConfig;
use gan::models::latent::latents;
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use crate::error::WebError;
use crate::paths::run_dir;
use crate::AppState;

/// Most latents and steps per request (a few seconds on 2 cores for a 64x64 DCGAN).
const MAX_N: i64 = 16;
const MAX_STEPS: u32 = 200;

#[derive(Serialize)]
pub struct HeadInfo {
    field: String,
    classes: Vec<String>,
    accuracy: f64,
}

#[derive(Serialize)]
pub struct Heads {
    classifier: String,
    heads: Vec<HeadInfo>,
}

#[derive(Deserialize)]
pub struct Request {
    target: String,
    #[serde(default = "default_n")]
    n: i64,
    #[serde(default = "default_steps")]
    steps: u32,
    #[serde(default)]
    seed: u64,
}

fn default_n() -> i64 {
    8
}

fn default_steps() -> u32 {
    60
}

#[derive(Serialize)]
pub struct Answer {
    width: i64,
    height: i64,
    /// Each image's bytes, `height * width * 3`, row by row.
    before: Vec<Vec<u8>>,
    after: Vec<Vec<u8>>,
    field: String,
    class_name: String,
    share_before: f64,
    share_after: f64,
    others: Vec<Moved>,
    step: u64,
}

/// The run's generator, if it draws colour images.
fn colour_run(state: &AppState, name: &str) -> Result<TrainedGenerator, WebError> {
    let dir = run_dir(&state.runs, name)?;
    let g =
        TrainedGenerator::load(&dir, &CheckpointChoice::Latest, WeightsChoice::Best, Device::Cpu).map_err(|e| WebError::BadRequest(format!("{name}: {e}")))?;
    if g.image.channels != 3 {
        return Err(WebError::BadRequest(format!("{name} draws {} images; the dashboard steers colour runs (grey runs: gan steer --target CLASS)", g.image)));
    }
    Ok(g)
}

fn classifier() -> Result<AttributeNet, WebError> {
    shipped::emoji(Device::Cpu).map_err(|e| WebError::BadRequest(e.to_string()))
}

pub async fn heads(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>) -> Result<Json<Heads>, WebError> {
    let answer = tokio::task::spawn_blocking(move || -> Result<Heads, WebError> {
        colour_run(&state, &name)?;
        let net = classifier()?;
        let heads = net.card.heads.iter().map(|h| HeadInfo { field: h.field.clone(), classes: h.classes.clone(), accuracy: h.accuracy }).collect();
        Ok(Heads { classifier: net.describe(), heads })
    })
    .await
    .map_err(|e| WebError::BadRequest(format!("steering failed: {e}")))??;
    Ok(Json(answer))
}

pub async fn steer(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>, Json(r): Json<Request>) -> Result<Json<Answer>, WebError> {
    if !(1..=MAX_N).contains(&r.n) || !(1..=MAX_STEPS).contains(&r.steps) {
        return Err(WebError::BadRequest(format!("n must be 1..{MAX_N} and steps 1..{MAX_STEPS}, got {} and {}", r.n, r.steps)));
    }
    let answer = tokio::task::spawn_blocking(move || -> Result<Answer, WebError> {
        let g = colour_run(&state, &name)?;
        let net = classifier()?;
        let bad = |e: gan::GanError| WebError::BadRequest(format!("{name}: {e}"));
        let target = Target::parse(&net, &r.target).map_err(|e| WebError::BadRequest(e.to_string()))?;
        let z0 = latents(r.n, g.latent_dim(), r.seed, Device::Cpu);
        let labels = g.labels(r.n, None).map_err(bad)?;
        let cfg = SteerConfig { target: target.class, steps: r.steps, lr: 0.1, keep_others: 0.0 };
        let h = steer_head(&g, &net, &target, &z0, labels.as_ref(), &cfg).map_err(bad)?;
        let frames = &h.steered.frames;
        Ok(Answer {
            width: g.image.width,
            height: g.image.height,
            before: rows(&frames[0]),
            after: rows(frames.last().expect("frames")),
            field: h.field,
            class_name: h.class_name,
            share_before: h.share_before,
            share_after: h.share_after,
            others: h.others,
            step: g.step,
        })
    })
    .await
    .map_err(|e| WebError::BadRequest(format!("steering failed: {e}")))??;
    Ok(Json(answer))
}

/// Each image of `[n, 3, H, W]` in `[-1, 1]` as bytes, `H x W x 3`.
pub(crate) fn rows(images: &Tensor) -> Vec<Vec<u8>> {
    let hwc = images.permute([0, 2, 3, 1]).contiguous();
    (0..hwc.size()[0]).map(|i| gan::draw::grid::to_bytes(&hwc.get(i))).collect()
}
