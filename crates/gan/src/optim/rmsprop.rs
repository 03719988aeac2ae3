//! RMSprop (Tieleman & Hinton, 2012), the optimiser of Arjovsky et al., "Wasserstein GAN"
//! (ICML 2017) for the weight-clipped critic: the update of `torch.optim.RMSprop` with
//! `momentum=0, centered=False, weight_decay=0`:
//! `v <- alpha v + (1 - alpha) g^2`, `p <- p - lr g / (sqrt(v) + eps)`.

use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Hyperparameters of one RMSprop optimiser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RmsPropConfig {
    pub lr: f64,
    /// Smoothing constant of the squared-gradient average.
    #[serde(default = "default_alpha")]
    pub alpha: f64,
    #[serde(default = "default_eps")]
    pub eps: f64,
}

fn default_alpha() -> f64 {
    0.99
}

fn default_eps() -> f64 {
    1e-8
}

impl Default for RmsPropConfig {
    /// The WGAN paper's learning rate, 5e-5, with PyTorch's defaults otherwise.
    fn default() -> Self {
        Self { lr: 5e-5, alpha: 0.99, eps: 1e-8 }
    }
}

impl RmsPropConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p: Vec<String> = super::lr_problem(self.lr).into_iter().collect();
        if !(0.0..1.0).contains(&self.alpha) {
            p.push(format!("alpha must be in [0, 1), got {}", self.alpha));
        }
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            p.push(format!("eps must be a positive number, got {}", self.eps));
        }
        p
    }

    pub(super) fn update(&self, lr: f64, params: &mut [Tensor], grads: &[Tensor], v: &mut [Tensor]) {
        for ((p, g), v) in params.iter_mut().zip(grads).zip(v) {
            let _ = v.g_mul_scalar_(self.alpha);
            let _ = v.addcmul_(&(g * (1.0 - self.alpha)), g);
            let mut denom = v.sqrt();
            let _ = denom.g_add_scalar_(self.eps);
            let _ = p.addcdiv_(&(g * -lr), &denom);
        }
    }
}
