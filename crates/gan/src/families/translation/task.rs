//! Task consistency for SimGAN: CyCADA's semantic consistency loss (Hoffman et al.,
//! "CyCADA: Cycle-Consistent Adversarial Domain Adaptation", ICML 2018, eq. 4;
//! `jhoffman/cycada_release`). A classifier `f` (the project's LeNet, as the classification
//! accuracy score trains it) learns the simulated images and their labels before the first
//! step and is then frozen; the refiner pays `weight * CE(f(R(x)), y)`, so a refinement that
//! redraws a digit as another costs it. CyCADA takes `y` from `f`'s own prediction on `x`;
//! the simulator's labels are used here, which `f` reads on its training renders almost
//! without error. The classifier is saved with each checkpoint (`task.safetensors`) and read
//! back on resume, so a resumed run uses the same network.

use std::path::Path;

use gan_data::Dataset;
use tch::{Device, Tensor};

use crate::config::simgan::TaskConsistencyConfig;
use crate::error::{GanError, Result};
use crate::eval::classifier::{self, Classifier};

/// The classifier's file in a checkpoint.
pub const TASK_FILE: &str = "task.safetensors";
/// Batch size of the classifier's training.
const BATCH: usize = 128;
/// Share of the simulated images `classifier::train` holds out (it reports their accuracy).
const HELD_OUT: f64 = 0.05;

/// The frozen classifier and the term's weight.
pub struct TaskNet {
    pub classifier: Classifier,
    pub weight: f64,
}

impl TaskNet {
    /// Trains the classifier on `sim` (labelled grey images the classifier can read), seeded.
    pub fn train(cfg: &TaskConsistencyConfig, sim: &Dataset, seed: u64, device: Device) -> Result<Self> {
        let (x, y) = labelled(sim, device)?;
        let ((xt, yt), (xh, yh)) = classifier::hold_out(&x, &y, HELD_OUT, seed);
        let batch = BATCH.min(xt.size()[0] as usize);
        let c = classifier::train(10, (&xt, &yt), (&xh, &yh), cfg.epochs, batch, seed, &mut |_, _, _| {});
        Ok(Self { classifier: c, weight: cfg.weight })
    }

    /// The classifier a checkpoint saved.
    pub fn load(cfg: &TaskConsistencyConfig, path: &Path, device: Device) -> Result<Self> {
        Ok(Self { classifier: Classifier::from_weights(10, path, device)?, weight: cfg.weight })
    }

    /// The unweighted term: the mean cross-entropy of `refined` (`[B, 1, S, S]` in `[-1, 1]`,
    /// read at its 28x28 centre) against `labels`, differentiable with respect to `refined`.
    pub fn loss(&self, refined: &Tensor, labels: &Tensor) -> Tensor {
        self.classifier.logits(&classifier::centre(refined), false).cross_entropy_for_logits(labels)
    }
}

/// The simulated images at the classifier's 28x28 centre, with their labels.
fn labelled(sim: &Dataset, device: Device) -> Result<(Tensor, Tensor)> {
    let shape = crate::models::ImageShape { channels: sim.channels as i64, height: sim.height as i64, width: sim.width as i64 };
    let labels = sim.labels.as_ref().ok_or_else(|| GanError::Invalid(format!("model.consistency: {} has no labels to keep", sim.name)))?;
    if classifier::margin(shape).is_none() {
        return Err(GanError::Invalid(format!("model.consistency: its classifier reads 28x28 grey images (or framed ones), {} holds {shape}", sim.name)));
    }
    if let Some(&bad) = labels.iter().find(|&&l| l >= 10) {
        return Err(GanError::Invalid(format!("model.consistency: its classifier tells 10 classes, {} has label {bad}", sim.name)));
    }
    let x = Tensor::from_slice(&sim.pixels_pm1()).view([sim.len() as i64, 1, shape.height, shape.width]);
    Ok((classifier::centre(&x).contiguous().to_device(device), classifier::label_tensor(labels).to_device(device)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use gan_data::rendered::RenderSettings;

    /// Trained on rendered digits, the term is small for their own labels and large for
    /// wrong ones (a refinement that redrew every digit as the next would pay it); it is the
    /// cross-entropy written out (`-log softmax` at the label), and it sends a gradient to the
    /// refined images.
    #[test]
    fn the_term_reads_the_simulated_labels() {
        let sim = RenderSettings { images: 2000, ..Default::default() }.render().unwrap();
        let cfg = TaskConsistencyConfig { weight: 2.0, epochs: 5 };
        let net = TaskNet::train(&cfg, &sim, 0, Device::Cpu).unwrap();
        let (x, y) = labelled(&sim, Device::Cpu).unwrap();
        let own = net.loss(&x, &y).double_value(&[]);
        let wrong = net.loss(&x, &((&y + 1).remainder(10))).double_value(&[]);
        assert!(own < 0.5 && wrong > 3.0, "own labels {own}, shifted labels {wrong}");
        let logp = net.classifier.logits(&x, false).log_softmax(-1, tch::Kind::Float);
        let by_hand = -logp.gather(1, &y.unsqueeze(1), false).mean(tch::Kind::Float).double_value(&[]);
        assert!((own - by_hand).abs() < 1e-5, "{own} vs {by_hand}");
        let refined = x.shallow_clone().set_requires_grad(true);
        net.loss(&refined, &y).backward();
        assert!(refined.grad().abs().sum(tch::Kind::Float).double_value(&[]) > 0.0);
        assert_eq!(net.weight, 2.0);
    }

    #[test]
    fn a_set_the_classifier_cannot_read_is_refused_in_one_line() {
        let cfg = TaskConsistencyConfig { weight: 1.0, epochs: 1 };
        let colour = Dataset { name: "c".into(), channels: 3, height: 28, width: 28, pixels: vec![0; 3 * 784], labels: Some(vec![0]) };
        let e = TaskNet::train(&cfg, &colour, 0, Device::Cpu).err().unwrap().to_string();
        assert!(e.starts_with("model.consistency: ") && e.contains("3x28x28") && !e.contains('\n'), "{e}");
        let unlabelled = Dataset { channels: 1, pixels: vec![0; 784], labels: None, ..colour };
        let e = TaskNet::train(&cfg, &unlabelled, 0, Device::Cpu).err().unwrap().to_string();
        assert!(e.contains("has no labels"), "{e}");
    }
}
