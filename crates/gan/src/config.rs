//! Run configuration: one TOML document (`config.toml` in every run directory) that fully
//! determines a training run together with its seed.
//!
//! Sources are layered: a preset, then a user's TOML file (any subset of the fields), then
//! command-line overrides. Unknown keys and values of the wrong type are rejected by serde
//! with the key's name; [`TrainConfig::validate`] then reports every semantic problem at once.

use std::path::Path;

use gan_data::DataSource;
use serde::{Deserialize, Serialize};

use crate::error::{GanError, Result};
use crate::losses::{GeneratorLoss, LossConfig};
use crate::models::ModelConfig;
pub use crate::optim::OptimConfig;
use crate::optim::OptimizerConfig;

/// Everything that defines a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Seeds weights, noise, dropout and data order.
    pub seed: u64,
    pub batch_size: usize,
    /// Training length in generator updates; exactly one of `steps` and `epochs`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steps: Option<u64>,
    /// Training length in passes over the data (counting the discriminator's batches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epochs: Option<u64>,
    /// Discriminator updates per generator update (`k` in Goodfellow et al. 2014, Alg. 1).
    pub d_steps: u32,
    /// Condition both networks on the data's class labels (Mirza & Osindero 2014).
    #[serde(default)]
    pub conditional: bool,
    /// The discriminator judges packs of this many samples (PacGAN, Lin et al. 2018); 1: no
    /// packing.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub pack: u32,
    /// Average and record metrics every this many steps.
    pub log_every: u64,
    /// Save a sample grid from a fixed z every this many steps.
    pub sample_every: u64,
    /// Save a checkpoint every this many steps (and always at the end).
    pub checkpoint_every: u64,
    /// How many checkpoints to keep (older ones are deleted).
    pub keep_checkpoints: usize,
    pub data: DataSource,
    pub model: ModelConfig,
    pub loss: LossConfig,
    pub optim: OptimConfig,
}

fn one() -> u32 {
    1
}

fn is_one(v: &u32) -> bool {
    *v == 1
}

impl Default for TrainConfig {
    /// The seed setup of the 2014 GAN on MNIST: batch 64, Adam 2e-4 (0.5, 0.999),
    /// non-saturating generator loss, one D step per G step.
    fn default() -> Self {
        Self {
            seed: 0,
            batch_size: 64,
            steps: None,
            epochs: Some(30),
            d_steps: 1,
            conditional: false,
            pack: 1,
            log_every: 10,
            sample_every: 500,
            checkpoint_every: 1000,
            keep_checkpoints: 2,
            data: DataSource::default(),
            model: ModelConfig::default(),
            loss: LossConfig::bce(GeneratorLoss::NonSaturating, 1.0),
            optim: OptimConfig::same(OptimizerConfig::default()),
        }
    }
}

impl TrainConfig {
    /// Parses a complete configuration (as written to a run directory).
    pub fn from_toml_str(text: &str, source_name: &str) -> Result<Self> {
        let mut table: toml::Table = toml::from_str(text).map_err(|e| config_error(source_name, e))?;
        upgrade_legacy(&mut table);
        let cfg: Self = toml::Value::Table(table).try_into().map_err(|e| config_error(source_name, e))?;
        cfg.validate(source_name)?;
        Ok(cfg)
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(GanError::io(path))?;
        Self::from_toml_str(&text, &path.display().to_string())
    }

    /// Applies a partial TOML document (any subset of the fields) on top of `self`.
    pub fn overlay_toml(&self, text: &str, source_name: &str) -> Result<Self> {
        let patch: toml::Table = toml::from_str(text).map_err(|e| config_error(source_name, e))?;
        let mut base = toml::Table::try_from(self).expect("config serialises");
        // A file that sets one of steps/epochs replaces the other.
        if patch.contains_key("steps") || patch.contains_key("epochs") {
            base.remove("steps");
            base.remove("epochs");
        }
        merge(&mut base, patch);
        let cfg: Self = toml::Value::Table(base).try_into().map_err(|e| config_error(source_name, e))?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("config serialises")
    }

