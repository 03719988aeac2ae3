//! Arguments of `gan matcher` (the text-image matcher of text-conditioned runs).

use std::path::PathBuf;

use clap::{Args, Subcommand};
use gan::DeviceChoice;

#[derive(Subcommand, Debug)]
pub enum MatcherCommand {
    /// Train the text-image matcher (DAMSM made small) on a captioned image folder's training
    /// rows (metadata fields `text`, `keywords`, `split`): the frozen text encoder of
    /// text-conditioned runs and the judge of R-precision.
    Train(MatcherTrainArgs),
}

#[derive(Args, Debug)]
pub struct MatcherTrainArgs {
    /// A captioned image folder (metadata.jsonl/.csv with `file_name` and `text`).
    #[arg(long)]
    pub data: PathBuf,
    /// Output weights (.safetensors); the card (vocabulary, scores, command) is written next
    /// to it as .json.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 3000)]
    pub steps: u64,
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Share of the training pairs whose text is the keyword list instead of the caption.
    #[arg(long, default_value_t = 0.5)]
    pub keyword_share: f64,
    /// Steps between held-out R-precision measurements.
    #[arg(long, default_value_t = 500)]
    pub eval_every: u64,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceChoice,
}
