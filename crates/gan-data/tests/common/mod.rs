//! Helpers shared by gan-data's integration tests.

use std::path::{Path, PathBuf};

/// `emoji/<sub>` of the shipped data (`$GAN_SHARED_DATA`, by default `../shared/data` beside
/// the checkout; see its README), or `None` with a line saying the test is skipped.
pub fn emoji(sub: &str) -> Option<(PathBuf, PathBuf)> {
    let shared = std::env::var_os("GAN_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"));
    let dir = shared.join("emoji").join(sub);
    if dir.is_dir() {
        Some((shared, dir))
    } else {
        eprintln!("skipped: no emoji set at {} (set GAN_SHARED_DATA)", dir.display());
        None
    }
}
