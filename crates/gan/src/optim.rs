//! Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015), written
//! out on tensors so that its state (moments and step count) can be checkpointed and a
//! resumed run continues bit for bit. The update is that of `torch.optim.Adam` with
//! `weight_decay=0, amsgrad=False`.
//!
//! Gradients are passed in explicitly (from `Tensor::run_backward`, i.e. `autograd.grad`):
//! nothing accumulates into `.grad`, so there is nothing to zero and a network's gradients
//! are never computed by the other network's update.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Tensor};

use crate::error::{GanError, Result};

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
        let mut p = Vec::new();
        if !(self.lr > 0.0 && self.lr.is_finite()) {
            p.push(format!("lr must be a positive number, got {}", self.lr));
        }
        let (b1, b2) = self.betas;
        if !((0.0..1.0).contains(&b1) && (0.0..1.0).contains(&b2)) {
            p.push(format!("betas must both be in [0, 1), got ({b1}, {b2})"));
        }
        if !(self.eps > 0.0) {
            p.push(format!("eps must be positive, got {}", self.eps));
        }
        p
    }
}

/// Adam over the trainable variables of one variable store.
pub struct Adam {
    cfg: AdamConfig,
    names: Vec<String>,
    params: Vec<Tensor>,
    m: Vec<Tensor>,
    v: Vec<Tensor>,
    step: i64,
}

impl Adam {
    /// Variables are ordered by name, so the order never depends on hashing.
    pub fn new(vs: &nn::VarStore, cfg: AdamConfig) -> Self {
        let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let (names, params): (Vec<String>, Vec<Tensor>) = vars.into_iter().unzip();
        let m = params.iter().map(|p| p.zeros_like()).collect();
        let v = params.iter().map(|p| p.zeros_like()).collect();
        Self { cfg, names, params, m, v, step: 0 }
    }

    /// The parameters, in the order `step` expects their gradients.
    pub fn params(&self) -> &[Tensor] {
        &self.params
    }

    pub fn steps_taken(&self) -> i64 {
        self.step
    }

    /// Gradients of `loss` with respect to the parameters (no accumulation into `.grad`).
    pub fn grads(&self, loss: &Tensor) -> Vec<Tensor> {
        Tensor::run_backward(&[loss], &self.params, false, false)
    }

    /// One update with the given gradients (one per parameter, in `params()` order).
    pub fn step(&mut self, grads: &[Tensor]) {
        assert_eq!(grads.len(), self.params.len(), "one gradient per parameter");
        self.step += 1;
        let (b1, b2) = self.cfg.betas;
        let bc1 = 1.0 - b1.powi(self.step as i32);
        let bc2_sqrt = (1.0 - b2.powi(self.step as i32)).sqrt();
        let step_size = self.cfg.lr / bc1;
        tch::no_grad(|| {
            for (((p, g), m), v) in self.params.iter_mut().zip(grads).zip(&mut self.m).zip(&mut self.v) {
                let _ = m.lerp_(g, 1.0 - b1);
                let _ = v.g_mul_scalar_(b2);
                let _ = v.addcmul_(&(g * (1.0 - b2)), g);
                let mut denom = v.sqrt();
                let _ = denom.g_div_scalar_(bc2_sqrt);
                let _ = denom.g_add_scalar_(self.cfg.eps);
                let _ = p.addcdiv_(&(&*m * -step_size), &denom);
            }
        });
    }

    /// The state as named tensors: `<prefix>m.<param>`, `<prefix>v.<param>`, `<prefix>step`.
    pub fn state(&self, prefix: &str) -> Vec<(String, Tensor)> {
        let mut out = Vec::with_capacity(2 * self.names.len() + 1);
        for (n, (m, v)) in self.names.iter().zip(self.m.iter().zip(&self.v)) {
            out.push((format!("{prefix}m.{n}"), m.shallow_clone()));
            out.push((format!("{prefix}v.{n}"), v.shallow_clone()));
        }
        out.push((format!("{prefix}step"), Tensor::from_slice(&[self.step])));
        out
    }

    /// Restores the state written by [`state`](Self::state), checking every name and shape.
    pub fn load_state(&mut self, tensors: &HashMap<String, Tensor>, prefix: &str, file: &std::path::Path) -> Result<()> {
        let missing = |name: &str| GanError::Checkpoint { path: file.into(), reason: format!("missing tensor {name}") };
        let step_name = format!("{prefix}step");
        let step = tensors.get(&step_name).ok_or_else(|| missing(&step_name))?;
        self.step = step.int64_value(&[0]);
        for (i, n) in self.names.iter().enumerate() {
            for (kind, dst) in [("m", &mut self.m[i]), ("v", &mut self.v[i])] {
                let name = format!("{prefix}{kind}.{n}");
                let src = tensors.get(&name).ok_or_else(|| missing(&name))?;
                if src.size() != dst.size() || src.kind() != Kind::Float {
                    return Err(GanError::Checkpoint {
                        path: file.into(),
                        reason: format!("{name} has shape {:?}, expected {:?}", src.size(), dst.size()),
                    });
                }
                tch::no_grad(|| dst.copy_(src));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    /// Three Adam steps on one 3-vector parameter, compared with PyTorch 2.11:
    ///
    /// ```python
    /// import torch
    /// p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
    /// opt = torch.optim.Adam([p], lr=0.1, betas=(0.5, 0.999))
    /// for g in ([1.0, -2.0, 0.5], [0.3, 0.3, -4.0], [-1.0, 0.0, 1e-3]):
    ///     p.grad = torch.tensor(g); opt.step()
    /// print(p.tolist())
    /// ```
    #[test]
    fn matches_torch_optim_adam() {
        let vs = nn::VarStore::new(Device::Cpu);
        let p = vs.root().var_copy("p", &Tensor::from_slice(&[0.5f32, -1.0, 2.0]));
        let mut adam = Adam::new(&vs, AdamConfig { lr: 0.1, betas: (0.5, 0.999), eps: 1e-8 });
        for g in [[1.0f32, -2.0, 0.5], [0.3, 0.3, -4.0], [-1.0, 0.0, 1e-3]] {
            adam.step(&[Tensor::from_slice(&g)]);
        }
        let got: Vec<f32> = Vec::try_from(&p).unwrap();
        let want = PYTORCH_ADAM_3_STEPS;
        for (a, b) in got.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{got:?} vs {want:?}");
        }
    }

    const PYTORCH_ADAM_3_STEPS: [f32; 3] = [0.368_818_34, -0.850_221_7, 2.033_696_2];

    #[test]
    fn state_round_trip() {
        let vs = nn::VarStore::new(Device::Cpu);
        let _p = vs.root().var_copy("p", &Tensor::from_slice(&[1.0f32, 2.0]));
        let mut a = Adam::new(&vs, AdamConfig::default());
        a.step(&[Tensor::from_slice(&[0.5f32, -0.5])]);
        let state: HashMap<String, Tensor> = a.state("g.").into_iter().collect();
        let mut b = Adam::new(&vs, AdamConfig::default());
        b.load_state(&state, "g.", std::path::Path::new("x")).unwrap();
        assert_eq!(b.steps_taken(), 1);
        assert!(b.m[0].equal(&a.m[0]) && b.v[0].equal(&a.v[0]));
        let mut bad: HashMap<String, Tensor> = a.state("g.").into_iter().collect();
        bad.remove("g.v.p");
        let e = b.load_state(&bad, "g.", std::path::Path::new("x")).err().unwrap().to_string();
        assert!(e.contains("g.v.p"), "{e}");
    }
}
