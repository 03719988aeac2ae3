// Embeds libtorch's directory as the run-time library path of the `gan` binary and tests,
// so they run without LD_LIBRARY_PATH. torch-sys (links = "tch") exports the directory.
fn main() {
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
    }
}
