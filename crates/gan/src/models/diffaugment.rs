//! DiffAugment: differentiable augmentation of every image the discriminator sees, real and
//! fake, in its update and in the generator's (Zhao et al., "Differentiable Augmentation for
//! Data-Efficient GAN Training", NeurIPS 2020; `mit-han-lab/data-efficient-gans`,
//! `DiffAugment_pytorch.py`). Each policy is a list of per-image random transforms:
//! - `color`: brightness `x + (u - 0.5)`, saturation `(x - mean_c) * 2u + mean_c`, contrast
//!   `(x - mean_chw) * (u + 0.5) + mean_chw`, one `u ~ U(0, 1)` per image each;
//! - `translation`: a shift by up to 1/8 of the side in each direction (integers), the
//!   uncovered border zero;
//! - `cutout`: a square of half the side set to zero at a random centre.
//!
//! The draws come from libtorch's generator in the reference's order and shapes, so the same
//! seed gives the reference's augmentation (checked against it in `tests/diffaugment.rs`).

use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// One transform of a policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Transform {
    Color,
    Translation,
    Cutout,
}

/// `[augment]`: the DiffAugment policy (empty: no augmentation).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AugmentConfig {
    /// The transforms in the order they apply, written `"color,translation,cutout"` (the
    /// paper's choice for small data; any subset) or as a list.
    #[serde(default, serialize_with = "write_policy", deserialize_with = "read_policy")]
    pub policy: Vec<Transform>,
    /// Adaptive augmentation (`[augment.ada]`): each transform applies to an image with a
    /// probability p that the run adjusts (see `families::gan::ada`); without it, always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ada: Option<AdaConfig>,
}

/// ADA's heuristic (Karras et al., "Training Generative Adversarial Networks with Limited
/// Data", NeurIPS 2020; NVlabs/stylegan2-ada-pytorch, `training/training_loop.py`): every
/// `interval` steps, `r_t = E[sign D(real)]` over them moves p by
/// `sign(r_t - target) * batch * interval / (speed_kimg * 1000)`, clamped to [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdaConfig {
    #[serde(default = "default_target")]
    pub target: f64,
    #[serde(default = "default_interval")]
    pub interval: u64,
    /// Images over which p can go from 0 to 1, in thousands (500 in the paper).
    #[serde(default = "default_speed")]
    pub speed_kimg: f64,
}

fn default_target() -> f64 {
    0.6
}

fn default_interval() -> u64 {
    4
}

fn default_speed() -> f64 {
    500.0
}

/// A policy at an augmentation probability: what a step applies.
#[derive(Debug, Clone, Copy)]
pub struct Augmenter<'a> {
    pub config: &'a AugmentConfig,
    /// The probability that each transform applies to an image (1 without ADA).
    pub p: f64,
}

impl Augmenter<'_> {
    /// `x` augmented: each transform on every image (p = 1), on none (p = 0), or on each
    /// image with probability p (the transform's draws first, then one U(0, 1) per image).
    pub fn apply(&self, x: &Tensor) -> Tensor {
        if self.p <= 0.0 {
            return x.shallow_clone();
        }
        self.config.policy.iter().fold(x.shallow_clone(), |x, t| {
            let y = transform(*t, &x);
            if self.p >= 1.0 {
                return y;
            }
            let chosen = per_image(&x).lt(self.p);
            y.where_self(&chosen, &x)
        })
    }
}

fn write_policy<S: serde::Serializer>(policy: &[Transform], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&policy.iter().map(gan_data::names::serde_name).collect::<Vec<_>>().join(","))
}

fn read_policy<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Transform>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        List(Vec<Transform>),
    }
    match Written::deserialize(d)? {
        Written::List(list) => Ok(list),
        Written::Text(text) => text
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| {
                Transform::deserialize(serde::de::value::StrDeserializer::<serde::de::value::Error>::new(t))
                    .map_err(|e| serde::de::Error::custom(format!("policy {text:?}: {e}")))
            })
            .collect(),
    }
}

impl AugmentConfig {
    pub fn is_default(&self) -> bool {
        self.policy.is_empty() && self.ada.is_none()
    }

