//! StyleGAN2's mapping network (`MappingNetwork` of stylegan2-ada-pytorch's networks.py):
//! `z`, normalised to unit second moment, through `layers` fully connected LeakyReLU layers
//! at a learning-rate multiplier of 0.01 to `w`; in training, the moving average of `w`
//! (`w_avg`, decay 0.995) that truncation pulls toward (`w_avg + psi (w - w_avg)`).

use tch::{nn, Tensor};

use super::layers::{normalize_2nd_moment, Act, Dense};
use super::Stylegan2Config;

/// The name of the average `w` in the generator's weights (the reference's `mapping.w_avg`).
pub const W_AVG: &str = "mapping.w_avg";

#[derive(Debug)]
pub struct Mapping {
    layers: Vec<Dense>,
    w_avg: Tensor,
    beta: f64,
}

impl Mapping {
    pub fn new(c: &Stylegan2Config, p: nn::Path) -> Self {
        let layers = (0..c.mapping_layers)
            .map(|i| {
                let cin = if i == 0 { c.latent_dim } else { c.w_dim };
                Dense::new(&p / format!("fc{i}"), cin, c.w_dim, Act::Lrelu, c.mapping_lr_mul, 0.0)
            })
            .collect();
        let w_avg = p.zeros_no_train("w_avg", &[c.w_dim]);
        Self { layers, w_avg, beta: c.w_avg_beta }
    }

    /// `w [B, w_dim]` of `z [B, latent]`; with `track`, `w_avg` moves toward the batch's mean.
    pub fn forward(&self, z: &Tensor, track: bool) -> Tensor {
        let mut x = normalize_2nd_moment(z);
        for l in &self.layers {
            x = l.forward(&x);
        }
        if track {
            tch::no_grad(|| {
                let mean = x.detach().mean_dim(0, false, None);
                let mut avg = self.w_avg.shallow_clone();
                let next = &mean + (&avg - &mean) * self.beta;
                avg.copy_(&next);
            });
        }
        x
    }

    /// `w_avg + psi (w - w_avg)`.
    pub fn truncate(&self, w: &Tensor, psi: f64) -> Tensor {
        if psi == 1.0 {
            return w.shallow_clone();
        }
        &self.w_avg + (w - &self.w_avg) * psi
    }

    pub fn w_avg(&self) -> &Tensor {
        &self.w_avg
    }
}
