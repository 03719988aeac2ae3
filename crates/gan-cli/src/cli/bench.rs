//! Arguments of `gan bench`.

use std::path::PathBuf;

use clap::Args;

use gan::DeviceChoice;

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// Which training step to time.
    #[arg(long, value_enum, default_value = "mlp")]
    pub model: crate::bench::BenchModel,
    /// Images per batch (default: the model's preset's; 64 for the GAN steps, 16 for CycleGAN).
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Timed steps.
    #[arg(long, default_value_t = 200)]
    pub steps: u64,
    /// Untimed steps first.
    #[arg(long, default_value_t = 20)]
    pub warmup: u64,
    #[arg(long, value_enum, default_value = "cpu")]
    pub device: DeviceChoice,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Time the image-folder decoder on this folder instead of a training step (batches of
    /// --batch-size images per second, decoded ahead as in training).
    #[arg(long)]
    pub folder: Option<PathBuf>,
    /// Image side for --folder.
    #[arg(long, default_value_t = 128)]
    pub size: u32,
    /// Instead of timing, run one step of --model on CPU from seeded weights and inputs and
    /// write them and the weights after it to this folder (`bench/reference.py --check`
    /// runs the same step in PyTorch and compares).
    #[arg(long, conflicts_with = "folder")]
    pub dump_step: Option<PathBuf>,
    /// The networks' arithmetic (as the run configuration's `precision`).
    #[arg(long, value_enum, default_value = "f32")]
    pub precision: gan::models::precision::Precision,
    /// Instead of one model, time the mnist-dcgan step over --sweep-sizes x --sweep-batches
    /// (images/s and GFLOP/s against a 2048^3 matmul's) and print a Markdown table.
    #[arg(long, conflicts_with_all = ["folder", "dump_step"])]
    pub sweep: bool,
    /// Image sides for --sweep (the presets': 28, 64, 128).
    #[arg(long, value_delimiter = ',', default_value = "28,64,128")]
    pub sweep_sizes: Vec<i64>,
    /// Batch sizes for --sweep.
    #[arg(long, value_delimiter = ',', default_value = "32,64,128,256,512")]
    pub sweep_batches: Vec<usize>,
    /// Seconds each --sweep point is timed for, at least (and at least two steps).
    #[arg(long, default_value_t = 3.0)]
    pub sweep_secs: f64,
    /// With --sweep: also draw images/s against batch size, one line per image size, to this PNG.
    #[arg(long, requires = "sweep")]
    pub plot: Option<PathBuf>,
}

impl BenchArgs {
    /// The batch size timed: `--batch-size`, else the model's own.
    pub fn batch(&self) -> usize {
        self.batch_size.unwrap_or(self.model.default_batch())
    }
}
