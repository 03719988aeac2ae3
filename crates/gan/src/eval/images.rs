//! Evaluating an image run in a feature space ([`super::space`]): FID, KID, the classifier
//! (or Inception) score, precision/recall and density/coverage (see [`super::scores`]), and,
//! in a classifier's space, how it spreads the samples over the classes.
//!
//! The real side is [`super::real::RealSubset`], its features cached per (data, network, n).
//! Generated images come from `n` seeded latents; a conditional generator is asked for the
//! classes in turn.

use std::path::Path;

use gan_data::vocab::Vocabulary;
use serde::{Deserialize, Serialize};
use tch::{Device, Tensor};

use super::cache;
use super::real::RealSubset;
use super::scores::{classifier_score, fid, kid, prdc, MeanStd, Prdc};
use super::space::{FeatureSpace, SpaceKind};
use crate::error::{GanError, Result};
use crate::eval::classifier::{Classifier, Shipped};
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;
use gan_data::modes::class_shares;

/// KID: subsets and their size (Binkowski et al. use 100 of 1,000).
const KID_SUBSETS: usize = 100;
const KID_SUBSET_SIZE: usize = 1000;
/// Classifier score splits (as the Inception Score's 10).
const SCORE_SPLITS: usize = 10;
/// Neighbours of the precision/recall balls (Kynkaanniemi et al.).
const K: usize = 3;
/// A class counts as drawn when it receives at least this fraction of its uniform share.
const COVERED_FRACTION: f64 = 0.1;

/// A classifier used as a feature network, with what identifies it.
pub struct FeatureNet {
    pub classifier: Classifier,
    pub vocabulary: Vocabulary,
    /// `mnist`, `fashion-mnist` or the weights file.
    pub name: String,
    /// SHA-256 of the weights file.
    pub sha256: String,
}

impl FeatureNet {
    pub fn shipped(s: Shipped, device: Device) -> Result<Self> {
        let (classifier, _) = s.load(device)?;
        Ok(Self { classifier, vocabulary: s.vocabulary(), name: s.name().into(), sha256: cache::sha256_hex(s.weights()) })
    }

    pub fn from_file(path: &Path, device: Device) -> Result<Self> {
        let (classifier, _) = Classifier::load(path, device)?;
        let bytes = std::fs::read(path).map_err(GanError::io(path))?;
        let vocabulary = Vocabulary::numbered(classifier.classes as usize);
        Ok(Self { classifier, vocabulary, name: path.display().to_string(), sha256: cache::sha256_hex(&bytes) })
    }

    /// The feature space, in words.
    pub fn describe(&self) -> String {
        format!("LeNet penultimate layer (128-d ReLU) of classifier {} (sha256 {})", self.name, &self.sha256[..16])
    }
}

/// Scores in the feature space.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureReport {
    /// Which kind of network made the space.
    #[serde(default)]
    pub space: SpaceKind,
    /// The feature network, stated so that numbers are never compared across spaces.
    pub network: String,
    pub classifier_sha256: String,
    pub real_images: usize,
    pub fid: f64,
    /// KID (MMD^2, cubic kernel) over 100 subsets of 1,000.
    pub kid: MeanStd,
    /// exp(E KL(p(y|x) || p(y))) over 10 splits, of the samples and of the real subset: the
    /// classifier score, or the Inception Score in Inception space; none in a learned space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classifier_score: Option<MeanStd>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_classifier_score: Option<MeanStd>,
    pub prdc: Prdc,
}

/// How the classifier spreads the samples over its classes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassReport {
    /// The metadata field the classes are values of (attribute classifiers: the first head).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub names: Vec<String>,
    /// Share of samples whose most likely class is each class.
    pub shares: Vec<f64>,
    /// Classes drawn: with at least a tenth of their uniform share (`share >= 0.1 / K`), or,
    /// where the real data's shares are known, of their real share.
    pub covered: usize,
    /// `KL(shares || uniform)`, nats.
    pub kl_uniform: f64,
    /// The real subset's shares, as the same classifier finds them (attribute classifiers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_shares: Option<Vec<f64>>,
    /// `KL(shares || real shares)`, nats, over the classes the real data has.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kl_real: Option<f64>,
}

