//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use gan::DeviceChoice;

mod bench;
mod choices;
mod data;
mod groups;
mod sampling;
mod style;
mod text;
mod translation;
mod web;

pub use bench::*;
pub use choices::*;
pub use data::*;
pub use groups::*;
pub use sampling::*;
pub use style::*;
pub use text::*;
pub use translation::*;
pub use web::*;

#[derive(Parser, Debug)]
#[command(name = "gan", version, about = "Train, sample, explore and benchmark generative adversarial networks")]
pub struct Cli {
    /// CPU threads for libtorch (default: libtorch's choice, one per core).
    #[arg(long, global = true)]
    pub threads: Option<i32>,
    /// Memory layout of convolution weights and activations: contiguous (NCHW) or
    /// channels-last (NHWC, oneDNN's and cuDNN's native layout). Results agree to float rounding.
    #[arg(long, global = true, value_enum, default_value = "contiguous")]
    pub memory_format: gan::device::MemoryFormatChoice,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Train a GAN (a new run, or continue one with --resume).
    Train(TrainArgs),
    /// Generate images from a trained run.
    Sample(SampleArgs),
    /// Walk the latent space between two seeds: a PNG strip and an animated GIF.
    Interpolate(InterpolateArgs),
    /// A style-mixing grid of a StyleGAN2 run: each row's image with the coarse, middle or
    /// fine styles of each column's.
    Mix(MixArgs),
    /// Import pretrained weights as a run: `gan import stylegan2 FILE --out RUN`.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Turn a run's fixed-z sample grids into an animated GIF of training.
    Animate(AnimateArgs),
    /// Steer latents towards a class with a classifier's gradient (no retraining), in a run
    /// that generates 28x28 grey images unconditionally.
    Steer(SteerArgs),
    /// Train (or evaluate) the small CNN that judges generated images.
    #[command(subcommand)]
    Classifier(ClassifierCommand),
    /// Train the text-image matcher of text-conditioned runs (their text encoder and R-precision).
    #[command(subcommand)]
    Matcher(MatcherCommand),
    /// Score a run: mode metrics (toy data) or FID, KID, classifier score, precision/recall,
    /// density/coverage and class coverage (images); writes RUN/eval.json.
    Eval(EvalArgs),
    /// List a run's checkpoints: step, time saved, size and the metrics logged at that step.
    Checkpoints(CheckpointsArgs),
    /// Diagnose a run: the diagnoses recorded while it trained (mode collapse, ignored labels,
    /// a winning or idle discriminator, vanishing or exploding gradients, an exploding critic,
    /// divergence), or those its metrics show, and what its checkpoint draws now.
    Doctor(DoctorArgs),
    /// Print evaluated runs side by side (runs without an eval.json of their newest checkpoint
    /// are evaluated first).
    Compare(CompareArgs),
    /// List the built-in presets (or print one's complete configuration with --show).
    Presets(PresetsArgs),
    /// A local web dashboard: every run in a directory with its curves, sample grids and
    /// evaluation, updated live while it trains; and the lab.
    Serve(ServeArgs),
    /// Interactive 1-D/2-D GAN experiments in the browser (starts the server and prints the
    /// lab's address).
    Lab(LabArgs),
    /// Measure training steps per second.
    Bench(BenchArgs),
    /// Translate images with a trained pix2pix, CycleGAN or CartoonGAN run.
    Translate(TranslateArgs),
    /// Render digits and refine them with a trained SimGAN run: a labelled data set (IDX)
    /// for training recognisers (`gan eval --cas --cas-train OUT` scores it).
    Refine(RefineArgs),
    /// Project a sketch onto a trained generator (iGAN): the latents whose images match it.
    Project(ProjectArgs),
    /// Canonical data sets: `gan data fetch mnist | fashion-mnist | cifar10`.
    #[command(subcommand)]
    Data(DataCommand),
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// A preset to start from (see `gan presets`); default mnist-rpgan.
    #[arg(long)]
    pub preset: Option<gan::presets::Named>,
    /// A TOML file with any subset of the configuration's fields, applied over the preset.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Data to train on: a folder of IDX files (train-images-idx3-ubyte[.gz], optional
    /// labels), or, for presets and configs that read image folders, a folder of PNG/JPEG
    /// images (searched recursively).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Names of the labels of --data's IDX files (used by conditional runs' prompts);
    /// without it a preset's names are kept, and other data's classes go by number.
    #[arg(long, value_enum)]
    pub classes: Option<ClassesArg>,
    /// Training length in generator steps.
    #[arg(long, conflicts_with = "epochs")]
    pub steps: Option<u64>,
    /// Training length in passes over the data.
    #[arg(long)]
    pub epochs: Option<u64>,
    #[arg(long)]
    pub batch_size: Option<usize>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// The networks' arithmetic (the configuration's `precision`): f32, or bf16 (matrix
    /// products and convolutions in bfloat16; weights, losses and optimiser in float32).
    #[arg(long, value_enum)]
    pub precision: Option<gan::models::precision::Precision>,
    /// Run directory to create (default runs/<preset>-<UTC time>).
    #[arg(long, conflicts_with = "resume")]
    pub out: Option<PathBuf>,
    /// Continue the run in this directory from its newest checkpoint.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// With --resume: continue from this checkpoint (a step number or a checkpoint
    /// directory) instead of the newest; newer ones move to checkpoints/superseded/.
    #[arg(long, value_name = "STEP|PATH")]
    pub checkpoint: Option<gan::run::checkpoint::CheckpointChoice>,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceChoice,
    /// Plain progress lines instead of a progress bar.
    #[arg(long)]
    pub no_progress: bool,
    /// When training ends, evaluate the run as `gan eval --run DIR` does (writes
    /// DIR/eval.json and prints its table).
    #[arg(long)]
    pub eval: bool,
    /// Train data-parallel in N processes on this machine (this one is rank 0 and writes
    /// the run; the others start with the same arguments), as `torchrun --nproc-per-node N`
    /// would. Under torchrun, leave it out: its environment names the ranks.
    #[arg(long, value_name = "N")]
    pub nproc: Option<usize>,
    /// A signal that, like SIGINT and SIGTERM, stops training after the current step with a
    /// checkpoint (SLURM: `#SBATCH --signal=USR1@120` with `--stop-signal usr1`).
    #[arg(long, value_enum)]
    pub stop_signal: Option<crate::signals::StopSignal>,
    /// Seconds a rank waits for the others (to join, or in any collective) before failing.
    #[arg(long, default_value_t = 600, value_name = "SECS")]
    pub dist_timeout: u64,
}

