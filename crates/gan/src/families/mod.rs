//! The model families, each a folder implementing `crate::train::Family` (see
//! ARCHITECTURE.md, "How to add a family"): [`gan`] (GANs of every loss, conditional or
//! not), [`vae`] (the VAE baseline), [`progan`] (ProGAN's growing pair), [`stylegan2`]
//! (StyleGAN2's regularised, style-mixed pair), [`stackgan`] (StackGAN's two stages, from
//! text) and [`translation`] (pix2pix, CycleGAN).
//!
//! [`REGISTRY`] is where a family registers the `[model] kind`s it trains, so that a
//! configuration file or a run directory is given to the family it belongs to.

pub mod gan;
pub mod progan;
pub mod stackgan;
pub mod stylegan2;
pub mod translation;
pub mod vae;

use std::path::Path;
use std::sync::OnceLock;

use tch::Device;

use crate::config::TrainConfig;
use crate::error::Result;
use crate::run::checkpoint::CheckpointChoice;
use crate::train::Trainer;

use gan_data::tagged::Kinds;
use serde::Serialize;

/// A family the loop runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FamilyKind {
    /// `TrainConfig` runs: [`gan`].
    Gan,
    /// `TranslateConfig` runs: [`translation`].
    Translation,
    /// `TrainConfig` runs of `[model] kind = "progan"`: [`progan`].
    Progan,
    /// `TrainConfig` runs of `[model] kind = "stylegan2"`: [`stylegan2`].
    Stylegan2,
    /// `TrainConfig` runs of `[model] kind = "vae"`: [`vae`].
    Vae,
    /// `TrainConfig` runs of `[model] kind = "stackgan"`: [`stackgan`].
    Stackgan,
}

/// ProGAN's, StyleGAN2's and the VAE's `[model] kind`s.
const PROGAN_KIND: &str = "progan";
const STYLEGAN2_KIND: &str = "stylegan2";
const VAE_KIND: &str = "vae";
const STACKGAN_KIND: &str = "stackgan";

/// The `[model] kind`s of the GAN family: every network kind another family does not train.
fn gan_kinds() -> &'static [&'static str] {
    static KINDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    KINDS.get_or_init(|| {
        crate::models::NetConfig::kinds().iter().copied().filter(|k| ![PROGAN_KIND, STYLEGAN2_KIND, VAE_KIND, STACKGAN_KIND].contains(k)).collect()
    })
}

fn vae_kinds() -> &'static [&'static str] {
    &[VAE_KIND]
}

fn progan_kinds() -> &'static [&'static str] {
    &[PROGAN_KIND]
}

fn stylegan2_kinds() -> &'static [&'static str] {
    &[STYLEGAN2_KIND]
}

fn stackgan_kinds() -> &'static [&'static str] {
    &[STACKGAN_KIND]
}

/// How a family of `TrainConfig` runs starts and continues them.
pub struct TrainEntry {
    pub new_run: fn(TrainConfig, &Path, Device) -> Result<Trainer>,
    pub resume_run: fn(&Path, Option<TrainConfig>, &CheckpointChoice, Device) -> Result<Trainer>,
}

/// One family's entry: the `[model] kind`s its configuration reads and, for a family of
/// `TrainConfig` runs, how it starts and continues them (the translation family reads its
/// own configuration: `gan train` gives it to `translation`).
pub struct Registration {
    pub family: FamilyKind,
    pub model_kinds: fn() -> &'static [&'static str],
    pub train: Option<TrainEntry>,
}

macro_rules! train_entry {
    ($family:ident) => {
        Some(TrainEntry { new_run: $family::new_run, resume_run: $family::resume_run })
    };
}

/// Every family, the default (for a configuration without a `[model] kind`) first.
pub const REGISTRY: [Registration; 6] = [
    Registration { family: FamilyKind::Gan, model_kinds: gan_kinds, train: train_entry!(gan) },
    Registration { family: FamilyKind::Translation, model_kinds: crate::config::translation::TranslationModel::kinds, train: None },
    Registration { family: FamilyKind::Progan, model_kinds: progan_kinds, train: train_entry!(progan) },
    Registration { family: FamilyKind::Stylegan2, model_kinds: stylegan2_kinds, train: train_entry!(stylegan2) },
    Registration { family: FamilyKind::Vae, model_kinds: vae_kinds, train: train_entry!(vae) },
    Registration { family: FamilyKind::Stackgan, model_kinds: stackgan_kinds, train: train_entry!(stackgan) },
];

