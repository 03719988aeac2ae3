//! Parameter groups and their learning rates, lazy regularisation, and carrying an
//! optimiser's state over to networks that grew.
//!
//! - A learning-rate multiplier per parameter, by name prefix: StyleGAN's mapping network
//!   trains at 0.01x (Karras et al. 2019; `lr_multiplier` in NVlabs/stylegan2-ada-pytorch's
//!   `MappingNetwork`), which `torch.optim` expresses as parameter groups.
//! - Lazy regularisation (Karras et al. 2020, Appendix B; `training/training_loop.py`'s
//!   `mb_ratio = reg_interval / (reg_interval + 1)`): a network whose regulariser runs every
//!   `k`-th update trains at `lr * c` with Adam's betas raised to `c`, `c = k / (k + 1)`.
//! - Growing networks (ProGAN, Karras et al. 2018): [`Optimizer::carried_to`] builds the
//!   optimiser of the grown network with the moments and step count of every parameter that
//!   remains (same name and shape); the new ones start at zero.

use tch::{nn, Tensor};

use super::{Optimizer, OptimizerConfig};

impl Optimizer {
    /// Multiplies the learning rate of the parameters whose names start with `prefix` by
    /// `mult`; returns how many there are.
    pub fn set_lr_multiplier(&mut self, prefix: &str, mult: f64) -> usize {
        let mut n = 0;
        for (name, m) in self.names.iter().zip(&mut self.lr_mult) {
            if name.starts_with(prefix) {
                *m = mult;
                n += 1;
            }
        }
        n
    }

    /// Lazy regularisation every `k`-th update (`k` > 1): the rate times `c` and Adam's betas
    /// to the power `c`, `c = k / (k + 1)`; `k` of 0 or 1 turns it off.
    pub fn set_lazy_interval(&mut self, k: u32) {
        self.lazy_c = if k > 1 { k as f64 / (k as f64 + 1.0) } else { 1.0 };
    }

    /// Whether every parameter trains at the configured rate and betas (one update call).
    pub(super) fn is_plain(&self) -> bool {
        self.lazy_c == 1.0 && self.lr_mult.iter().all(|&m| m == 1.0)
    }

    /// One update, one call per group of parameters sharing a multiplier.
    pub(super) fn step_groups(&mut self, grads: &[Tensor]) {
        let mut mults: Vec<f64> = Vec::new();
        for &m in &self.lr_mult {
            if !mults.contains(&m) {
                mults.push(m);
            }
        }
        let c = self.lazy_c;
        for mult in mults {
            let idx: Vec<usize> = (0..self.params.len()).filter(|&i| self.lr_mult[i] == mult).collect();
            let pick = |ts: &[Tensor]| idx.iter().map(|&i| ts[i].shallow_clone()).collect::<Vec<_>>();
            let (mut p, g) = (pick(&self.params), pick(grads));
            let mut slots: Vec<Vec<Tensor>> = self.state.iter().map(|s| pick(s)).collect();
            let lr = self.cfg.lr() * self.lr_scale * mult * c;
            tch::no_grad(|| match &self.cfg {
                OptimizerConfig::Adam(a) => {
                    let lazy = super::AdamConfig { betas: (a.betas.0.powf(c), a.betas.1.powf(c)), ..a.clone() };
                    let (m, v) = slots.split_at_mut(1);
                    lazy.update(lr, self.step, &mut p, &g, &mut m[0], &mut v[0]);
                }
                OptimizerConfig::RmsProp(r) => r.update(lr, &mut p, &g, &mut slots[0]),
            });
        }
    }

