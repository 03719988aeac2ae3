//! The GAN family as the run loop sees it.

use std::path::Path;
use std::sync::Arc;

use tch::nn;

use super::GanFamily;
use crate::config::DoctorConfig;
use crate::device;
use crate::dist::Dist;
use crate::doctor::Finding;
use crate::draw::{grid, scatter};
use crate::error::Result;
use crate::events::Event;
use crate::run::checkpoint::{CheckpointParts, CheckpointState, FamilyState, DISCRIMINATOR_FILE, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::metrics::StepMetrics;
use crate::run::trained::TEXT_CAPTIONS;
use crate::train::record::Record;
use crate::train::{Description, Family, LoopSettings, StepContext};
use gan_data::modes::mode_report;

impl Family for GanFamily {
    fn settings(&self) -> LoopSettings {
        let c = &self.config;
        LoopSettings {
            seed: c.seed,
            total_steps: self.total_steps,
            log_every: c.log_every,
            sample_every: c.sample_every,
            checkpoint_every: c.checkpoint_every,
            keep_checkpoints: c.keep_checkpoints,
            keep_every: c.keep_every,
            doctor: c.doctor.clone(),
            tensorboard: c.log.tensorboard,
        }
    }

    fn config_toml(&self) -> String {
        self.config.to_toml()
    }

    fn describe(&self) -> Description {
        Description {
            data: self.data_name.clone(),
            examples: self.data_len,
            unit: if self.toy.is_some() { "points" } else { "images" },
            device: device::describe(self.device),
            classes: self.class_names.clone(),
        }
    }

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        self.train_step(ctx)
    }

    fn save_samples(&mut self, step: u64, path: &Path) -> Result<()> {
        let images = tch::no_grad(|| self.sampler().forward_t(&self.fixed_z, self.fixed_y.as_ref(), false));
        match &self.toy {
            Some(toy) => {
                let fake = crate::models::latent::points(&images);
                let report = toy.dist.modes().map(|m| mode_report(&m, &fake));
                scatter::save_points_plot(toy.dist, &toy.real, &fake, &scatter::title(toy.dist, step, report.as_ref()), path)
            }
            None => grid::save_grid(&images, self.grid_columns, path),
        }
    }

    fn networks(&self) -> Vec<(&'static str, &nn::VarStore)> {
        let partner = if self.nets.discriminator().is_some() { "discriminator" } else { "encoder" };
        let mut nets = vec![("generator", &self.nets.g_vs), (partner, &self.nets.d_vs)];
        nets.extend(self.ema.as_ref().map(|e| ("generator's moving average", &e.vs)));
        nets
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut optimizer = self.opt_g.state("g.");
        optimizer.extend(self.opt_d.state("d."));
        let mut weights = vec![(GENERATOR_FILE, &self.nets.g_vs), (DISCRIMINATOR_FILE, &self.nets.d_vs)];
        weights.extend(self.ema.as_ref().map(|e| (GENERATOR_EMA_FILE, &e.vs)));
        CheckpointParts {
            state: CheckpointState::new(step, self.batches_consumed, self.image, self.classes),
            config_toml: self.config.to_toml(),
            weights,
            optimizer,
            family: self.family_state(),
        }
    }

    fn epoch(&self) -> f64 {
        self.batches_consumed as f64 / self.batches_per_epoch as f64
    }

    fn findings(&mut self, cfg: &DoctorConfig, history: &[StepMetrics], from: usize) -> Vec<Finding> {
        self.doctor_findings(cfg, history, from)
    }

    fn take_events(&mut self) -> Vec<Event> {
        self.skipped.drain(..).map(|e| Event::SkippedImage { reason: e.to_string() }).collect()
    }

    fn join(&mut self, dist: Arc<Dist>, step: u64) -> Result<u64> {
        self.join_group(dist, step)
    }

    fn dist(&self) -> Option<&Dist> {
        self.dist.as_deref()
    }
}

impl GanFamily {
    /// What a checkpoint keeps besides the networks: adaptive augmentation's state, and a
    /// text run's captions' conditions (so that its generator samples without its data).
    fn family_state(&self) -> Option<FamilyState> {
        let ada = self.ada.as_ref().map(|a| serde_json::json!({ "ada": a.state() }));
        let captions = self.text.as_ref().map(|t| vec![(TEXT_CAPTIONS.to_string(), t.captions().shallow_clone())]);
        (ada.is_some() || captions.is_some())
            .then(|| FamilyState { tensors: captions.unwrap_or_default(), values: ada.unwrap_or_else(|| serde_json::json!({})) })
    }
}
