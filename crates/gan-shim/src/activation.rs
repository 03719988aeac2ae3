//! LeakyReLU with any slope (Maas et al., "Rectifier Nonlinearities Improve Neural Network
//! Acoustic Models", 2013; DCGAN's discriminator uses 0.2): tch 0.24 exposes only the default
//! slope 0.01, and `prelu` with a constant weight, the stand-in, also reduces the weight's
//! gradient over the whole activation on every backward pass.

use std::os::raw::c_char;

use tch::Tensor;
use torch_sys::C_tensor;

extern "C" {
    fn gan_shim_leaky_relu(x: *mut C_tensor, slope: f64, out: *mut *mut C_tensor, err: *mut c_char, err_len: usize) -> i32;
}

/// `torch.nn.functional.leaky_relu(x, slope)`, differentiable (twice, as the gradient penalty
/// needs: its backward is `leaky_relu_backward`, itself differentiable).
pub fn leaky_relu(x: &Tensor, slope: f64) -> Result<Tensor, String> {
    // SAFETY: `x` is a live tch tensor for the call.
    super::call_new("leaky_relu", |out, err, len| unsafe { gan_shim_leaky_relu(super::ptr(x), slope, out, err, len) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// Equal to the prelu stand-in in value, first and second derivatives.
    #[test]
    fn matches_prelu_with_a_constant_weight_to_second_order() {
        tch::manual_seed(1);
        let x = Tensor::randn([3, 4, 5, 5], (Kind::Double, Device::Cpu)).set_requires_grad(true);
        let w = Tensor::randn([3, 4, 5, 5], (Kind::Double, Device::Cpu));
        let slope = Tensor::from_slice(&[0.2f64]);
        let ours = leaky_relu(&x, 0.2).unwrap();
        let theirs = x.prelu(&slope);
        assert_eq!((&ours - &theirs).abs().max().double_value(&[]), 0.0);
        let grad = |y: Tensor| {
            let g = Tensor::run_backward(&[(&y * &w).sum(Kind::Double)], &[&x], true, true).remove(0);
            // The second derivative through the gradient (zero almost everywhere, but the
            // graph must exist for the gradient penalty's double backward).
            let gg = Tensor::run_backward(&[(&g * &g).sum(Kind::Double)], &[&x], true, false).remove(0);
            (g.detach(), gg.detach())
        };
        let (a, b) = (grad(leaky_relu(&x, 0.2).unwrap()), grad(x.prelu(&slope)));
        assert_eq!((&a.0 - &b.0).abs().max().double_value(&[]), 0.0);
        assert_eq!((&a.1 - &b.1).abs().max().double_value(&[]), 0.0);
        // The negative side is scaled by the slope.
        let neg = x.lt(0.0);
        let expected = w.where_self(&neg.logical_not(), &(&w * 0.2));
        assert!((&a.0 - expected).abs().max().double_value(&[]) < 1e-12);
    }
}
