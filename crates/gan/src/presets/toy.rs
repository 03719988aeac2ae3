//! Presets for the toy distributions: `{dist}-{loss}`, e.g. `ring8-wgan-gp`, `grid25-ns`,
//! `normal-minimax`. Small MLPs with linear generator output on `gan_data::toy` points;
//! each trains in seconds on a CPU.

use gan_data::toy::ToyDist;
use gan_data::DataSource;
use serde::{Deserialize, Serialize};

use crate::config::{OptimConfig, TrainConfig};
use crate::losses::penalty::Lipschitz;
use crate::losses::{GeneratorLoss, LossConfig, LossKind};
use crate::models::mlp::Output;
use crate::models::MlpConfig;
use crate::optim::{AdamConfig, LrSchedule, OptimizerConfig};

/// The losses a toy preset comes with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ToyLoss {
    /// BCE, non-saturating generator loss.
    Ns,
    /// BCE, the saturating minimax generator loss.
    Minimax,
    /// Least squares (LSGAN).
    Ls,
    /// Wasserstein critic with gradient penalty.
    WganGp,
    /// The toolkit's best recipe for the mixtures: non-saturating BCE with the R1 penalty
    /// (Mescheder et al. 2018), a ReLU generator, 20,000 steps with the learning rate decayed
    /// linearly to 0.
    NsR1,
    /// The ns-r1 recipe with R3GAN's objective instead: the relativistic pairing loss with
    /// R1 + R2 (gamma 0.1).
    Rpgan,
}

impl ToyLoss {
    pub const ALL: [ToyLoss; 6] = [ToyLoss::Ns, ToyLoss::Minimax, ToyLoss::Ls, ToyLoss::WganGp, ToyLoss::NsR1, ToyLoss::Rpgan];

    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    fn describe(self) -> &'static str {
        match self {
            ToyLoss::Ns => "non-saturating BCE",
            ToyLoss::Minimax => "minimax BCE",
            ToyLoss::Ls => "least squares",
            ToyLoss::WganGp => "WGAN-GP (lambda 0.1, 5 critic steps)",
            ToyLoss::NsR1 => "non-saturating BCE + R1 (gamma 0.1), ReLU G, lr decayed linearly to 0",
            ToyLoss::Rpgan => "relativistic pairing loss + R1 + R2 (gamma 0.1), ReLU G, lr decayed linearly to 0",
        }
    }

    /// The long recipes: a ReLU generator, 20,000 steps, the rate decayed linearly to 0.
    fn decayed(self) -> bool {
        matches!(self, ToyLoss::NsR1 | ToyLoss::Rpgan)
    }

    /// The `[loss]` table of this choice.
    pub fn loss_config(self) -> LossConfig {
        match self {
            ToyLoss::Ns => LossConfig::bce(GeneratorLoss::NonSaturating, 1.0),
            ToyLoss::Minimax => LossConfig::bce(GeneratorLoss::Minimax, 1.0),
            ToyLoss::Ls => LossConfig { kind: LossKind::LeastSquares, ..LossConfig::default() },
            ToyLoss::WganGp => LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 0.1 }),
            ToyLoss::NsR1 => LossConfig { lipschitz: Lipschitz::R1 { weight: 0.1 }, ..LossConfig::bce(GeneratorLoss::NonSaturating, 1.0) },
            ToyLoss::Rpgan => {
                LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: 0.1, weight_end: None, every: None }, ..LossConfig::default() }
            }
        }
    }
}

/// A toy distribution with a loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ToyPreset {
    pub dist: ToyDist,
    pub loss: ToyLoss,
}

impl ToyPreset {
    pub fn all() -> impl Iterator<Item = ToyPreset> {
        ToyDist::ALL.into_iter().flat_map(|dist| ToyLoss::ALL.into_iter().map(move |loss| ToyPreset { dist, loss }))
    }

    pub fn name(self) -> String {
        format!("{}-{}", self.dist.name(), self.loss.name())
    }

    pub fn description(self) -> String {
        format!(
            "{} toy data, MLP G/D (z {}, 3 x {HIDDEN} hidden), {}, Adam, batch {BATCH}, {} steps",
            self.dist.name(),
            latent_dim(self.dist),
            self.loss.describe(),
            steps(self.loss)
        )
    }

    pub fn config(self) -> TrainConfig {
        let mlp = MlpConfig {
            latent_dim: latent_dim(self.dist),
            g_hidden: vec![HIDDEN; 3],
            d_hidden: vec![HIDDEN; 3],
            d_dropout: 0.0,
            leaky_slope: 0.2,
            g_leaky_slope: self.loss.decayed().then_some(0.0),
            g_output: Output::Linear,
        };
        let (lr, betas, d_steps) = match self.loss {
            ToyLoss::WganGp => (1e-3, (0.5, 0.9), 5),
            _ => (1e-3, (0.5, 0.999), 1),
        };
        let adam = OptimizerConfig::Adam(AdamConfig { lr, betas, eps: 1e-8 });
        TrainConfig {
            seed: 0,
            batch_size: BATCH,
            steps: Some(steps(self.loss)),
            epochs: None,
            d_steps,
            critic_cycles: Default::default(),
            augment: Default::default(),
            conditional: false,
            text: None,
            pack: 1,
            log_every: 50,
            sample_every: 500,
            checkpoint_every: 1000,
            keep_checkpoints: 1,
            keep_every: 0,
            data: DataSource::Toy { dist: self.dist, points: 100_000, seed: 0 },
            model: mlp.into(),
            loss: self.loss.loss_config(),
            optim: OptimConfig { schedule: if self.loss.decayed() { LrSchedule::Linear } else { LrSchedule::Constant }, ..OptimConfig::same(adam) },
            doctor: Default::default(),
            precision: Default::default(),
            sync_batch_norm: false,
            log: Default::default(),
        }
    }
}

const HIDDEN: i64 = 128;
const BATCH: usize = 256;

fn latent_dim(dist: ToyDist) -> i64 {
    if dist == ToyDist::Normal {
        1
    } else {
        2
    }
}

fn steps(loss: ToyLoss) -> u64 {
    match loss {
        ToyLoss::WganGp => 2000,
        ToyLoss::NsR1 | ToyLoss::Rpgan => 20_000,
        _ => 5000,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_toy_preset_is_valid() {
        let all: Vec<ToyPreset> = ToyPreset::all().collect();
        assert_eq!(all.len(), 30);
        for p in &all {
            assert!(p.config().problems().is_empty(), "{}: {:?}", p.name(), p.config().problems());
        }
        assert_eq!(all.iter().filter(|p| p.dist == ToyDist::Grid25).count(), ToyLoss::ALL.len());
    }
}
