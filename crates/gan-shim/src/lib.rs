//! The libtorch operations tch 0.24 does not expose, through a small C++ file (`src/shim.cpp`)
//! compiled against the same libtorch headers, behind safe functions that check their
//! arguments and turn C++ exceptions into errors.
//!
//! - [`fused_adam`]: libtorch's `_fused_adam_` (the kernel of `torch.optim.Adam(fused=True)`,
//!   Kingma & Ba 2015): one pass over every parameter's memory instead of one operation per
//!   parameter and moment.
//! - [`MemoryFormat`], [`to_memory_format`], [`set_memory_format`], [`is_memory_format`]: the
//!   channels-last (NHWC) layout of PyTorch's `memory_format=` that oneDNN and cuDNN
//!   convolutions run fastest in.
//! - [`leaky_relu`]: LeakyReLU with any slope.
//! - [`Autocast`]: bf16 mixed-precision regions (`torch.autocast`).
//! - [`dist`]: torch.distributed's c10d process groups (TCPStore rendezvous, Gloo).
//! - [`load_torch_cuda`]: libtorch's CUDA backend, loaded at run time.

mod activation;
mod adam;
mod autocast;
mod backend;
pub mod dist;
mod layout;

pub use activation::leaky_relu;
pub use adam::{fused_adam, AdamStep};
pub use autocast::Autocast;
pub use backend::{cuda_registered, load_torch_cuda, CudaBackend};
pub use layout::{is_memory_format, set_memory_format, to_memory_format, MemoryFormat};

use std::os::raw::c_char;

use tch::Tensor;
use torch_sys::C_tensor;

/// The NUL-terminated text the C++ side wrote into `buf`.
fn c_text(buf: &[c_char]) -> String {
    let bytes: Vec<u8> = buf.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The C++ side's message in `err` (NUL-terminated), prefixed by `what`.
fn message(what: &str, err: &[c_char]) -> String {
    format!("{what}: {}", c_text(err))
}

/// Runs one shim call, which reports failure as a non-zero code with its message written
/// into the error buffer it is handed (pointer and length).
fn call(what: &str, f: impl FnOnce(*mut c_char, usize) -> i32) -> Result<(), String> {
    let mut err = vec![0 as c_char; 1024];
    match f(err.as_mut_ptr(), err.len()) {
        0 => Ok(()),
        _ => Err(message(what, &err)),
    }
}

/// [`call`] for a shim function that hands back a new `at::Tensor*` through its out-pointer.
fn call_new(what: &str, f: impl FnOnce(*mut *mut C_tensor, *mut c_char, usize) -> i32) -> Result<Tensor, String> {
    let mut out: *mut C_tensor = std::ptr::null_mut();
    call(what, |err, len| f(&mut out, err, len))?;
    if out.is_null() {
        return Err(format!("{what}: no tensor came back"));
    }
    // SAFETY: on success the C++ side stored a fresh heap `at::Tensor*` that nobody else
    // owns; `Tensor::from_ptr` takes it over.
    Ok(unsafe { Tensor::from_ptr(out) })
}

/// The `at::Tensor*` handle of a tch tensor (what tch's `C_tensor` is), borrowed for a call.
fn ptr(t: &Tensor) -> *mut C_tensor {
    t.as_ptr() as *mut C_tensor
}
