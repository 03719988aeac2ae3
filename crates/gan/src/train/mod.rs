//! The training loop: builds a run from a configuration (or resumes one from its
//! directory), steps the GAN, and writes metrics, sample grids, loss curves and checkpoints,
//! reporting [`Event`]s as it goes.

mod checkup;
mod conditioning;
pub mod feed;
pub(crate) mod guard;
mod open;
mod parallel;
pub mod record;
pub mod stats;
pub mod step;
mod vae_step;

use std::path::Path;
use std::time::Instant;

use gan_data::rng::mix;
use tch::{Device, Kind, Tensor};

use crate::config::TrainConfig;
use crate::device;
use crate::doctor::Doctor;
use crate::draw::{grid, plot, scatter};
use crate::error::{GanError, Result};
use crate::events::Event;
use crate::models::condition::one_hot;
use crate::models::ema::AveragedGenerator;
use crate::models::{param_count, ImageShape, Nets, Partner};
use crate::optim::Optimizer;
use crate::run::checkpoint::{self, CheckpointParts, CheckpointState};
use crate::run::diagnoses::DiagnosesLog;
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::{MetricsLog, StepMetrics};
use gan_data::modes::mode_report;
use gan_data::toy::ToyDist;

use feed::Feed;
use record::{Record, Window};
use step::{gan_step, RealBatch, StepParts};

/// Stream tags mixed with the run seed, so each use of randomness is independent.
const STEP_STREAM: u64 = 1;
const FIXED_Z_STREAM: u64 = 2;
const DATA_STREAM: u64 = 3;
/// Number of images in the fixed-z sample grid (8x8; see `grid_inputs` for conditional runs).
pub const GRID_SAMPLES: i64 = 64;

/// What a toy run plots.
struct ToyView {
    dist: ToyDist,
    real: Vec<f32>,
}

/// A run in progress.
pub struct Trainer {
    config: TrainConfig,
    run: RunDir,
    /// Held for the trainer's life: no second process trains this run meanwhile.
    _lock: RunLock,
    device: Device,
    data_name: String,
    feed: Feed,
    data_len: usize,
    batches_per_epoch: u64,
    image: ImageShape,
    /// Classes of a conditional run (0: unconditional).
    classes: i64,
    nets: Nets,
    /// The moving average of the generator's weights, when the run keeps one.
    ema: Option<AveragedGenerator>,
    opt_g: Optimizer,
    opt_d: Optimizer,
    step: u64,
    batches_consumed: u64,
    total_steps: u64,
    fixed_z: Tensor,
    fixed_y: Option<Tensor>,
    /// For toy data: the distribution and real points to plot beside the generated ones.
    toy: Option<ToyView>,
    metrics_log: MetricsLog,
    history: Vec<StepMetrics>,
    /// Files skipped while decoding (image folders with `on_error = "skip"`), not yet reported.
    skipped: Vec<gan_data::DataError>,
    doctor: Doctor,
    /// The doctor's sample check (none when `[doctor] every = 0`).
    probe: Option<crate::doctor::probe::Probe>,
    /// The last real batch, for a sample check that compares with real images.
    last_real: Option<Tensor>,
    /// The step of the doctor's previous check.
    checked_through: u64,
    diagnoses_log: DiagnosesLog,
    /// The data-parallel group this trainer is a rank of (see [`Trainer::join`]).
    dist: Option<std::sync::Arc<crate::dist::Dist>>,
}

