//! What the generator draws now, as the doctor reads it, from `[doctor] samples` fixed latents
//! of its own: a toy run's points against the mixture's modes; 28x28 grey images of a data set
//! with a shipped classifier by their classes (unconditional runs: how many classes appear;
//! conditional runs: whether each sample comes out as the class it was drawn for); Stacked
//! MNIST by the digit triples of its channels; and any other images by their spread in pixel
//! space (average-pooled to at most 32x32) against a real batch's. Training checks with
//! these every `[doctor] every` steps; `gan doctor` checks a run's checkpoint with them.

use gan_data::modes::mode_report;
use gan_data::rng::mix;
use gan_data::toy::ToyDist;
use gan_data::vocab::Vocabulary;
use tch::{Device, Kind, Tensor};

use super::samples::{self, Spread};
use super::scores::Quality;
use super::Finding;
use crate::config::{DoctorConfig, TrainConfig};
use crate::error::Result;
use crate::eval::classifier::{Classifier, Shipped};
use crate::models::condition::one_hot;
use crate::models::ImageShape;

/// Mixed with the run seed for the probe's latents.
const DOCTOR_STREAM: u64 = 4;
/// A classifier's probability at or above which a sample counts as a clear one.
const CONFIDENT: f64 = 0.9;
/// The side the pixel-space spread pools images down to, at most.
const SPREAD_SIDE: i64 = 32;

/// What a probe checks, by the kind of data.
enum Check {
    Modes(ToyDist),
    Classes { classifier: Classifier, vocabulary: Vocabulary },
    Labels { classifier: Classifier, vocabulary: Vocabulary, requested: Vec<i64>, y: Tensor },
    Stacked { classifier: Classifier },
    Spread { y: Option<Tensor> },
}

/// One check's reading: its findings and, where the check can tell, the samples' quality.
#[derive(Debug, Default)]
pub struct Reading {
    pub findings: Vec<Finding>,
    pub quality: Option<Quality>,
}

/// The sample check of a run, with its latents (and classes).
pub struct Probe {
    check: Check,
    z: Tensor,
}

impl Probe {
    /// The check that fits a run's data and networks (`classes` > 0: conditional).
    pub fn for_run(config: &TrainConfig, image: ImageShape, classes: i64, device: Device) -> Result<Self> {
        let cfg = &config.doctor;
        let seed = mix(&[config.seed, DOCTOR_STREAM]);
        let n = if config.data.toy().is_some() { gan_data::modes::PAPER_SAMPLES } else { cfg.samples } as i64;
        let z = crate::models::latent::latents(n, config.model.latent_dim(), seed, device);
        let grey28 = image == ImageShape { channels: 1, height: 28, width: 28 };
        let requested = || Tensor::arange(n, (Kind::Int64, device)).remainder(classes);
        let check = if let Some(dist) = config.data.toy() {
            Check::Modes(dist)
        } else if let (Some(set), true) = (config.data.class_set().and_then(Shipped::for_class_set), grey28) {
            let (classifier, vocabulary) = shipped(set, device)?;
            match classes {
                0 => Check::Classes { classifier, vocabulary },
                _ if classes as usize == vocabulary.len() => {
                    let r = requested();
                    Check::Labels {
                        classifier,
                        vocabulary,
                        requested: Vec::try_from(&r.to_device(Device::Cpu)).expect("class indices"),
                        y: one_hot(&r, classes),
                    }
                }
                _ => Check::Spread { y: Some(one_hot(&requested(), classes)) },
            }
        } else if classes == 0 && matches!(config.data, gan_data::DataSource::StackedMnist { .. }) {
            Check::Stacked { classifier: shipped(Shipped::Mnist, device)?.0 }
        } else {
            Check::Spread { y: (classes > 0).then(|| one_hot(&requested(), classes)) }
        };
        Ok(Self { check, z })
    }

    /// The check with the conditions `conditions(n)` of its `n` latents, where it draws
    /// with conditions of its own making (a text run's captions instead of one-hot classes).
    pub fn with_conditions(mut self, conditions: impl FnOnce(i64) -> Tensor) -> Self {
        if let Check::Spread { y: Some(y) } = &mut self.check {
            *y = conditions(self.z.size()[0]);
        }
        self
    }

    /// Whether a reading needs a real batch beside the samples.
    pub fn needs_real(&self) -> bool {
        matches!(self.check, Check::Spread { .. })
    }

