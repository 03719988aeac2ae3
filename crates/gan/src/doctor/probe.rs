//! What the generator draws now, as the doctor reads it: a toy run's points against the
//! mixture's modes, and for 28x28 grey images of a data set with a shipped classifier the
//! classes of `[doctor] samples` fixed latents. Training checks with these every `[doctor]
//! every` steps; `gan doctor` checks a run's checkpoint with them.

use gan_data::modes::mode_report;
use gan_data::rng::mix;
use gan_data::toy::ToyDist;
use tch::{Device, Tensor};

use super::{signals, Finding};
use crate::config::{DoctorConfig, TrainConfig};
use crate::error::Result;
use crate::eval::classifier::{Classifier, Shipped};
use crate::models::ImageShape;
use gan_data::vocab::Vocabulary;

/// Mixed with the run seed for the class check's latents.
const DOCTOR_STREAM: u64 = 4;

/// What the class check needs: the classifier, its class names and fixed latents.
pub struct ClassProbe {
    classifier: Classifier,
    vocabulary: Vocabulary,
    z: Tensor,
}

impl ClassProbe {
    /// A probe for unconditional runs of 28x28 grey images whose data names MNIST or
    /// Fashion-MNIST classes; `None` for other runs.
    pub fn for_run(config: &TrainConfig, image: ImageShape, classes: i64, device: Device) -> Result<Option<Self>> {
        let set = match config.data.class_set() {
            Some(set) if classes == 0 && image == (ImageShape { channels: 1, height: 28, width: 28 }) => set,
            _ => return Ok(None),
        };
        let shipped = Shipped::for_class_set(set);
        let (classifier, _) = shipped.load(device)?;
        let z = crate::models::latent::latents(config.doctor.samples as i64, config.model.latent_dim(), mix(&[config.seed, DOCTOR_STREAM]), device);
        Ok(Some(Self { classifier, vocabulary: shipped.vocabulary(), z }))
    }

    /// The class finding for the images `generate` draws from the probe's latents.
    pub fn check(&self, cfg: &DoctorConfig, generate: impl FnOnce(&Tensor) -> Tensor) -> Option<Finding> {
        let predicted: Vec<i64> = tch::no_grad(|| {
            let images = generate(&self.z);
            Vec::try_from(self.classifier.probs(&images).argmax(1, false).to_device(Device::Cpu)).expect("class indices")
        });
        let shares = gan_data::modes::class_shares(&predicted, self.vocabulary.len());
        signals::from_classes(cfg, &shares, &self.vocabulary, predicted.len())
    }
}

/// The mode finding for generated toy points (`[n, dim]`), when the distribution has modes.
pub fn check_modes(cfg: &DoctorConfig, dist: ToyDist, points: &Tensor) -> Option<Finding> {
    let modes = dist.modes()?;
    signals::from_modes(cfg, &mode_report(&modes, &crate::models::latent::points(points)))
}
