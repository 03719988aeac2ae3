//! An exponential moving average of the generator's weights, after Karras et al.,
//! "Progressive Growing of GANs for Improved Quality, Stability, and Variation" (ICLR 2018)
//! and the StyleGAN2-ADA code (Karras et al. 2020), where it is standard: the trained
//! generator oscillates around a good solution, its average sits closer to it.
//!
//! After generator update `t` (0-based) of a batch of `B` images, every trainable weight
//! moves as `ema <- beta * ema + (1 - beta) * w` with `beta = 0.5 ^ (B / h)`: `h` is the
//! half-life in images (the weight of an update halves every `h` generated images).
//! With a ramp-up `r`, `h = min(half_life, r * t * B)`, so early in training (when the
//! weights change fast) the average follows them closely; the first update copies them.
//! Buffers (BatchNorm running statistics) are copied, not averaged.

use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

use crate::models::{Generator, ImageShape, ModelConfig};

/// `ema_half_life` and `ema_rampup` in the `[model]` table.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct EmaConfig {
    /// Half-life of the average in generated images; 0 turns the average off.
    #[serde(rename = "ema_half_life", default, skip_serializing_if = "is_zero")]
    pub half_life: u64,
    /// Cap the half-life at this fraction of the images generated so far (StyleGAN2-ADA's
    /// `ema_rampup`, 0.05 there); none: the full half-life from the start.
    #[serde(rename = "ema_rampup", default, skip_serializing_if = "Option::is_none")]
    pub rampup: Option<f64>,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

const KEYS: [&str; 2] = ["ema_half_life", "ema_rampup"];

impl EmaConfig {
    /// A moving average with this half-life (images) and ramp-up.
    pub fn new(half_life: u64, rampup: Option<f64>) -> Self {
        Self { half_life, rampup }
    }

    pub fn enabled(&self) -> bool {
        self.half_life > 0
    }

    /// Removes this table's keys from a `[model]` table and reads them.
    pub(crate) fn take_from(table: &mut toml::Table) -> Result<Self, String> {
        let mut own = toml::Table::new();
        for k in KEYS {
            if let Some(v) = table.remove(k) {
                own.insert(k.into(), v);
            }
        }
        toml::Value::Table(own).try_into().map_err(|e: toml::de::Error| e.to_string().trim_end().to_string())
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        // A ramp-up without a half-life is left unused, so that `ema_half_life = 0` alone
        // turns off the average of a preset that has one.
        if let Some(r) = self.rampup {
            if !(r > 0.0 && r.is_finite()) {
                p.push(format!("ema_rampup must be a positive number, got {r}"));
            }
        }
        if self.half_life > i64::MAX as u64 {
            p.push(format!("ema_half_life must be at most {}", i64::MAX));
        }
        p
    }

    /// The decay `beta` of the update after generator step `step` (0-based) of `batch`
    /// images.
    pub fn beta(&self, step: u64, batch: usize) -> f64 {
        let mut h = self.half_life as f64;
        if let Some(r) = self.rampup {
            h = h.min(r * step as f64 * batch as f64);
        }
        0.5f64.powf(batch as f64 / h.max(1e-8))
    }
}

/// A second generator whose weights are the moving average of a trained one.
pub struct AveragedGenerator {
    pub vs: nn::VarStore,
    pub g: Box<dyn Generator>,
    pub config: EmaConfig,
    ema: Ema,
}

impl AveragedGenerator {
    /// Builds the average of the generator whose weights `source` holds (built from `model`
    /// for `image` and `classes`), starting as a copy of it. (Building draws initial weights
    /// from libtorch's generator, which every training step reseeds.)
    pub fn new(model: &ModelConfig, image: ImageShape, classes: i64, source: &nn::VarStore) -> Self {
        let vs = nn::VarStore::new(source.device());
        let g = tch::no_grad(|| model.build_generator(&vs, image, classes));
        let ema = Ema::new(&vs, source);
        Self { vs, g, config: model.ema, ema }
    }

    /// The update after generator step `step` (0-based) of `batch` images.
    pub fn update(&self, step: u64, batch: usize) {
        self.ema.update(self.config.beta(step, batch));
    }
}

/// The averaged weights of one generator, in a variable store laid out like the
/// generator's own (so the same safetensors names, loadable by the same modules).
pub struct Ema {
    /// `(average, source, trainable)` per variable, by name.
    pairs: Vec<(Tensor, Tensor, bool)>,
}

