//! The generator's prior: standard normal latents drawn from a seed on the CPU (so a seed
//! gives the same z on every device), and the truncation trick of Brock et al., "Large Scale
//! GAN Training for High Fidelity Natural Image Synthesis" (ICLR 2019). Training, evaluation,
//! exploration and the lab all draw their latents here.

use tch::{Device, Kind, Tensor};

/// Standard normal latents `[n, dim]` drawn on the CPU from `seed`, so that the same seed
/// gives the same z on every device.
pub fn latents(n: i64, dim: i64, seed: u64, device: Device) -> Tensor {
    tch::manual_seed(seed as i64);
    Tensor::randn([n, dim], (Kind::Float, Device::Cpu)).to_device(device)
}

/// Generated toy points `[B, 1, 1, dim]` as a row-major `B x dim` vector on the CPU.
pub fn points(t: &Tensor) -> Vec<f32> {
    Vec::try_from(t.to_device(Device::Cpu).to_kind(Kind::Float).flatten(0, -1)).expect("float points")
}

/// The smallest truncation threshold: below it, redrawing (which keeps `P(|z| <= t)` of the
/// draws, 8% at 0.1) would take too many rounds to be worth a sampler.
pub const MIN_TRUNCATION: f64 = 0.1;

/// Latents as [`latents`], with every entry of magnitude above `threshold` redrawn until
/// none is left: the truncation trick of Brock et al., "Large Scale GAN Training for High
/// Fidelity Natural Image Synthesis" (ICLR 2019), trading variety for typical samples.
/// Entries within the threshold keep the values `latents` gives for the same seed.
pub fn truncated_latents(n: i64, dim: i64, seed: u64, threshold: f64, device: Device) -> Tensor {
    assert!(threshold >= MIN_TRUNCATION, "truncation threshold {threshold} is below {MIN_TRUNCATION}");
    let mut z = latents(n, dim, seed, Device::Cpu);
    loop {
        let outside = z.abs().gt(threshold);
        if outside.any().int64_value(&[]) == 0 {
            break;
        }
        let fresh = Tensor::randn([n, dim], (Kind::Float, Device::Cpu));
        z = fresh.where_self(&outside, &z);
    }
    z.to_device(device)
}

/// How a measurement draws its latents: the seed, and the truncation threshold if any
/// (evaluation at a truncation trades recall for precision, as BigGAN's truncation curves).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatentDraw {
    pub seed: u64,
    pub truncation: Option<f64>,
}

impl LatentDraw {
    /// `[n, dim]` latents: [`truncated_latents`] with a threshold, [`latents`] without.
    pub fn latents(&self, n: i64, dim: i64, device: Device) -> Tensor {
        match self.truncation {
            Some(t) => truncated_latents(n, dim, self.seed, t, device),
            None => latents(n, dim, self.seed, device),
        }
    }

    /// The same truncation from another seed (a second stream of one measurement).
    pub fn reseeded(&self, seed: u64) -> Self {
        Self { seed, ..*self }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_bounds_every_entry_and_keeps_the_others() {
        let plain = latents(50, 20, 9, Device::Cpu);
        let t = truncated_latents(50, 20, 9, 0.5, Device::Cpu);
        assert!(t.abs().max().double_value(&[]) <= 0.5);
        let inside = plain.abs().le(0.5);
        assert!(plain.masked_select(&inside).equal(&t.masked_select(&inside)));
        assert!(t.equal(&truncated_latents(50, 20, 9, 0.5, Device::Cpu)));
        // A threshold above every entry changes nothing.
        assert!(truncated_latents(50, 20, 9, 100.0, Device::Cpu).equal(&plain));
        // A draw is its seed and threshold; reseeded, it keeps the threshold.
        let draw = LatentDraw { seed: 9, truncation: Some(0.5) };
        assert!(draw.latents(50, 20, Device::Cpu).equal(&t));
        assert!(LatentDraw { seed: 9, truncation: None }.latents(50, 20, Device::Cpu).equal(&plain));
        assert!(draw.reseeded(4).latents(50, 20, Device::Cpu).equal(&truncated_latents(50, 20, 4, 0.5, Device::Cpu)));
    }
}
