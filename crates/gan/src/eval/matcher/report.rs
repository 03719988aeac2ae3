//! R-precision of a text-conditioned run (`[text]`): one generated image per distinct
//! caption, drawn from the caption's sentence vector, ranked against 99 other captions of
//! the same pool by the matcher ([`super::rprecision`]); the training captions and the
//! held-out (`split = test`) captions the generator never saw are scored apart, each beside
//! the real images of the same captions (the ceiling), and the held-out ones per group.
//! Chance is 1%. The matcher that ranks is the run's own (as AttnGAN scores with the DAMSM
//! its generator was trained with).

use std::collections::BTreeMap;

use gan_data::rng::{mix, permutation};
use serde::{Deserialize, Serialize};
use tch::Tensor;

use super::data::CaptionedData;
use super::train::caption_pool;
use super::Matcher;
use crate::error::{GanError, Result};
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;

/// One pool's R-precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolScore {
    /// Distinct captions scored (one image each).
    pub captions: usize,
    pub generated: f64,
    /// The real images of the same captions.
    pub real: f64,
}

/// `eval.json`'s `text` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextReport {
    pub matcher: String,
    pub chance: f64,
    pub train: PoolScore,
    pub held_out: PoolScore,
    /// The held-out captions by the data's `group` field.
    pub held_out_groups: BTreeMap<String, PoolScore>,
}

/// Scores `g` on the captioned folder `data` (read whole with [`super::data::read`]):
/// `max_train` training captions at most (a choice seeded by `draw`), every held-out caption.
pub fn text_report(g: &TrainedGenerator, matcher: &Matcher, data: &CaptionedData, max_train: usize, draw: LatentDraw) -> Result<TextReport> {
    let seed = draw.seed;
    let train_rows = first_row_per_caption(data, &data.rows(false));
    let chosen: Vec<usize> = permutation(train_rows.len(), mix(&[seed, 0x7E47])).into_iter().take(max_train).map(|i| train_rows[i as usize]).collect();
    let held_rows = first_row_per_caption(data, &data.rows(true));
    if held_rows.is_empty() {
        return Err(GanError::Invalid("R-precision needs held-out captions (rows with split = test)".into()));
    }
    let train = pool_score(g, matcher, data, &chosen, draw)?;
    let held_out = pool_score(g, matcher, data, &held_rows, draw)?;
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for &r in &held_rows {
        groups.entry(data.groups[r].clone()).or_default().push(r);
    }
    let held_out_groups =
        groups.into_iter().map(|(name, rows)| Ok((name, pool_score_within(g, matcher, data, &rows, &held_rows, draw)?))).collect::<Result<_>>()?;
    Ok(TextReport { matcher: matcher.describe(), chance: 0.01, train, held_out, held_out_groups })
}

/// The first row of each distinct caption among `rows`.
fn first_row_per_caption(data: &CaptionedData, rows: &[usize]) -> Vec<usize> {
    let mut seen = std::collections::BTreeSet::new();
    rows.iter().copied().filter(|&r| seen.insert(data.captions[r].as_str())).collect()
}

/// R-precision of `rows` (distinct captions) among themselves.
fn pool_score(g: &TrainedGenerator, matcher: &Matcher, data: &CaptionedData, rows: &[usize], draw: LatentDraw) -> Result<PoolScore> {
    pool_score_within(g, matcher, data, rows, rows, draw)
}

/// R-precision of `rows`, each ranked among the captions of `pool_rows` (which holds them).
fn pool_score_within(
    g: &TrainedGenerator,
    matcher: &Matcher,
    data: &CaptionedData,
    rows: &[usize],
    pool_rows: &[usize],
    draw: LatentDraw,
) -> Result<PoolScore> {
    let seed = draw.seed;
    let (pool, _) = caption_pool(data, pool_rows);
    let index: BTreeMap<&str, usize> = pool.iter().enumerate().map(|(i, c)| (c.as_str(), i)).collect();
    let truth: Vec<usize> = rows.iter().map(|&r| index[data.captions[r].as_str()]).collect();
    let captions: Vec<String> = rows.iter().map(|&r| data.captions[r].clone()).collect();
    let fake = generate(g, matcher, &captions, draw)?;
    let generated = super::train::pool_r_precision(matcher, &fake, &pool, &truth, seed)?;
    let real = super::train::pool_r_precision(matcher, &data.images_pm1(rows), &pool, &truth, seed)?;
    Ok(PoolScore { captions: rows.len(), generated, real })
}

/// One image per caption, from latents of `draw`'s truncation (a stream of its seed).
fn generate(g: &TrainedGenerator, matcher: &Matcher, captions: &[String], draw: LatentDraw) -> Result<Tensor> {
    let _guard = tch::no_grad_guard();
    let conditions = matcher.encode_texts(captions).map_err(|e| GanError::Invalid(format!("a caption has no words: {e}")))?;
    let z = draw.reseeded(mix(&[draw.seed, 0x7E48])).latents(captions.len() as i64, g.latent_dim(), g.device());
    let chunks: Vec<Tensor> = (0..captions.len() as i64)
        .step_by(256)
        .map(|s| {
            let len = 256.min(captions.len() as i64 - s);
            g.generate_mixed(&z.narrow(0, s, len), Some(&conditions.narrow(0, s, len))).to_device(tch::Device::Cpu)
        })
        .collect();
    Ok(Tensor::cat(&chunks, 0))
}