    /// What a VAE run cannot have: it trains by its ELBO, with no discriminator.
    fn vae_problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        let why = "model.kind = \"vae\" trains by the ELBO without a discriminator";
        if self.d_steps != 1 {
            p.push(format!("`d_steps` must be 1: {why}"));
        }
        if self.pack != 1 {
            p.push(format!("`pack` must be 1: {why}"));
        }
        if self.conditional {
            p.push("`conditional = true` is not available for model.kind = \"vae\"".into());
        }
        if self.loss != LossConfig::default() {
            p.push(format!("remove the [loss] table: {why} (choose model.reconstruction = \"bce\" or \"mse\")"));
        }
        if self.data.toy().is_some() {
            p.push("data: the VAE models images with pixels in [-1, 1], not toy points".into());
        }
        p
    }

    /// Every semantic problem, each naming its field; empty when the config is usable.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        match (self.steps, self.epochs) {
            (Some(_), Some(_)) => p.push("set only one of `steps` and `epochs`".into()),
            (None, None) => p.push("set one of `steps` and `epochs`".into()),
            (Some(0), _) | (_, Some(0)) => p.push("`steps`/`epochs` must be at least 1".into()),
            _ => {}
        }
        for (name, v) in [
            ("batch_size", self.batch_size as u64),
            ("d_steps", self.d_steps as u64),
            ("pack", self.pack as u64),
            ("log_every", self.log_every),
            ("sample_every", self.sample_every),
            ("checkpoint_every", self.checkpoint_every),
            ("keep_checkpoints", self.keep_checkpoints as u64),
        ] {
            if v == 0 {
                p.push(format!("`{name}` must be at least 1"));
            }
        }
        // TOML integers are signed 64-bit.
        for (name, v) in [("seed", Some(self.seed)), ("steps", self.steps), ("epochs", self.epochs), ("log_every", Some(self.log_every)), ("sample_every", Some(self.sample_every)), ("checkpoint_every", Some(self.checkpoint_every))] {
            if v.is_some_and(|v| v > i64::MAX as u64) {
                p.push(format!("`{name}` must be at most {}", i64::MAX));
            }
        }
        if matches!(self.model.net, crate::models::NetConfig::Vae(_)) {
            p.extend(self.vae_problems());
        }
        if self.pack > 1 && self.batch_size % self.pack as usize != 0 {
            p.push(format!("`batch_size` ({}) must be a multiple of `pack` ({})", self.batch_size, self.pack));
        }
        if self.pack > 1 && self.conditional {
            p.push("`pack` > 1 cannot be combined with `conditional = true`".into());
        }
        p.extend(self.data.problems().into_iter().map(|s| format!("data.{s}")));
        p.extend(self.model.problems().into_iter().map(|s| format!("model.{s}")));
        p.extend(self.loss.problems().into_iter().map(|s| format!("loss.{s}")));
        if self.loss.lipschitz.penalty_weight().is_some() && self.model.d_mixes_batch() {
            p.push(
                "loss.lipschitz: the gradient penalty is taken per sample, but model.d_norm = \"batch\" makes each \
                 score depend on the whole batch; use d_norm = \"instance\", \"layer\" or \"none\" (Gulrajani et al. 2017, sec. 4)"
                    .into(),
            );
        }
        p.extend(self.optim.problems());
        p
    }

    /// Fails with all [`problems`](Self::problems) at once.
    pub fn validate(&self, source_name: &str) -> Result<()> {
        let problems = self.problems();
        if problems.is_empty() {
            Ok(())
        } else {
            Err(GanError::Config { source_name: source_name.into(), problems })
        }
    }

    /// Total generator steps for a data set of `n_images`.
    pub fn total_steps(&self, n_images: usize) -> u64 {
        match (self.steps, self.epochs) {
            (Some(s), _) => s,
            (None, Some(e)) => {
                let batches = e * (n_images / self.batch_size.max(1)) as u64;
                batches.div_ceil(self.d_steps.max(1) as u64).max(1)
            }
            (None, None) => 1,
        }
    }
}

/// Run directories written before optimisers had a `kind` hold Adam tables without one.
fn upgrade_legacy(table: &mut toml::Table) {
    if let Some(toml::Value::Table(optim)) = table.get_mut("optim") {
        for net in ["g", "d"] {
            if let Some(toml::Value::Table(t)) = optim.get_mut(net) {
                t.entry("kind").or_insert_with(|| "adam".into());
            }
        }
    }
}

fn config_error(source_name: &str, e: impl std::fmt::Display) -> GanError {
    let msg = e.to_string().lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" ");
    GanError::Config { source_name: source_name.into(), problems: vec![msg] }
}

