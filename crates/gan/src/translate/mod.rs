//! The training loop of image-to-image translation (pix2pix, CycleGAN; see
//! [`crate::config::translation`]): a run directory like a GAN run's (`config.toml`,
//! `metrics.jsonl`, `loss.png`, `samples/`, `checkpoints/`), whose sample grids show
//! held-out inputs, their translations and the targets side by side.

mod feed;
mod open;
pub mod pool;
pub mod step;

use std::path::Path;
use std::time::Instant;

use gan_data::rng::{mix, SplitMix64};
use tch::{Device, Tensor};

use crate::config::translation::{TranslateConfig, TranslationModel, TranslationNets};
use crate::error::Result;
use crate::events::Event;
use crate::models::{param_count, ImageShape};
use crate::optim::Optimizer;
use crate::run::checkpoint::{self, CheckpointParts, CheckpointState};
use crate::run::dir::RunDir;
use crate::run::lock::RunLock;
use crate::run::metrics::{MetricsLog, StepMetrics};
use crate::train::record::{Record, Window};

use feed::PairFeed;
pub use feed::{bytes_tensor, to_pm1};
use step::Pools;

const STEP_STREAM: u64 = 1;
const POOL_STREAM: u64 = 4;
/// Held-out pairs shown in each sample grid.
pub const GRID_PAIRS: i64 = 8;

/// A translation run in progress.
pub struct TranslationTrainer {
    config: TranslateConfig,
    run: RunDir,
    _lock: RunLock,
    data_name: String,
    data_len: usize,
    feed: PairFeed,
    image: ImageShape,
    nets: TranslationNets,
    opt_g: Optimizer,
    opt_d: Optimizer,
    pools: Pools,
    step: u64,
    /// Inputs (and targets, when paired) of the sample grids.
    grid_a: Tensor,
    grid_b: Tensor,
    grid_paired: bool,
    metrics_log: MetricsLog,
    history: Vec<StepMetrics>,
    device: Device,
}

impl TranslationTrainer {
    pub fn run_dir(&self) -> &Path {
        self.run.root()
    }

    pub fn config(&self) -> &TranslateConfig {
        &self.config
    }

    /// One update of generators and discriminators.
    pub fn train_step(&mut self) -> Record {
        tch::manual_seed(mix(&[self.config.seed, STEP_STREAM, self.step]) as i64);
        let factor = self.config.lr_factor(self.step, self.config.steps);
        self.opt_g.set_lr_scale(factor);
        self.opt_d.set_lr_scale(factor);
        let (a, b) = self.feed.batch(self.step);
        let stats = match &self.config.model {
            TranslationModel::Pix2pix(m) => step::pix2pix_step(m, &self.nets, &mut self.opt_g, &mut self.opt_d, &a, &b),
            TranslationModel::Cyclegan(m) => {
                let mut rng = SplitMix64::new(mix(&[self.config.seed, POOL_STREAM, self.step]));
                step::cyclegan_step(m, &self.nets, &mut self.opt_g, &mut self.opt_d, &mut self.pools, &mut rng, (&a, &b))
            }
        };
        self.step += 1;
        stats
    }

    pub fn run(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let total = self.config.steps;
        on_event(&Event::Started {
            run_dir: self.run.root().into(),
            start_step: self.step,
            total_steps: total,
            data: self.data_name.clone(),
            examples: self.data_len,
            unit: "images",
            device: crate::device::describe(self.device),
            g_params: param_count(&self.nets.g_vs),
            d_params: param_count(&self.nets.d_vs),
            classes: Vec::new(),
        });
        if self.step == 0 {
            self.save_samples(on_event)?;
        }
        let (mut window, mut started) = (Window::default(), Instant::now());
        while self.step < total {
            window.push(self.train_step());
            on_event(&Event::Step { step: self.step });
            let log = self.step.is_multiple_of(self.config.log_every) || self.step == total;
            let save = self.step.is_multiple_of(self.config.checkpoint_every) || self.step == total;
            if log || save {
                self.check_finite(&window)?;
            }
            if log {
                let m = self.record(&mut window, started.elapsed().as_secs_f64())?;
                on_event(&Event::Metrics(m));
                started = Instant::now();
            }
            if self.step.is_multiple_of(self.config.sample_every) || self.step == total {
                self.save_samples(on_event)?;
            }
            if save {
                let path = self.save_checkpoint()?;
                on_event(&Event::CheckpointSaved { step: self.step, path });
            }
        }
        on_event(&Event::Finished { step: self.step, run_dir: self.run.root().into(), last: self.history.last().cloned() });
        Ok(())
    }

