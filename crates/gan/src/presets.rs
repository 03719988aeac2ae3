//! Named, ready-to-run configurations (`gan presets` lists them).

use serde::{Deserialize, Serialize};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::losses::GeneratorLoss;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    MnistMlp,
    MnistMlpMinimax,
    MnistMlpSmooth,
}

impl Preset {
    pub const ALL: [Preset; 3] = [Preset::MnistMlp, Preset::MnistMlpMinimax, Preset::MnistMlpSmooth];

    pub fn name(self) -> &'static str {
        match self {
            Preset::MnistMlp => "mnist-mlp",
            Preset::MnistMlpMinimax => "mnist-mlp-minimax",
            Preset::MnistMlpSmooth => "mnist-mlp-smooth",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Preset::MnistMlp => "2014 GAN, MLP G/D on MNIST: batch 64, Adam 2e-4 (0.5, 0.999), non-saturating G loss, 30 epochs",
            Preset::MnistMlpMinimax => "as mnist-mlp with the paper's saturating minimax G loss, log(1 - D(G(z)))",
            Preset::MnistMlpSmooth => "as mnist-mlp with one-sided label smoothing (real target 0.9)",
        }
    }

    pub fn config(self) -> TrainConfig {
        let base = TrainConfig::default();
        match self {
            Preset::MnistMlp => base,
            Preset::MnistMlpMinimax => {
                let mut c = base;
                c.loss.generator = GeneratorLoss::Minimax;
                c
            }
            Preset::MnistMlpSmooth => {
                let mut c = base;
                c.loss.real_label = 0.9;
                c
            }
        }
    }

    /// Looks a preset up by name; an unknown name lists the known ones.
    pub fn from_name(name: &str) -> Result<Preset> {
        Self::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|p| p.name()).collect();
            GanError::Invalid(format!("unknown preset `{name}`; known presets: {}", names.join(", ")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_uniquely() {
        for p in Preset::ALL {
            assert!(p.config().problems().is_empty(), "{}", p.name());
            assert_eq!(Preset::from_name(p.name()).unwrap(), p);
        }
        // The documented example file spells out mnist-mlp field by field.
        let example = crate::TrainConfig::from_toml_str(include_str!("../../../configs/example.toml"), "example.toml").unwrap();
        assert_eq!(example, Preset::MnistMlp.config());
        let e = Preset::from_name("mnist-mpl").unwrap_err().to_string();
        assert!(e.contains("mnist-mpl") && e.contains("mnist-mlp-minimax"), "{e}");
    }
}
