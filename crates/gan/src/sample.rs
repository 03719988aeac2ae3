//! Loading a trained generator from a run directory and drawing samples from it.

use std::path::{Path, PathBuf};

use tch::{nn, Device, Kind, Tensor};

use crate::checkpoint::{self, GENERATOR_FILE};
use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::{Generator, ImageShape};
use crate::run_dir::RunDir;

/// Standard normal latents `[n, dim]` drawn on the CPU from `seed`, so that the same seed
/// gives the same z on every device.
pub fn latents(n: i64, dim: i64, seed: u64, device: Device) -> Tensor {
    tch::manual_seed(seed as i64);
    Tensor::randn([n, dim], (Kind::Float, Device::Cpu)).to_device(device)
}

/// A generator restored from the newest checkpoint of a run.
pub struct TrainedGenerator {
    pub config: TrainConfig,
    pub image: ImageShape,
    pub step: u64,
    pub checkpoint: PathBuf,
    _vs: nn::VarStore,
    g: Box<dyn Generator>,
    device: Device,
}

impl TrainedGenerator {
    pub fn load(run: &Path, device: Device) -> Result<Self> {
        if !run.is_dir() {
            return Err(GanError::Invalid(format!("run directory {} does not exist", run.display())));
        }
        let rd = RunDir::new(run);
        let config = TrainConfig::load(&rd.config())?;
        let dir = checkpoint::latest(&rd)?.ok_or_else(|| {
            GanError::Invalid(format!("{} has no checkpoint yet (checkpoints/latest is missing)", run.display()))
        })?;
        let state = checkpoint::read_state(&dir)?;
        let mut vs = nn::VarStore::new(device);
        let g = config.model.build_generator(&vs, state.image);
        checkpoint::load_weights(&mut vs, &dir.join(GENERATOR_FILE))?;
        Ok(Self { config, image: state.image, step: state.step, checkpoint: dir, _vs: vs, g, device })
    }

    pub fn latent_dim(&self) -> i64 {
        self.g.latent_dim()
    }

    /// Generates images `[n, C, H, W]` in `[-1, 1]` from `z` (`[n, latent_dim]`).
    pub fn generate(&self, z: &Tensor) -> Tensor {
        tch::no_grad(|| self.g.forward_t(&z.to_device(self.device), false))
    }

    /// As [`generate`](Self::generate) but recording the graph, so that gradients can flow
    /// back to `z` (steering).
    pub fn forward(&self, z: &Tensor) -> Tensor {
        self.g.forward_t(&z.to_device(self.device), false)
    }

    /// Draws `n` latents from `seed` and generates; returns `(z, images)` on the CPU.
    pub fn sample(&self, n: i64, seed: u64) -> (Tensor, Tensor) {
        let z = latents(n, self.latent_dim(), seed, self.device);
        let x = self.generate(&z);
        (z.to_device(Device::Cpu), x.to_device(Device::Cpu))
    }
}