/// The training entry of `family` (the default family's for `None`).
fn train_entry(family: Option<FamilyKind>) -> &'static TrainEntry {
    let default = REGISTRY[0].train.as_ref().expect("the default family trains TrainConfig runs");
    REGISTRY.iter().find(|r| Some(r.family) == family).and_then(|r| r.train.as_ref()).unwrap_or(default)
}

/// A new run of a `TrainConfig`, by the family its `[model] kind` is registered to.
pub fn new_train_run(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    let family = FamilyKind::of_model_kind(config.model.net.kind());
    (train_entry(family).new_run)(config, run_dir, device)
}

/// Continues the `TrainConfig` run in `run_dir` by the family its configuration names.
pub fn resume_train_run(run_dir: &Path, requested: Option<TrainConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    (train_entry(FamilyKind::of_run(run_dir)).resume_run)(run_dir, requested, choice, device)
}

impl FamilyKind {
    /// The family whose `[model] kind` this TOML document names; `None` when it is no TOML
    /// or names no registered kind (the default family then reads it and says what is wrong).
    pub fn of_toml(text: &str) -> Option<FamilyKind> {
        let table = toml::from_str::<toml::Table>(text).ok()?;
        Self::of_model_kind(table.get("model")?.get("kind")?.as_str()?)
    }

    /// The family a `[model] kind` is registered to.
    pub fn of_model_kind(kind: &str) -> Option<FamilyKind> {
        REGISTRY.iter().find(|r| (r.model_kinds)().contains(&kind)).map(|r| r.family)
    }

    /// The family of the run in `dir` (by its `config.toml`); `None` as for [`Self::of_toml`]
    /// or when the file cannot be read.
    pub fn of_run(dir: &Path) -> Option<FamilyKind> {
        std::fs::read_to_string(crate::run::dir::RunDir::new(dir).config()).ok().as_deref().and_then(Self::of_toml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_goes_to_the_family_of_its_model_kind() {
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"dcgan\"\n"), Some(FamilyKind::Gan));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"vae\"\n"), Some(FamilyKind::Vae));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"cyclegan\"\n"), Some(FamilyKind::Translation));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"pix2pix\"\nx = 1\n"), Some(FamilyKind::Translation));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"nope\"\n"), None);
        assert_eq!(FamilyKind::of_toml("seed = 3\n"), None);
        assert_eq!(FamilyKind::of_toml("[model\n"), None);
        for p in crate::presets::translation::TranslationPreset::ALL {
            assert_eq!(FamilyKind::of_toml(&p.config().to_toml()), Some(FamilyKind::Translation), "{p:?}");
        }
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"progan\"\n"), Some(FamilyKind::Progan));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"stylegan2\"\n"), Some(FamilyKind::Stylegan2));
        assert_eq!(FamilyKind::of_toml("[model]\nkind = \"stackgan\"\n"), Some(FamilyKind::Stackgan));
        assert!(crate::models::NetConfig::kinds().contains(&PROGAN_KIND));
        assert!(crate::models::NetConfig::kinds().contains(&STYLEGAN2_KIND));
        assert!(crate::models::NetConfig::kinds().contains(&VAE_KIND));
        for p in crate::presets::Preset::ALL {
            let family = match p.config().model.net {
                crate::models::NetConfig::Progan(_) => FamilyKind::Progan,
                crate::models::NetConfig::Vae(_) => FamilyKind::Vae,
                crate::models::NetConfig::Stylegan2(_) => FamilyKind::Stylegan2,
                crate::models::NetConfig::Stackgan(_) => FamilyKind::Stackgan,
                _ => FamilyKind::Gan,
            };
            assert_eq!(FamilyKind::of_toml(&p.config().to_toml()), Some(family), "{p:?}");
            assert_eq!(FamilyKind::of_model_kind(p.config().model.net.kind()), Some(family), "{p:?}");
            assert!(REGISTRY.iter().any(|r| r.family == family && r.train.is_some()), "{family:?} starts TrainConfig runs");
        }
    }

    #[test]
    fn no_kind_is_registered_twice() {
        let all: Vec<&str> = REGISTRY.iter().flat_map(|r| (r.model_kinds)().iter().copied()).collect();
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len(), "{all:?}");
    }
}
