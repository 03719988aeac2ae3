//! The one training loop. Every model family (in the `families` folder) trains through it: the loop
//! reseeds and runs the family's step, keeps its named scalars on the device until a log
//! line, and owns the cadence of logs, sample grids, loss plots, checkpoints and doctor
//! checks, the divergence guard, the run lock, resuming and the events a caller renders. A
//! family is a folder implementing [`Family`]; nothing here names one.

mod checkup;
pub mod family;
pub mod guard;
mod open;
pub mod record;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use gan_data::rng::mix;

use crate::dist::Dist;
use crate::doctor::Doctor;
use crate::draw::plot;
use crate::error::{GanError, Result};
use crate::events::Event;
use crate::models::param_count;
use crate::run::checkpoint;
use crate::run::diagnoses::DiagnosesLog;
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::{MetricsLog, StepMetrics};

pub use family::{Build, Description, Family, LoopSettings, StepContext};
use record::{Record, Window};

/// The stream tag of the per-step reseeding (mixed with the run seed and the step).
pub const STEP_STREAM: u64 = 1;

/// A run in progress.
pub struct Trainer {
    family: Box<dyn Family>,
    settings: LoopSettings,
    run: RunDir,
    /// Held for the trainer's life: no second process trains this run meanwhile.
    _lock: RunLock,
    step: u64,
    metrics_log: MetricsLog,
    history: Vec<StepMetrics>,
    doctor: Doctor,
    /// The step of the doctor's previous check.
    checked_through: u64,
    diagnoses_log: DiagnosesLog,
    /// A signal's number once one asked training to stop (see [`Trainer::stop_on`]).
    stop: Option<Arc<AtomicUsize>>,
    /// The step of the newest checkpoint this process saved.
    saved_at: Option<u64>,
}

impl Trainer {
    /// One step of the family, reseeded from `(seed, step)`; returns its named scalars, still
    /// on the device.
    pub fn train_step(&mut self) -> Result<Record> {
        tch::manual_seed(mix(&[self.settings.seed, STEP_STREAM, self.step]) as i64);
        // The gradients are measured at the last step of each logging interval.
        let measure_grads = (self.step + 1).is_multiple_of(self.settings.log_every);
        let record = self.family.step(StepContext { step: self.step, total_steps: self.settings.total_steps, measure_grads })?;
        self.step += 1;
        Ok(record)
    }

    pub fn run_dir(&self) -> &Path {
        self.run.root()
    }

    /// The run's configuration as TOML (what the run directory's config.toml holds).
    pub fn config_toml(&self) -> String {
        self.family.config_toml()
    }

    /// The steps taken so far.
    pub fn step(&self) -> u64 {
        self.step
    }

    /// Joins a data-parallel group; every rank calls it once, before its first step.
    pub fn join(&mut self, dist: Arc<Dist>) -> Result<()> {
        // A follower continues from the leader's step.
        self.step = self.family.join(dist, self.step)?;
        Ok(())
    }

    /// Whether this trainer writes the run's files (always, outside a group).
    pub fn is_leader(&self) -> bool {
        self.family.dist().is_none_or(|d| d.is_leader())
    }

    /// Stops training cleanly once `signal` holds a signal's number (a caller's signal handler
    /// sets it): the step under way finishes, a checkpoint of it is written, and training
    /// ends with [`GanError::Stopped`].
    pub fn stop_on(&mut self, signal: Arc<AtomicUsize>) {
        self.stop = Some(signal);
    }

    /// Trains to the configured length.
    pub fn run(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        self.run_until(self.settings.total_steps, on_event)
    }

    /// Trains until `stop` steps (at most the configured length), then checkpoints.
    pub fn run_until(&mut self, stop: u64, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let stop = stop.min(self.settings.total_steps);
        on_event(&self.started());
        if self.step == 0 && self.is_leader() {
            self.save_samples(on_event)?;
        }
        let (mut window, mut window_start) = (Window::default(), Instant::now());
        while self.step < stop {
            window.push(self.train_step()?);
            if let Some(d) = self.family.dist() {
                d.check()?;
            }
            for e in self.family.take_events() {
                on_event(&e);
            }
            on_event(&Event::Step { step: self.step });
            self.after_step(stop, &mut window, &mut window_start, on_event)?;
            let signal = self.stop_signal()?;
            if signal != 0 {
                return Err(self.stopped(signal, on_event));
            }
        }
        on_event(&Event::Health { checks: self.doctor.checks(), every: self.settings.doctor.every, seen: self.doctor.seen().to_vec() });
        on_event(&Event::Finished { step: self.step, run_dir: self.run.root().into(), last: self.history.last().cloned() });
        Ok(())
    }