fn argmax_shares(probs: &Tensor) -> Vec<f64> {
    class_shares(&Vec::<i64>::try_from(probs.argmax(1, false)).expect("classes"), probs.size()[1] as usize)
}

impl ClassReport {
    pub fn from_probs(probs: &Tensor, vocabulary: &Vocabulary) -> Self {
        let shares = argmax_shares(probs);
        let k = shares.len();
        let kl_uniform = shares.iter().filter(|&&s| s > 0.0).map(|&s| s * (s * k as f64).ln()).sum();
        let covered = shares.iter().filter(|&&s| s >= COVERED_FRACTION / k as f64).count();
        let names = (0..k).map(|i| vocabulary.name(i).to_string()).collect();
        Self { field: None, names, shares, covered, kl_uniform, real_shares: None, kl_real: None }
    }

    /// The samples' classes against the real subset's, both as the classifier finds them: a
    /// class is drawn with at least a tenth of its real share. The KL divides by the real
    /// shares smoothed with half an image per class (`(count + 1/2) / (n + k/2)`, the
    /// Jeffreys prior), so that samples in a class the real subset lacks count against the
    /// run (finitely) instead of dropping out of the sum.
    pub fn against_real(probs: &Tensor, real_probs: &Tensor, field: &str, names: &[String]) -> Self {
        let mut r = Self::from_probs(probs, &Vocabulary::named(names));
        let real = argmax_shares(real_probs);
        r.covered = r.shares.iter().zip(&real).filter(|&(&s, &q)| q > 0.0 && s >= COVERED_FRACTION * q).count();
        let (n, k) = (real_probs.size()[0] as f64, real.len() as f64);
        let smoothed = |q: f64| (q * n + 0.5) / (n + 0.5 * k);
        let kl = r.shares.iter().zip(&real).filter(|&(&s, _)| s > 0.0).map(|(&s, &q)| s * (s / smoothed(q)).ln()).sum();
        (r.field, r.real_shares, r.kl_real) = (Some(field.into()), Some(real), Some(kl));
        r
    }
}

/// Evaluates `n` samples of `g` (latents from `seed`) against the real subset `real` in
/// `space`; the class histogram comes with a classifier's space only.
pub fn evaluate(
    g: &TrainedGenerator,
    space: FeatureSpace<'_>,
    real: &RealSubset,
    n: usize,
    draw: LatentDraw,
    cache_dir: Option<&Path>,
) -> Result<(FeatureReport, Option<ClassReport>)> {
    space.check(g.image)?;
    let z = draw.latents(n as i64, g.latent_dim(), Device::Cpu);
    let labels = g.labels(n as i64, None)?;
    let samples = |s, len| {
        let y = labels.as_ref().map(|l: &Tensor| l.narrow(0, s, len));
        g.generate(&z.narrow(0, s, len), y.as_ref())
    };
    score(space, real, samples, n, draw.seed, cache_dir)
}

/// Scores `n` images that `samples(start, len)` gives (in `[-1, 1]`, the run's shape) against
/// the real subset `real` in `space`: a generator's samples, or images from elsewhere.
pub fn score(
    space: FeatureSpace<'_>,
    real: &RealSubset,
    samples: impl Fn(i64, i64) -> Tensor,
    n: usize,
    seed: u64,
    cache_dir: Option<&Path>,
) -> Result<(FeatureReport, Option<ClassReport>)> {
    let least = (2 * K).max(SCORE_SPLITS);
    if n < least || real.len() < least {
        return Err(GanError::Invalid(format!(
            "evaluation needs at least {least} samples and real images (the score's {SCORE_SPLITS} splits), got {n} samples and {} real images",
            real.len()
        )));
    }
    let (real_f, real_p) = real_side(space, real, cache_dir)?;
    let (fake_f, fake_p) = space.embed(samples, n as i64);
    let score = |p: &Option<Tensor>| p.as_ref().map(|p| classifier_score(p, SCORE_SPLITS));
    let report = FeatureReport {
        space: space.kind(),
        network: space.describe(),
        classifier_sha256: space.sha256().to_string(),
        real_images: real_f.size()[0] as usize,
        fid: fid(&real_f, &fake_f),
        kid: kid(&real_f, &fake_f, KID_SUBSETS, KID_SUBSET_SIZE, seed),
        classifier_score: score(&fake_p),
        real_classifier_score: score(&real_p),
        prdc: prdc(&real_f, &fake_f, K),
    };
    let classes = match (space, &fake_p, &real_p) {
        (FeatureSpace::Classifier(net), Some(p), _) => Some(ClassReport::from_probs(p, &net.vocabulary)),
        (FeatureSpace::Attributes(net), Some(p), Some(q)) => Some(ClassReport::against_real(p, q, &net.card.heads[0].field, &net.card.heads[0].classes)),
        _ => None,
    };
    Ok((report, classes))
}

