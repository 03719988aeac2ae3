//! Training the matcher: Adam (1e-3) on DAMSM's sentence loss over seeded batches of the
//! training rows, each row paired with its caption or, with probability `keyword_share`, with
//! its keyword list (so that keyword prompts land where their emojis are); images shifted by
//! up to 4 pixels (no mirroring: "left-facing" must stay left). Rows of one caption in a
//! batch are masked out of each other's negatives. Every `eval_every` steps the held-out rows
//! measure R-precision against their distinct captions.

use std::collections::BTreeMap;

use gan_data::rng::{mix, permutation};
use gan_data::text::WordVocabulary;
use tch::{Device, Kind, Tensor};

use super::data::CaptionedData;
use super::loss::{sentence_loss, GAMMA3};
use super::rprecision::r_precision;
use super::{Matcher, MatcherCard};
use crate::error::{GanError, Result};
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct MatcherTrainOptions {
    pub steps: u64,
    pub batch_size: usize,
    pub keyword_share: f64,
    pub eval_every: u64,
    pub seed: u64,
    pub device: Device,
}

/// Distinct captions of `rows` and each row's index among them.
pub fn caption_pool(data: &CaptionedData, rows: &[usize]) -> (Vec<String>, Vec<usize>) {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pool = Vec::new();
    let truth = rows
        .iter()
        .map(|&r| {
            *index.entry(data.captions[r].as_str()).or_insert_with(|| {
                pool.push(data.captions[r].clone());
                pool.len() - 1
            })
        })
        .collect();
    (pool, truth)
}

/// The R-precision of `matcher` on images `[N, 3, H, W]` whose captions are `truth` rows of
/// `pool`.
pub fn pool_r_precision(matcher: &Matcher, images: &Tensor, pool: &[String], truth: &[usize], seed: u64) -> Result<f64> {
    let _guard = tch::no_grad_guard();
    let texts = matcher.encode_texts(pool).map_err(|e| GanError::Invalid(format!("caption pool: {e}")))?;
    let vecs = Tensor::cat(&images.split(256, 0).iter().map(|x| matcher.encode_images(x)).collect::<Vec<_>>(), 0);
    Ok(r_precision(&vecs, &texts, truth, seed))
}

/// Trains on `data`'s training rows; `card` names the data and command (the vocabulary and
/// scores are filled in). `on_eval(step, loss, held_out_r_precision)` every `eval_every` steps.
pub fn train(data: &CaptionedData, mut card: MatcherCard, o: MatcherTrainOptions, on_eval: &mut dyn FnMut(u64, f64, f64)) -> Result<Matcher> {
    let (train_rows, test_rows) = (data.rows(false), data.rows(true));
    if train_rows.len() < o.batch_size || test_rows.is_empty() {
        return Err(GanError::Invalid(format!(
            "the matcher needs at least one batch of training rows and one held-out row; got {} and {}",
            train_rows.len(),
            test_rows.len()
        )));
    }
    let texts = train_rows.iter().flat_map(|&r| [data.captions[r].as_str(), data.keywords[r].as_str()]);
    card.vocabulary = WordVocabulary::build(texts, 1);
    (card.train_images, card.held_out_images, card.steps, card.seed) = (train_rows.len(), test_rows.len(), o.steps, o.seed);
    let (_, classes) = caption_pool(data, &train_rows);
    let (test_pool, test_truth) = caption_pool(data, &test_rows);
    let test_images = data.images_pm1(&test_rows);
    tch::manual_seed(o.seed as i64);
    let mut m = Matcher::new(card, o.device);
    let mut opt = Optimizer::new(&m.vs, OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8 }));
    let per_epoch = (train_rows.len() / o.batch_size) as u64;
    let mut perm = Vec::new();
    let mut total = 0.0;
    for step in 0..o.steps {
        let (epoch, b) = (step / per_epoch, (step % per_epoch) as usize);
        if b == 0 {
            perm = permutation(train_rows.len(), mix(&[o.seed, 0xDA35, epoch]));
        }
        let pick: Vec<usize> = perm[b * o.batch_size..(b + 1) * o.batch_size].iter().map(|&i| i as usize).collect();
        let rows: Vec<usize> = pick.iter().map(|&i| train_rows[i]).collect();
        let loss = batch_loss(&m, data, &rows, &pick.iter().map(|&i| classes[i] as i64).collect::<Vec<_>>(), o);
        let grads = opt.grads(&loss);
        opt.step(&grads);
        total += loss.double_value(&[]);
        if (step + 1) % o.eval_every == 0 || step + 1 == o.steps {
            let r = pool_r_precision(&m, &test_images, &test_pool, &test_truth, o.seed)?;
            m.card.held_out_r_precision = r;
            let seen = (step % o.eval_every + 1) as f64;
            on_eval(step + 1, total / seen, r);
            total = 0.0;
        }
    }
    Ok(m)
}

/// The sentence loss of one batch: each row's shifted image with its caption or keyword list.
fn batch_loss(m: &Matcher, data: &CaptionedData, rows: &[usize], classes: &[i64], o: MatcherTrainOptions) -> Tensor {
    let coins = Vec::<f32>::try_from(Tensor::rand([rows.len() as i64], (Kind::Float, Device::Cpu))).expect("coins");
    let texts: Vec<Vec<i64>> = rows
        .iter()
        .zip(&coins)
        .map(|(&r, &u)| {
            let use_keywords = (u as f64) < o.keyword_share && !data.keywords[r].trim().is_empty();
            let text = if use_keywords { &data.keywords[r] } else { &data.captions[r] };
            m.tokens_lenient(text).expect("training texts have words")
        })
        .collect();
    let x = crate::eval::attributes::train::augment(&data.images_pm1(rows), false).to_device(o.device);
    let classes = Tensor::from_slice(classes).to_device(o.device);
    sentence_loss(&m.encode_images(&x), &m.encode_tokens(&texts), Some(&classes), GAMMA3)
}
