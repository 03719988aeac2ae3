//! Stacked MNIST, the 1,000-mode benchmark of Metz et al., "Unrolled Generative Adversarial
//! Networks" (ICLR 2017), used by VEEGAN (Srivastava et al. 2017), PacGAN (Lin et al. 2018)
//! and R3GAN (Huang et al. 2024): three MNIST digits drawn independently become the red,
//! green and blue channels of one 28x28 colour image, so the data has 10^3 = 1,000 modes
//! (digit triples), all equally likely up to the digits' own class frequencies.
//!
//! The triples are drawn once from a seed; an image is stored as its three digit indices, so
//! 100,000 stacked images cost 1.2 MB beside the digits themselves. The mode of an image
//! is `100 r + 10 g + b` for the digits `(r, g, b)` of its channels.

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::rng::SplitMix64;

/// Number of digit triples.
pub const MODES: usize = 1000;

/// Stacked images as digit triples over a labelled grey digit set.
#[derive(Debug, Clone, PartialEq)]
pub struct StackedMnist {
    /// The digits, 28x28 grey with labels 0-9.
    pub digits: Dataset,
    /// Indices into `digits` of each image's red, green and blue channel.
    pub triples: Vec<[u32; 3]>,
}

impl StackedMnist {
    /// Draws `images` triples of digits independently and uniformly from `digits` with `seed`.
    pub fn draw(digits: Dataset, images: usize, seed: u64) -> Result<Self> {
        let invalid = |reason: String| DataError::Invalid { name: format!("stacked-mnist digits {}", digits.name), reason };
        if (digits.channels, digits.height, digits.width) != (1, 28, 28) {
            return Err(invalid(format!("need 28x28 grey digits, got {}x{}x{}", digits.channels, digits.height, digits.width)));
        }
        let Some(labels) = &digits.labels else {
            return Err(invalid("need the digits' labels (train-labels-idx1-ubyte) to count modes".into()));
        };
        if let Some(bad) = labels.iter().find(|&&l| l > 9) {
            return Err(invalid(format!("labels must be digits 0-9, found {bad}")));
        }
        if images == 0 {
            return Err(invalid("images must be at least 1".into()));
        }
        let mut rng = SplitMix64::new(seed);
        let n = digits.len() as u64;
        let triples = (0..images).map(|_| [0; 3].map(|_: u32| rng.below(n) as u32)).collect();
        Ok(Self { digits, triples })
    }

    pub fn len(&self) -> usize {
        self.triples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// The mode (`100 r + 10 g + b`) of image `i`.
    pub fn mode(&self, i: usize) -> u16 {
        let labels = self.digits.labels.as_ref().expect("checked when drawn");
        let [r, g, b] = self.triples[i].map(|d| labels[d as usize] as u16);
        100 * r + 10 * g + b
    }

    /// Image `i` as `3 x 28 x 28` bytes, channel-major.
    pub fn image(&self, i: usize) -> Vec<u8> {
        let len = self.digits.sample_len();
        self.triples[i].iter().flat_map(|&d| &self.digits.pixels[d as usize * len..(d as usize + 1) * len]).copied().collect()
    }
}

/// The mode histogram's summary: how many of the 1,000 modes occur, and
/// `KL(histogram || uniform)` in nats (the VEEGAN/PacGAN "KL").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModeCount {
    pub covered: usize,
    pub kl_uniform: f64,
}

/// Counts the modes among `modes` (each in `0..1000`).
pub fn count_modes(modes: &[u16]) -> ModeCount {
    let mut hist = vec![0usize; MODES];
    for &m in modes {
        hist[m as usize] += 1;
    }
    ModeCount { covered: hist.iter().filter(|&&c| c > 0).count(), kl_uniform: crate::modes::kl_to_uniform(&hist) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten 28x28 digits, digit `d` filled with the value `d`, labelled `d`.
    fn digits() -> Dataset {
        let pixels = (0..10u8).flat_map(|d| std::iter::repeat_n(d, 784)).collect();
        Dataset { name: "ten".into(), channels: 1, height: 28, width: 28, pixels, labels: Some((0..10).collect()) }
    }

    #[test]
    fn images_stack_three_digits_and_their_mode() {
        let s = StackedMnist::draw(digits(), 500, 7).unwrap();
        assert_eq!(s.len(), 500);
        for i in [0, 17, 499] {
            let [r, g, b] = s.triples[i];
            let img = s.image(i);
            assert_eq!(img.len(), 3 * 784);
            assert_eq!((img[0], img[784], img[2 * 784 + 783]), (r as u8, g as u8, b as u8));
            assert_eq!(s.mode(i), (100 * r + 10 * g + b) as u16);
        }
        assert_eq!(s, StackedMnist::draw(digits(), 500, 7).unwrap(), "seeded");
        assert_ne!(s.triples, StackedMnist::draw(digits(), 500, 8).unwrap().triples);
    }

    #[test]
    fn channels_are_independent_and_cover_every_mode() {
        let s = StackedMnist::draw(digits(), 26_000, 1).unwrap();
        let modes: Vec<u16> = (0..s.len()).map(|i| s.mode(i)).collect();
        let c = count_modes(&modes);
        assert_eq!(c.covered, 1000);
        // Multinomial noise alone: E[KL] ~ (K - 1) / (2 n) = 0.019 for 26,000 draws.
        assert!(c.kl_uniform < 0.03, "{}", c.kl_uniform);
    }

    #[test]
    fn mode_count_by_hand() {
        // Modes 3, 3, 5, 5: two covered, each with share 1/2: KL = ln(500).
        let c = count_modes(&[3, 3, 5, 5]);
        assert_eq!(c.covered, 2);
        assert!((c.kl_uniform - 500f64.ln()).abs() < 1e-12);
        let all: Vec<u16> = (0..1000).collect();
        assert_eq!(count_modes(&all), ModeCount { covered: 1000, kl_uniform: 0.0 });
    }

    #[test]
    fn bad_digits_are_named() {
        let mut d = digits();
        d.labels = None;
        assert!(StackedMnist::draw(d, 5, 0).unwrap_err().to_string().contains("labels"));
        let mut d = digits();
        d.height = 14;
        d.width = 56;
        assert!(StackedMnist::draw(d, 5, 0).unwrap_err().to_string().contains("28x28 grey"));
        assert!(StackedMnist::draw(digits(), 0, 0).unwrap_err().to_string().contains("at least 1"));
    }
}