/// Features and probabilities of the real subset, from the cache when it has them.
fn real_side(space: FeatureSpace<'_>, real: &RealSubset, cache_dir: Option<&Path>) -> Result<(Tensor, Option<Tensor>)> {
    let path = cache_dir.map(|d| cache::path(d, &real.sha256, space.sha256(), real.len()));
    if let Some(hit) = path.as_deref().map(cache::load).transpose()?.flatten() {
        return Ok(hit);
    }
    let (f, p) = space.embed(|s, len| real.pm1(s, len), real.len() as i64);
    if let Some(path) = path {
        cache::save(&path, &f, p.as_ref())?;
    }
    Ok((f, p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_report_by_hand() {
        // Argmax classes 0, 0, 0, 1 of 3: shares 3/4, 1/4, 0.
        let p = Tensor::from_slice(&[0.9f32, 0.1, 0.0, 0.6, 0.3, 0.1, 0.5, 0.2, 0.3, 0.1, 0.8, 0.1]).view([4, 3]);
        let r = ClassReport::from_probs(&p, &Vocabulary::numbered(3));
        assert_eq!(r.shares, vec![0.75, 0.25, 0.0]);
        assert_eq!(r.covered, 2);
        let want = 0.75 * (0.75f64 * 3.0).ln() + 0.25 * (0.25f64 * 3.0).ln();
        assert!((r.kl_uniform - want).abs() < 1e-12);
    }

    #[test]
    fn class_report_against_the_real_shares_by_hand() {
        // Samples: classes 0, 0, 2, 2 of 3 (1/2, 0, 1/2); real: 0, 1, 1, 1 (1/4, 3/4, 0).
        let one_hot = |c: &[i64]| Tensor::from_slice(c).one_hot(3).to_kind(tch::Kind::Float);
        let names = ["a".to_string(), "b".to_string(), "c".to_string()];
        let r = ClassReport::against_real(&one_hot(&[0, 0, 2, 2]), &one_hot(&[0, 1, 1, 1]), "group", &names);
        assert_eq!(r.real_shares, Some(vec![0.25, 0.75, 0.0]));
        // Class 0 drawn (1/2 >= 0.1 * 1/4), class 1 not (0 < 0.1 * 3/4), class 2 not in the data.
        assert_eq!(r.covered, 1);
        // The real counts 1, 3, 0 of 4 smoothed: 1.5 / 5.5, 3.5 / 5.5, 0.5 / 5.5; the KL is
        // 1/2 ln((1/2) / (1.5 / 5.5)) + 1/2 ln((1/2) / (0.5 / 5.5)).
        let want = 0.5 * (0.5f64 * 5.5 / 1.5).ln() + 0.5 * (0.5f64 * 5.5 / 0.5).ln();
        assert!((r.kl_real.unwrap() - want).abs() < 1e-12);
        assert_eq!(r.field.as_deref(), Some("group"));
        // Samples all in a class the data lacks score worse than samples matching the data
        // (the KL over the data's classes alone gave 0, the best score, or below).
        let absent = ClassReport::against_real(&one_hot(&[2, 2, 2, 2]), &one_hot(&[0, 1, 1, 1]), "group", &names);
        let matching = ClassReport::against_real(&one_hot(&[0, 1, 1, 1]), &one_hot(&[0, 1, 1, 1]), "group", &names);
        assert!(absent.kl_real.unwrap() > 1.0 && matching.kl_real.unwrap() < 0.15, "{:?} {:?}", absent.kl_real, matching.kl_real);
        assert!(matching.kl_real.unwrap() >= 0.0);
    }
}
