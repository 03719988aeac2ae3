//! `POST /api/runs/{run}/project`: a drawing projected onto a run's generator, for the
//! dashboard's canvas. StyleGAN2 runs go through the StyleGAN2 projector into W (Karras et
//! al. 2020, `projector.py` of NVlabs/stylegan2-ada-pytorch; see `gan::explore::project_w`,
//! its distance said in the answer), every other generator through iGAN's projection of `z`
//! from several starts (Zhu et al. 2016; `gan::explore::project`).
//!
//! The page sends the drawing as values in `[0, scale]` (bytes, to stay under the request
//! limit), row by row, each pixel's channels together (1 grey or 3 RGB), at the canvas's
//! size; it is resized to the generator's (area average down, bilinear up) and turned grey
//! or colour as the run draws. Without a size it must be the generator's size, grey. The
//! answer holds the projected images, best first, in the run's channels and size, with their
//! losses.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::Json;
use gan::explore::project::{project, ProjectConfig};
use gan::explore::project_w::{project_w, WProjectConfig, WSpace};
use gan::run::checkpoint::CheckpointChoice;
use gan::run::trained::{TrainedGenerator, WeightsChoice};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use crate::error::WebError;
use crate::paths::run_dir;
use crate::AppState;

/// iGAN's starts and steps per request: about a tenth of a second for a 28x28 DCGAN on 2 cores.
const STARTS: i64 = 6;
const STEPS: u32 = 30;
/// The W projector's steps per request (its lr schedule runs over them).
const W_STEPS: u32 = 40;
/// The largest canvas side accepted.
const MAX_SIDE: i64 = 1024;

#[derive(Deserialize)]
pub struct Drawing {
    /// `height * width * channels` values in `[0, scale]` (0 black, `scale` full).
    pixels: Vec<f32>,
    /// The full value (1 without it; the page sends bytes, 255, to stay small).
    scale: Option<f32>,
    /// The drawing's size and channels (1 or 3); without them, the generator's size, grey.
    width: Option<i64>,
    height: Option<i64>,
    channels: Option<i64>,
}

#[derive(Serialize)]
pub struct Projected {
    width: i64,
    height: i64,
    channels: i64,
    /// Each result's values in `[0, 1]`, laid out as the drawing's, best first.
    images: Vec<Vec<f32>>,
    losses: Vec<f64>,
    step: u64,
    /// How it was projected: the space, and the distance minimised.
    method: String,
}

pub async fn project_drawing(State(state): State<Arc<AppState>>, UrlPath(name): UrlPath<String>, Json(d): Json<Drawing>) -> Result<Json<Projected>, WebError> {
    let dir = run_dir(&state.runs, &name)?;
    let answer = tokio::task::spawn_blocking(move || -> Result<Projected, WebError> {
        let bad = |e: gan::GanError| WebError::BadRequest(format!("{name}: {e}"));
        let g = TrainedGenerator::load(&dir, &CheckpointChoice::Latest, WeightsChoice::Best, Device::Cpu).map_err(bad)?;
        let target = target(&d, &g)?;
        let (images, losses, method) = if g.stylegan2().is_ok() { in_w(&g, &target).map_err(bad)? } else { in_z(&g, &target).map_err(bad)? };
        let (c, h, w) = (g.image.channels, g.image.height, g.image.width);
        let unit = ((images + 1.0) / 2.0).clamp(0.0, 1.0).permute([0, 2, 3, 1]).reshape([-1, h * w * c]);
        let images = (0..unit.size()[0]).map(|i| Vec::<f32>::try_from(unit.get(i)).expect("floats")).collect();
        Ok(Projected { width: w, height: h, channels: c, images, losses, step: g.step, method })
    })
    .await
    .map_err(|e| WebError::BadRequest(format!("projection failed: {e}")))??;
    Ok(Json(answer))
}

/// The drawing as the generator's target `[1, C, H, W]` in `[-1, 1]`.
fn target(d: &Drawing, g: &TrainedGenerator) -> Result<Tensor, WebError> {
    let (gc, gh, gw) = (g.image.channels, g.image.height, g.image.width);
    let (w, h, c) = (d.width.unwrap_or(gw), d.height.unwrap_or(gh), d.channels.unwrap_or(1));
    if !(1..=MAX_SIDE).contains(&w) || !(1..=MAX_SIDE).contains(&h) || !matches!(c, 1 | 3) {
        return Err(WebError::BadRequest(format!("width, height and channels: expected sides from 1 to {MAX_SIDE} and 1 or 3 channels, got {w}x{h}x{c}")));
    }
    let scale = d.scale.unwrap_or(1.0);
    if !(scale > 0.0 && scale.is_finite()) {
        return Err(WebError::BadRequest(format!("scale: expected a positive number, got {scale}")));
    }
    if d.pixels.len() as i64 != h * w * c || d.pixels.iter().any(|v| !(0.0..=scale).contains(v)) {
        return Err(WebError::BadRequest(format!("pixels: expected {} values in [0, {scale}] for {w}x{h}x{c}, got {}", h * w * c, d.pixels.len())));
    }
    let x = Tensor::from_slice(&d.pixels).reshape([1, h, w, c]).permute([0, 3, 1, 2]) / f64::from(scale);
    let x = match (c, gc) {
        (3, 1) => x.mean_dim(1, true, Kind::Float),
        (1, 3) => x.repeat([1, 3, 1, 1]),
        _ => x,
    };
    let x = if h >= gh && w >= gw { x.adaptive_avg_pool2d([gh, gw]) } else { x.upsample_bilinear2d([gh, gw], false, None, None) };
    Ok(x * 2.0 - 1.0)
}

type Answer = (Tensor, Vec<f64>, String);

fn in_z(g: &TrainedGenerator, target: &Tensor) -> gan::Result<Answer> {
    let mask = Tensor::ones([1, 1, g.image.height, g.image.width], (Kind::Float, Device::Cpu));
    let p = project(g, target, &mask, &ProjectConfig { starts: STARTS, steps: STEPS, path_every: STEPS, ..ProjectConfig::default() })?;
    Ok((p.images, p.losses, format!("z, iGAN's projection from {STARTS} starts (pixel MSE and a prior on z)")))
}

fn in_w(g: &TrainedGenerator, target: &Tensor) -> gan::Result<Answer> {
    let (features, distance) = gan::explore::distance::projection_features(g)?;
    let cfg = WProjectConfig { space: WSpace::W, steps: W_STEPS, path_every: W_STEPS, ..WProjectConfig::default() };
    let p = project_w(g, target, features.as_ref(), &cfg)?;
    let last = p.losses.last().copied().unwrap_or(f64::NAN);
    Ok((p.image, vec![last], format!("w, the StyleGAN2 projector ({W_STEPS} steps; {distance})")))
}