impl Ema {
    /// Pairs the variables of `ema` (a store built for the same generator) with those of
    /// `source`, and copies `source` into it.
    pub fn new(ema: &nn::VarStore, source: &nn::VarStore) -> Self {
        let src = source.variables();
        let mut names: Vec<(String, Tensor)> = ema.variables().into_iter().collect();
        names.sort_by(|a, b| a.0.cmp(&b.0));
        let pairs = names
            .into_iter()
            .map(|(name, avg)| {
                let s = src.get(&name).unwrap_or_else(|| panic!("generator has no variable {name}")).shallow_clone();
                let trainable = s.requires_grad();
                (avg, s, trainable)
            })
            .collect();
        let e = Self { pairs };
        e.copy_all();
        e
    }

    /// Sets the average to the source weights.
    pub fn copy_all(&self) {
        tch::no_grad(|| {
            for (avg, src, _) in &self.pairs {
                avg.shallow_clone().copy_(src);
            }
        });
    }

    /// One update with decay `beta`: trainable weights averaged, buffers copied.
    pub fn update(&self, beta: f64) {
        tch::no_grad(|| {
            for (avg, src, trainable) in &self.pairs {
                let mut a = avg.shallow_clone();
                if *trainable {
                    // ema + (1 - beta) * (w - ema) = beta * ema + (1 - beta) * w
                    let _ = a.lerp_(src, 1.0 - beta);
                } else {
                    a.copy_(src);
                }
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn beta_is_a_half_life_in_images_with_a_ramp() {
        let plain = EmaConfig::new(6400, None);
        // 100 batches of 64 images halve an update's weight: beta^100 = 1/2.
        assert!((plain.beta(5, 64).powi(100) - 0.5).abs() < 1e-12);
        let ramped = EmaConfig::new(6400, Some(0.5));
        // Step 0: h = 0, the average copies the weights.
        assert_eq!(ramped.beta(0, 64), 0.0);
        // Step 10: h = min(6400, 0.5 * 640) = 320, beta = 0.5^(64 / 320).
        assert!((ramped.beta(10, 64) - 0.5f64.powf(0.2)).abs() < 1e-15);
        assert_eq!(ramped.beta(1000, 64), plain.beta(1000, 64));
    }

    /// By hand: w = (1, -2), average (0, 4), beta 0.75 -> (0.25, 2.5); the buffer is copied.
    #[test]
    fn update_averages_weights_and_copies_buffers() {
        let (src, avg) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let w = src.root().var_copy("w", &Tensor::from_slice(&[1.0f32, -2.0]));
        let b = src.root().zeros_no_train("running_mean", &[2]);
        let _ = avg.root().var_copy("w", &Tensor::from_slice(&[9.0f32, 9.0]));
        let _ = avg.root().zeros_no_train("running_mean", &[2]);
        let ema = Ema::new(&avg, &src);
        let vars = avg.variables();
        assert_eq!(Vec::<f32>::try_from(&vars["w"]).unwrap(), vec![1.0, -2.0], "starts as a copy");
        tch::no_grad(|| {
            vars["w"].shallow_clone().copy_(&Tensor::from_slice(&[0.0f32, 4.0]));
            b.shallow_clone().copy_(&Tensor::from_slice(&[7.0f32, 8.0]));
        });
        ema.update(0.75);
        assert_eq!(Vec::<f32>::try_from(&vars["w"]).unwrap(), vec![0.25, 2.5]);
        assert_eq!(Vec::<f32>::try_from(&vars["running_mean"]).unwrap(), vec![7.0, 8.0]);
        assert_eq!(Vec::<f32>::try_from(&w).unwrap(), vec![1.0, -2.0], "the source is untouched");
        assert_eq!(vars["w"].kind(), Kind::Float);
    }

    #[test]
    fn problems_name_the_fields() {
        assert!(EmaConfig::new(0, Some(0.05)).problems().is_empty() && !EmaConfig::new(0, Some(0.05)).enabled());
        assert!(EmaConfig::new(10, Some(-1.0)).problems().join(" ").contains("ema_rampup must be a positive"));
        assert!(EmaConfig::new(10_000, Some(0.05)).problems().is_empty());
    }
}
