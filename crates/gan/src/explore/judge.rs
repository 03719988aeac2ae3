//! Judging a generator with a classifier: for a conditional run, how often the classifier
//! agrees with the class asked for; for any run, the histogram of the classes it draws.
//! Samples are drawn from seeded latents, so a judgement is reproducible.

use gan_data::modes::class_shares;
use serde::Serialize;
use tch::{Device, Kind};

use crate::error::{GanError, Result};
use crate::eval::classifier::Classifier;
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;

/// Images classified per forward pass.
const CHUNK: i64 = 500;

/// How the classifier labels `n` samples of one requested class (or of the whole
/// generator, for an unconditional run: `requested` is then `None`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Judgement {
    pub requested: Option<i64>,
    pub n: i64,
    /// Share of samples whose most likely class is each class.
    pub shares: Vec<f64>,
    /// Share labelled as the requested class.
    pub agreement: Option<f64>,
    /// Mean of the classifier's top probability.
    pub mean_confidence: f64,
}

/// Classifies `n` samples drawn from `draw`'s latents, of class `requested` (conditional runs).
pub fn judge(g: &TrainedGenerator, c: &Classifier, requested: Option<i64>, n: i64, draw: LatentDraw) -> Result<Judgement> {
    if g.image != crate::eval::classifier::INPUT {
        return Err(GanError::Invalid(format!("the classifiers judge 28x28 grey images; this run makes {:?}", g.image)));
    }
    let z = draw.latents(n, g.latent_dim(), Device::Cpu);
    let mut predicted = Vec::with_capacity(n as usize);
    let mut confidence = 0.0;
    for start in (0..n).step_by(CHUNK as usize) {
        let len = CHUNK.min(n - start);
        let labels = g.labels(len, requested.map(|r| vec![r; len as usize]).as_deref())?;
        let probs = tch::no_grad(|| c.probs(&g.generate(&z.narrow(0, start, len), labels.as_ref())));
        let (top, arg) = probs.max_dim(1, false);
        confidence += top.sum(Kind::Double).double_value(&[]);
        predicted.extend(Vec::<i64>::try_from(arg.to_device(Device::Cpu)).expect("labels"));
    }
    let shares = class_shares(&predicted, c.classes as usize);
    let agreement = requested.map(|r| shares.get(r as usize).copied().unwrap_or(0.0));
    Ok(Judgement { requested, n, shares, agreement, mean_confidence: confidence / n as f64 })
}

/// One judgement per class for a conditional run, or one for the whole generator.
pub fn judge_run(g: &TrainedGenerator, c: &Classifier, n: i64, draw: LatentDraw) -> Result<Vec<Judgement>> {
    if g.classes > 0 && g.classes > c.classes {
        return Err(GanError::Invalid(format!("the run has {} classes but the classifier knows {}", g.classes, c.classes)));
    }
    match g.classes {
        0 => Ok(vec![judge(g, c, None, n, draw)?]),
        k => (0..k).map(|class| judge(g, c, Some(class), n, draw)).collect(),
    }
}
