//! Evaluation: scores that say whether a generator works, where its losses cannot.
//!
//! - Toy runs ([`toy`]): the VEEGAN/PacGAN mode metrics on 2,500 samples and precision,
//!   recall, density and coverage in the plane.
//! - Image runs ([`images`]): FID, KID, classifier (or Inception) score, precision/recall
//!   and density/coverage in a feature space ([`space`]): the penultimate layer of a
//!   LeNet-style classifier (28x28 grey, with the class histogram's coverage), pytorch-fid's
//!   Inception-v3 ([`inception`]), an attribute classifier of colour images with metadata
//!   ([`attributes`], the emoji set's, with the groups drawn against the real data's), or a
//!   network trained on the run's data ([`learned`]).
//!   Real statistics are cached per (data set, network) ([`cache`]).
//! - Stacked MNIST runs ([`stacked`]): the digit triples (modes) found by the MNIST
//!   classifier on each channel of 26,000 samples, and their KL to uniform.
//!
//! Every report names the feature network and the hash of its weights, so numbers are never
//! compared across feature spaces.

pub mod attributes;
pub mod cache;
pub mod carded;
pub mod cas;
pub mod classifier;
pub mod images;
pub mod inception;
pub mod learned;
pub mod matcher;
pub mod real;
pub mod scores;
pub mod space;
pub mod stacked;
pub mod styles;
pub mod toy;
pub mod translation;

use std::path::Path;

use gan_data::modes::ModeReport;
use serde::{Deserialize, Serialize};

use crate::error::{GanError, Result};
use crate::models::latent::LatentDraw;
use crate::run::trained::{TrainedGenerator, Weights};
use images::{ClassReport, FeatureNet, FeatureReport};
use inception::Inception;
use learned::{LearnedConfig, LearnedNet};
use real::RealSubset;
use scores::Prdc;
use space::FeatureSpace;
use stacked::StackedReport;

/// Samples of an image evaluation unless asked otherwise.
pub const IMAGE_SAMPLES: usize = 10_000;

/// Writes an evaluation report to the run's `eval.json`, and its numbers to the run's
/// TensorBoard files at `step` when the run logs there.
pub fn save_report<T: Serialize>(run: &Path, step: u64, report: &T) -> Result<()> {
    let dir = crate::run::dir::RunDir::new(run);
    let text = serde_json::to_string_pretty(report).expect("reports serialise");
    crate::run::checkpoint::write_atomic(&dir.eval(), text.as_bytes())?;
    crate::run::tensorboard::log_eval(&dir.tensorboard(), step, &serde_json::to_value(report).expect("reports serialise"))
}

/// `RUN/eval.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    pub run: String,
    /// The checkpoint's training step.
    pub step: u64,
    pub data: String,
    /// `gan` or `vae`.
    pub model: String,
    /// Which generator was evaluated: the trained weights or their moving average.
    #[serde(default)]
    pub weights: Weights,
    pub samples: usize,
    pub seed: u64,
    /// The truncation threshold the latents were drawn at (none: the plain prior).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation: Option<f64>,
    /// StyleGAN2 runs: the truncation in W the images were drawn at (none: psi 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncation_psi: Option<f64>,
    /// The folder whose images were scored in place of the generator's samples, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples_dir: Option<String>,
    /// Toy mixtures: the mode metrics.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modes: Option<ModeReport>,
    /// Toy data: precision/recall/density/coverage of the points themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub points: Option<Prdc>,
    /// Image data: scores in the classifier's feature space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub features: Option<FeatureReport>,
    /// Image data: how the classifier spreads the samples over classes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classes: Option<ClassReport>,
    /// Stacked MNIST: the digit triples found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacked: Option<StackedReport>,
    /// Conditional colour runs: how often the attribute classifier reads a sample as the
    /// class it was drawn for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<attributes::agreement::Agreement>,
    /// Text-conditioned runs: R-precision on training and held-out captions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<matcher::report::TextReport>,
}

impl EvalReport {
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(GanError::io(path))?;
        serde_json::from_str(&text).map_err(|e| GanError::Invalid(format!("{}: not an evaluation report: {e}", path.display())))
    }
}