    /// What `generate(z, y)` draws now; `real` is a real batch (used by the spread check).
    pub fn read(&self, cfg: &DoctorConfig, generate: impl FnOnce(&Tensor, Option<&Tensor>) -> Tensor, real: Option<&Tensor>) -> Reading {
        tch::no_grad(|| match &self.check {
            Check::Modes(dist) => {
                let Some(modes) = dist.modes() else { return Reading::default() };
                let r = mode_report(&modes, &crate::models::latent::points(&generate(&self.z, None)));
                let quality = Quality { share: r.high_quality, what: "are high quality (within 3 std of a mode)" };
                Reading { findings: samples::from_modes(cfg, &r).into_iter().collect(), quality: Some(quality) }
            }
            Check::Classes { classifier, vocabulary } => {
                let (predicted, quality) = classify(classifier, &generate(&self.z, None));
                let shares = gan_data::modes::class_shares(&predicted, vocabulary.len());
                Reading { findings: samples::from_classes(cfg, &shares, vocabulary, predicted.len()).into_iter().collect(), quality: Some(quality) }
            }
            Check::Labels { classifier, vocabulary, requested, y } => {
                let (predicted, quality) = classify(classifier, &generate(&self.z, Some(y)));
                Reading { findings: samples::from_labels(cfg, requested, &predicted, vocabulary).into_iter().collect(), quality: Some(quality) }
            }
            Check::Stacked { classifier } => {
                let x = generate(&self.z, None);
                let (digits, sure): (Vec<Tensor>, Vec<Tensor>) = (0..3)
                    .map(|c| {
                        let p = classifier.probs(&x.narrow(1, c, 1));
                        (p.argmax(1, false), p.amax([1].as_slice(), false))
                    })
                    .unzip();
                let modes = (&digits[0] * 100 + &digits[1] * 10 + &digits[2]).to_device(Device::Cpu);
                let mut seen: Vec<i64> = Vec::try_from(modes).expect("mode numbers");
                let n = seen.len();
                seen.sort_unstable();
                seen.dedup();
                let clear = confident_share(&Tensor::stack(&sure, 1).amin([1].as_slice(), false));
                let quality = Quality { share: clear, what: "have three clear digits (classifier probability >= 0.9)" };
                let f = samples::from_stacked(cfg, seen.len(), gan_data::stacked::MODES, n);
                Reading { findings: f.into_iter().collect(), quality: Some(quality) }
            }
            Check::Spread { y } => {
                let Some(real) = real.filter(|r| r.size()[0] >= 2) else { return Reading::default() };
                let fake = spread(&generate(&self.z, y.as_ref()));
                let space = format!("pixels pooled to at most {SPREAD_SIDE}x{SPREAD_SIDE}");
                Reading { findings: samples::from_spread(cfg, &fake, &spread(real), &space).into_iter().collect(), quality: None }
            }
        })
    }
}

fn shipped(shipped: Shipped, device: Device) -> Result<(Classifier, Vocabulary)> {
    Ok((shipped.load(device)?.0, shipped.vocabulary()))
}

/// Each image's class, and the share classified with probability >= [`CONFIDENT`].
fn classify(classifier: &Classifier, images: &Tensor) -> (Vec<i64>, Quality) {
    let p = classifier.probs(images);
    let predicted = Vec::try_from(p.argmax(1, false).to_device(Device::Cpu)).expect("class indices");
    (predicted, Quality { share: confident_share(&p.amax([1].as_slice(), false)), what: "are classified clearly (probability >= 0.9)" })
}

/// The share of probabilities `p` (one per sample) at or above [`CONFIDENT`].
fn confident_share(p: &Tensor) -> f64 {
    p.ge(CONFIDENT).to_kind(Kind::Float).mean(Kind::Float).double_value(&[])
}

/// The spread of images `[N, C, H, W]` in pixel space, average-pooled to at most 32x32.
fn spread(images: &Tensor) -> Spread {
    let s = images.size();
    let (h, w) = (s[2].min(SPREAD_SIDE), s[3].min(SPREAD_SIDE));
    let x = images.to_kind(Kind::Float).adaptive_avg_pool2d([h, w]).flatten(1, -1);
    let d = Tensor::cdist(&x, &x, 2.0, None::<i64>);
    let n = s[0];
    let pairs = (n * (n - 1)).max(1) as f64;
    let mean_pairwise = d.sum(Kind::Double).double_value(&[]) / pairs;
    // The diagonal (each image's distance to itself) is masked off for the nearest neighbour.
    let mut masked = d.copy();
    let _ = masked.fill_diagonal_(f64::INFINITY, false);
    let nearest = Vec::try_from(masked.amin([1].as_slice(), false).to_device(Device::Cpu).to_kind(Kind::Double)).expect("distances");
    Spread { mean_pairwise, nearest }
}
