//! Starting and resuming a translation run; as for GAN runs (see `train::open`), nothing on
//! disk changes until the data, the networks and the checkpoint have all loaded.

use std::path::Path;

use tch::Device;

use super::feed::{bytes_tensor, to_pm1, PairFeed};
use super::pool::ImagePool;
use super::step::Pools;
use super::{TranslationTrainer, GRID_PAIRS};
use crate::config::translation::{TranslateConfig, TranslationModel};
use crate::error::{GanError, Result};
use crate::optim::{Optimizer, OptimizerConfig};
use crate::run::checkpoint::{self, CheckpointChoice, DISCRIMINATOR_FILE, GENERATOR_FILE};
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::MetricsLog;

impl TranslationTrainer {
    /// Starts a new run in `run_dir`, which must not already hold one.
    pub fn new(config: TranslateConfig, run_dir: &Path, device: Device) -> Result<Self> {
        config.validate("configuration")?;
        let run = RunDir::new(run_dir);
        RunLock::check_free(&run)?;
        Self::build(config, run, device, None, RunLock::claim_new)
    }

    /// Continues the run in `run_dir` from a checkpoint; `requested` may change only `steps`.
    pub fn resume(run_dir: &Path, requested: Option<TranslateConfig>, choice: &CheckpointChoice, device: Device) -> Result<Self> {
        let run = RunDir::new(run_dir);
        let lock = RunLock::acquire(&run)?;
        let text = std::fs::read_to_string(run.config()).map_err(GanError::io(run.config()))?;
        let saved = TranslateConfig::from_toml_str(&text, &run.config().display().to_string())?;
        let config = match requested {
            None => saved,
            Some(req) => {
                let cmp = TranslateConfig { steps: saved.steps, ..req.clone() };
                if let Some((field, old, new)) = crate::config::differences(&saved, &cmp).into_iter().next() {
                    return Err(GanError::ResumeMismatch { run: run_dir.into(), field, saved: old, new });
                }
                req
            }
        };
        let ckpt = checkpoint::resolve(&run, choice)?;
        let latest = *choice == CheckpointChoice::Latest;
        let trainer = Self::build(config, run, device, ckpt.as_deref(), move |run| {
            checkpoint::remove_leftovers(run)?;
            Ok(lock)
        })?;
        if !latest {
            checkpoint::supersede_after(&trainer.run, trainer.step)?;
        }
        Ok(trainer)
    }

    fn build(config: TranslateConfig, run: RunDir, device: Device, ckpt: Option<&Path>, claim: impl FnOnce(&RunDir) -> Result<RunLock>) -> Result<Self> {
        let set = config.data.open()?;
        let feed = PairFeed::new(&set, config.batch_size, config.seed, device)?;
        let image = feed.image;
        config.model.check_image(image).map_err(|reason| GanError::Invalid(format!("model: {reason} (data: {})", config.data.describe())))?;
        // The grid shows held-out pairs when the task has them, else the first training ones.
        let (grid_set, grid_paired) = match config.data.held_out() {
            Some(src) => (src.open()?, true),
            None => (set.clone(), set.paired),
        };
        let n = GRID_PAIRS.min(grid_set.a.len() as i64).min(grid_set.b.len() as i64);
        let grid_a = to_pm1(&bytes_tensor(&grid_set.a).narrow(0, 0, n), device);
        let grid_b = to_pm1(&bytes_tensor(&grid_set.b).narrow(0, 0, n), device);
        tch::manual_seed(config.seed as i64);
        let mut nets = config.model.build(image, device);
        let adam = OptimizerConfig::Adam(config.optim.clone());
        let mut opt_g = Optimizer::new(&nets.g_vs, adam.clone());
        let mut opt_d = Optimizer::new(&nets.d_vs, adam);
        let pool = match &config.model {
            TranslationModel::Cyclegan(m) => m.pool,
            TranslationModel::Pix2pix(_) => 0,
        };
        let mut pools = Pools { a: ImagePool::new(pool), b: ImagePool::new(pool) };
        let step = match ckpt {
            Some(dir) => {
                let state = checkpoint::read_state(dir)?;
                if state.image != image {
                    return Err(GanError::Checkpoint {
                        path: dir.into(),
                        reason: format!("was trained on {} images, the data now gives {image}", state.image),
                    });
                }
                checkpoint::load_weights(&mut nets.g_vs, &dir.join(GENERATOR_FILE))?;
                checkpoint::load_weights(&mut nets.d_vs, &dir.join(DISCRIMINATOR_FILE))?;
                let opt = checkpoint::load_optimizer(dir)?;
                let opt_file = dir.join(checkpoint::OPTIMIZER_FILE);
                opt_g.load_state(&opt, "g.", &opt_file)?;
                opt_d.load_state(&opt, "d.", &opt_file)?;
                for (name, pool) in [("pool.a", &mut pools.a), ("pool.b", &mut pools.b)] {
                    if let Some(t) = opt.get(name) {
                        pool.restore(&t.to_device(device));
                    }
                }
                state.step
            }
            None => 0,
        };
        let mut lock = claim(&run)?;
        lock.record_holder()?;
        std::fs::create_dir_all(run.samples()).map_err(GanError::io(run.samples()))?;
        let (metrics_log, history) = MetricsLog::open(&run.metrics(), step, config.log.tensorboard.then(|| run.tensorboard()).as_deref())?;
        checkpoint::write_atomic(&run.config(), config.to_toml().as_bytes())?;
        Ok(Self {
            data_name: config.data.describe(),
            data_len: set.a.len(),
            config,
            run,
            _lock: lock,
            feed,
            image,
            nets,
            opt_g,
            opt_d,
            pools,
            step,
            grid_a,
            grid_b,
            grid_paired,
            metrics_log,
            history,
            device,
        })
    }
}
