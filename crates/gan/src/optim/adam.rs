//! Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015): the update
//! of `torch.optim.Adam` with `weight_decay=0, amsgrad=False`.

use serde::{Deserialize, Serialize};
use tch::Tensor;

/// Hyperparameters of one Adam optimiser.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdamConfig {
    pub lr: f64,
    pub betas: (f64, f64),
    #[serde(default = "default_eps")]
    pub eps: f64,
}

fn default_eps() -> f64 {
    1e-8
}

impl Default for AdamConfig {
    /// The DCGAN recipe (Radford et al. 2016): lr 2e-4, betas (0.5, 0.999).
    fn default() -> Self {
        Self { lr: 2e-4, betas: (0.5, 0.999), eps: 1e-8 }
    }
}

impl AdamConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p: Vec<String> = super::lr_problem(self.lr).into_iter().collect();
        let (b1, b2) = self.betas;
        if !((0.0..1.0).contains(&b1) && (0.0..1.0).contains(&b2)) {
            p.push(format!("betas must both be in [0, 1), got ({b1}, {b2})"));
        }
        if !(self.eps > 0.0 && self.eps.is_finite()) {
            p.push(format!("eps must be a positive number, got {}", self.eps));
        }
        p
    }

    /// Update number `step` (from 1) of every parameter at rate `lr`, with moments `m` and `v`.
    pub(super) fn update(&self, lr: f64, step: i64, params: &mut [Tensor], grads: &[Tensor], m: &mut [Tensor], v: &mut [Tensor]) {
        let (b1, b2) = self.betas;
        let bc1 = 1.0 - b1.powi(step as i32);
        let bc2_sqrt = (1.0 - b2.powi(step as i32)).sqrt();
        let step_size = lr / bc1;
        for (((p, g), m), v) in params.iter_mut().zip(grads).zip(m).zip(v) {
            let _ = m.lerp_(g, 1.0 - b1);
            let _ = v.g_mul_scalar_(b2);
            let _ = v.addcmul_(&(g * (1.0 - b2)), g);
            let mut denom = v.sqrt();
            let _ = denom.g_div_scalar_(bc2_sqrt);
            let _ = denom.g_add_scalar_(self.eps);
            let _ = p.addcdiv_(&(&*m * -step_size), &denom);
        }
    }
}
