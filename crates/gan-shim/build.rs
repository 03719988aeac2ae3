//! Compiles `src/shim.cpp` against the headers of the libtorch that torch-sys links (its
//! `links = "tch"` metadata gives the library folder; the headers sit beside it in
//! `../include`, as in the PyPI wheel and the libtorch zip).

use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src/shim.cpp");
    println!("cargo:rerun-if-changed=src/dist.cpp");
    println!("cargo:rerun-if-changed=src/backend.cpp");
    println!("cargo:rerun-if-env-changed=LIBTORCH_CXX11_ABI");
    let lib = PathBuf::from(std::env::var("DEP_TCH_LIBTORCH_LIB").expect("torch-sys reports its libtorch folder (DEP_TCH_LIBTORCH_LIB)"));
    // The crate's own test binaries find libtorch without LD_LIBRARY_PATH.
    println!("cargo:rustc-link-arg=-Wl,-rpath,{}", lib.display());
    let include = lib.parent().expect("libtorch's lib folder has a parent").join("include");
    // PyTorch's wheels are built with the C++11 ABI since 2.7 (torch._C._GLIBCXX_USE_CXX11_ABI).
    let abi = std::env::var("LIBTORCH_CXX11_ABI").unwrap_or_else(|_| "1".into());
    cc::Build::new()
        .cpp(true)
        .file("src/shim.cpp")
        .file("src/dist.cpp")
        .file("src/backend.cpp")
        .include(&include)
        .include(include.join("torch/csrc/api/include"))
        .flag("-std=c++17")
        .flag(format!("-D_GLIBCXX_USE_CXX11_ABI={abi}"))
        .flag("-DGLOG_USE_GLOG_EXPORT")
        .flag("-Wno-unused-parameter")
        .warnings(false)
        .compile("gan_shim");
}