/// The feature network of an image evaluation.
pub enum Features<'a> {
    /// A LeNet classifier (28x28 grey runs and Stacked MNIST).
    Classifier(&'a FeatureNet),
    /// pytorch-fid's Inception-v3.
    Inception(&'a Inception),
    /// A rotation-prediction network trained on the run's real subset (or loaded from the
    /// cache, where an earlier evaluation left it).
    Learned(LearnedConfig),
    /// An attribute classifier of colour images (the emoji set's).
    Attributes(&'a attributes::AttributeNet),
}

/// How to evaluate.
pub struct EvalOptions<'a> {
    /// Samples to draw (default 2,500 for toy runs, [`IMAGE_SAMPLES`] for images).
    pub samples: Option<usize>,
    /// The generator's latents (and the seed of the measurement's other draws).
    pub draw: LatentDraw,
    /// Where real-data statistics (and learned feature networks) are cached (none: not
    /// cached).
    pub cache_dir: Option<&'a Path>,
    /// Where a learned feature network trains.
    pub device: tch::Device,
    /// Image runs: score the images of this folder in place of the generator's samples (a
    /// baseline from held-out real images, or another tool's samples), in the run's space.
    pub samples_from: Option<&'a gan_data::folder::FolderSource>,
}

/// Evaluates a trained generator: toy runs by their points, image runs in the feature space
/// `features` (required for image runs; Stacked MNIST needs a classifier).
pub fn evaluate(run: &Path, g: &TrainedGenerator, features: Option<&Features<'_>>, opts: &EvalOptions<'_>) -> Result<EvalReport> {
    let mut report = EvalReport {
        run: run.display().to_string(),
        step: g.step,
        data: g.config.data.describe(),
        model: g.config.model.family().into(),
        weights: g.weights,
        samples: 0,
        seed: opts.draw.seed,
        truncation: opts.draw.truncation,
        truncation_psi: g.truncation_psi(),
        samples_dir: opts.samples_from.map(|f| f.describe_rows()),
        modes: None,
        points: None,
        features: None,
        classes: None,
        stacked: None,
        agreement: None,
        text: None,
    };
    let none = || GanError::Invalid("image runs are evaluated in a feature space; none was given".into());
    let image_run = g.config.data.toy().is_none() && !matches!(g.config.data, gan_data::DataSource::StackedMnist { .. });
    if let (Some(from), false) = (opts.samples_from, image_run) {
        return Err(GanError::Invalid(format!(
            "{}: a folder of samples can be scored for image runs only (not toy data or Stacked MNIST)",
            from.dir.display()
        )));
    }
    if let Some(dist) = g.config.data.toy() {
        let n = opts.samples.unwrap_or(gan_data::modes::PAPER_SAMPLES);
        let (modes, points) = toy::evaluate(g, dist, n, opts.draw)?;
        (report.samples, report.modes, report.points) = (n, modes, Some(points));
    } else if matches!(g.config.data, gan_data::DataSource::StackedMnist { .. }) {
        let Some(Features::Classifier(net)) = features else {
            return Err(GanError::Invalid("Stacked MNIST runs are evaluated by a digit classifier (--features classifier)".into()));
        };
        let n = opts.samples.unwrap_or(stacked::STACKED_SAMPLES);
        (report.samples, report.stacked) = (n, Some(stacked::evaluate(g, net, n, opts.draw)?));
    } else {
        let n = opts.samples.unwrap_or(IMAGE_SAMPLES);
        let real = RealSubset::of(&g.config.data, n)?;
        let learned: LearnedNet;
        let space = match features.ok_or_else(none)? {
            Features::Classifier(net) => FeatureSpace::Classifier(net),
            Features::Inception(net) => FeatureSpace::Inception(net),
            Features::Attributes(net) => FeatureSpace::Attributes(net),
            Features::Learned(cfg) => {
                learned = learned::train_or_load(&real.images, &real.data, &real.sha256, *cfg, opts.cache_dir, opts.device)?;
                FeatureSpace::Learned(&learned)
            }
        };
        let (n, (features, classes)) = match opts.samples_from {
            None => (n, images::evaluate(g, space, &real, n, opts.draw, opts.cache_dir)?),
            Some(from) => {
                space.check(g.image)?;
                let fake = RealSubset::folder(from, g.image, n)?;
                (fake.len(), images::score(space, &real, |s, len| fake.pm1(s, len), fake.len(), opts.draw.seed, opts.cache_dir)?)
            }
        };
        (report.samples, report.features, report.classes) = (n, Some(features), classes);
        if let (FeatureSpace::Attributes(net), None) = (space, opts.samples_from) {
            report.agreement = attributes::agreement::agreement(net, g, n, opts.draw)?;
        }
        if let (Some(text), gan_data::DataSource::Folder(f), None) = (&g.config.text, &g.config.data, opts.samples_from) {
            let m = matcher::shipped::of_text(text, opts.device)?;
            report.text = Some(matcher::report::text_report(g, &m, &matcher::data::read(&f.dir)?, n, opts.draw)?);
        }
    }
    Ok(report)
}
