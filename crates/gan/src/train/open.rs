//! Starting a run and resuming one. Nothing on disk changes until everything a run needs has
//! loaded: the data opens, the networks build, a checkpoint's files all read back with the
//! right names, shapes and values. Only then does a new run create its directory, or a
//! resumed one record its holder in the lock file, set newer checkpoints aside and rewrite
//! its metrics log. Bad input therefore leaves the run directory exactly as it was.

use std::path::Path;

use gan_data::rng::mix;
use tch::Device;

use super::conditioning::{grid_inputs, run_classes};
use super::feed::Feed;
use super::{ToyView, Trainer, DATA_STREAM, FIXED_Z_STREAM};
use crate::config::{differences, TrainConfig};
use crate::doctor::Doctor;
use crate::error::{GanError, Result};
use crate::models::ema::AveragedGenerator;
use crate::models::precision::Precision;
use crate::optim::Optimizer;
use crate::run::checkpoint::{self, CheckpointChoice, DISCRIMINATOR_FILE, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::diagnoses::DiagnosesLog;
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::MetricsLog;
use gan_data::modes::PAPER_SAMPLES;

impl Trainer {
    /// Starts a new run in `run_dir`, which must not already hold a run.
    pub fn new(config: TrainConfig, run_dir: &Path, device: Device) -> Result<Self> {
        config.validate("configuration")?;
        let run = RunDir::new(run_dir);
        RunLock::check_free(&run)?;
        Self::build(config, run, device, None, RunLock::claim_new)
    }

    /// Continues the run in `run_dir` from its newest checkpoint. When `requested` is given
    /// (the configuration the user asked for now), it must equal the run's own except for the
    /// training length (`steps`/`epochs`), which may change to extend or shorten the run.
    ///
    /// `checkpoint` picks where to continue from (normally the newest); continuing from an
    /// older one moves the newer checkpoints into `checkpoints/superseded/` and truncates
    /// the metrics log to it.
    pub fn resume(run_dir: &Path, requested: Option<TrainConfig>, checkpoint: &CheckpointChoice, device: Device) -> Result<Self> {
        let run = RunDir::new(run_dir);
        if !run.config().is_file() {
            return Err(GanError::Invalid(format!("cannot resume {}: no config.toml there", run_dir.display())));
        }
        // Held while the checkpoint loads, so that no other trainer saves or prunes meanwhile.
        let lock = RunLock::acquire(&run)?;
        let saved = TrainConfig::load(&run.config())?;
        let config = match requested {
            None => saved,
            Some(req) => {
                let mut cmp = req.clone();
                cmp.steps = saved.steps;
                cmp.epochs = saved.epochs;
                if let Some((field, old, new)) = differences(&saved, &cmp).into_iter().next() {
                    return Err(GanError::ResumeMismatch { run: run_dir.into(), field, saved: old, new });
                }
                req
            }
        };
        let ckpt = checkpoint::resolve(&run, checkpoint)?;
        let latest = *checkpoint == CheckpointChoice::Latest;
        Self::build(config, run, device, ckpt.as_deref(), move |run| {
            // Only the process holding the lock may remove what an interrupted save left.
            checkpoint::remove_leftovers(run)?;
            Ok(lock)
        })
        .and_then(|trainer| {
            // Set the newer checkpoints aside only once the older one has loaded.
            if !latest {
                checkpoint::supersede_after(&trainer.run, trainer.step)?;
            }
            Ok(trainer)
        })
    }

    /// Loads everything the run needs without writing; then `claim` takes the directory
    /// (creating it, or cleaning up after an interrupted save, under the lock), and the run
    /// writes its holder, metrics log and configuration.
    fn build(config: TrainConfig, run: RunDir, device: Device, ckpt: Option<&Path>, claim: impl FnOnce(&RunDir) -> Result<RunLock>) -> Result<Self> {
        let state = ckpt.map(checkpoint::read_state).transpose()?;
        let batches_consumed = state.as_ref().map_or(0, |s| s.batches_consumed);
        let opened = Feed::open(config.data.open()?, config.batch_size, mix(&[config.seed, DATA_STREAM]), batches_consumed, config.conditional, device)?;
        let image = opened.image;
        config.model.check_image(image).map_err(|reason| GanError::Invalid(format!("model: {reason} (data: {})", config.data.describe())))?;
        // Labels beyond the named classes are damage, whether or not the run uses them.
        if let Some(k) = opened.classes {
            config.data.vocabulary(k)?;
        }
        let classes = if config.conditional { run_classes(&config, opened.classes)? } else { 0 };
        tch::manual_seed(config.seed as i64);
        let mut nets = config.model.build(image, classes, config.pack as i64, device);
        if config.precision == Precision::Bf16 {
            nets = nets.in_bf16(device);
        }
        let mut ema = config.model.ema.enabled().then(|| AveragedGenerator::new(&config.model, image, classes, &nets.g_vs));
        let mut opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
        let mut opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
        let step = match (ckpt, &state) {
            (Some(dir), Some(state)) => {
                if state.image != image {
                    return Err(GanError::Checkpoint {
                        path: dir.into(),
                        reason: format!("was trained on {} images, the data now gives {image}", state.image),
                    });
                }
                if state.classes != classes {
                    return Err(GanError::Checkpoint {
                        path: dir.into(),
                        reason: format!("was trained with {} classes, the data now gives {classes}", state.classes),
                    });
                }
                checkpoint::load_weights(&mut nets.g_vs, &dir.join(GENERATOR_FILE))?;
                checkpoint::load_weights(&mut nets.d_vs, &dir.join(DISCRIMINATOR_FILE))?;
                if let Some(e) = &mut ema {
                    checkpoint::load_weights(&mut e.vs, &dir.join(GENERATOR_EMA_FILE))?;
                }
                let opt = checkpoint::load_optimizer(dir)?;
                let opt_file = dir.join(checkpoint::OPTIMIZER_FILE);
                opt_g.load_state(&opt, "g.", &opt_file)?;
                opt_d.load_state(&opt, "d.", &opt_file)?;
                state.step
            }
            _ => 0,
        };
        let fixed_seed = mix(&[config.seed, FIXED_Z_STREAM]);
        let toy = config.data.toy().map(|dist| ToyView { dist, real: dist.sample(PAPER_SAMPLES, fixed_seed) });
        let (fixed_z, fixed_y) = match toy {
            Some(_) => (crate::models::latent::latents(PAPER_SAMPLES as i64, config.model.latent_dim(), fixed_seed, device), None),
            None => grid_inputs(config.model.latent_dim(), classes, fixed_seed, device),
        };
        let total_steps = config.total_steps(opened.len);
        let probe = (config.doctor.every > 0).then(|| crate::doctor::probe::Probe::for_run(&config, image, classes, device)).transpose()?;
        // Everything has loaded: from here on the run directory changes.
        let mut lock = claim(&run)?;
        lock.record_holder()?;
        // A user may have deleted the sample grids of a run to save space.
        std::fs::create_dir_all(run.samples()).map_err(GanError::io(run.samples()))?;
        // Records an interrupted run wrote after its last checkpoint are dropped.
        let (metrics_log, history) = MetricsLog::open(&run.metrics(), step, config.log.tensorboard.then(|| run.tensorboard()).as_deref())?;
        let (diagnoses_log, seen) = DiagnosesLog::open(&run.diagnoses(), step)?;
        checkpoint::write_atomic(&run.config(), config.to_toml().as_bytes())?;
        Ok(Self {
            doctor: Doctor::resume(config.doctor.clone(), seen),
            probe,
            last_real: None,
            checked_through: step,
            diagnoses_log,
            data_name: config.data.describe(),
            config,
            run,
            _lock: lock,
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
            step,
            batches_consumed,
            total_steps,
            fixed_z,
            fixed_y,
            toy,
            metrics_log,
            history,
            skipped: Vec::new(),
            dist: None,
        })
    }
}
