//! Arguments of the StyleGAN2 commands.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::GeneratorArgs;

#[derive(Args, Debug)]
pub struct MixArgs {
    #[command(flatten)]
    pub generator: GeneratorArgs,
    /// Seeds of the row sources (down the left; they give every style but the mixed ones).
    #[arg(long, value_delimiter = ',', default_value = "0,1,2,3")]
    pub rows: Vec<u64>,
    /// Seeds of the column sources (along the top; they give the styles of --layers).
    #[arg(long, value_delimiter = ',', default_value = "4,5,6,7,8")]
    pub cols: Vec<u64>,
    /// The layers taken from the columns: coarse (4x4-8x8: pose, shape), middle (16x16-32x32),
    /// fine (64x64 up: colours), or indices of w as FIRST-LAST (e.g. 0-3).
    #[arg(long, default_value = "coarse")]
    pub layers: String,
    /// Truncation in W toward the average w (1: none).
    #[arg(long, default_value_t = 1.0)]
    pub truncation_psi: f64,
    /// The PNG grid.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// A pretrained StyleGAN2 generator: rosinality/stylegan2-pytorch's .pt (g_ema,
    /// latent_avg) or NVlabs/stylegan2-ada-pytorch's .pkl (G_ema), read without running any
    /// code from the file.
    Stylegan2(ImportStylegan2Args),
}

#[derive(Args, Debug)]
pub struct ImportStylegan2Args {
    /// The .pt or .pkl file.
    pub file: PathBuf,
    /// The new run directory.
    #[arg(long)]
    pub out: PathBuf,
    /// A folder of the images it was trained on, for `gan eval` (default: data/imported).
    #[arg(long)]
    pub data: Option<PathBuf>,
}