    /// Stops with [`crate::GanError::Diverged`] when a loss or a weight is not finite.
    fn check_finite(&self, window: &Window) -> Result<()> {
        if let Some((step, what)) = crate::train::guard::first_bad_step(window, self.step) {
            return Err(crate::train::guard::diverged(&self.run, step, what.to_string()));
        }
        let nets = [("generators", &self.nets.g_vs), ("discriminators", &self.nets.d_vs)];
        match crate::train::guard::bad_parameter(&nets) {
            Some(what) => Err(crate::train::guard::diverged(&self.run, self.step, what)),
            None => Ok(()),
        }
    }

    fn record(&mut self, window: &mut Window, secs: f64) -> Result<StepMetrics> {
        let n = window.len();
        let m = StepMetrics {
            step: self.step,
            epoch: self.step as f64 / self.feed.batches_per_epoch() as f64,
            scalars: window.take_means(),
            steps_per_sec: n as f64 / secs.max(1e-9),
        };
        self.metrics_log.append(&m)?;
        self.history.push(m.clone());
        Ok(m)
    }

    /// The grid: per held-out pair, `a | G(a) | b` (and for CycleGAN `b | F(b) | a`); without
    /// targets (unpaired folders) the third column is the cycle's reconstruction.
    fn save_samples(&mut self, on_event: &mut dyn FnMut(&Event)) -> Result<()> {
        let images = tch::no_grad(|| translation_grid(&self.nets, &self.grid_a, &self.grid_b, self.grid_paired));
        let path = self.run.sample_grid(self.step);
        let columns = if self.nets.b2a.is_some() { 6 } else { 3 };
        crate::draw::grid::save_grid(&images, columns, &path)?;
        self.metrics_log.sample_grid(self.step, &path)?;
        if !self.history.is_empty() {
            crate::draw::plot::save_loss_plot(&self.history, &self.run.loss_plot())?;
        }
        on_event(&Event::SamplesSaved { step: self.step, path });
        Ok(())
    }

    fn save_checkpoint(&mut self) -> Result<std::path::PathBuf> {
        let mut optimizer = self.opt_g.state("g.");
        optimizer.extend(self.opt_d.state("d."));
        optimizer.extend(self.pools.a.stored().map(|t| ("pool.a".to_string(), t)));
        optimizer.extend(self.pools.b.stored().map(|t| ("pool.b".to_string(), t)));
        let config_toml = self.config.to_toml();
        let parts = CheckpointParts {
            state: CheckpointState::new(self.step, self.step, self.image, 0),
            config_toml: &config_toml,
            g_vs: &self.nets.g_vs,
            d_vs: &self.nets.d_vs,
            ema_vs: None,
            optimizer,
        };
        checkpoint::save(&self.run, parts, self.config.keep_checkpoints, 0)
    }
}

/// The rows of a translation grid (see `save_samples`), in evaluation mode.
pub fn translation_grid(nets: &TranslationNets, a: &Tensor, b: &Tensor, paired: bool) -> Tensor {
    let fake_b = nets.a2b.forward_t(a, false);
    let mut rows = Vec::new();
    match &nets.b2a {
        None => {
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), b.get(i)]);
            }
        }
        Some(f) => {
            let fake_a = f.forward_t(b, false);
            let (third_b, third_a) =
                if paired { (b.shallow_clone(), a.shallow_clone()) } else { (f.forward_t(&fake_b, false), nets.a2b.forward_t(&fake_a, false)) };
            for i in 0..a.size()[0] {
                rows.extend([a.get(i), fake_b.get(i), third_b.get(i), b.get(i), fake_a.get(i), third_a.get(i)]);
            }
        }
    }
    Tensor::stack(&rows, 0)
}
