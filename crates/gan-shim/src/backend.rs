//! libtorch's CUDA backend, loaded at run time: a binary linked by torch-sys does not keep
//! `libtorch_cuda.so` (nothing calls into it, so `--as-needed` drops it), and without it
//! libtorch sees no GPU even with a CUDA build of torch. See `src/backend.cpp`.

use std::os::raw::c_char;
use std::path::PathBuf;

extern "C" {
    fn gan_shim_load_torch_cuda(path: *mut c_char, path_len: usize, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_cuda_registered() -> i32;
}

/// Whether a CUDA backend has registered with libtorch in this process (true once
/// `libtorch_cuda.so` is loaded, with or without a GPU).
pub fn cuda_registered() -> bool {
    // SAFETY: a registry lookup without arguments.
    unsafe { gan_shim_cuda_registered() == 1 }
}

/// What [`load_torch_cuda`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CudaBackend {
    /// Loaded from this file (or it was already loaded).
    Loaded(PathBuf),
    /// This torch install has no CUDA backend (a CPU-only build): the file looked for.
    Absent(PathBuf),
}

/// Loads `libtorch_cuda.so` from the folder of the libtorch this process runs on, so that
/// libtorch registers its CUDA backend. Loading twice is harmless (the loader counts).
pub fn load_torch_cuda() -> Result<CudaBackend, String> {
    let mut path = vec![0 as c_char; 4096];
    let mut err = vec![0 as c_char; 1024];
    // SAFETY: both buffers outlive the call, which writes at most their lengths.
    let code = unsafe { gan_shim_load_torch_cuda(path.as_mut_ptr(), path.len(), err.as_mut_ptr(), err.len()) };
    let file = PathBuf::from(super::c_text(&path));
    match code {
        0 => Ok(CudaBackend::Loaded(file)),
        1 => Ok(CudaBackend::Absent(file)),
        _ => Err(super::message(&file.display().to_string(), &err)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With the project's wheel (a CUDA build), the backend loads into this process from the
    /// folder of the libtorch it runs on, and registers with c10 (with or without a GPU).
    #[test]
    fn the_wheels_cuda_backend_loads_beside_its_libtorch() {
        assert!(!cuda_registered(), "a binary linked by torch-sys starts without the CUDA backend");
        let lib = std::fs::read_to_string("/proc/self/maps").unwrap();
        let cpu =
            lib.lines().find_map(|l| l.split_whitespace().last().filter(|p| p.ends_with("/libtorch_cpu.so"))).expect("libtorch_cpu.so is mapped").to_string();
        let beside = PathBuf::from(&cpu).with_file_name("libtorch_cuda.so");
        match load_torch_cuda().unwrap() {
            CudaBackend::Loaded(p) => {
                assert_eq!(p, beside);
                let maps = std::fs::read_to_string("/proc/self/maps").unwrap();
                assert!(maps.contains(beside.to_str().unwrap()), "libtorch_cuda.so is mapped after loading");
                assert!(cuda_registered());
                assert_eq!(load_torch_cuda().unwrap(), CudaBackend::Loaded(beside), "loading twice is harmless");
            }
            CudaBackend::Absent(p) => {
                assert_eq!(p, beside);
                assert!(!beside.exists());
                panic!("this torch ({cpu}) has no CUDA backend: the project's wheel should (scripts/setup-libtorch.sh)");
            }
        }
    }
}
