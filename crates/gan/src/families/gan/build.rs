//! Building a GAN run's family: the data opens, the networks build, and a checkpoint's files
//! all read back with the right names, shapes and values, before the loop writes anything.

use std::path::Path;

use gan_data::rng::mix;
use tch::{Device, Kind, Tensor};

use super::conditioning::{grid_inputs, run_classes};
use super::feed::Feed;
use super::{GanFamily, ToyView, DATA_STREAM, FIXED_Z_STREAM};
use crate::config::{differences, TrainConfig};
use crate::error::{GanError, Result};
use crate::models::ema::AveragedGenerator;
use crate::models::precision::Precision;
use crate::optim::Optimizer;
use crate::run::checkpoint::{self, CheckpointState, DISCRIMINATOR_FILE, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::dir::RunDir;
use gan_data::modes::PAPER_SAMPLES;

/// The configuration to continue the run in `run_dir` with: its own, or `requested`, which
/// may differ from it only in the training length (`steps`/`epochs`).
pub(crate) fn resumed_config(run_dir: &Path, requested: Option<TrainConfig>) -> Result<TrainConfig> {
    let run = RunDir::new(run_dir);
    let saved = TrainConfig::load(&run.config())?;
    let Some(req) = requested else { return Ok(saved) };
    let mut cmp = req.clone();
    cmp.steps = saved.steps;
    cmp.epochs = saved.epochs;
    if let Some((field, old, new)) = differences(&saved, &cmp).into_iter().next() {
        return Err(GanError::ResumeMismatch { run: run_dir.into(), field, saved: old, new });
    }
    Ok(req)
}

impl GanFamily {
    /// Loads everything the run needs (from the checkpoint `ckpt`, when given) without
    /// writing anything.
    pub(crate) fn build(config: TrainConfig, device: Device, ckpt: Option<&Path>) -> Result<Self> {
        let state = ckpt.map(checkpoint::read_state).transpose()?;
        let batches_consumed = state.as_ref().map_or(0, |s| s.batches_consumed);
        let opened = Feed::open(config.data.open()?, config.batch_size, mix(&[config.seed, DATA_STREAM]), batches_consumed, config.conditional, device)?;
        let image = opened.image;
        config.model.check_image(image).map_err(|reason| GanError::Invalid(format!("model: {reason} (data: {})", config.data.describe())))?;
        // Labels beyond the named classes are damage, whether or not the run uses them.
        if let Some(k) = opened.classes {
            config.data.vocabulary(k)?;
        }
        let labelled = if config.conditional { run_classes(&config, opened.classes)? } else { 0 };
        let class_names = match labelled {
            0 => Vec::new(),
            k => {
                let v = config.data.vocabulary(k as usize)?;
                (0..v.len()).map(|i| v.name(i).to_string()).collect()
            }
        };
        let text = config.text.is_some().then(|| super::text::TextTable::build(&config, &class_names, device)).transpose()?;
        let classes = text.as_ref().map_or(labelled, |t| t.width());
        tch::manual_seed(config.seed as i64);
        let mut nets = config.model.build(image, classes, config.pack as i64, device);
        if config.precision == Precision::Bf16 {
            nets = nets.in_bf16(device);
        }
        let ema = config.model.ema.enabled().then(|| AveragedGenerator::new(&config.model, image, classes, &nets.g_vs));
        let opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
        let opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
        let fixed_seed = mix(&[config.seed, FIXED_Z_STREAM]);
        let toy = config.data.toy().map(|dist| ToyView { dist, real: dist.sample(PAPER_SAMPLES, fixed_seed) });
        let latent = config.model.latent_dim();
        let (fixed_z, fixed_y, grid_columns) = match (&toy, &text) {
            (Some(_), _) => (crate::models::latent::latents(PAPER_SAMPLES as i64, latent, fixed_seed, device), None, 8),
            (None, Some(t)) => {
                let (z, y, shown) = t.grid(latent, fixed_seed, device);
                (z, Some(y), shown.len())
            }
            (None, None) => {
                let (z, y) = grid_inputs(latent, classes, fixed_seed, device);
                (z, y, if classes > 0 { classes as usize } else { 8 })
            }
        };
        let total_steps = config.total_steps(opened.len);
        let probe = (config.doctor.every > 0).then(|| crate::doctor::probe::Probe::for_run(&config, image, classes, device)).transpose()?;
        // A text run's sample check draws with its captions' conditions.
        let probe = match (probe, &text) {
            (Some(p), Some(t)) => Some(p.with_conditions(|n| t.captions_of(&Tensor::arange(n, (Kind::Int64, device)).remainder(labelled)))),
            (p, _) => p,
        };
        let ada = config.augment.ada.map(super::ada::Ada::new);
        let mut family = Self {
            probe,
            last_real: None,
            data_name: config.data.describe(),
            class_names,
            text,
            grid_columns,
            config,
            device,
            feed: opened.feed,
            data_len: opened.len,
            batches_per_epoch: opened.batches_per_epoch,
            image,
            classes,
            nets,
            ema,
            opt_g,
            opt_d,
            batches_consumed,
            total_steps,
            fixed_z,
            fixed_y,
            toy,
            skipped: Vec::new(),
            dist: None,
            ada,
            real_batches: 1,
            real_view: None,
        };
        if let (Some(dir), Some(state)) = (ckpt, &state) {
            family.load(dir, state)?;
        }
        Ok(family)
    }

    /// Loads the checkpoint in `dir` (whose state.json says `state`), checking that it was
    /// trained on data of this shape.
    fn load(&mut self, dir: &Path, state: &CheckpointState) -> Result<()> {
        let mismatch = |reason: String| Err(GanError::Checkpoint { path: dir.into(), reason });
        if state.image != self.image {
            return mismatch(format!("was trained on {} images, the data now gives {}", state.image, self.image));
        }
        if state.classes != self.classes {
            return mismatch(format!("was trained with {} classes, the data now gives {}", state.classes, self.classes));
        }
        checkpoint::load_weights(&mut self.nets.g_vs, &dir.join(GENERATOR_FILE))?;
        checkpoint::load_weights(&mut self.nets.d_vs, &dir.join(DISCRIMINATOR_FILE))?;
        if let Some(e) = &mut self.ema {
            checkpoint::load_weights(&mut e.vs, &dir.join(GENERATOR_EMA_FILE))?;
        }
        if let Some(ada) = &mut self.ada {
            let values = checkpoint::read_family_state(dir)?.values;
            let state = serde_json::from_value(values["ada"].clone())
                .map_err(|e| GanError::Checkpoint { path: dir.join(checkpoint::FAMILY_VALUES_FILE), reason: format!("no adaptive augmentation state: {e}") })?;
            ada.restore(state, self.device);
        }
        let opt = checkpoint::load_optimizer(dir)?;
        let opt_file = dir.join(checkpoint::OPTIMIZER_FILE);
        self.opt_g.load_state(&opt, "g.", &opt_file)?;
        self.opt_d.load_state(&opt, "d.", &opt_file)
    }
}

/// How a family of `TrainConfig` runs is built: from a configuration, on a device, from a
/// checkpoint folder or none.
pub(crate) type BuildFamily<F> = fn(TrainConfig, Device, Option<&Path>) -> Result<F>;

/// A new run of `config` in `run_dir` of the family `build` makes.
pub(crate) fn new_family_run<F: crate::train::Family + 'static>(
    config: TrainConfig,
    run_dir: &Path,
    device: Device,
    build: BuildFamily<F>,
) -> Result<crate::train::Trainer> {
    config.validate("configuration")?;
    crate::train::Trainer::new(run_dir, &mut |ckpt| Ok(Box::new(build(config.clone(), device, ckpt)?)))
}

/// Continues the run in `run_dir` of the family `build` makes, with its configuration or
/// `requested` (see [`resumed_config`]).
pub(crate) fn resume_family_run<F: crate::train::Family + 'static>(
    run_dir: &Path,
    requested: Option<TrainConfig>,
    choice: &crate::run::checkpoint::CheckpointChoice,
    device: Device,
    build: BuildFamily<F>,
) -> Result<crate::train::Trainer> {
    crate::train::Trainer::resume(run_dir, choice, &mut |ckpt| Ok(Box::new(build(resumed_config(run_dir, requested.clone())?, device, ckpt)?)))
}
