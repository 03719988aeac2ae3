//! Building a translation run's family: the data, the networks and the checkpoint all load
//! before the loop writes anything. CycleGAN's image pools come from the checkpoint's family
//! state (`family.safetensors`), or, in checkpoints written before there was one, from
//! `optimizer.safetensors`.

use std::path::Path;

use tch::{Device, Tensor};

use super::feed::{bytes_tensor, to_pm1, PairFeed};
use super::pool::ImagePool;
use super::step::Pools;
use super::task::{TaskNet, TASK_FILE};
use super::{AveragedGenerators, TranslationFamily, GRID_PAIRS};
use crate::config::simgan::SimGanConfig;
use crate::config::translation::{TranslateConfig, TranslationModel};
use crate::error::{GanError, Result};
use crate::optim::{Optimizer, OptimizerConfig};
use crate::run::checkpoint::{self, CheckpointChoice, DISCRIMINATOR_FILE, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::dir::RunDir;
use crate::train::Trainer;

/// A new translation run of `config` in `run_dir`.
pub fn new_run(config: TranslateConfig, run_dir: &Path, device: Device) -> Result<Trainer> {
    config.validate("configuration")?;
    Trainer::new(run_dir, &mut |ckpt| Ok(Box::new(TranslationFamily::build(config.clone(), device, ckpt)?)))
}

/// Continues the translation run in `run_dir` from a checkpoint; `requested` may change only
/// `steps`.
pub fn resume_run(run_dir: &Path, requested: Option<TranslateConfig>, choice: &CheckpointChoice, device: Device) -> Result<Trainer> {
    Trainer::resume(run_dir, choice, &mut |ckpt| {
        let config = resumed_config(run_dir, requested.clone())?;
        Ok(Box::new(TranslationFamily::build(config, device, ckpt)?))
    })
}

fn resumed_config(run_dir: &Path, requested: Option<TranslateConfig>) -> Result<TranslateConfig> {
    let run = RunDir::new(run_dir);
    let text = std::fs::read_to_string(run.config()).map_err(GanError::io(run.config()))?;
    let saved = TranslateConfig::from_toml_str(&text, &run.config().display().to_string())?;
    let Some(req) = requested else { return Ok(saved) };
    let cmp = TranslateConfig { steps: saved.steps, ..req.clone() };
    if let Some((field, old, new)) = crate::config::differences(&saved, &cmp).into_iter().next() {
        return Err(GanError::ResumeMismatch { run: run_dir.into(), field, saved: old, new });
    }
    Ok(req)
}

/// The sample grid's pairs: held-out ones when the task has them, else training ones;
/// spread evenly over the set (sorted sets group alike images: the emoji set's held-out
/// pairs start with eight flags), training ones one further image per row (the rendered
/// digits come in class order, so an even spread would show one class). Returns whether
/// they are true pairs.
fn grid_pairs(config: &TranslateConfig, set: &gan_data::pairs::PairSet, device: Device) -> Result<(Tensor, Tensor, bool)> {
    let (grid_set, paired, step) = match config.data.held_out() {
        Some(src) => (src.open()?, true, 0),
        None => (set.clone(), set.paired, 1),
    };
    let len = (grid_set.a.len() as i64).min(grid_set.b.len() as i64);
    let n = GRID_PAIRS.min(len);
    let spread = Tensor::from_slice(&(0..n).map(|i| (i * len / n + i * step).min(len - 1)).collect::<Vec<i64>>());
    let pick = |d: &gan_data::Dataset| to_pm1(&bytes_tensor(d).index_select(0, &spread), device);
    Ok((pick(&grid_set.a), pick(&grid_set.b), paired))
}

impl TranslationFamily {
    fn build(config: TranslateConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        let set = config.data.open()?;
        let cartoon = match &config.model {
            TranslationModel::Cartoongan(m) => Some(m),
            _ => None,
        };
        let feed = PairFeed::new(&set, config.batch_size, config.seed, device, cartoon.is_some_and(|m| m.edge_promoting))?;
        let content = cartoon.map(|m| super::content::load(&m.content, device)).transpose()?;
        let task = match (&config.model, ckpt) {
            (TranslationModel::Simgan(SimGanConfig { consistency: Some(c), .. }), Some(dir)) => Some(TaskNet::load(c, &dir.join(TASK_FILE), device)?),
            (TranslationModel::Simgan(SimGanConfig { consistency: Some(c), .. }), None) => Some(TaskNet::train(c, &set.a, config.seed, device)?),
            _ => None,
        };
        let image = feed.image;
        config.model.check_image(image).map_err(|reason| GanError::Invalid(format!("model: {reason} (data: {})", config.data.describe())))?;
        let (grid_a, grid_b, grid_paired) = grid_pairs(&config, &set, device)?;
        tch::manual_seed(config.seed as i64);
        let mut nets = config.model.build(image, config.precision, device);
        let adam = OptimizerConfig::Adam(config.optim.clone());
        let mut opt_g = Optimizer::new(&nets.g_vs, adam.clone());
        let mut opt_d = Optimizer::new(&nets.d_vs, adam);
        let pool = match &config.model {
            TranslationModel::Cyclegan(m) => m.pool,
            TranslationModel::Simgan(m) => m.history,
            TranslationModel::Pix2pix(_) | TranslationModel::Cartoongan(_) => 0,
        };
        let mut pools = Pools { a: ImagePool::new(pool), b: ImagePool::new(pool) };
        let mut ema = config.ema().enabled().then(|| AveragedGenerators::new(&config, image, &nets));
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
                if let Some(avg) = &mut ema {
                    checkpoint::load_weights(&mut avg.nets.vs, &dir.join(GENERATOR_EMA_FILE))?;
                }
                let opt = checkpoint::load_optimizer(dir)?;
                let opt_file = dir.join(checkpoint::OPTIMIZER_FILE);
                opt_g.load_state(&opt, "g.", &opt_file)?;
                opt_d.load_state(&opt, "d.", &opt_file)?;
                let own: std::collections::HashMap<String, tch::Tensor> = checkpoint::read_family_state(dir)?.tensors.into_iter().collect();
                for (name, pool) in [("pool.a", &mut pools.a), ("pool.b", &mut pools.b)] {
                    if let Some(t) = own.get(name).or_else(|| opt.get(name)) {
                        pool.restore(&t.to_device(device));
                    }
                }
                state.step
            }
            None => 0,
        };
        Ok(Self {
            data_name: config.data.describe(),
            data_len: set.a.len(),
            config,
            feed,
            image,
            nets,
            opt_g,
            opt_d,
            pools,
            content,
            task,
            ema,
            step,
            grid_a,
            grid_b,
            grid_paired,
            device,
            dist: None,
        })
    }
}
