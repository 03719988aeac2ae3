//! Adam's update of every parameter in one call of libtorch's fused kernel.

use std::os::raw::c_char;

use tch::Tensor;
use torch_sys::C_tensor;

extern "C" {
    fn gan_shim_fused_adam(
        params: *const *mut C_tensor,
        grads: *const *mut C_tensor,
        exp_avgs: *const *mut C_tensor,
        exp_avg_sqs: *const *mut C_tensor,
        n: usize,
        lr: f64,
        beta1: f64,
        beta2: f64,
        eps: f64,
        step: i64,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
}

/// Adam's hyperparameters for one fused update.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamStep {
    pub lr: f64,
    pub betas: (f64, f64),
    pub eps: f64,
    /// The update's number, from 1 (for the bias corrections).
    pub step: i64,
}

/// The `at::Tensor*` handles of `ts` (the C++ side copies each handle, sharing the storage:
/// in-place updates there are updates of these tensors).
fn pointers(ts: &[Tensor]) -> Vec<*mut C_tensor> {
    ts.iter().map(super::ptr).collect()
}

/// One Adam update of every parameter in place, with its first and second moments, as
/// `torch.optim.Adam(weight_decay=0, amsgrad=False, fused=True)` makes it. The four lists are
/// aligned and each tensor has its parameter's shape, dtype and device.
pub fn fused_adam(params: &mut [Tensor], grads: &[Tensor], exp_avgs: &mut [Tensor], exp_avg_sqs: &mut [Tensor], a: AdamStep) -> Result<(), String> {
    let n = params.len();
    if grads.len() != n || exp_avgs.len() != n || exp_avg_sqs.len() != n {
        return Err(format!("fused Adam: {n} parameters but {} gradients, {} and {} moments", grads.len(), exp_avgs.len(), exp_avg_sqs.len()));
    }
    for (i, p) in params.iter().enumerate() {
        for (what, t) in [("gradient", &grads[i]), ("first moment", &exp_avgs[i]), ("second moment", &exp_avg_sqs[i])] {
            if t.size() != p.size() || t.kind() != p.kind() || t.device() != p.device() {
                return Err(format!("fused Adam: parameter {i} is {:?} {:?}, its {what} {:?} {:?}", p.size(), p.kind(), t.size(), t.kind()));
            }
        }
    }
    let (p, g, m, v) = (pointers(params), pointers(grads), pointers(exp_avgs), pointers(exp_avg_sqs));
    let (b1, b2) = a.betas;
    // SAFETY: every pointer is a live tch tensor (an `at::Tensor*`) borrowed for the call, and
    // the lists have `n` entries.
    super::call("fused Adam", |err, len| unsafe {
        gan_shim_fused_adam(p.as_ptr(), g.as_ptr(), m.as_ptr(), v.as_ptr(), n, a.lr, b1, b2, a.eps, a.step, err, len)
    })
}
