//! The layout of a run directory:
//!
//! ```text
//! RUN/config.toml                  resolved configuration
//! RUN/metrics.jsonl                averaged metrics, one line per log interval
//! RUN/loss.png                     loss and D-output curves
//! RUN/eval.json                    the latest `gan eval` report
//! RUN/samples/step-00000500.png    8x8 grids from a fixed z
//! RUN/checkpoints/step-00001000/   generator/discriminator/optimizer safetensors, state.json
//! RUN/checkpoints/latest           name of the newest complete checkpoint
//! RUN/train.lock                   locked by the training process (holds its pid)
//! ```

use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct RunDir {
    root: PathBuf,
}

impl RunDir {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn config(&self) -> PathBuf {
        self.root.join("config.toml")
    }

    pub fn metrics(&self) -> PathBuf {
        self.root.join("metrics.jsonl")
    }

    /// The doctor's diagnoses, one JSON record per start or clear (see the `doctor` module).
    pub fn diagnoses(&self) -> PathBuf {
        self.root.join("diagnoses.jsonl")
    }

    pub fn eval(&self) -> PathBuf {
        self.root.join("eval.json")
    }

    /// TensorBoard event files.
    pub fn tensorboard(&self) -> PathBuf {
        self.root.join("tb")
    }

    pub fn loss_plot(&self) -> PathBuf {
        self.root.join("loss.png")
    }

    pub fn samples(&self) -> PathBuf {
        self.root.join("samples")
    }

    pub fn sample_grid(&self, step: u64) -> PathBuf {
        self.samples().join(format!("step-{step:08}.png"))
    }

    /// The sample grids saved so far, `(step, path)` in step order.
    pub fn sample_grids(&self) -> std::io::Result<Vec<(u64, PathBuf)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(self.samples())? {
            let path = entry?.path();
            let step = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_prefix("step-")?.strip_suffix(".png")?.parse().ok());
            if let Some(step) = step {
                out.push((step, path));
            }
        }
        out.sort();
        Ok(out)
    }

    pub fn checkpoints(&self) -> PathBuf {
        self.root.join("checkpoints")
    }

    pub fn checkpoint(&self, step: u64) -> PathBuf {
        self.checkpoints().join(format!("step-{step:08}"))
    }

    pub fn latest_pointer(&self) -> PathBuf {
        self.checkpoints().join("latest")
    }

    /// The file a training process locks (see `run::lock`).
    pub fn lock_file(&self) -> PathBuf {
        self.root.join("train.lock")
    }
}
