//! A preset as the command line names it (`--preset`, `gan presets --show`): one value of
//! the three catalogues (image, image-to-image, toy), parsed once, so that no command
//! compares preset strings again.

use std::str::FromStr;

use gan_data::toy::ToyDist;

use super::toy::{ToyLoss, ToyPreset};
use super::translation::TranslationPreset;
use super::Preset;
use crate::config::translation::TranslateConfig;
use crate::config::TrainConfig;
use crate::error::GanError;

/// Any built-in preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Image(Preset),
    Translation(TranslationPreset),
    Toy(ToyPreset),
}

/// A preset's configuration: a GAN/VAE run's or a translation run's.
#[derive(Debug, Clone, PartialEq)]
pub enum PresetConfig {
    Train(Box<TrainConfig>),
    Translate(Box<TranslateConfig>),
}

impl PresetConfig {
    pub fn to_toml(&self) -> String {
        match self {
            PresetConfig::Train(c) => c.to_toml(),
            PresetConfig::Translate(c) => c.to_toml(),
        }
    }
}

impl Named {
    /// Every preset, in the order `gan presets` lists them: image, image-to-image, toy.
    pub fn all() -> impl Iterator<Item = Named> {
        let image = Preset::ALL.into_iter().map(Named::Image);
        let translation = TranslationPreset::ALL.into_iter().map(Named::Translation);
        image.chain(translation).chain(ToyPreset::all().map(Named::Toy))
    }

    pub fn name(self) -> String {
        match self {
            Named::Image(p) => p.name().into(),
            Named::Translation(p) => p.name().into(),
            Named::Toy(p) => p.name(),
        }
    }

    pub fn description(self) -> String {
        match self {
            Named::Image(p) => p.description().into(),
            Named::Translation(p) => p.description().into(),
            Named::Toy(p) => p.description(),
        }
    }

    pub fn config(self) -> PresetConfig {
        match self {
            Named::Image(p) => PresetConfig::Train(Box::new(p.config())),
            Named::Translation(p) => PresetConfig::Translate(Box::new(p.config())),
            Named::Toy(p) => PresetConfig::Train(Box::new(p.config())),
        }
    }
}

impl std::fmt::Display for Named {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name())
    }
}

impl FromStr for Named {
    type Err = GanError;

    /// Looks a preset up by name; an unknown name lists the known ones.
    fn from_str(name: &str) -> Result<Self, GanError> {
        Named::all().find(|p| p.name() == name).ok_or_else(|| unknown(name))
    }
}

fn unknown(name: &str) -> GanError {
    let names: Vec<&str> = Preset::ALL.iter().map(|p| p.name()).chain(TranslationPreset::ALL.iter().map(|p| p.name())).collect();
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
    fn every_preset_parses_from_its_name_and_an_unknown_one_lists_them() {
        let all: Vec<Named> = Named::all().collect();
        assert_eq!(all.len(), Preset::ALL.len() + TranslationPreset::ALL.len() + 30);
        for p in &all {
            assert_eq!(p.name().parse::<Named>().unwrap(), *p);
        }
        assert_eq!("ring8-ls".parse::<Named>().unwrap(), Named::Toy(ToyPreset { dist: ToyDist::Ring8, loss: ToyLoss::Ls }));
        assert_eq!("edges2fashion-l1".parse::<Named>().unwrap(), Named::Translation(TranslationPreset::Edges2FashionL1));
        let e = "mnist-mpl".parse::<Named>().unwrap_err().to_string();
        assert!(e.contains("mnist-mpl") && e.contains("mnist-mlp-minimax") && e.contains("edges2fashion-cyclegan"), "{e}");
        let e = "ring9-ns".parse::<Named>().unwrap_err().to_string();
        assert!(e.contains("two-moons") && e.contains("wgan-gp"), "{e}");
    }
}