impl Trainer {
    /// One generator update (with `d_steps` discriminator updates before it); returns the
    /// step's statistics, still on the device.
    pub fn train_step(&mut self) -> Result<Record> {
        tch::manual_seed(mix(&[self.config.seed, STEP_STREAM, self.step]) as i64);
        let lr_scale = self.config.optim.lr_factor(self.step, self.total_steps);
        let loss = self.config.loss.at(self.step, self.total_steps);
        self.opt_g.set_lr_scale(lr_scale);
        self.opt_d.set_lr_scale(lr_scale);
        let (latent, device, image, classes) = (self.config.model.latent_dim(), self.device, self.image, self.classes);
        let feed = &mut self.feed;
        let consumed = &mut self.batches_consumed;
        let skipped = &mut self.skipped;
        let mut last_real = self.probe.as_ref().is_some_and(|p| p.needs_real()).then_some(&mut self.last_real);
        let pack = self.config.pack as i64;
        let dist = self.dist.as_deref();
        // In a data-parallel group each rank takes its rows of the global batch (and of the
        // noise drawn for it), so that the group computes the single-process step.
        let shard = |t: Tensor| dist.map_or_else(|| t.shallow_clone(), |d| d.shard(&t));
        let next_real = || {
            let batch = feed.batch(*consumed, image, device)?;
            *consumed += 1;
            skipped.extend(batch.skipped);
            let images = shard(batch.images);
            if let Some(last) = last_real.as_mut() {
                **last = Some(images.shallow_clone());
            }
            let labels = batch.labels.map(|l| one_hot(&shard(l), classes));
            RealBatch { images, labels }.whole_packs(pack)
        };
        let world = dist.map_or(1, |d| d.world() as i64);
        let values = match &self.nets.partner {
            Partner::Discriminator(d) => {
                let noise = |n| shard(Tensor::randn([n * world, latent], (Kind::Float, device)));
                // The gradients are measured at the last step of each logging interval.
                let measure_grads = (self.step + 1).is_multiple_of(self.config.log_every);
                let parts =
                    StepParts { g: self.nets.g.as_ref(), d: d.as_ref(), opt_g: &mut self.opt_g, opt_d: &mut self.opt_d, loss: &loss, measure_grads, dist };
                gan_step(parts, self.config.d_steps, next_real, noise)?.record(&loss)
            }
            Partner::Encoder(encoder, decoder) => {
                let mut next_real = next_real;
                let real = next_real()?.images;
                vae_step::vae_step(encoder, decoder, &mut self.opt_g, &mut self.opt_d, &real, latent)
            }
        };
        if let Some(e) = &self.ema {
            e.update(self.step, self.config.batch_size);
        }
        self.step += 1;
        Ok(values)
    }

    /// The run directory.
    pub fn run_dir(&self) -> &Path {
        self.run.root()
    }

    /// Trains to the configured length.
    pub fn run(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        self.run_until(self.total_steps, on_event)
    }

    /// Trains until `stop` steps (at most the configured length), then checkpoints.
    pub fn run_until(&mut self, stop: u64, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let stop = stop.min(self.total_steps);
        on_event(&Event::Started {
            run_dir: self.run.root().into(),
            start_step: self.step,
            total_steps: self.total_steps,
            data: self.data_name.clone(),
            examples: self.data_len,
            unit: if self.toy.is_some() { "points" } else { "images" },
            device: match &self.dist {
                Some(d) => format!("{} on each of {} ranks (gloo)", device::describe(self.device), d.world()),
                None => device::describe(self.device),
            },
            g_params: param_count(&self.nets.g_vs),
            d_params: param_count(&self.nets.d_vs),
            classes: self.class_names()?,
        });
        if self.step == 0 && self.is_leader() {
            self.save_samples(on_event)?;
        }
        let (mut window, mut window_start) = (Window::default(), Instant::now());
        while self.step < stop {
            window.push(self.train_step()?);
            if let Some(d) = &self.dist {
                d.check()?;
            }
            let leader = self.is_leader();
            for e in self.skipped.drain(..) {
                on_event(&Event::SkippedImage { reason: e.to_string() });
            }
            on_event(&Event::Step { step: self.step });
            let log = self.step.is_multiple_of(self.config.log_every) || self.step == stop;
            let save = self.step.is_multiple_of(self.config.checkpoint_every) || self.step == stop;
            if log {
                if let Some((step, what)) = guard::first_bad_step(&window, self.step) {
                    return Err(self.diverged(guard::diverged(&self.run, step, what.into()), on_event));
                }
            }
            // The weights are checked once per step that logs or saves (sampling changes none).
            if log || save {
                if let Err(e) = guard::check(&self.run, self.step, self.bad_parameter()) {
                    return Err(self.diverged(e, on_event));
                }
            }
            // Followers write nothing: the leader records, checks and saves for the group.
            if log && leader {
                let m = self.record(&mut window, window_start.elapsed().as_secs_f64())?;
                on_event(&Event::Metrics(m));
                window_start = Instant::now();
            } else if log {
                window = Window::default();
            }
            if self.doctor.due(self.step) && leader {
                self.checkup(on_event)?;
            }
            if (self.step.is_multiple_of(self.config.sample_every) || self.step == stop) && leader {
                self.save_samples(on_event)?;
            }
            if save && leader {
                let path = self.save_checkpoint()?;
                on_event(&Event::CheckpointSaved { step: self.step, path });
            }
        }
        on_event(&Event::Health { checks: self.doctor.checks(), every: self.config.doctor.every, seen: self.doctor.seen().to_vec() });
        on_event(&Event::Finished { step: self.step, run_dir: self.run.root().into(), last: self.history.last().cloned() });
        Ok(())
    }