    /// Logging, the guard, the doctor, sample grids and checkpoints, as due after a step.
    fn after_step(&mut self, stop: u64, window: &mut Window, window_start: &mut Instant, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let s = &self.settings;
        let leader = self.is_leader();
        let log = self.step.is_multiple_of(s.log_every) || self.step == stop;
        let save = self.step.is_multiple_of(s.checkpoint_every) || self.step == stop;
        let sample = self.step.is_multiple_of(s.sample_every) || self.step == stop;
        if log {
            if let Some((step, what)) = guard::first_bad_step(window, self.step) {
                return Err(self.diverged(guard::diverged(&self.run, step, what.into()), on_event));
            }
        }
        // The weights are checked once per step that logs or saves (sampling changes none).
        if log || save {
            if let Err(e) = guard::check(&self.run, self.step, guard::bad_parameter(&self.family.networks())) {
                return Err(self.diverged(e, on_event));
            }
        }
        // Followers write nothing: the leader records, checks and saves for the group.
        if log && leader {
            let m = self.record(window, window_start.elapsed().as_secs_f64())?;
            on_event(&Event::Metrics(m));
            *window_start = Instant::now();
        } else if log {
            *window = Window::default();
        }
        if self.doctor.due(self.step) && leader {
            self.checkup(on_event)?;
        }
        if sample && leader {
            self.save_samples(on_event)?;
        }
        if save && leader {
            let path = self.save_checkpoint()?;
            on_event(&Event::CheckpointSaved { step: self.step, path });
        }
        Ok(())
    }

    /// The signal that stops training after this step (0: none). In a group the ranks agree
    /// on it, so that a signal that reached some ranks only (a scheduler's, or Ctrl-C between
    /// two ranks' checks) stops them all after the same step, and the leader's checkpoint is
    /// of a step every rank finished.
    fn stop_signal(&self) -> Result<usize> {
        let local = self.stop.as_ref().map_or(0, |s| s.load(Ordering::SeqCst));
        match self.family.dist() {
            Some(d) => d.agreed_signal(local),
            None => Ok(local),
        }
    }

    /// Ends training on `signal`: the step just finished is checkpointed (by the leader, unless
    /// it was already).
    fn stopped(&mut self, signal: usize, on_event: &mut dyn FnMut(&Event)) -> GanError {
        let mut checkpoint = None;
        if self.is_leader() {
            if self.saved_at == Some(self.step) {
                checkpoint = Some(self.run.checkpoint(self.step));
            } else {
                match self.save_checkpoint() {
                    Ok(path) => {
                        on_event(&Event::CheckpointSaved { step: self.step, path: path.clone() });
                        checkpoint = Some(path);
                    }
                    Err(e) => return e,
                }
            }
        }
        GanError::Stopped { signal, step: self.step, checkpoint, run: self.run.root().into() }
    }

    fn started(&self) -> Event {
        let d = self.family.describe();
        let nets = self.family.networks();
        let params = |i: usize| nets.get(i).map_or(0, |(_, vs)| param_count(vs));
        Event::Started {
            run_dir: self.run.root().into(),
            start_step: self.step,
            total_steps: self.settings.total_steps,
            data: d.data,
            examples: d.examples,
            unit: d.unit,
            device: match self.family.dist() {
                Some(g) => format!("{} on each of {} ranks (gloo)", d.device, g.world()),
                None => d.device,
            },
            g_params: params(0),
            d_params: params(1),
            classes: d.classes,
        }
    }

    /// Records the divergence the guard found as the doctor's last diagnosis; returns the error.
    fn diverged(&mut self, e: GanError, on_event: &mut dyn FnMut(&Event)) -> GanError {
        if let GanError::Diverged { step, what, .. } = &e {
            // The run stops with `e` whether or not the record could be written.
            let _ = self.report(crate::run::diagnoses::diverged(*step, what), on_event);
        }
        e
    }

    fn record(&mut self, window: &mut Window, secs: f64) -> Result<StepMetrics> {
        let steps = window.len() as u64;
        let m = StepMetrics { step: self.step, epoch: self.family.epoch(), scalars: window.take_means(), steps_per_sec: steps as f64 / secs.max(1e-9) };
        self.metrics_log.append(&m).map_err(|e| self.with_last_good(e))?;
        self.history.push(m.clone());
        Ok(m)
    }

    /// `e`, naming the last good checkpoint when it is a full disk.
    fn with_last_good(&self, e: GanError) -> GanError {
        match e.disk_full_as(|| self.run.root().display().to_string()) {
            GanError::DiskFull { writing, last_good: None } => GanError::DiskFull { writing, last_good: checkpoint::latest(&self.run).ok().flatten() },
            other => other,
        }
    }

    fn save_samples(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        self.write_samples(on_event).map_err(|e| self.with_last_good(e))
    }

    fn write_samples(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let path = self.run.sample_grid(self.step);
        self.family.save_samples(self.step, &path)?;
        self.metrics_log.sample_grid(self.step, &path)?;
        if !self.history.is_empty() {
            plot::save_loss_plot(&self.history, &self.run.loss_plot())?;
        }
        on_event(&Event::SamplesSaved { step: self.step, path });
        Ok(())
    }

    fn save_checkpoint(&mut self) -> Result<PathBuf> {
        let parts = self.family.checkpoint(self.step);
        let dir = checkpoint::save(&self.run, parts, self.settings.keep_checkpoints, self.settings.keep_every)?;
        self.saved_at = Some(self.step);
        Ok(dir)
    }
}
