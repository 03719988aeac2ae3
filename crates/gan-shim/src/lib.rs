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

mod activation;
mod adam;
mod autocast;
pub mod dist;
mod layout;

pub use activation::leaky_relu;
pub use adam::{fused_adam, AdamStep};
pub use autocast::Autocast;
pub use layout::{is_memory_format, set_memory_format, to_memory_format, MemoryFormat};

use std::os::raw::c_char;

/// The C++ side's message in `err` (NUL-terminated), prefixed by `what`.
fn message(what: &str, err: &[c_char]) -> String {
    let bytes: Vec<u8> = err.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    format!("{what}: {}", String::from_utf8_lossy(&bytes))
}

/// A buffer for the C++ side's error message.
fn error_buffer() -> Vec<c_char> {
    vec![0 as c_char; 1024]
}
