//! Autocast regions (PyTorch's `torch.autocast(device_type, dtype=torch.bfloat16)`): inside
//! one, libtorch runs matrix products and convolutions in bfloat16 (with float32 weights cast
//! once per region and cached) and keeps reductions, losses and other precision-sensitive
//! operations in float32. Autocast state is per thread, so a region covers what this thread
//! computes until it ends.

use std::os::raw::c_char;

use tch::Device;

extern "C" {
    fn gan_shim_autocast_enter(device: i32, was_enabled: *mut i32, was_dtype: *mut i32, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_autocast_exit(device: i32, was_enabled: i32, was_dtype: i32);
}

/// An open bf16 autocast region on one device type; dropping it restores what was before.
pub struct Autocast {
    device: i32,
    was_enabled: i32,
    was_dtype: i32,
    /// Autocast state is the thread's: the guard must end on the thread that opened it.
    _thread: std::marker::PhantomData<*const ()>,
}

impl Autocast {
    /// Opens a region on `device`'s type (CPU or CUDA).
    pub fn bf16(device: Device) -> Result<Self, String> {
        let code = match device {
            Device::Cpu => 0,
            Device::Cuda(_) => 1,
            other => return Err(format!("autocast: no bf16 autocast for {other:?}")),
        };
        let (mut was_enabled, mut was_dtype) = (0, 0);
        // SAFETY: plain out-parameters.
        super::call("autocast", |err, len| unsafe { gan_shim_autocast_enter(code, &mut was_enabled, &mut was_dtype, err, len) })?;
        Ok(Self { device: code, was_enabled, was_dtype, _thread: std::marker::PhantomData })
    }
}

impl Drop for Autocast {
    fn drop(&mut self) {
        // SAFETY: restores the state `bf16` read, on the same thread (the guard is not Send).
        unsafe { gan_shim_autocast_exit(self.device, self.was_enabled, self.was_dtype) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Kind;

    /// Inside the region a matrix product comes out in bf16 and a sum of float32 stays
    /// float32; after it, the product is float32 again; regions nest.
    #[test]
    fn matmuls_run_in_bf16_only_inside_the_region() {
        let a = tch::Tensor::randn([8, 8], (Kind::Float, Device::Cpu));
        {
            let _outer = Autocast::bf16(Device::Cpu).unwrap();
            assert_eq!(a.mm(&a).kind(), Kind::BFloat16);
            {
                let _inner = Autocast::bf16(Device::Cpu).unwrap();
                assert_eq!(a.mm(&a).kind(), Kind::BFloat16);
            }
            assert_eq!(a.mm(&a).kind(), Kind::BFloat16, "leaving the inner region keeps the outer one");
            assert_eq!(a.sum(Kind::Float).kind(), Kind::Float);
        }
        assert_eq!(a.mm(&a).kind(), Kind::Float);
    }
}