#[derive(Args, Debug)]
pub struct AnimateArgs {
    /// The run directory whose samples/step-*.png become the frames.
    #[arg(long)]
    pub run: PathBuf,
    /// Output GIF (default RUN/training.gif).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Milliseconds per frame (the last frame is held three times as long).
    #[arg(long, default_value_t = 200)]
    pub delay_ms: u32,
    /// Enlargement of the frames (nearest neighbour).
    #[arg(long, default_value_t = 1)]
    pub scale: u32,
}

#[derive(Args, Debug)]
pub struct SteerArgs {
    #[command(flatten)]
    pub generator: GeneratorArgs,
    /// The class to move towards: a name ("sneaker", "seven") or a label number; for colour
    /// runs, a head of the emoji classifier and one of its classes, FIELD=VALUE
    /// ("skin_tone=5", "group=animals & nature", "subgroup=cat-face").
    #[arg(long)]
    pub target: String,
    #[command(flatten)]
    pub classifier: ClassifierArg,
    /// Number of latents steered together.
    #[arg(long, default_value_t = 16)]
    pub n: i64,
    /// Seed of the starting latents (those of `gan sample --seed`).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Gradient steps on z.
    #[arg(long, default_value_t = 100)]
    pub steps: u32,
    /// Adam's learning rate on z.
    #[arg(long, default_value_t = 0.1)]
    pub lr: f64,
    /// Weight of a penalty on changing the other classes' probabilities (0 = off).
    #[arg(long, default_value_t = 0.0)]
    pub keep_others: f64,
    /// Before/after grid (.png); the GIF (.gif) and probability trace (.json) go next to it.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Subcommand, Debug)]
pub enum ClassifierCommand {
    /// Train on labelled 28x28 IDX data; held-out accuracy goes into a JSON card next to
    /// the weights.
    Train(ClassifierTrainArgs),
    /// Label a run's samples with a classifier: per class asked for, how often it agrees
    /// (conditional runs), or the histogram of classes drawn (unconditional runs).
    Judge(ClassifierJudgeArgs),
}

#[derive(Args, Debug)]
pub struct ClassifierJudgeArgs {
    #[command(flatten)]
    pub generator: GeneratorArgs,
    /// Samples per class (conditional runs) or in all.
    #[arg(long, default_value_t = 1000)]
    pub n: i64,
    #[command(flatten)]
    pub latents: LatentArgs,
    #[command(flatten)]
    pub classifier: ClassifierArg,
    /// Also write the judgement as JSON.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    /// The run directory (its newest checkpoint is evaluated).
    #[arg(long, required_unless_present = "cas_train")]
    pub run: Option<PathBuf>,
    /// Image runs: score the PNG/JPEG images of this folder (decoded at the run's size) in
    /// place of the generator's samples, against the same real images in the same space: a
    /// baseline from held-out real images, or another tool's samples. Printed, not written
    /// to RUN/eval.json.
    #[arg(long, value_name = "DIR")]
    pub samples: Option<PathBuf>,
    /// With --samples on a folder with metadata: score only its rows with FIELD = VALUE
    /// (repeatable; e.g. split=test for the emoji set's held-out emojis).
    #[arg(long, value_name = "FIELD=VALUE", requires = "samples")]
    pub samples_filter: Vec<String>,
    /// The classification accuracy score of a conditional 28x28 run or a SimGAN run: train
    /// the LeNet classifier on --n of its labelled samples or refined digits (default 10000,
    /// the classes in turn) and test it on real held-out images; writes RUN/cas.json.
    #[arg(long, conflicts_with = "samples")]
    pub cas: bool,
    /// With --cas: the real test images, a folder of labelled IDX files (its t10k-* files
    /// when present); default: the test split of the run's IDX data.
    #[arg(long, value_name = "DIR", requires = "cas")]
    pub cas_test: Option<PathBuf>,
    /// With --cas, instead of a run: the classification accuracy score of a labelled data
    /// set, a folder of IDX files (its train split; e.g. `gan data render`'s digits); needs
    /// --cas-test.
    #[arg(long, value_name = "DIR", requires = "cas", conflicts_with = "run")]
    pub cas_train: Option<PathBuf>,
    /// With --cas-test on a folder without t10k files: test on its last 2,000 images only
    /// (those mnist-simgan's refiner never sees); with --cas-train on the same folder, train
    /// on the others (real training data, the ceiling).
    #[arg(long, requires = "cas_test")]
    pub cas_held_out: bool,
    /// With --cas: the classifier's passes over the generated images.
    #[arg(long, default_value_t = 5, requires = "cas")]
    pub cas_epochs: u32,
    #[command(flatten)]
    pub how: EvalHow,
}

#[derive(Args, Debug)]
pub struct CheckpointsArgs {
    /// The run directory.
    pub run: PathBuf,
}

#[derive(Args, Debug)]
pub struct DoctorArgs {
    /// The run directory.
    pub run: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

#[derive(Args, Debug)]
pub struct PresetsArgs {
    /// Print this preset's complete configuration as TOML (a starting point for --config).
    #[arg(long, value_name = "PRESET")]
    pub show: Option<gan::presets::Named>,
}

#[derive(Args, Debug)]
pub struct CompareArgs {
    /// Run directories.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Evaluate every run again, even those with an eval.json.
    #[arg(long)]
    pub fresh: bool,
    #[command(flatten)]
    pub how: EvalHow,
}

/// Options shared by `eval` and `compare`.
#[derive(Args, Debug)]
pub struct EvalHow {
    /// Samples to generate (default: 2500 for toy data, as VEEGAN/PacGAN; 10000 for images).
    #[arg(long)]
    pub n: Option<usize>,
    /// Seed of the latent vectors (and of KID's subsets).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Truncation trick (Brock et al. 2019): score samples whose latent entries beyond this
    /// magnitude are redrawn (e.g. 0.5): more typical, less varied; recorded in eval.json.
    #[arg(long)]
    pub truncation: Option<f64>,
    /// StyleGAN2 runs: score samples truncated in W toward the average w,
    /// `w_avg + psi (w - w_avg)` (as `gan sample --truncation-psi`); recorded in eval.json.
    #[arg(long)]
    pub truncation_psi: Option<f64>,
    #[command(flatten)]
    pub classifier: ClassifierArg,
    #[command(flatten)]
    pub features: FeatureArgs,
    /// Folder for cached real-data features (default $GAN_CACHE_DIR, else
    /// $XDG_CACHE_HOME/gan, else ~/.cache/gan).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Do not read or write the real-feature cache.
    #[arg(long)]
    pub no_cache: bool,
    #[command(flatten)]
    pub load: LoadArgs,
}

impl EvalHow {
    /// The latents the measurement draws.
    pub fn draw(&self) -> gan::models::latent::LatentDraw {
        gan::models::latent::LatentDraw { seed: self.seed, truncation: self.truncation }
    }

    /// The run's generator, truncated in W when `--truncation-psi` asks.
    pub fn generator(&self, run: &std::path::Path) -> anyhow::Result<(gan::run::trained::TrainedGenerator, tch::Device)> {
        let (mut g, device) = self.load.load(run)?;
        if let Some(psi) = self.truncation_psi {
            g.truncate_in_w(psi)?;
        }
        Ok((g, device))
    }
}

#[derive(Args, Debug)]
pub struct ClassifierTrainArgs {
    /// A folder of labelled IDX files (default: the built-in MNIST-10k). Its t10k-* files,
    /// when present, are the held-out set; otherwise a seeded 10% of the training images.
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Output weights (.safetensors); the card is written next to it as .json.
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 5)]
    pub epochs: u32,
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[arg(long, value_enum, default_value = "auto")]
    pub device: DeviceChoice,
    /// An attribute classifier of colour images instead: one head per metadata field of the
    /// image folder --data (e.g. group,subgroup,skin_tone,folder for the emoji set).
    #[arg(long, value_delimiter = ',')]
    pub heads: Vec<String>,
    /// The rows an attribute classifier holds out to measure itself, FIELD=VALUE.
    #[arg(long, default_value = "split=test")]
    pub held_out: String,
}