    /// This optimiser for the trainable variables of `vs` (a network that grew or was
    /// rebuilt): every parameter of the same name and shape keeps its moments and multiplier,
    /// new parameters start from zero moments and multiplier 1; the step count, schedule
    /// scale, lazy interval and group carry over.
    pub fn carried_to(&self, vs: &nn::VarStore) -> Optimizer {
        let mut next = Optimizer::new(vs, self.cfg.clone());
        (next.step, next.lr_scale, next.lazy_c, next.dist) = (self.step, self.lr_scale, self.lazy_c, self.dist.clone());
        for (j, name) in next.names.iter().enumerate() {
            let Some(i) = self.names.iter().position(|n| n == name) else { continue };
            if self.params[i].size() != next.params[j].size() {
                continue;
            }
            next.lr_mult[j] = self.lr_mult[i];
            tch::no_grad(|| {
                for (old, new) in self.state.iter().zip(&mut next.state) {
                    new[j].copy_(&old[i]);
                }
            });
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::AdamConfig;
    use tch::Device;

    fn adam() -> OptimizerConfig {
        OptimizerConfig::Adam(AdamConfig { lr: 0.1, betas: (0.5, 0.999), eps: 1e-8 })
    }

    fn close(got: &Tensor, want: &[f32]) {
        let got = Vec::<f32>::try_from(got).unwrap();
        assert!(got.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-6), "{got:?} vs {want:?}");
    }

    const GRADS: [([f32; 3], [f32; 2]); 3] = [([1.0, -2.0, 0.5], [0.3, -0.7]), ([0.3, 0.3, -4.0], [1.0, 2.0]), ([-1.0, 0.0, 1e-3], [0.5, 0.5])];

    /// PyTorch 2.11, two parameter groups:
    ///
    /// ```python
    /// a = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0])); b = torch.nn.Parameter(torch.tensor([1.5, 0.25]))
    /// opt = torch.optim.Adam([{"params": [a], "lr": 0.1 * 0.01}, {"params": [b], "lr": 0.1}], lr=0.1, betas=(0.5, 0.999))
    /// for ga, gb in (([1.0, -2.0, 0.5], [0.3, -0.7]), ([0.3, 0.3, -4.0], [1.0, 2.0]), ([-1.0, 0.0, 1e-3], [0.5, 0.5])):
    ///     a.grad = torch.tensor(ga); b.grad = torch.tensor(gb); opt.step()
    /// print(a.tolist(), b.tolist())
    /// ```
    #[test]
    fn a_learning_rate_multiplier_matches_torch_parameter_groups() {
        let vs = nn::VarStore::new(Device::Cpu);
        let a = (vs.root() / "mapping").var_copy("a", &Tensor::from_slice(&[0.5f32, -1.0, 2.0]));
        let b = (vs.root() / "synthesis").var_copy("b", &Tensor::from_slice(&[1.5f32, 0.25]));
        let mut opt = Optimizer::new(&vs, adam());
        assert_eq!(opt.set_lr_multiplier("mapping.", 0.01), 1);
        for (ga, gb) in GRADS {
            opt.step(&[Tensor::from_slice(&ga), Tensor::from_slice(&gb)]);
        }
        close(&a, &[0.498_688_2, -0.998_502_25, 2.000_337]);
        close(&b, &[1.204_263_3, 0.216_362_79]);
    }

    /// As `torch.optim.Adam([p], lr=0.1 * c, betas=(0.5 ** c, 0.999 ** c))` with `c = 4 / 5`
    /// (a regulariser every 4th update), over the first three gradients above.
    #[test]
    fn lazy_regularisation_scales_the_rate_and_the_betas() {
        let vs = nn::VarStore::new(Device::Cpu);
        let p = vs.root().var_copy("p", &Tensor::from_slice(&[0.5f32, -1.0, 2.0]));
        let mut opt = Optimizer::new(&vs, adam());
        opt.set_lazy_interval(4);
        for (g, _) in GRADS {
            opt.step(&[Tensor::from_slice(&g)]);
        }
        close(&p, &[0.384_863_73, -0.872_291_1, 2.024_651]);
    }

    /// A grown network keeps the moments of the parameters that remain, so its next update
    /// equals the one the old optimiser would have made; a new parameter starts from zero.
    #[test]
    fn carrying_to_a_grown_network_keeps_the_state_of_the_parameters_that_remain() {
        let old = nn::VarStore::new(Device::Cpu);
        let w = old.root().var_copy("w", &Tensor::from_slice(&[0.5f32, -1.0]));
        let mut opt = Optimizer::new(&old, adam());
        opt.set_lr_multiplier("w", 0.5);
        opt.step(&[Tensor::from_slice(&[1.0f32, 2.0])]);
        let grown = nn::VarStore::new(Device::Cpu);
        let w2 = grown.root().var_copy("w", &w);
        let fresh = grown.root().var_copy("up", &Tensor::from_slice(&[3.0f32]));
        let mut next = opt.carried_to(&grown);
        assert_eq!(next.steps_taken(), 1);
        opt.step(&[Tensor::from_slice(&[-1.0f32, 0.5])]);
        next.step(&[Tensor::from_slice(&[0.0f32]), Tensor::from_slice(&[-1.0f32, 0.5])]);
        assert!(w.equal(&w2), "the carried update equals the old optimiser's");
        let moved = (fresh.double_value(&[0]) - 3.0).abs();
        assert!(moved < 1e-12, "a zero gradient from zero moments leaves a new parameter: {moved}");
    }
}
