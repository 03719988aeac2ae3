//! The configuration of an image-to-image run: one TOML document, `config.toml` in the run
//! directory, whose `[model] kind` is `pix2pix`, `cyclegan`, `cartoongan` or `simgan`.

use gan_data::pairs::PairSource;
use serde::{Deserialize, Serialize};
use tch::{nn, Device};

pub use super::cartoon::{CartoonGanConfig, ContentNetwork};
pub use super::simgan::SimGanConfig;
use crate::config::{DoctorConfig, LogConfig};
use crate::error::{GanError, Result};
use crate::losses::translation::patch_loss_problem;
use crate::losses::LossKind;
use crate::models::ema::EmaConfig;
use crate::models::precision::Precision;
use crate::models::translation::{cartoon, simgan};
use crate::models::translation::{Bf16Translator, Generators, NetPair, PatchGanConfig, ResnetConfig, TranslationNets, Translator, UnetConfig};
use crate::models::ImageShape;
use crate::optim::{AdamConfig, LrSchedule, ScheduleSettings};

/// pix2pix (Isola et al. 2017): a U-Net maps A to B under a conditional PatchGAN that sees
/// `(A, B)` pairs, plus `lambda_l1 * L1` to the target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pix2PixConfig {
    pub generator: UnetConfig,
    pub discriminator: PatchGanConfig,
    pub loss: LossKind,
    /// Weight of the L1 term (100 in the paper).
    pub lambda_l1: f64,
    /// Weight of the adversarial term (1; 0 trains by L1 alone, the paper's ablation).
    #[serde(default = "one")]
    pub lambda_adv: f64,
}

/// CycleGAN (Zhu et al. 2017): ResNet generators G: A -> B and F: B -> A, PatchGANs D_B and
/// D_A, least-squares adversarial losses, cycle consistency and identity terms, and a
/// history of generated images for the discriminators.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CycleGanConfig {
    pub generator: ResnetConfig,
    pub discriminator: PatchGanConfig,
    pub loss: LossKind,
    /// Weight of each cycle-consistency term (10 in the paper).
    pub lambda_cycle: f64,
    /// Weight of the identity terms as a fraction of `lambda_cycle` (0.5).
    pub lambda_identity: f64,
    /// Generated images the discriminators draw from (50; 0: the current batch only).
    pub pool: usize,
}

fn hold_then_linear() -> LrSchedule {
    LrSchedule::HoldThenLinear
}

fn one() -> f64 {
    1.0
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

gan_data::kind_tagged! {
    /// The `[model]` table of a translation run.
    #[derive(Debug, Clone, PartialEq)]
    pub enum TranslationModel {
        Pix2pix(Pix2PixConfig),
        Cyclegan(CycleGanConfig),
        Cartoongan(CartoonGanConfig),
        Simgan(SimGanConfig),
    }
}

/// Everything that defines a translation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslateConfig {
    /// Seeds weights, dropout, data order and the image history.
    pub seed: u64,
    pub batch_size: usize,
    /// Training length in generator updates.
    pub steps: u64,
    pub log_every: u64,
    pub sample_every: u64,
    pub checkpoint_every: u64,
    pub keep_checkpoints: usize,
    pub data: PairSource,
    pub model: TranslationModel,
    /// Adam for both generators and both discriminators (2e-4, betas (0.5, 0.999)).
    pub optim: AdamConfig,
    /// How the rates change over the run: GAN runs' schedules, `hold-then-linear` (the
    /// papers' "constant for the first half, then linear decay") when not named.
    #[serde(default = "hold_then_linear", skip_serializing_if = "LrSchedule::is_hold_then_linear")]
    pub schedule: LrSchedule,
    /// The fraction of the run `hold-then-linear` holds the rates (default 0.5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decay_from: Option<f64>,
    /// The factor `linear` and `cosine` end at (default 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_factor: Option<f64>,
    /// A moving average of the generators' weights (as GAN runs' `[model] ema_half_life`,
    /// in images; 0: none), which the sample grids, `gan translate` and `gan eval` then use.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ema_half_life: u64,
    /// Caps the average's half-life at this fraction of the images seen so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ema_rampup: Option<f64>,
    /// The networks' arithmetic (`bf16`: autocast, float32 weights and losses).
    #[serde(default, skip_serializing_if = "Precision::is_f32")]
    pub precision: Precision,
    #[serde(default, skip_serializing_if = "LogConfig::is_default")]
    pub log: LogConfig,
    /// The doctor's checks while training (the `[doctor]` table of GAN runs).
    #[serde(default, skip_serializing_if = "DoctorConfig::is_default")]
    pub doctor: DoctorConfig,
}

