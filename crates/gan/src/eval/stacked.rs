//! Evaluating a Stacked MNIST run the way Metz et al. (2017), VEEGAN, PacGAN and R3GAN do:
//! each channel of a sample is labelled by a digit classifier (here the shipped MNIST
//! LeNet), the triple of digits is the sample's mode, and over 26,000 samples the report
//! counts the modes that occur (of 1,000) and `KL(mode histogram || uniform)`.
//!
//! The same count over as many real stacked images, labelled by the same classifier, is
//! reported beside it: it is what a perfect generator would score (the classifier's errors
//! and the multinomial noise of a finite sample included, about 0.02-0.03 nats of KL).

use gan_data::modes::kl_to_uniform;
use gan_data::source::Opened;
use gan_data::stacked::{count_modes, MODES};
use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::images::FeatureNet;
use crate::error::{GanError, Result};
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;

/// Samples of a Stacked MNIST evaluation unless asked otherwise (as in PacGAN and R3GAN).
pub const STACKED_SAMPLES: usize = 26_000;
/// Images per forward pass.
const CHUNK: i64 = 500;

/// Modes found among the samples, and among real images for reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackedReport {
    /// The digit classifier, by name and the SHA-256 of its weights.
    pub classifier: String,
    pub modes: usize,
    pub covered: usize,
    /// `KL(mode histogram || uniform)`, nats.
    pub kl_uniform: f64,
    /// `KL(digit histogram || uniform)` of each channel (red, green, blue).
    pub channel_kl: [f64; 3],
    pub real_images: usize,
    pub real_covered: usize,
    pub real_kl_uniform: f64,
}

/// Labels every channel of `n` images (`images(start, len)` gives a chunk `[len, 3, 28,
/// 28]` in `[-1, 1]`) with `net`'s classifier: the modes `100 r + 10 g + b`.
fn modes_of(net: &FeatureNet, images: impl Fn(i64, i64) -> Tensor, n: i64) -> Vec<u16> {
    let mut out = Vec::with_capacity(n as usize);
    for start in (0..n).step_by(CHUNK as usize) {
        let x = images(start, CHUNK.min(n - start));
        let digits: Vec<Tensor> = tch::no_grad(|| (0..3).map(|c| net.classifier.probs(&x.narrow(1, c, 1)).argmax(1, false)).collect());
        let mode = (&digits[0] * 100 + &digits[1] * 10 + &digits[2]).to_device(Device::Cpu).to_kind(Kind::Int64);
        out.extend(Vec::<i64>::try_from(mode).expect("modes").into_iter().map(|m| m as u16));
    }
    out
}

/// `KL(histogram of the digits in channel c || uniform)` for each channel.
fn channel_kl(modes: &[u16]) -> [f64; 3] {
    [100, 10, 1].map(|place| {
        let mut h = [0usize; 10];
        for &m in modes {
            h[(m / place % 10) as usize] += 1;
        }
        kl_to_uniform(&h)
    })
}

/// Counts the modes of `n` samples of `g` (latents from `draw`) and of `n` real images.
pub fn evaluate(g: &TrainedGenerator, net: &FeatureNet, n: usize, draw: LatentDraw) -> Result<StackedReport> {
    if net.classifier.classes != 10 {
        return Err(GanError::Invalid(format!(
            "Stacked MNIST modes are digit triples; classifier {} has {} classes, not 10",
            net.name, net.classifier.classes
        )));
    }
    let set = match g.config.data.open()? {
        Opened::Stacked(set) => set,
        _ => return Err(GanError::Invalid(format!("{} is not Stacked MNIST", g.config.data.describe()))),
    };
    let device = net.classifier.device();
    let z = draw.latents(n as i64, g.latent_dim(), Device::Cpu);
    let fake = modes_of(net, |s, len| g.generate(&z.narrow(0, s, len), None).to_device(device), n as i64);
    let take = n.min(set.len());
    let real = modes_of(
        net,
        |s, len| {
            let bytes: Vec<u8> = (s as usize..(s + len) as usize).flat_map(|i| set.image(i)).collect();
            (Tensor::from_slice(&bytes).view([len, 3, 28, 28]).to_kind(Kind::Float) / 127.5 - 1.0).to_device(device)
        },
        take as i64,
    );
    let (f, r) = (count_modes(&fake), count_modes(&real));
    Ok(StackedReport {
        classifier: format!("{} (sha256 {})", net.name, &net.sha256[..16]),
        modes: MODES,
        covered: f.covered,
        kl_uniform: f.kl_uniform,
        channel_kl: channel_kl(&fake),
        real_images: take,
        real_covered: r.covered,
        real_kl_uniform: r.kl_uniform,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_histograms_by_hand() {
        // Red digits 1, 1; green 2, 3; blue 4, 4: red and blue hold one digit (KL ln 10),
        // green two equally (KL ln 5).
        let kl = channel_kl(&[124, 134]);
        assert!((kl[0] - 10f64.ln()).abs() < 1e-12);
        assert!((kl[1] - 5f64.ln()).abs() < 1e-12);
        assert!((kl[2] - 10f64.ln()).abs() < 1e-12);
    }
}