    pub fn problems(&self) -> Vec<String> {
        let mut seen = Vec::new();
        let mut p = Vec::new();
        if let Some(a) = &self.ada {
            if !(a.target > -1.0 && a.target < 1.0) {
                p.push(format!("augment.ada.target must be in (-1, 1), got {}", a.target));
            }
            if !(1..=1_000_000).contains(&a.interval) {
                p.push(format!("augment.ada.interval must be between 1 and 1000000, got {}", a.interval));
            }
            if !(a.speed_kimg > 0.0 && a.speed_kimg.is_finite()) {
                p.push(format!("augment.ada.speed_kimg must be positive, got {}", a.speed_kimg));
            }
            if self.policy.is_empty() {
                p.push("augment.ada needs a policy to adapt".into());
            }
        }
        for t in &self.policy {
            if seen.contains(t) {
                p.push(format!("augment.policy names {} twice", gan_data::names::serde_name(t)));
            }
            seen.push(*t);
        }
        p
    }

    /// The policy applied to every image (as without ADA).
    pub fn always(&self) -> Augmenter<'_> {
        Augmenter { config: self, p: 1.0 }
    }

    /// The policy at probability `p`.
    pub fn at(&self, p: f64) -> Augmenter<'_> {
        Augmenter { config: self, p }
    }

    /// `x` augmented by the policy on every image (`x` itself when the policy is empty).
    pub fn apply(&self, x: &Tensor) -> Tensor {
        self.always().apply(x)
    }
}

fn transform(t: Transform, x: &Tensor) -> Tensor {
    match t {
        Transform::Color => contrast(&saturation(&brightness(x))),
        Transform::Translation => translation(x, 0.125),
        Transform::Cutout => cutout(x, 0.5),
    }
}

/// `[B, 1, 1, 1]` draws from U(0, 1).
fn per_image(x: &Tensor) -> Tensor {
    Tensor::rand([x.size()[0], 1, 1, 1], (x.kind(), x.device()))
}

fn brightness(x: &Tensor) -> Tensor {
    x + (per_image(x) - 0.5)
}

fn saturation(x: &Tensor) -> Tensor {
    let mean = x.mean_dim(1, true, x.kind());
    (x - &mean) * (per_image(x) * 2.0) + mean
}

fn contrast(x: &Tensor) -> Tensor {
    let mean = x.mean_dim([1, 2, 3].as_slice(), true, x.kind());
    (x - &mean) * (per_image(x) + 0.5) + mean
}

/// `[B, h, w]` index grids over the batch and an `h x w` window.
fn grids(x: &Tensor, h: i64, w: i64) -> (Tensor, Tensor, Tensor) {
    let opts = (Kind::Int64, x.device());
    let g = Tensor::meshgrid_indexing(&[Tensor::arange(x.size()[0], opts), Tensor::arange(h, opts), Tensor::arange(w, opts)], "ij");
    (g[0].shallow_clone(), g[1].shallow_clone(), g[2].shallow_clone())
}

/// `int(side * ratio + 0.5)`, Python's rounding of the reference.
fn part(side: i64, ratio: f64) -> i64 {
    (side as f64 * ratio + 0.5) as i64
}

fn translation(x: &Tensor, ratio: f64) -> Tensor {
    let (b, h, w) = (x.size()[0], x.size()[2], x.size()[3]);
    let (sx, sy) = (part(h, ratio), part(w, ratio));
    let tx = Tensor::randint_low(-sx, sx + 1, [b, 1, 1], (Kind::Int64, x.device()));
    let ty = Tensor::randint_low(-sy, sy + 1, [b, 1, 1], (Kind::Int64, x.device()));
    let (gb, gx, gy) = grids(x, h, w);
    let gx = (gx + tx + 1).clamp(0, h + 1);
    let gy = (gy + ty + 1).clamp(0, w + 1);
    let padded = x.constant_pad_nd([1, 1, 1, 1, 0, 0, 0, 0]).permute([0, 2, 3, 1]).contiguous();
    padded.index(&[Some(gb), Some(gx), Some(gy)]).permute([0, 3, 1, 2])
}

fn cutout(x: &Tensor, ratio: f64) -> Tensor {
    let (b, h, w) = (x.size()[0], x.size()[2], x.size()[3]);
    let (ch, cw) = (part(h, ratio), part(w, ratio));
    let ox = Tensor::randint_low(0, h + (1 - ch % 2), [b, 1, 1], (Kind::Int64, x.device()));
    let oy = Tensor::randint_low(0, w + (1 - cw % 2), [b, 1, 1], (Kind::Int64, x.device()));
    let (gb, gx, gy) = grids(x, ch, cw);
    let gx = (gx + ox - ch / 2).clamp(0, h - 1);
    let gy = (gy + oy - cw / 2).clamp(0, w - 1);
    let mut mask = Tensor::ones([b, h, w], (x.kind(), x.device()));
    let _ = mask.index_put_(&[Some(gb), Some(gx), Some(gy)], &Tensor::zeros([], (x.kind(), x.device())), false);
    x * mask.unsqueeze(1)
}