impl TranslationModel {
    pub fn name(&self) -> &'static str {
        gan_data::names::serde_name(self)
    }

    pub fn loss(&self) -> LossKind {
        match self {
            TranslationModel::Pix2pix(c) => c.loss,
            TranslationModel::Cyclegan(c) => c.loss,
            // The reference's `BCELoss` on sigmoid outputs.
            // Both score patches as probabilities: a sigmoid (CartoonGAN) or a two-way softmax
            // (SimGAN, whose scores are the probabilities of "real").
            TranslationModel::Cartoongan(_) | TranslationModel::Simgan(_) => LossKind::Bce,
        }
    }

    /// Builds the networks for images of shape `image` (both domains), generators first;
    /// with `Precision::Bf16` their forward passes run under bf16 autocast.
    pub fn build(&self, image: ImageShape, precision: Precision, device: Device) -> TranslationNets {
        let (g_vs, d_vs) = (nn::VarStore::new(device), nn::VarStore::new(device));
        let c = image.channels;
        let wrap = |n: Box<dyn Translator>| -> Box<dyn Translator> {
            match precision {
                Precision::F32 => n,
                Precision::Bf16 => Box::new(Bf16Translator { inner: n, device }),
            }
        };
        let pair = match self {
            TranslationModel::Pix2pix(m) => {
                let g = wrap(Box::new(m.generator.build(&(g_vs.root() / "a2b"), c, c)));
                // The conditional discriminator sees the input and the output stacked.
                let d = wrap(Box::new(m.discriminator.build(&(d_vs.root() / "d_b"), 2 * c)));
                NetPair::Paired { g, d }
            }
            TranslationModel::Cyclegan(m) => {
                let g = wrap(Box::new(m.generator.build(&(g_vs.root() / "a2b"), c, c)));
                let f = wrap(Box::new(m.generator.build(&(g_vs.root() / "b2a"), c, c)));
                let d_b = wrap(Box::new(m.discriminator.build(&(d_vs.root() / "d_b"), c)));
                let d_a = wrap(Box::new(m.discriminator.build(&(d_vs.root() / "d_a"), c)));
                NetPair::Cycle { g, f, d_b, d_a }
            }
            TranslationModel::Cartoongan(m) => {
                let g = wrap(Box::new(m.generator.build(&(g_vs.root() / "a2b"), c, c)));
                let d = wrap(Box::new(m.discriminator.build(&(d_vs.root() / "d_b"), c)));
                NetPair::Single { g, d }
            }
            TranslationModel::Simgan(m) => {
                let g = wrap(Box::new(m.refiner.build(&(g_vs.root() / "a2b"), c)));
                let d = wrap(Box::new(m.discriminator.build(&(d_vs.root() / "d_b"), c)));
                NetPair::Single { g, d }
            }
        };
        TranslationNets { g_vs, d_vs, pair }
    }

    /// Builds only the generators (for translating with a trained run, or their average).
    pub fn build_generators(&self, image: ImageShape, device: Device) -> Generators {
        self.build(image, Precision::F32, device).into_generators()
    }

    pub fn check_image(&self, image: ImageShape) -> std::result::Result<(), String> {
        let (generator, d) = match self {
            TranslationModel::Pix2pix(m) => (m.generator.check_image(image), &m.discriminator),
            TranslationModel::Cyclegan(m) => (m.generator.check_image(image), &m.discriminator),
            TranslationModel::Cartoongan(_) => return cartoon::check_image(image),
            TranslationModel::Simgan(_) => return simgan::check_image(image),
        };
        generator?;
        if d.output_side(image.height.min(image.width)) < 1 {
            return Err(format!("a PatchGAN of {} layers leaves no patch of a {}x{} image; use fewer layers", d.layers, image.height, image.width));
        }
        Ok(())
    }

    fn problems(&self) -> Vec<String> {
        let mut p: Vec<String> = patch_loss_problem(self.loss()).into_iter().collect();
        let weight = |p: &mut Vec<String>, name: &str, v: f64| {
            if !(v.is_finite() && v >= 0.0) {
                p.push(format!("model.{name} must be a number >= 0, got {v}"));
            }
        };
        match self {
            TranslationModel::Pix2pix(m) => {
                p.extend(m.generator.problems());
                p.extend(m.discriminator.problems());
                weight(&mut p, "lambda_l1", m.lambda_l1);
                weight(&mut p, "lambda_adv", m.lambda_adv);
                if m.lambda_l1 == 0.0 && m.lambda_adv == 0.0 {
                    p.push("model.lambda_l1 and model.lambda_adv are both 0: nothing would train the generator".into());
                }
            }
            TranslationModel::Cyclegan(m) => {
                p.extend(m.generator.problems());
                p.extend(m.discriminator.problems());
                weight(&mut p, "lambda_cycle", m.lambda_cycle);
                weight(&mut p, "lambda_identity", m.lambda_identity);
                if m.pool > 10_000 {
                    p.push(format!("model.pool must be at most 10000, got {}", m.pool));
                }
            }
            TranslationModel::Cartoongan(m) => {
                p.extend(m.generator.problems());
                p.extend(m.discriminator.problems());
                weight(&mut p, "lambda_content", m.lambda_content);
                if let ContentNetwork::Vgg19 { weights } = &m.content {
                    if !weights.is_file() {
                        p.push(format!(
                            "model.content.vgg19.weights: {} is not a file (a safetensors file of torchvision's vgg19 state dict)",
                            weights.display()
                        ));
                    }
                }
            }
            TranslationModel::Simgan(m) => p.extend(m.problems()),
        }
        p
    }
}