    /// Records the divergence the guard found as the doctor's last diagnosis; returns the error.
    fn diverged(&mut self, e: GanError, on_event: &mut dyn FnMut(&Event)) -> GanError {
        if let GanError::Diverged { step, what, .. } = &e {
            // The run stops with `e` whether or not the record could be written.
            let _ = self.report(crate::run::diagnoses::diverged(*step, what), on_event);
        }
        e
    }

    fn class_names(&self) -> Result<Vec<String>> {
        if self.classes == 0 {
            return Ok(Vec::new());
        }
        let v = self.config.data.vocabulary(self.classes as usize)?;
        Ok((0..v.len()).map(|i| v.name(i).to_string()).collect())
    }

    fn record(&mut self, window: &mut Window, secs: f64) -> Result<StepMetrics> {
        let steps = window.len() as u64;
        let m = StepMetrics {
            step: self.step,
            epoch: self.batches_consumed as f64 / self.batches_per_epoch as f64,
            scalars: window.take_means(),
            steps_per_sec: steps as f64 / secs.max(1e-9),
        };
        self.metrics_log.append(&m)?;
        self.history.push(m.clone());
        Ok(m)
    }

    /// The generator that samples: the moving average when the run keeps one.
    fn sampler(&self) -> &dyn crate::models::Generator {
        self.ema.as_ref().map_or(self.nets.g.as_ref(), |e| e.g.as_ref())
    }

    fn save_samples(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let images = tch::no_grad(|| self.sampler().forward_t(&self.fixed_z, self.fixed_y.as_ref(), false));
        let path = self.run.sample_grid(self.step);
        if let Some(toy) = &self.toy {
            let fake = crate::models::latent::points(&images);
            let report = toy.dist.modes().map(|m| mode_report(&m, &fake));
            scatter::save_points_plot(toy.dist, &toy.real, &fake, &scatter::title(toy.dist, self.step, report.as_ref()), &path)?;
        } else {
            let nrow = if self.classes > 0 { self.classes as usize } else { 8 };
            grid::save_grid(&images, nrow, &path)?;
        }
        self.metrics_log.sample_grid(self.step, &path)?;
        if !self.history.is_empty() {
            plot::save_loss_plot(&self.history, &self.run.loss_plot())?;
        }
        on_event(&Event::SamplesSaved { step: self.step, path });
        Ok(())
    }

    /// The first non-finite weight of the networks (and the moving average), if any.
    fn bad_parameter(&self) -> Option<String> {
        let partner = if self.nets.discriminator().is_some() { "discriminator" } else { "encoder" };
        let mut nets = vec![("generator", &self.nets.g_vs), (partner, &self.nets.d_vs)];
        nets.extend(self.ema.as_ref().map(|e| ("generator's moving average", &e.vs)));
        guard::bad_parameter(&nets)
    }

    fn save_checkpoint(&mut self) -> Result<std::path::PathBuf> {
        let mut optimizer = self.opt_g.state("g.");
        optimizer.extend(self.opt_d.state("d."));
        let config_toml = self.config.to_toml();
        let parts = CheckpointParts {
            state: CheckpointState::new(self.step, self.batches_consumed, self.image, self.classes),
            config_toml: &config_toml,
            g_vs: &self.nets.g_vs,
            d_vs: &self.nets.d_vs,
            ema_vs: self.ema.as_ref().map(|e| &e.vs),
            optimizer,
        };
        checkpoint::save(&self.run, parts, self.config.keep_checkpoints, self.config.keep_every)
    }
}
