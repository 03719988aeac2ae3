//! Steering a colour run with an attribute classifier: the target is a head and one of its
//! classes (`skin_tone=5`, `group=animals & nature`, `subgroup=cat-face`); the answer says
//! how many samples the target head now puts in that class, and, for every other head, how
//! many samples it now reads differently (the coursework's question of correlated features:
//! does moving the skin tone change the group too?).

use serde::Serialize;
use tch::{Device, Kind, Tensor};

use super::{steer, Head, SteerConfig, Steered};
use crate::error::{GanError, Result};
use crate::eval::attributes::AttributeNet;
use crate::run::trained::TrainedGenerator;

/// A head and one of its classes.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub head: usize,
    pub class: i64,
}

impl Target {
    /// `FIELD=VALUE` against the classifier's heads and classes; an error lists what exists.
    pub fn parse(net: &AttributeNet, text: &str) -> Result<Self> {
        let fields: Vec<&str> = net.card.heads.iter().map(|h| h.field.as_str()).collect();
        let (field, value) = text
            .split_once('=')
            .ok_or_else(|| GanError::Invalid(format!("target {text:?}: expected FIELD=VALUE with FIELD one of {}, e.g. skin_tone=5", fields.join(", "))))?;
        let head = net
            .card
            .head(field.trim())
            .ok_or_else(|| GanError::Invalid(format!("target {text:?}: no head `{}` (heads: {})", field.trim(), fields.join(", "))))?;
        let classes = &net.card.heads[head].classes;
        let class = classes.iter().position(|c| c == value.trim()).ok_or_else(|| {
            let shown: Vec<&str> = classes.iter().take(12).map(String::as_str).collect();
            let more = if classes.len() > 12 { format!(", ... ({} in all)", classes.len()) } else { String::new() };
            GanError::Invalid(format!("target {text:?}: `{}` is not a class of {} ({}{more})", value.trim(), field.trim(), shown.join(", ")))
        })?;
        Ok(Self { head, class: class as i64 })
    }
}

/// How another head's reading changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Moved {
    pub field: String,
    /// Share of samples whose most likely class changed.
    pub changed: f64,
}

/// A steered batch and what the classifier reads in it.
pub struct HeadSteer {
    pub steered: Steered,
    pub field: String,
    pub class_name: String,
    /// Share of samples whose most likely class of the target head is the target, before and
    /// after.
    pub share_before: f64,
    pub share_after: f64,
    pub others: Vec<Moved>,
}

/// Steers `z0` toward `target`; a conditional generator keeps `labels`.
pub fn steer_head(g: &TrainedGenerator, net: &AttributeNet, target: &Target, z0: &Tensor, labels: Option<&Tensor>, cfg: &SteerConfig) -> Result<HeadSteer> {
    net.check(g.image)?;
    let cfg = SteerConfig { target: target.class, ..cfg.clone() };
    let steered = steer(g, &Head { net, head: target.head }, z0, labels, &cfg);
    let read = |x: &Tensor| -> Vec<Tensor> {
        tch::no_grad(|| net.all_probs(&x.to_device(net.device())).iter().map(|p| p.argmax(1, false).to_device(Device::Cpu)).collect())
    };
    let (before, after) = (read(&steered.frames[0]), read(steered.frames.last().expect("frames")));
    let share = |t: &Tensor| t.eq(target.class).to_kind(Kind::Double).mean(Kind::Double).double_value(&[]);
    let others = (0..before.len())
        .filter(|&h| h != target.head)
        .map(|h| Moved {
            field: net.card.heads[h].field.clone(),
            changed: before[h].ne_tensor(&after[h]).to_kind(Kind::Double).mean(Kind::Double).double_value(&[]),
        })
        .collect();
    let head = &net.card.heads[target.head];
    Ok(HeadSteer {
        field: head.field.clone(),
        class_name: head.classes[target.class as usize].clone(),
        share_before: share(&before[target.head]),
        share_after: share(&after[target.head]),
        others,
        steered,
    })
}
