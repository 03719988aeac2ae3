//! `POST /api/runs/{run}/project`: iGAN's projection of a drawing onto a run's generator
//! (see `gan::explore::project`), for the dashboard's canvas. The page sends the drawing as
//! grey values in `[0, 1]`, row by row; the answer holds the closest generated images, best
//! first, in the same form, with their losses.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::Json;
use gan::explore::project::{project, ProjectConfig};
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::error::WebError;
use crate::paths::run_dir;
use crate::AppState;

/// Starts and steps per request: about a tenth of a second for a 28x28 DCGAN on 2 cores.
const STARTS: i64 = 6;
const STEPS: u32 = 30;

#[derive(Deserialize)]
pub struct Drawing {
    /// `height * width` grey values in `[0, 1]` (0 black, 1 white).
    pixels: Vec<f32>,
}

#[derive(Serialize)]
pub struct Projected {
    width: i64,
    height: i64,
    /// Each result's grey values in `[0, 1]`, best first.
    images: Vec<Vec<f32>>,
    losses: Vec<f64>,
    step: u64,
}

pub async fn project_drawing(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>, Json(d): Json<Drawing>) -> Result<Json<Projected>, WebError> {
    let dir = run_dir(&state.runs, &name)?;
    let answer = tokio::task::spawn_blocking(move || -> Result<Projected, WebError> {
        let bad = |e: gan::GanError| WebError::BadRequest(format!("{name}: {e}"));
        let g = TrainedGenerator::load(&dir, &CheckpointChoice::Latest, WeightsChoice::Best, Device::Cpu).map_err(bad)?;
        let (c, h, w) = (g.image.channels, g.image.height, g.image.width);
        if c != 1 {
            return Err(WebError::BadRequest(format!("{name} draws {} images; the canvas draws grey ones", g.image)));
        }
        if d.pixels.len() as i64 != h * w || d.pixels.iter().any(|v| !(0.0..=1.0).contains(v)) {
            return Err(WebError::BadRequest(format!("pixels: expected {} values in [0, 1] for {h}x{w}, got {}", h * w, d.pixels.len())));
        }
        let target = Tensor::from_slice(&d.pixels).reshape([1, 1, h, w]) * 2.0 - 1.0;
        let mask = Tensor::ones([1, 1, h, w], (Kind::Float, Device::Cpu));
        let p = project(&g, &target, &mask, &ProjectConfig { starts: STARTS, steps: STEPS, path_every: STEPS, ..ProjectConfig::default() }).map_err(bad)?;
        let unit = ((p.images + 1.0) / 2.0).clamp(0.0, 1.0).reshape([STARTS, h * w]);
        let images = (0..STARTS).map(|i| Vec::<f32>::try_from(unit.get(i)).expect("floats")).collect();
        Ok(Projected { width: w, height: h, images, losses: p.losses, step: g.step })
    })
    .await
    .map_err(|e| WebError::BadRequest(format!("projection failed: {e}")))??;
    Ok(Json(answer))
}
