//! Judging a translation between two drawing styles with the attribute classifier (the emoji
//! set's): FID of outputs against the true drawings in its 256-d feature space; the share of
//! outputs its vendor head reads as the target style ("does it look like Twemoji?"); and the
//! share whose subgroup it reads as it reads the true drawing's ("is it still the same
//! emoji?"). The classifier was trained by this project (held-out accuracy on its card), so
//! the scores compare runs on this data, not with published numbers.

use tch::{Device, Kind, Tensor};

use super::attributes::AttributeNet;
use super::scores::fid;
use crate::error::{GanError, Result};

/// The head whose classes are the styles (the metadata's subfolder, `folder`).
pub const STYLE_HEAD: &str = gan_data::metadata::FOLDER_FIELD;
/// The head that says which emoji a drawing is, across styles.
pub const SUBGROUP_HEAD: &str = "subgroup";

/// Pairs per forward pass.
const CHUNK: i64 = 250;

/// The classifier and the style name of each domain (`a`, `b`), as its style head knows them.
pub struct StyleJudge<'a> {
    pub net: &'a AttributeNet,
    pub styles: [String; 2],
}

/// What the classifier reads in a batch of images: features, style and subgroup indices.
pub struct Reading {
    pub features: Tensor,
    pub style: Tensor,
    pub subgroup: Tensor,
}

/// What the judge says of outputs against their targets.
#[derive(Debug, Clone, PartialEq)]
pub struct StyleScores {
    pub fid: f64,
    /// Share of outputs read as the target style.
    pub style: f64,
    /// Share of the true drawings themselves read as the target style: the ceiling of `style`.
    pub targets_style: f64,
    /// Share of outputs whose subgroup is read as the target's.
    pub subgroup_kept: f64,
}

impl<'a> StyleJudge<'a> {
    /// A judge for styles `a` and `b`; fails naming the style its style head does not know.
    pub fn new(net: &'a AttributeNet, a: &str, b: &str) -> Result<Self> {
        let known = &net.head(STYLE_HEAD)?.classes;
        net.head(SUBGROUP_HEAD)?;
        for s in [a, b] {
            if !known.iter().any(|k| k == s) {
                return Err(GanError::Invalid(format!("the attribute classifier {} knows the styles {}, not `{s}`", net.name, known.join(", "))));
            }
        }
        Ok(Self { net, styles: [a.into(), b.into()] })
    }

    /// Features and the two heads' readings of `x` (`[N, 3, H, W]` in `[-1, 1]`), on the CPU.
    pub fn read(&self, x: &Tensor) -> Reading {
        let heads = (self.net.card.head(STYLE_HEAD).expect("checked"), self.net.card.head(SUBGROUP_HEAD).expect("checked"));
        let (mut f, mut style, mut sub) = (Vec::new(), Vec::new(), Vec::new());
        let n = x.size()[0];
        for start in (0..n).step_by(CHUNK as usize) {
            let chunk = x.narrow(0, start, CHUNK.min(n - start)).to_device(self.net.device());
            tch::no_grad(|| {
                f.push(self.net.features(&chunk).to_device(Device::Cpu));
                let probs = self.net.all_probs(&chunk);
                style.push(probs[heads.0].argmax(-1, false).to_device(Device::Cpu));
                sub.push(probs[heads.1].argmax(-1, false).to_device(Device::Cpu));
            });
        }
        Reading { features: Tensor::cat(&f, 0), style: Tensor::cat(&style, 0), subgroup: Tensor::cat(&sub, 0) }
    }

    /// Scores `outputs` against targets drawn in style `target` (0: a, 1: b), read once by
    /// [`Self::read`] for every set of outputs compared with them.
    pub fn score(&self, outputs: &Tensor, targets: &Reading, target: usize) -> StyleScores {
        let Reading { features: fo, style: so, subgroup: go } = self.read(outputs);
        let (ft, gt) = (&targets.features, &targets.subgroup);
        let classes = &self.net.card.heads[self.net.card.head(STYLE_HEAD).expect("checked")].classes;
        let wanted = classes.iter().position(|c| *c == self.styles[target]).expect("checked") as i64;
        let share = |hits: Tensor| hits.to_kind(Kind::Double).mean(Kind::Double).double_value(&[]);
        StyleScores {
            fid: fid(&ft.to_kind(Kind::Double), &fo.to_kind(Kind::Double)),
            style: share(so.eq(wanted)),
            targets_style: share(targets.style.eq(wanted)),
            subgroup_kept: share(go.eq_tensor(gt)),
        }
    }
}
