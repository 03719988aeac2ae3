//! Layering configurations: parsing a complete document (with the upgrade of older run
//! directories' tables), overlaying a partial one on a base (a preset, then a user's file),
//! and naming the fields in which two configurations differ.

use std::path::Path;

use crate::error::{GanError, Result};
use crate::losses::LossConfig;

use super::TrainConfig;

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
        // A VAE has no discriminator, so no [loss]: a document that turns the model into one
        // drops the base's adversarial loss, unless it names one itself (which validation
        // then refuses by name).
        if is_vae(patch.get("model")) && !is_vae(base.get("model")) && !patch.contains_key("loss") {
            base.insert("loss".into(), toml::Value::try_from(LossConfig::default()).expect("loss serialises"));
        }
        merge(&mut base, patch);
        let cfg: Self = toml::Value::Table(base).try_into().map_err(|e| config_error(source_name, e))?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("config serialises")
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

fn is_vae(model: Option<&toml::Value>) -> bool {
    model.and_then(|m| m.get("kind")).and_then(toml::Value::as_str) == Some("vae")
}

fn config_error(source_name: &str, e: impl std::fmt::Display) -> GanError {
    let msg = e.to_string().lines().filter(|l| !l.trim().is_empty()).collect::<Vec<_>>().join(" ");
    GanError::Config { source_name: source_name.into(), problems: vec![msg] }
}

pub(super) fn merge(base: &mut toml::Table, patch: toml::Table) {
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
pub fn differences<T: serde::Serialize>(a: &T, b: &T) -> Vec<(String, String, String)> {
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
    use crate::losses::penalty::Lipschitz;
    use crate::optim::OptimizerConfig;

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
    fn a_vae_file_over_a_gan_preset_needs_no_loss_table_and_an_explicit_one_is_refused() {
        let gan = TrainConfig { loss: LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 }), ..TrainConfig::default() };
        let vae = "[model]\nkind = \"vae\"\nlatent_dim = 4\nencoder_hidden = [8]\ndecoder_hidden = [8]\nleaky_slope = 0.2\n";
        let v = gan.overlay_toml(vae, "vae.toml").unwrap();
        assert_eq!(v.loss, LossConfig::default());
        v.validate("vae.toml").unwrap();
        // Later layers over a VAE leave its loss alone.
        assert_eq!(v.overlay_toml("steps = 3\n", "x").unwrap().loss, LossConfig::default());
        let c = gan.overlay_toml(&format!("{vae}[loss]\nkind = \"wasserstein\"\n"), "vae.toml").unwrap();
        let e = c.validate("vae.toml").unwrap_err().to_string();
        assert!(e.contains("remove the [loss] table"), "{e}");
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
}
