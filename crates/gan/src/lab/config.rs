//! What a lab session trains: the data, the loss, the optimiser and the network sizes, as
//! the lab page sends them (JSON), with the recommended settings per loss.

use gan_data::toy::ToyDist;
use serde::{Deserialize, Serialize};

use crate::losses::penalty::Lipschitz;
use crate::losses::{GeneratorLoss, LossConfig, LossKind};
use crate::models::mlp::Output;
use crate::models::MlpConfig;
use crate::optim::{AdamConfig, OptimizerConfig, RmsPropConfig};

/// Points drawn with the mouse live in this box (both axes).
pub const DRAWN_EXTENT: (f64, f64) = (-1.5, 1.5);
/// Each drawn point is a small Gaussian blob of this std (in data units).
pub const DRAWN_STD: f64 = 0.03;
/// At most this many drawn points.
pub const MAX_DRAWN: usize = 2000;
const MAX_HIDDEN: i64 = 1024;
const MAX_LAYERS: usize = 8;

/// The real distribution of a lab session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum LabData {
    /// One of the built-in toy distributions.
    Toy { dist: ToyDist },
    /// Points drawn on the page (2-D, inside [`DRAWN_EXTENT`]).
    Drawn { points: Vec<[f32; 2]> },
}

/// The adversarial losses the lab offers.
#[cfg_attr(feature = "clap", derive(clap::ValueEnum))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabLoss {
    /// Goodfellow et al. 2014, `min log(1 - D(G(z)))`.
    Minimax,
    /// Goodfellow et al. 2014, `max log D(G(z))`.
    NonSaturating,
    /// Mao et al. 2017 (LSGAN).
    Ls,
    /// Arjovsky et al. 2017 (weight clipping).
    WganClip,
    /// Gulrajani et al. 2017 (gradient penalty).
    WganGp,
}

/// The optimisers the lab offers (both networks use the same kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabOptimizer {
    Adam,
    Rmsprop,
}

/// One lab session's settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LabConfig {
    pub data: LabData,
    pub loss: LabLoss,
    pub optimizer: LabOptimizer,
    pub lr_g: f64,
    pub lr_d: f64,
    /// Adam's `(beta1, beta2)` (ignored by RMSprop).
    pub betas: (f64, f64),
    /// Discriminator updates, then generator updates, per round.
    pub d_steps: u32,
    pub g_steps: u32,
    pub g_hidden: Vec<i64>,
    pub d_hidden: Vec<i64>,
    pub batch_size: i64,
    /// `wgan-clip`: the clip value `c`.
    pub clip: f64,
    /// `wgan-gp`: the penalty weight lambda.
    pub penalty: f64,
    pub seed: u64,
}

impl LabConfig {
    /// Settings that train `data` with `loss` well on a CPU (the toy presets' recipes).
    pub fn recommended(data: LabData, loss: LabLoss) -> Self {
        let (optimizer, lr, betas, d_steps) = match loss {
            LabLoss::WganGp => (LabOptimizer::Adam, 1e-3, (0.5, 0.9), 5),
            LabLoss::WganClip => (LabOptimizer::Rmsprop, 5e-4, (0.5, 0.999), 5),
            _ => (LabOptimizer::Adam, 1e-3, (0.5, 0.999), 1),
        };
        Self {
            data,
            loss,
            optimizer,
            lr_g: lr,
            lr_d: lr,
            betas,
            d_steps,
            g_steps: 1,
            g_hidden: vec![128; 3],
            d_hidden: vec![128; 3],
            batch_size: 256,
            clip: 0.05,
            penalty: 0.1,
            seed: 0,
        }
    }

