//! SimGAN's data (Shrivastava et al., "Learning from Simulated and Unsupervised Images
//! through Adversarial Training", CVPR 2017): simulated images with labels (domain A, here
//! digits rendered from fonts by [`crate::rendered`]) and unlabelled real images (domain B,
//! MNIST digits), unpaired. The refiner learns A -> B; the labels of A travel with the
//! refined images (`gan refine`), those of B are never read in training.

use super::PairSet;
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::rendered::{RenderSettings, SIDE};

/// The rendered digits of `render` against the real digits `real`.
pub fn open(render: &RenderSettings, real: Dataset) -> Result<PairSet> {
    if (real.channels, real.height, real.width) != (1, SIDE, SIDE) {
        return Err(DataError::Invalid {
            name: real.name,
            reason: format!(
                "holds {}x{}x{} images; the rendered digits are {SIDE}x{SIDE} grey, so the real ones must be too",
                real.channels, real.height, real.width
            ),
        });
    }
    Ok(PairSet { a: render.render()?, b: real, paired: false })
}

#[cfg(test)]
mod tests {
    use super::super::{PairSource, HELD_OUT};
    use super::*;

    /// A: the rendered digits with their labels; B: the built-in digits less the held-out
    /// tail; no held-out pairs; a bad renderer setting is named under `data.render`.
    #[test]
    fn rendered_digits_face_the_real_training_digits() {
        let src: PairSource = toml::from_str("kind = \"rendered-to-mnist\"\n[render]\nimages = 30\nseed = 3\n").unwrap();
        let set = src.open().unwrap();
        assert!(!set.paired && !src.paired() && src.held_out().is_none());
        assert_eq!((set.a.len(), set.b.len()), (30, 10_000 - HELD_OUT));
        assert_eq!(set.a.labels.as_deref().unwrap()[..3], [0, 1, 2]);
        let again = RenderSettings { images: 30, seed: 3, ..Default::default() }.render().unwrap();
        assert_eq!(set.a.pixels, again.pixels);
        let bad: PairSource = toml::from_str("kind = \"rendered-to-mnist\"\n[render]\nblur = [2.0, 1.0]\n").unwrap();
        assert!(bad.problems().iter().any(|p| p.starts_with("data.render.blur")), "{:?}", bad.problems());
        let colour = Dataset { name: "c".into(), channels: 3, height: 28, width: 28, pixels: vec![0; 3 * 784], labels: None };
        let e = open(&RenderSettings { images: 2, ..Default::default() }, colour).err().unwrap().to_string();
        assert!(e.contains("3x28x28") && e.contains("grey"), "{e}");
    }
}