impl TranslateConfig {
    /// The learning-rate factor during step `step` of `total`: 1 until `decay_from`, then
    /// linear towards 0 (the reference's `lambda_rule`).
    pub fn lr_factor(&self, step: u64, total: u64) -> f64 {
        self.schedule_settings().factor(step, total)
    }

    fn schedule_settings(&self) -> ScheduleSettings {
        ScheduleSettings { schedule: self.schedule, end_factor: self.end_factor, decay_from: self.decay_from }
    }

    /// The generators' moving average.
    pub fn ema(&self) -> EmaConfig {
        EmaConfig::new(self.ema_half_life, self.ema_rampup)
    }

    pub fn problems(&self) -> Vec<String> {
        let mut p = self.model.problems();
        p.extend(self.ema().problems());
        p.extend(self.data.problems());
        p.extend(self.optim.problems().into_iter().map(|e| format!("optim: {e}")));
        p.extend(self.doctor.problems());
        if !(1..=65_536).contains(&self.batch_size) {
            p.push(format!("batch_size must be between 1 and 65536, got {}", self.batch_size));
        }
        if !(1..=1_000_000_000).contains(&self.steps) {
            p.push(format!("steps must be between 1 and 1000000000, got {}", self.steps));
        }
        for (name, v) in [("log_every", self.log_every), ("sample_every", self.sample_every), ("checkpoint_every", self.checkpoint_every)] {
            if v == 0 {
                p.push(format!("{name} must be at least 1"));
            }
        }
        if self.keep_checkpoints == 0 {
            p.push("keep_checkpoints must be at least 1".into());
        }
        p.extend(self.schedule_settings().problems(""));
        if matches!(self.model, TranslationModel::Pix2pix(_)) && !self.data.paired() {
            p.push(format!("model.kind = \"pix2pix\" learns from aligned pairs, but {} is unpaired; use model.kind = \"cyclegan\"", self.data.describe()));
        }
        p
    }

    pub fn validate(&self, source_name: &str) -> Result<()> {
        GanError::config_problems(source_name, self.problems())
    }

    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| GanError::Config { source_name: source_name.into(), problems: vec![one_line(e)] })
    }

    /// Applies a partial TOML document (any subset of the fields) on top of `self`; a table
    /// that changes its `kind` replaces the old one whole.
    pub fn overlay_toml(&self, text: &str, source_name: &str) -> Result<Self> {
        let patch: toml::Table = toml::from_str(text).map_err(|e| GanError::Config { source_name: source_name.into(), problems: vec![one_line(e)] })?;
        let mut base = toml::Table::try_from(self).expect("config serialises");
        super::layer::merge(&mut base, patch);
        Self::from_toml_str(&toml::to_string(&base).expect("a table serialises"), source_name)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("config serialises")
    }
}

fn one_line(e: impl std::fmt::Display) -> String {
    e.to_string().lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CycleGAN run's configuration as the version of 64abbb0 wrote it.
    const OLD: &str = include_str!("../../../gan-cli/tests/fixtures/legacy-64abbb0/cyclegan-run/config.toml");

    /// A configuration written before the PatchGAN losses became loss kinds and the schedule a
    /// field reads as it did (`lsgan`, `decay_from` alone) and writes back the same schedule;
    /// a named schedule replaces the recipe's.
    #[test]
    fn old_and_named_schedules_read_as_the_one_schedule_type() {
        let c = TranslateConfig::from_toml_str(OLD, "old").unwrap();
        assert_eq!((c.model.loss(), c.schedule, c.decay_from), (LossKind::LeastSquares, LrSchedule::HoldThenLinear, Some(0.5)));
        assert!(!c.to_toml().contains("schedule"), "the recipe's schedule is not written out");
        assert_eq!((c.lr_factor(0, 4), c.lr_factor(2, 4), c.lr_factor(3, 4)), (1.0, 1.0 - 1.0 / 3.0, 1.0 - 2.0 / 3.0));
        let cosine = OLD.replace("decay_from = 0.5", "schedule = \"cosine\"\nend_factor = 0.5");
        let c = TranslateConfig::from_toml_str(&cosine, "cosine").unwrap();
        c.validate("cosine").unwrap();
        assert_eq!((c.lr_factor(0, 4), c.lr_factor(4, 4)), (1.0, 0.5));
    }
}
