//! Arguments of `gan data`.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gan_data::fetch::Canonical;

#[derive(Subcommand, Debug)]
pub enum DataCommand {
    /// Download a canonical data set's official files (SHA-256 checked, resumable, written
    /// atomically): mnist, fashion-mnist or cifar10.
    Fetch(FetchArgs),
    /// Render labelled digits from fonts (SimGAN's simulator, `[data] kind =
    /// "rendered-digits"`) and write them as IDX files (train-images/-labels, gzipped).
    Render(RenderArgs),
}

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Folder to write train-images-idx3-ubyte.gz and train-labels-idx1-ubyte.gz to.
    #[arg(long)]
    pub out: PathBuf,
    /// Digits to render (classes 0-9 in turn).
    #[arg(long, default_value_t = 60_000)]
    pub n: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Distort the strokes elastically with this displacement scale, in pixels (Simard et
    /// al. 2003 used 34 on MNIST); none by default.
    #[arg(long, value_name = "ALPHA")]
    pub elastic: Option<f64>,
    /// The elastic field's smoothness: its Gaussian's standard deviation in pixels.
    #[arg(long, value_name = "SIGMA", default_value_t = gan_data::elastic::Elastic::SIMARD.sigma, requires = "elastic")]
    pub elastic_sigma: f64,
    /// The fonts the digits are drawn from.
    #[arg(long, value_enum, default_value = "dejavu")]
    pub fonts: gan_data::digit_fonts::DigitFonts,
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
