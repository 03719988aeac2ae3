//! Named, ready-to-run configurations (`gan presets` lists them).

mod emoji;
mod named;
mod recipes;
mod styled;
mod table;
pub mod toy;
pub mod translation;

use serde::{Deserialize, Serialize};

use crate::config::TrainConfig;

pub use named::{Named, PresetConfig};

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
    EmojiRpgan,
    EmojiCgan,
    EmojiTextRpgan,
    EmojiStackgan,
    EmojiWganGp,
    EmojiFacesWganGp,
    EmojiVae,
    EmojiProgan,
    EmojiStylegan2,
    MnistStylegan2,
    FashionStylegan2,
    MnistProgan,
}

/// Where the Fashion-MNIST presets look for the IDX files (override with `--data DIR`).
pub const FASHION_MNIST_DIR: &str = "data/fashion-mnist";
/// Where the CIFAR-10 presets look (`gan data fetch cifar10` puts it there).
pub const CIFAR10_DIR: &str = "data/cifar10";
pub use emoji::{EMOJI_DIR, EMOJI_RPGAN_STEPS};
pub use styled::mnist_stylegan2_paper;

impl Preset {
    /// Every image preset, in the order `gan presets` lists them.
    pub const ALL: [Preset; table::TABLE.len()] = {
        let mut all = [Preset::MnistRpgan; table::TABLE.len()];
        let mut i = 0;
        while i < all.len() {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_valid_and_named_uniquely() {
        for p in Preset::ALL {
            assert!(p.config().problems().is_empty(), "{}: {:?}", p.name(), p.config().problems());
        }
        // The documented example file spells out the default preset field by field.
        let example = crate::TrainConfig::from_toml_str(include_str!("../../../../configs/example.toml"), "example.toml").unwrap();
        assert_eq!(example, Preset::DEFAULT.config());
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
