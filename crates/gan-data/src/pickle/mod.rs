//! Reading PyTorch's files without Python and without running any of their code: a pickle
//! machine that evaluates the opcodes of protocols 2 to 5 into plain values, never resolving
//! a global to a callable. The few calls that a tensor file makes (rebuilding tensors and
//! parameters, ordered dicts, storages, `copyreg` and stylegan2-ada-pytorch's persistent
//! objects) are recognised by name and built as data; any other call is refused, naming the
//! global (a pickle that calls `os.system` stops there).
//!
//! On top of it: `torch.save`'s zip format (`torchfile.rs`), its legacy format that nested
//! storages use inside plain pickles (`legacy.rs`), and the tensors they describe
//! (`tensor.rs`). The formats follow `torch/serialization.py` and Python's `pickletools`.

mod calls;
pub mod legacy;
pub mod tensor;
pub mod torchfile;
mod value;
mod vm;
mod zip;

pub use tensor::{Dtype, RawTensor, Storage};
pub use value::{Object, Value};
pub use vm::Unpickler;

/// Why a pickle could not be read: one line, naming the opcode, global or key.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct PickleError(pub String);

pub type Result<T> = std::result::Result<T, PickleError>;

pub(crate) fn fail<T>(reason: impl Into<String>) -> Result<T> {
    Err(PickleError(reason.into()))
}
