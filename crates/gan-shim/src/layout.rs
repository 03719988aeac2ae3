//! Memory formats: PyTorch's `memory_format=` for 4-d tensors. Channels-last (NHWC) keeps
//! each pixel's channels together, the layout oneDNN's and cuDNN's convolution kernels run in
//! natively; a convolution with a channels-last input or weight returns channels-last
//! output, and element-wise operations keep it, so laying out the weights once is enough for
//! a whole network to run in it.

use tch::Tensor;
use torch_sys::C_tensor;

use std::os::raw::c_char;

extern "C" {
    fn gan_shim_to_memory_format(t: *mut C_tensor, format: i32, out: *mut *mut C_tensor, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_set_memory_format(var: *mut C_tensor, format: i32, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_is_memory_format(t: *mut C_tensor, format: i32) -> i32;
}

/// How a 4-d tensor's elements are ordered in memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemoryFormat {
    /// Row-major NCHW, tch's default.
    Contiguous,
    /// NHWC: channel fastest.
    ChannelsLast,
}

impl MemoryFormat {
    fn code(self) -> i32 {
        match self {
            MemoryFormat::Contiguous => 0,
            MemoryFormat::ChannelsLast => 1,
        }
    }
}

fn four_d(t: &Tensor, format: MemoryFormat) -> Result<(), String> {
    if format == MemoryFormat::ChannelsLast && t.dim() != 4 {
        return Err(format!("memory format: channels-last needs a 4-d tensor, got {:?}", t.size()));
    }
    Ok(())
}

/// `t.contiguous(memory_format=format)`: `t` itself when already laid out so, else a copy
/// (recorded by autograd, so gradients flow through it).
pub fn to_memory_format(t: &Tensor, format: MemoryFormat) -> Result<Tensor, String> {
    four_d(t, format)?;
    // SAFETY: `t` is a live tch tensor for the call.
    super::call_new("memory format", |out, err, len| unsafe { gan_shim_to_memory_format(super::ptr(t), format.code(), out, err, len) })
}

/// Re-lays a parameter out in `format` in place, as `module.to(memory_format=...)` does: the
/// variable stays the same (its values, `requires_grad` and every handle on it), only its
/// strides change; a gradient it held is dropped.
pub fn set_memory_format(var: &Tensor, format: MemoryFormat) -> Result<(), String> {
    four_d(var, format)?;
    // SAFETY: `var` is a live tch tensor for the call.
    super::call("memory format", |err, len| unsafe { gan_shim_set_memory_format(super::ptr(var), format.code(), err, len) })
}

/// Whether `t` is dense in `format` (a tensor can be both when its channels or its spatial
/// dimensions are 1).
pub fn is_memory_format(t: &Tensor, format: MemoryFormat) -> bool {
    // SAFETY: `t` is a live tch tensor.
    unsafe { gan_shim_is_memory_format(super::ptr(t), format.code()) == 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn channels_last_reorders_memory_not_values() {
        let t = Tensor::arange(2 * 3 * 2 * 2, (Kind::Float, Device::Cpu)).view([2, 3, 2, 2]);
        let cl = to_memory_format(&t, MemoryFormat::ChannelsLast).unwrap();
        assert_eq!(cl.stride(), [12, 1, 6, 3]);
        assert!(is_memory_format(&cl, MemoryFormat::ChannelsLast) && !is_memory_format(&cl, MemoryFormat::Contiguous));
        assert_eq!((&cl - &t).abs().max().double_value(&[]), 0.0);
        // The first pixel's three channels are now neighbours in memory: 0, 4, 8.
        let flat = cl.permute([0, 2, 3, 1]).contiguous().view([-1]);
        assert_eq!(Vec::<f32>::try_from(flat.narrow(0, 0, 3)).unwrap(), [0.0, 4.0, 8.0]);
    }

    #[test]
    fn setting_a_parameter_keeps_the_variable() {
        let w = Tensor::randn([4, 3, 2, 2], (Kind::Float, Device::Cpu)).set_requires_grad(true);
        let before = w.detach().copy();
        let alias = w.shallow_clone();
        set_memory_format(&w, MemoryFormat::ChannelsLast).unwrap();
        assert!(is_memory_format(&alias, MemoryFormat::ChannelsLast) && alias.requires_grad());
        assert_eq!((&w - &before).abs().max().double_value(&[]), 0.0);
        set_memory_format(&w, MemoryFormat::Contiguous).unwrap();
        assert!(w.is_contiguous());
    }

    #[test]
    fn channels_last_needs_four_dimensions() {
        let e = to_memory_format(&Tensor::zeros([3, 4], (Kind::Float, Device::Cpu)), MemoryFormat::ChannelsLast).unwrap_err();
        assert!(e.contains("4-d") && e.contains("[3, 4]"), "{e}");
    }
}
