//! The translation family as the run loop sees it.

use std::path::Path;
use std::sync::Arc;

use tch::nn;

use super::TranslationFamily;
use crate::config::DoctorConfig;
use crate::dist::Dist;
use crate::doctor::{scores, Finding};
use crate::error::Result;
use crate::losses::LossConfig;
use crate::run::checkpoint::{CheckpointParts, CheckpointState, FamilyState, DISCRIMINATOR_FILE, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::metrics::StepMetrics;
use crate::train::record::Record;
use crate::train::{Description, Family, LoopSettings, StepContext};

impl Family for TranslationFamily {
    fn settings(&self) -> LoopSettings {
        let c = &self.config;
        LoopSettings {
            seed: c.seed,
            total_steps: c.steps,
            log_every: c.log_every,
            sample_every: c.sample_every,
            checkpoint_every: c.checkpoint_every,
            keep_checkpoints: c.keep_checkpoints,
            keep_every: 0,
            doctor: c.doctor.clone(),
            tensorboard: c.log.tensorboard,
        }
    }

    fn config_toml(&self) -> String {
        self.config.to_toml()
    }

    fn describe(&self) -> Description {
        Description { data: self.data_name.clone(), examples: self.data_len, unit: "images", device: crate::device::describe(self.device), classes: Vec::new() }
    }

    fn step(&mut self, ctx: StepContext) -> Result<Record> {
        Ok(self.train_step(ctx))
    }

    fn save_samples(&mut self, _step: u64, path: &Path) -> Result<()> {
        self.save_grid(path)
    }

    fn networks(&self) -> Vec<(&'static str, &nn::VarStore)> {
        vec![("generators", &self.nets.g_vs), ("discriminators", &self.nets.d_vs)]
    }

    fn checkpoint(&self, step: u64) -> CheckpointParts<'_> {
        let mut optimizer = self.opt_g.state("g.");
        optimizer.extend(self.opt_d.state("d."));
        let mut tensors: Vec<(String, tch::Tensor)> = Vec::new();
        tensors.extend(self.pools.a.stored().map(|t| ("pool.a".to_string(), t)));
        tensors.extend(self.pools.b.stored().map(|t| ("pool.b".to_string(), t)));
        let mut weights = vec![(GENERATOR_FILE, &self.nets.g_vs), (DISCRIMINATOR_FILE, &self.nets.d_vs)];
        if let Some(avg) = &self.ema {
            weights.push((GENERATOR_EMA_FILE, &avg.nets.vs));
        }
        if let Some(task) = &self.task {
            weights.push((super::task::TASK_FILE, task.classifier.var_store()));
        }
        CheckpointParts {
            state: CheckpointState::new(step, step, self.image, 0),
            config_toml: self.config.to_toml(),
            weights,
            optimizer,
            family: Some(FamilyState { tensors, values: serde_json::Value::Null }),
        }
    }

    fn epoch(&self) -> f64 {
        self.step as f64 / self.feed.batches_per_epoch() as f64
    }

    /// The score findings of a GAN with the same adversarial loss (a BCE PatchGAN's scores are
    /// probabilities, an LSGAN's are not), from the discriminators' mean scores and the
    /// gradient norms.
    fn findings(&mut self, cfg: &DoctorConfig, history: &[StepMetrics], from: usize) -> Vec<Finding> {
        let loss = LossConfig { kind: self.config.model.loss(), ..LossConfig::default() };
        scores::from_metrics(cfg, &loss, history, from, None)
    }

    fn join(&mut self, dist: Arc<Dist>, step: u64) -> Result<u64> {
        self.join_group(dist, step)
    }

    fn dist(&self) -> Option<&Dist> {
        self.dist.as_deref()
    }
}
