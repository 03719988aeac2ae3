//! Evaluating a toy run: `n` generated points against `n` fresh real ones.

use gan_data::modes::{mode_report, ModeReport};
use gan_data::rng::mix;
use gan_data::toy::ToyDist;
use tch::{Device, Tensor};

use super::scores::{prdc, Prdc};
use crate::error::Result;
use crate::models::latent::{points, LatentDraw};
use crate::run::trained::TrainedGenerator;

/// Neighbours of the precision/recall balls.
pub const K: usize = 3;
/// Stream tag of the real points drawn for comparison.
const REAL_STREAM: u64 = 11;

/// Mode metrics (mixtures only) and precision/recall/density/coverage of `n` points drawn
/// from `draw` (the real points from its seed).
pub fn evaluate(g: &TrainedGenerator, dist: ToyDist, n: usize, draw: LatentDraw) -> Result<(Option<ModeReport>, Prdc)> {
    let fake = points(&g.generate(&draw.latents(n as i64, g.latent_dim(), Device::Cpu), None));
    let real = dist.sample(n, mix(&[draw.seed, REAL_STREAM]));
    let as_tensor = |p: &[f32]| Tensor::from_slice(p).view([n as i64, dist.dim() as i64]);
    let scores = prdc(&as_tensor(&real), &as_tensor(&fake), K);
    Ok((dist.modes().map(|m| mode_report(&m, &fake)), scores))
}
