//! Arguments of `gan data`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gan_data::fetch::Canonical;

#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Download a canonical data set's official files (SHA-256 checked, resumable, written
    /// atomically): mnist, fashion-mnist or cifar10.
    Fetch(FetchArgs),
}

#[derive(Args, Debug)]
pub struct FetchArgs {
    #[arg(value_enum)]
    pub set: Canonical,
    /// Folder to put the files in (default data/<set>).
    #[arg(long)]
    pub dir: Option<PathBuf>,
    /// Download from this base address instead of the publisher's (repeat to try several
    /// in order); the file names are appended.
    #[arg(long)]
    pub mirror: Vec<String>,
    /// Tries per file, each resuming where the last one stopped.
    #[arg(long, default_value_t = 5)]
    pub attempts: u32,
    /// Seconds between tries.
    #[arg(long, default_value_t = 2.0)]
    pub retry_delay: f64,
    /// No progress bar.
    #[arg(long)]
    pub no_progress: bool,
}