fn merge(base: &mut toml::Table, patch: toml::Table) {
    for (k, v) in patch {
        match (base.get_mut(&k), v) {
            // A table that switches `kind` (say data.kind) replaces the old table whole.
            (Some(toml::Value::Table(b)), toml::Value::Table(p)) if !switches_kind(b, &p) => merge(b, p),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

fn switches_kind(base: &toml::Table, patch: &toml::Table) -> bool {
    matches!((base.get("kind"), patch.get("kind")), (Some(a), Some(b)) if a != b)
}

/// The dotted names of the fields that differ between two configurations, with both values.
pub fn differences(a: &TrainConfig, b: &TrainConfig) -> Vec<(String, String, String)> {
    let a = toml::Value::try_from(a).expect("config serialises");
    let b = toml::Value::try_from(b).expect("config serialises");
    let mut out = Vec::new();
    diff_values("", &a, &b, &mut out);
    out
}

fn diff_values(prefix: &str, a: &toml::Value, b: &toml::Value, out: &mut Vec<(String, String, String)>) {
    match (a, b) {
        (toml::Value::Table(ta), toml::Value::Table(tb)) => {
            let mut keys: Vec<&String> = ta.keys().chain(tb.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let name = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                match (ta.get(k), tb.get(k)) {
                    (Some(x), Some(y)) => diff_values(&name, x, y, out),
                    (x, y) => out.push((name, show(x), show(y))),
                }
            }
        }
        _ if a != b => out.push((prefix.to_string(), a.to_string(), b.to_string())),
        _ => {}
    }
}

fn show(v: Option<&toml::Value>) -> String {
    v.map_or_else(|| "unset".to_string(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_round_trips_through_toml() {
        let c = TrainConfig::default();
        assert_eq!(TrainConfig::from_toml_str(&c.to_toml(), "x").unwrap(), c);
    }

    #[test]
    fn overlay_changes_only_named_fields() {
        let c = TrainConfig::default();
        let o = c.overlay_toml("steps = 7\n[optim.d]\nlr = 0.001\n", "f.toml").unwrap();
        assert_eq!(o.steps, Some(7));
        assert_eq!(o.epochs, None);
        assert_eq!(o.optim.d.lr(), 0.001);
        assert_eq!(o.optim.g, c.optim.g);
        let (OptimizerConfig::Adam(od), OptimizerConfig::Adam(cd)) = (&o.optim.d, &c.optim.d) else { panic!("adam") };
        assert_eq!(od.betas, cd.betas);
    }

    #[test]
    fn unknown_key_and_bad_type_are_named() {
        let c = TrainConfig::default();
        let e = c.overlay_toml("bach_size = 3\n", "f.toml").unwrap_err().to_string();
        assert!(e.contains("f.toml") && e.contains("bach_size"), "{e}");
        let e = c.overlay_toml("[optim.g]\nlr = \"fast\"\n", "f.toml").unwrap_err().to_string();
        assert!(e.contains("f.toml") && e.contains("optim.g") && e.contains("`lr`"), "{e}");
        let e = c.overlay_toml("[model]\nlatent_dim = 1.5\n", "f.toml").unwrap_err().to_string();
        assert!(e.contains("model") && e.contains("`latent_dim`"), "{e}");
        let e = c.overlay_toml("[model]\nkind = \"mpl\"\n", "f.toml").unwrap_err().to_string();
        assert!(e.contains("mpl") && e.contains("dcgan"), "{e}");
    }

    #[test]
    fn all_problems_reported_at_once() {
        let c = TrainConfig::default()
            .overlay_toml("batch_size = 0\nd_steps = 0\n[optim.g]\nlr = -1.0\n[loss]\nreal_label = 1.5\n", "f.toml")
            .unwrap();
        let e = c.validate("f.toml").unwrap_err().to_string();
        for needle in ["batch_size", "d_steps", "optim.g.lr", "loss.real_label"] {
            assert!(e.contains(needle), "{needle} missing from: {e}");
        }
    }

    #[test]
    fn out_of_range_integers_are_problems_not_panics() {
        let c = TrainConfig { seed: u64::MAX, ..TrainConfig::default() };
        assert!(c.validate("x").unwrap_err().to_string().contains("`seed` must be at most"));
    }

    #[test]
    fn differences_name_dotted_fields() {
        let a = TrainConfig::default();
        let mut b = a.clone();
        let OptimizerConfig::Adam(d) = &mut b.optim.d else { panic!("adam") };
        d.betas = (0.0, 0.9);
        b.seed = 3;
        let d: Vec<String> = differences(&a, &b).into_iter().map(|d| d.0).collect();
        assert_eq!(d, vec!["optim.d.betas".to_string(), "seed".to_string()]);
    }

    #[test]
    fn legacy_adam_tables_without_kind_still_load() {
        let mut t: toml::Table = toml::from_str(&TrainConfig::default().to_toml()).unwrap();
        for net in ["g", "d"] {
            t["optim"][net].as_table_mut().unwrap().remove("kind");
        }
        let old = toml::to_string(&t).unwrap();
        assert_eq!(TrainConfig::from_toml_str(&old, "old.toml").unwrap(), TrainConfig::default());
    }

    #[test]
    fn switching_the_optimiser_kind_replaces_its_table() {
        let c = TrainConfig::default().overlay_toml("[optim.d]\nkind = \"rmsprop\"\nlr = 5e-5\n", "f.toml").unwrap();
        assert_eq!(c.optim.d, OptimizerConfig::RmsProp(crate::optim::RmsPropConfig { lr: 5e-5, alpha: 0.99, eps: 1e-8 }));
    }

    #[test]
    fn gradient_penalty_refuses_a_batch_norm_critic() {
        let c = TrainConfig::default()
            .overlay_toml("[model]\nkind = \"dcgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nd_norm = \"batch\"\n[loss]\nkind = \"wasserstein\"\ngenerator = \"minimax\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n", "f.toml")
            .unwrap();
        let e = c.validate("f.toml").unwrap_err().to_string();
        assert!(e.contains("d_norm = \"batch\"") && e.contains("per sample"), "{e}");
        assert!(e.contains("loss.generator applies only"), "{e}");
    }

    #[test]
    fn epochs_to_steps() {
        let mut c = TrainConfig { batch_size: 64, epochs: Some(2), ..TrainConfig::default() };
        assert_eq!(c.total_steps(10_000), 2 * 156);
        c.d_steps = 2;
        assert_eq!(c.total_steps(10_000), 156);
    }
}
