//! Named, ready-to-run configurations (`gan presets` lists them).

mod recipes;
mod table;
pub mod toy;
pub mod translation;

use serde::{Deserialize, Serialize};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::presets::toy::{ToyLoss, ToyPreset};
use gan_data::toy::ToyDist;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    MnistMlp,
    MnistMlpMinimax,
    MnistMlpSmooth,
    MnistDcgan,
    FashionDcgan,
    MnistWganClip,
    FashionWganGp,
    Faces128WganGp,
    MnistLsgan,
    MnistCgan,
    FashionCgan,
    MnistVae,
    FashionVae,
    MnistRpgan,
    FashionRpgan,
    StackedDcgan,
    StackedPacgan2,
    StackedRpgan,
    Cifar10Dcgan,
    Cifar10Cgan,
    Cifar10WganGp,
}

/// Where the Fashion-MNIST presets look for the IDX files (override with `--data DIR`).
pub const FASHION_MNIST_DIR: &str = "data/fashion-mnist";
/// Where the CIFAR-10 presets look (`gan data fetch cifar10` puts it there).
pub const CIFAR10_DIR: &str = "data/cifar10";

impl Preset {
    /// Every image preset, in the order `gan presets` lists them.
    pub const ALL: [Preset; 21] = {
        let mut all = [Preset::MnistRpgan; 21];
        let mut i = 0;
        while i < 21 {
            all[i] = table::TABLE[i].preset;
            i += 1;
        }
        all
    };

    /// What `gan train` and `make run` train when no preset is named.
    pub const DEFAULT: Preset = Preset::MnistRpgan;

    fn entry(self) -> &'static table::Entry {
        table::TABLE.iter().find(|e| e.preset == self).expect("every preset has an entry")
    }

    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    pub fn description(self) -> &'static str {
        self.entry().about
    }

    pub fn config(self) -> TrainConfig {
        (self.entry().make)()
    }

    /// Looks an image preset up by name; an unknown name lists the known ones.
    pub fn from_name(name: &str) -> Result<Preset> {
        Self::ALL.into_iter().find(|p| p.name() == name).ok_or_else(|| unknown(name))
    }
}

/// The configuration of the preset called `name`: an image preset or a toy one.
pub fn config_named(name: &str) -> Result<TrainConfig> {
    match ToyPreset::from_name(name) {
        Some(t) => Ok(t.config()),
        None => Preset::from_name(name).map(Preset::config),
    }
}

/// Every preset, `(name, description)`: the image presets, then the toy ones.
pub fn catalogue() -> Vec<(String, String)> {
    let image = Preset::ALL.into_iter().map(|p| (p.name().to_string(), p.description().to_string()));
    let translation = translation::TranslationPreset::ALL.into_iter().map(|p| (p.name().to_string(), p.description().to_string()));
    image.chain(translation).chain(ToyPreset::all().map(|t| (t.name(), t.description()))).collect()
}

fn unknown(name: &str) -> GanError {
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).collect();
    let dists: Vec<&str> = ToyDist::ALL.iter().map(|d| d.name()).collect();
    let losses: Vec<&str> = ToyLoss::ALL.iter().map(|l| l.name()).collect();
    GanError::Invalid(format!(
        "unknown preset `{name}`; known presets: {}, and the toy presets DIST-LOSS with DIST one of {} and LOSS one of {} \
         (`gan presets` lists them all)",
        names.join(", "),
        dists.join(", "),
        losses.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_uniquely() {
        for p in Preset::ALL {
            assert!(p.config().problems().is_empty(), "{}: {:?}", p.name(), p.config().problems());
            assert_eq!(Preset::from_name(p.name()).unwrap(), p);
        }
        // The documented example file spells out the default preset field by field.
        let example = crate::TrainConfig::from_toml_str(include_str!("../../../../configs/example.toml"), "example.toml").unwrap();
        assert_eq!(example, Preset::DEFAULT.config());
        let e = Preset::from_name("mnist-mpl").unwrap_err().to_string();
        assert!(e.contains("mnist-mpl") && e.contains("mnist-mlp-minimax"), "{e}");
        assert_eq!(config_named("ring8-ls").unwrap(), ToyPreset { dist: ToyDist::Ring8, loss: ToyLoss::Ls }.config());
        assert_eq!(config_named("mnist-cgan").unwrap(), Preset::MnistCgan.config());
        let e = config_named("ring9-ns").unwrap_err().to_string();
        assert!(e.contains("two-moons") && e.contains("wgan-gp"), "{e}");
        assert_eq!(catalogue().len(), Preset::ALL.len() + translation::TranslationPreset::ALL.len() + 30);
    }

    /// Every preset has one entry, and its name is what a config or `--preset` spells.
    #[test]
    fn the_table_holds_each_preset_once_by_its_serde_name() {
        for p in Preset::ALL {
            assert_eq!(serde_json::to_value(p).unwrap(), p.name(), "{p:?}");
            assert_eq!(table::TABLE.iter().filter(|e| e.preset == p).count(), 1, "{p:?}");
        }
    }
}
