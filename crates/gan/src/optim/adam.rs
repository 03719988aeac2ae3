//! Adam (Kingma & Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015): the update
//! of `torch.optim.Adam` with `weight_decay=0, amsgrad=False`, made by libtorch's fused kernel
//! (`torch.optim.Adam(fused=True)`, through `gan_shim`: one pass over each parameter's memory),
//! or, where that kernel refuses the tensors, by the same formula one operation at a time.

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
        let a = gan_shim::AdamStep { lr, betas: self.betas, eps: self.eps, step };
        if gan_shim::fused_adam(params, grads, m, v, a).is_err() {
            self.update_plain(lr, step, params, grads, m, v);
        }
    }

    /// [`Self::update`] one operation at a time.
    fn update_plain(&self, lr: f64, step: i64, params: &mut [Tensor], grads: &[Tensor], m: &mut [Tensor], v: &mut [Tensor]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// The fused kernel and the plain formula agree over five updates of tensors of several
    /// shapes (to float rounding: the fused kernel orders its arithmetic differently), with a
    /// strided gradient among them (as a double backward through a convolution can leave;
    /// the bench equivalence test caught the fused kernel reading one in memory order).
    #[test]
    fn fused_and_plain_updates_agree() {
        let c = AdamConfig { lr: 0.01, betas: (0.5, 0.999), eps: 1e-8 };
        tch::manual_seed(3);
        let shapes: [&[i64]; 3] = [&[7], &[4, 5], &[2, 3, 3, 3]];
        let start: Vec<Tensor> = shapes.iter().map(|s| Tensor::randn(*s, (Kind::Float, Device::Cpu))).collect();
        let strided = |p: &Tensor| if p.size() == [4, 5] { Tensor::randn([5, 4], (Kind::Float, Device::Cpu)).tr() } else { p.randn_like() };
        let grads: Vec<Vec<Tensor>> = (0..5).map(|_| start.iter().map(strided).collect()).collect();
        assert!(!grads[0][1].is_contiguous());
        let run = |fused: bool| {
            let mut p: Vec<Tensor> = start.iter().map(|t| t.copy()).collect();
            let mut m: Vec<Tensor> = p.iter().map(|t| t.zeros_like()).collect();
            let mut v: Vec<Tensor> = p.iter().map(|t| t.zeros_like()).collect();
            for (i, g) in grads.iter().enumerate() {
                let step = i as i64 + 1;
                if fused {
                    gan_shim::fused_adam(&mut p, g, &mut m, &mut v, gan_shim::AdamStep { lr: c.lr, betas: c.betas, eps: c.eps, step }).unwrap();
                } else {
                    c.update_plain(c.lr, step, &mut p, g, &mut m, &mut v);
                }
            }
            (p, m, v)
        };
        let (a, b) = (run(true), run(false));
        for (x, y) in [(&a.0, &b.0), (&a.1, &b.1), (&a.2, &b.2)] {
            for (x, y) in x.iter().zip(y) {
                let rel = ((x - y).norm().double_value(&[])) / y.norm().double_value(&[]);
                assert!(rel < 1e-6, "relative difference {rel}");
            }
        }
        // The parameters moved: five steps of about lr each.
        assert!((&a.0[0] - &start[0]).abs().max().double_value(&[]) > 0.01);
    }

    /// A channels-last convolution weight (with moments laid out alike, as `zeros_like`
    /// makes them) goes through the fused kernel, not the fallback, and stays channels-last;
    /// its update equals the plain formula's, with a gradient in either layout.
    #[test]
    fn the_fused_update_takes_channels_last_weights() {
        use gan_shim::{is_memory_format, to_memory_format, MemoryFormat::ChannelsLast};
        let c = AdamConfig { lr: 0.01, betas: (0.5, 0.999), eps: 1e-8 };
        tch::manual_seed(4);
        let start = to_memory_format(&Tensor::randn([8, 3, 4, 4], (Kind::Float, Device::Cpu)), ChannelsLast).unwrap();
        for grad in [Tensor::randn([8, 3, 4, 4], (Kind::Float, Device::Cpu)), to_memory_format(&start.randn_like(), ChannelsLast).unwrap()] {
            let mut p = vec![start.copy()];
            assert!(is_memory_format(&p[0], ChannelsLast));
            let (mut m, mut v) = (vec![p[0].zeros_like()], vec![p[0].zeros_like()]);
            let step = gan_shim::AdamStep { lr: c.lr, betas: c.betas, eps: c.eps, step: 1 };
            gan_shim::fused_adam(&mut p, std::slice::from_ref(&grad), &mut m, &mut v, step).unwrap();
            assert!(is_memory_format(&p[0], ChannelsLast) && is_memory_format(&m[0], ChannelsLast));
            let mut q = vec![start.contiguous()];
            let (mut m2, mut v2) = (vec![q[0].zeros_like()], vec![q[0].zeros_like()]);
            c.update_plain(c.lr, 1, &mut q, &[grad.contiguous()], &mut m2, &mut v2);
            let diff = (&p[0] - &q[0]).abs().max().double_value(&[]);
            assert!(diff < 1e-6, "{diff}");
        }
    }

    #[test]
    fn the_shim_refuses_misaligned_lists_with_a_message() {
        let mut p = vec![Tensor::zeros([3], (Kind::Float, Device::Cpu))];
        let g = vec![Tensor::zeros([4], (Kind::Float, Device::Cpu))];
        let (mut m, mut v) = (vec![p[0].zeros_like()], vec![p[0].zeros_like()]);
        let e = gan_shim::fused_adam(&mut p, &g, &mut m, &mut v, gan_shim::AdamStep { lr: 0.1, betas: (0.9, 0.999), eps: 1e-8, step: 1 }).unwrap_err();
        assert!(e.contains("parameter 0 is [3]") && e.contains("its gradient [4]"), "{e}");
    }
}
