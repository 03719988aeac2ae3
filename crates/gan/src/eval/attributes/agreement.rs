//! How often a conditional run's samples read, to the attribute classifier, as the class they
//! were drawn for: the classifier's agreement with the requested label, where the run's label
//! field is one of its heads (an `emoji-cgan` run on skin tone and the emoji classifier's
//! skin-tone head). The classes are requested in turn, as `gan sample` does.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind};

use super::AttributeNet;
use crate::error::Result;
use crate::models::latent::latents;
use crate::run::trained::{TrainedGenerator, GENERATE_CHUNK};

/// The agreement of one run with one head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Agreement {
    /// The label field and head.
    pub field: String,
    /// Share of all samples read as their requested class.
    pub share: f64,
    /// Per requested class: its name and its share.
    pub per_class: Vec<(String, f64)>,
}

/// The agreement of `n` samples of `g` (latents from `seed`) with `net`'s head for the run's
/// label field; `None` for an unconditional run or a field the classifier has no head for.
pub fn agreement(net: &AttributeNet, g: &TrainedGenerator, n: usize, seed: u64) -> Result<Option<Agreement>> {
    let gan_data::DataSource::Folder(folder) = &g.config.data else { return Ok(None) };
    let (Some(field), true) = (&folder.label, g.classes > 0) else { return Ok(None) };
    let Some(head) = net.card.head(field) else { return Ok(None) };
    let vocab = g.vocabulary()?;
    let head_classes = &net.card.heads[head].classes;
    // Each run class's index among the head's classes (-1: the head has no such class).
    let wanted: Vec<i64> = (0..vocab.len()).map(|i| head_classes.iter().position(|c| c == vocab.name(i)).map_or(-1, |p| p as i64)).collect();
    let z = latents(n as i64, g.latent_dim(), seed, Device::Cpu);
    let labels = g.labels(n as i64, None)?.expect("a conditional run has labels");
    let mut read = Vec::with_capacity(n);
    for s in (0..n as i64).step_by(GENERATE_CHUNK as usize) {
        let len = GENERATE_CHUNK.min(n as i64 - s);
        let images = g.generate(&z.narrow(0, s, len), Some(&labels.narrow(0, s, len)));
        let p = tch::no_grad(|| net.probs(&images.to_device(net.device()), head));
        read.extend(Vec::<i64>::try_from(p.argmax(1, false).to_kind(Kind::Int64).to_device(Device::Cpu)).expect("class indices"));
    }
    let asked = Vec::<i64>::try_from(labels).expect("labels");
    let hits: Vec<bool> = asked.iter().zip(&read).map(|(&a, &r)| wanted[a as usize] == r).collect();
    let share_of = |keep: &dyn Fn(usize) -> bool| {
        let (hit, all) = (0..n).filter(|&i| keep(i)).fold((0usize, 0usize), |(h, a), i| (h + usize::from(hits[i]), a + 1));
        hit as f64 / all.max(1) as f64
    };
    let share = share_of(&|_| true);
    let per_class = (0..vocab.len()).map(|c| (vocab.name(c).to_string(), share_of(&|i| asked[i] == c as i64))).collect();
    Ok(Some(Agreement { field: field.clone(), share, per_class }))
}
