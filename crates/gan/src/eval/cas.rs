//! The classification accuracy score (Ravuri & Vinyals, "Classification Accuracy Score for
//! Conditional Generative Models", NeurIPS 2019): train a classifier on labelled generated
//! data only and report its accuracy on real held-out images. A generator that draws every
//! class well, in its real variety, scores near a classifier trained on real data (the
//! ceiling); one whose classes are wrong, collapsed or unlike the real ones scores lower,
//! whatever its FID. Here the classifier is the project's LeNet ([`super::classifier`]),
//! trained as `gan classifier train` trains it (Adam 1e-3, cross-entropy).

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::classifier;
use crate::error::{GanError, Result};
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;

/// What `gan eval --cas` reports (and writes to `RUN/cas.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CasReport {
    /// What the classifier trained on.
    pub train: String,
    pub train_images: usize,
    /// The real images it was tested on.
    pub test: String,
    pub test_images: usize,
    pub epochs: u32,
    pub seed: u64,
    /// Share of the test images classified correctly.
    pub accuracy: f64,
    /// The accuracy on each class's test images.
    pub per_class: Vec<f64>,
}

/// How the classifier trains.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CasTraining {
    pub epochs: u32,
    pub batch_size: usize,
    pub seed: u64,
}

/// `n` labelled samples of a conditional grey 28x28 run, the classes in turn (balanced), from
/// latents from `draw`; padded images are cut to their 28x28 centre as the classifier reads them.
pub fn generated_set(g: &TrainedGenerator, n: i64, draw: LatentDraw) -> Result<(Tensor, Tensor)> {
    if g.classes == 0 {
        return Err(GanError::Invalid(format!(
            "{}: the classification accuracy score trains on labelled samples; this run is not conditional (presets mnist-cgan, fashion-cgan are)",
            g.checkpoint.display()
        )));
    }
    if classifier::margin(g.image).is_none() {
        return Err(GanError::Invalid(format!(
            "{}: the classification accuracy score's classifier reads 28x28 grey images; this run makes {}",
            g.checkpoint.display(),
            g.image
        )));
    }
    let labels = g.labels(n, None)?.expect("a conditional run has labels");
    let z = draw.latents(n, g.latent_dim(), g.device());
    let images = tch::no_grad(|| g.generate(&z, Some(&labels.to_device(g.device()))));
    Ok((classifier::centre(&images).to_device(Device::Cpu), labels))
}

/// Trains the classifier on `train` (images in `[-1, 1]`, int64 labels) and scores it on `test`:
/// the accuracy overall and per class.
pub fn score(classes: i64, train: (&Tensor, &Tensor), test: (&Tensor, &Tensor), how: CasTraining) -> (f64, Vec<f64>) {
    let c = classifier::train(classes, train, test, how.epochs, how.batch_size, how.seed, &mut |_, _, _| {});
    let predicted = tch::no_grad(|| c.probs(&test.0.to_device(c.device())).argmax(-1, false)).to_device(Device::Cpu);
    let truth = test.1.to_device(Device::Cpu);
    let correct = predicted.eq_tensor(&truth);
    let per_class = (0..classes)
        .map(|k| {
            let mask = truth.eq(k);
            let n = mask.sum(Kind::Double).double_value(&[]);
            if n == 0.0 {
                f64::NAN
            } else {
                correct.logical_and(&mask).sum(Kind::Double).double_value(&[]) / n
            }
        })
        .collect();
    (correct.to_kind(Kind::Double).mean(Kind::Double).double_value(&[]), per_class)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes told apart by brightness: trained on clean examples, the score on noisy
    /// ones is high; trained on swapped labels (a generator drawing the wrong class), it is
    /// near 0 -- the score reads the labels, not only the images.
    #[test]
    fn the_score_follows_the_labels_of_the_training_images() {
        let n = 400;
        let y = Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(2);
        let bright = |y: &Tensor, noise: f64| {
            (y.to_kind(Kind::Float) * 1.6 - 0.8).view([n, 1, 1, 1]).expand([n, 1, 28, 28], true).contiguous()
                + Tensor::randn([n, 1, 28, 28], (Kind::Float, Device::Cpu)) * noise
        };
        tch::manual_seed(0);
        let (train, test) = (bright(&y, 0.1), bright(&y, 0.3));
        let how = CasTraining { epochs: 2, batch_size: 32, seed: 0 };
        let (good, per_class) = score(2, (&train, &y), (&test, &y), how);
        assert!(good > 0.95 && per_class.iter().all(|&a| a > 0.9), "{good} {per_class:?}");
        let swapped = 1 - &y;
        let (bad, _) = score(2, (&train, &swapped), (&test, &y), how);
        assert!(bad < 0.05, "{bad}");
    }
}