    /// Every problem with these settings, each naming its field.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for (name, lr) in [("lr_g", self.lr_g), ("lr_d", self.lr_d)] {
            if !(lr > 0.0 && lr < 1.0) {
                p.push(format!("{name} must be in (0, 1), got {lr}"));
            }
        }
        for (name, b) in [("betas.0", self.betas.0), ("betas.1", self.betas.1)] {
            if !(0.0..1.0).contains(&b) {
                p.push(format!("{name} must be in [0, 1), got {b}"));
            }
        }
        for (name, s) in [("d_steps", self.d_steps), ("g_steps", self.g_steps)] {
            if !(1..=100).contains(&s) {
                p.push(format!("{name} must be between 1 and 100, got {s}"));
            }
        }
        for (name, h) in [("g_hidden", &self.g_hidden), ("d_hidden", &self.d_hidden)] {
            if h.is_empty() || h.len() > MAX_LAYERS || h.iter().any(|&s| !(1..=MAX_HIDDEN).contains(&s)) {
                p.push(format!("{name} must list 1 to {MAX_LAYERS} layer sizes between 1 and {MAX_HIDDEN}, got {h:?}"));
            }
        }
        if !(2..=4096).contains(&self.batch_size) {
            p.push(format!("batch_size must be between 2 and 4096, got {}", self.batch_size));
        }
        if self.loss == LabLoss::WganClip && !(self.clip > 0.0 && self.clip.is_finite()) {
            p.push(format!("clip must be a positive number, got {}", self.clip));
        }
        if self.loss == LabLoss::WganGp && !(self.penalty > 0.0 && self.penalty.is_finite()) {
            p.push(format!("penalty must be a positive number, got {}", self.penalty));
        }
        if let LabData::Drawn { points } = &self.data {
            if points.len() < 2 || points.len() > MAX_DRAWN {
                p.push(format!("data.points must hold 2 to {MAX_DRAWN} points, got {}", points.len()));
            }
            let (lo, hi) = DRAWN_EXTENT;
            if points.iter().flatten().any(|&v| !(lo..=hi).contains(&(v as f64))) {
                p.push(format!("data.points must lie inside [{lo}, {hi}] on both axes"));
            }
        }
        p
    }

    /// Dimension of a point (1 for the 1-D normal, else 2).
    pub fn dim(&self) -> usize {
        match &self.data {
            LabData::Toy { dist } => dist.dim(),
            LabData::Drawn { .. } => 2,
        }
    }

    /// The view box of the data, `[lo, hi]` on each axis.
    pub fn extent(&self) -> (f64, f64) {
        match &self.data {
            LabData::Toy { dist } => dist.extent(),
            LabData::Drawn { .. } => DRAWN_EXTENT,
        }
    }

    /// The networks: MLPs with a latent of the data's dimension (as in GAN Lab) and a
    /// linear generator output.
    pub fn mlp(&self) -> MlpConfig {
        MlpConfig {
            latent_dim: self.dim() as i64,
            g_hidden: self.g_hidden.clone(),
            d_hidden: self.d_hidden.clone(),
            d_dropout: 0.0,
            leaky_slope: 0.2,
            g_leaky_slope: None,
            g_output: Output::Linear,
        }
    }

    pub fn loss_config(&self) -> LossConfig {
        match self.loss {
            LabLoss::Minimax => LossConfig::bce(GeneratorLoss::Minimax, 1.0),
            LabLoss::NonSaturating => LossConfig::bce(GeneratorLoss::NonSaturating, 1.0),
            LabLoss::Ls => LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() },
            LabLoss::WganClip => LossConfig::wasserstein(Lipschitz::Clip { clip: self.clip }),
            LabLoss::WganGp => LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: self.penalty }),
        }
    }

    /// The optimiser of G (`generator`) or D.
    pub fn optimizer_config(&self, generator: bool) -> OptimizerConfig {
        let lr = if generator { self.lr_g } else { self.lr_d };
        match self.optimizer {
            LabOptimizer::Adam => OptimizerConfig::Adam(AdamConfig { lr, betas: self.betas, eps: 1e-8 }),
            LabOptimizer::Rmsprop => OptimizerConfig::RmsProp(RmsPropConfig { lr, ..RmsPropConfig::default() }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recommended_settings_are_valid_and_bad_ones_name_their_field() {
        for loss in [LabLoss::Minimax, LabLoss::NonSaturating, LabLoss::Ls, LabLoss::WganClip, LabLoss::WganGp] {
            let c = LabConfig::recommended(LabData::Toy { dist: ToyDist::Ring8 }, loss);
            assert!(c.problems().is_empty(), "{loss:?}: {:?}", c.problems());
        }
        let mut c = LabConfig::recommended(LabData::Drawn { points: vec![[0.0, 0.0], [2.0, 0.0]] }, LabLoss::WganGp);
        c.lr_d = 0.0;
        c.d_hidden = vec![];
        let p = c.problems().join("; ");
        for field in ["lr_d", "d_hidden", "data.points"] {
            assert!(p.contains(field), "{p}");
        }
    }

    #[test]
    fn json_names_are_kebab_case() {
        let c: LabConfig = serde_json::from_value(serde_json::json!({
            "data": {"kind": "toy", "dist": "two-moons"}, "loss": "wgan-gp", "optimizer": "rmsprop",
            "lr_g": 1e-3, "lr_d": 1e-3, "betas": [0.5, 0.9], "d_steps": 5, "g_steps": 1,
            "g_hidden": [64], "d_hidden": [64], "batch_size": 128, "clip": 0.01, "penalty": 0.1, "seed": 3
        }))
        .unwrap();
        assert_eq!(c.data, LabData::Toy { dist: ToyDist::TwoMoons });
        assert_eq!(c.loss, LabLoss::WganGp);
        assert!(matches!(c.optimizer_config(false), OptimizerConfig::RmsProp(_)));
    }
}
