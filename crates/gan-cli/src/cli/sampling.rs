//! Arguments of `gan sample` and `gan interpolate`: drawing from a trained generator, by
//! class, prompt or keyword list, and paths between two latents, classes or prompts.

use std::path::PathBuf;

use clap::Args;
use gan::explore::latent_path::PathMode;

use super::{GeneratorArgs, LatentArgs, LatentSpace, SampleFormat};

#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub generator: GeneratorArgs,
    /// Number of images (per class when classes are chosen; per caption with --held-out);
    /// default 64 (4 with --held-out).
    #[arg(long)]
    pub n: Option<i64>,
    #[command(flatten)]
    pub latents: LatentArgs,
    /// Truncation in W toward the average w (StyleGAN2 runs): `w_avg + psi (w - w_avg)`.
    #[arg(long)]
    pub truncation_psi: Option<f64>,
    /// Class to draw, by number or name (conditional runs); repeat for a labelled grid.
    #[arg(long, conflicts_with = "prompt")]
    pub class: Vec<String>,
    /// Keywords naming the classes to draw (conditional runs): "ankle boot", "sneakers and
    /// bags", "3 7". Several classes give a labelled grid, one block per class. A text run
    /// (`[text]`) draws any phrase: "cat face with heart eyes".
    #[arg(long)]
    pub prompt: Option<String>,
    /// A keyword list for a text run: cat,heart,love.
    #[arg(long, value_delimiter = ',')]
    pub keywords: Vec<String>,
    /// A text run's held-out captions (`split = test`, never seen in training) beside their
    /// real images: this many captions (a --seed choice), each with --n designs.
    #[arg(long, conflicts_with_all = ["prompt", "keywords", "class"])]
    pub held_out: Option<usize>,
    /// Output file.
    #[arg(long)]
    pub out: PathBuf,
    /// png: a grid; idx: raw images as an IDX file (.gz compresses); safetensors: `z` and
    /// `images` tensors (float, [-1, 1]).
    #[arg(long, value_enum, default_value = "png")]
    pub format: SampleFormat,
    /// Images per row of the PNG grid (default 8; a conditional run without chosen classes
    /// puts one class per column).
    #[arg(long)]
    pub nrow: Option<usize>,
}

#[derive(Args, Debug)]
pub struct InterpolateArgs {
    #[command(flatten)]
    pub generator: GeneratorArgs,
    /// Seed of the starting latent (the first image of `gan sample --seed FROM`).
    #[arg(long, default_value_t = 0)]
    pub from: u64,
    /// Seed of the final latent; without it z stays fixed (morph classes with --to-class).
    #[arg(long)]
    pub to: Option<u64>,
    /// Class at the start, by number or name (conditional runs; default class 0).
    #[arg(long)]
    pub from_class: Option<String>,
    /// Class at the end (default: the start's); the one-hot input slides linearly between.
    #[arg(long)]
    pub to_class: Option<String>,
    /// A text run's prompt at the start ("cat face").
    #[arg(long, conflicts_with_all = ["from_class", "to_class"])]
    pub from_prompt: Option<String>,
    /// A text run's prompt at the end ("dog face"); the sentence vector slides linearly
    /// between: one design morphing into another.
    #[arg(long, conflicts_with_all = ["from_class", "to_class"])]
    pub to_prompt: Option<String>,
    /// Images along the path, both ends included.
    #[arg(long, default_value_t = 16)]
    pub frames: i64,
    #[arg(long, value_enum, default_value = "slerp")]
    pub mode: PathMode,
    /// z, or w (StyleGAN2 runs; a straight line, whatever --mode says).
    #[arg(long, value_enum, default_value = "z")]
    pub space: LatentSpace,
    /// The PNG strip; the GIF is written next to it with the extension .gif.
    #[arg(long)]
    pub out: PathBuf,
    /// Enlargement of the GIF's frames (nearest neighbour).
    #[arg(long, default_value_t = 4)]
    pub scale: u32,
    /// Milliseconds per GIF frame.
    #[arg(long, default_value_t = 120)]
    pub delay_ms: u32,
}
