//! Arguments of the image-to-image commands.

use std::path::PathBuf;

use clap::Args;
use gan::run::translator::Direction;

use super::LoadArgs;

#[derive(Args, Debug)]
pub struct TranslateArgs {
    /// A pix2pix or CycleGAN run directory.
    #[arg(long)]
    pub run: PathBuf,
    /// A PNG/JPEG file, or a folder of them (searched recursively).
    #[arg(long)]
    pub input: PathBuf,
    /// Folder to write the translations to (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// a2b (the trained direction), or b2a (CycleGAN runs, which learn both).
    #[arg(long, value_enum, default_value = "a2b")]
    pub direction: Direction,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Args, Debug)]
pub struct RefineArgs {
    /// A SimGAN run directory (`[data] kind = "rendered-to-mnist"`, e.g. preset mnist-simgan).
    #[arg(long)]
    pub run: PathBuf,
    /// Digits to render and refine (classes 0-9 in turn).
    #[arg(long, default_value_t = 60_000)]
    pub n: usize,
    /// The renderer's seed (default: the run's, so the first digits are those it trained on).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Folder to write train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz and
    /// preview.png (rendered and refined digits, row by row) to.
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Args, Debug)]
pub struct ProjectArgs {
    /// A trained image run (28x28 grey or any other size the run generates).
    #[command(flatten)]
    pub generator: super::GeneratorArgs,
    /// The sketch: a PNG/JPEG file, resized and centre-cropped to the run's images.
    #[arg(long)]
    pub image: PathBuf,
    /// Where the sketch counts: white (> 50% grey) pixels of this image (default: all).
    #[arg(long)]
    pub mask: Option<PathBuf>,
    /// Folder for best.png (sketch, then the best results), path.gif and projection.json.
    #[arg(long)]
    pub out: PathBuf,
    /// Random starts optimised together.
    #[arg(long, default_value_t = 8)]
    pub starts: i64,
    #[arg(long, default_value_t = 200)]
    pub steps: u32,
    /// Results kept in best.png.
    #[arg(long, default_value_t = 4)]
    pub keep: i64,
    /// Weight of the prior term mean(z^2).
    #[arg(long, default_value_t = 0.01)]
    pub prior: f64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// z (iGAN, any run), or StyleGAN2's w (one w for every layer) or w+ (one per layer)
    /// with the StyleGAN2 projector (--starts and --prior are for z; try --steps 1000).
    #[arg(long, value_enum, default_value = "z")]
    pub space: super::ProjectSpace,
}
