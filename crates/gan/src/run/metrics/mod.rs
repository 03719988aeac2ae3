//! `metrics.jsonl`: one JSON object per logging interval, averaged over the interval.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{GanError, Result};
use crate::run::tensorboard::{metric_scalars, TensorBoard};

mod scalars;

pub use scalars::Scalars;

/// Averages over one logging interval, ending at `step`: the family's named scalars (see
/// [`Scalars`]; the names of today's families are listed in [`names`]).
#[derive(Debug, Clone, PartialEq)]
pub struct StepMetrics {
    pub step: u64,
    /// Passes over the data so far (fractional).
    pub epoch: f64,
    pub scalars: Scalars,
    /// Wall-clock training speed over the interval.
    pub steps_per_sec: f64,
}

impl StepMetrics {
    /// A record of `values` at `step` (epoch and speed 0).
    pub fn of(step: u64, values: &[(&str, f64)]) -> Self {
        StepMetrics { step, epoch: 0.0, scalars: values.iter().map(|(n, v)| (n.to_string(), *v)).collect(), steps_per_sec: 0.0 }
    }

    /// The scalar `name`, when the interval reported it.
    pub fn get(&self, name: &str) -> Option<f64> {
        self.scalars.get(name)
    }

    /// Adds (or replaces) the scalar `name`.
    pub fn set(&mut self, name: &str, value: f64) {
        self.scalars.set(name, value);
    }
}

/// The scalars the built-in families report, by name.
pub mod names {
    /// Discriminator (critic) and generator losses.
    pub const D_LOSS: &str = "d_loss";
    pub const G_LOSS: &str = "g_loss";
    /// Mean D(x) on real images (a probability for BCE, the raw score otherwise).
    pub const D_REAL: &str = "d_real";
    /// Mean D(G(z)) on generated images (before the generator's update).
    pub const D_FAKE: &str = "d_fake";
    /// The critic's Earth Mover's estimate, mean C(x) - mean C(G(z)) (Wasserstein losses).
    pub const WASSERSTEIN: &str = "wasserstein";
    /// The unweighted penalty: E[(||grad C(x_hat)|| - 1)^2] for WGAN-GP, E[||grad D(x)||^2]
    /// for R1, that plus E[||grad D(G(z))||^2] for R1 + R2 (averaged over the updates that
    /// took it).
    pub const PENALTY: &str = "penalty";
    /// The L2 norm of all of the discriminator's (critic's) and of all of the generator's
    /// weight gradients, at the interval's last measured step.
    pub const D_GRAD_NORM: &str = "d_grad_norm";
    pub const G_GRAD_NORM: &str = "g_grad_norm";
    /// Adaptive augmentation's probability (ADA).
    pub const AUGMENT_P: &str = "augment.p";
    /// ProGAN's growth: the resolution trained, and the newest block's weight while it fades
    /// in (1 when it is fully in).
    pub const GROWTH_RESOLUTION: &str = "growth.resolution";
    pub const GROWTH_ALPHA: &str = "growth.alpha";
    /// StyleGAN2's path length penalty `(a - m)^2` (unweighted, over the steps that took it)
    /// and the running mean `m` of the lengths.
    pub const PL_PENALTY: &str = "pl.penalty";
    pub const PL_MEAN: &str = "pl.mean";
    /// StackGAN's stage: 1 (Stage-I) or 2 (Stage-II, Stage-I frozen).
    pub const STACKGAN_STAGE: &str = "stackgan.stage";
    /// The VAE's objective per image: `loss = reconstruction + kl` (the negative ELBO).
    pub const VAE_LOSS: &str = "vae.loss";
    pub const VAE_RECONSTRUCTION: &str = "vae.reconstruction";
    pub const VAE_KL: &str = "vae.kl";
    /// The L1 terms of an image-to-image run, unweighted: pix2pix's `|G(a) - b|`, CycleGAN's
    /// cycle `|F(G(a)) - a| + |G(F(b)) - b|` and identity `|G(b) - b| + |F(a) - a|`.
    pub const TRANSLATION_L1: &str = "translation.l1";
    pub const TRANSLATION_CYCLE: &str = "translation.cycle";
    pub const TRANSLATION_IDENTITY: &str = "translation.identity";
    /// CartoonGAN's content term, the L1 distance of the fixed network's feature maps of
    /// `G(a)` and `a` (unweighted), and the discriminator's mean score of edge-smoothed targets.
    pub const TRANSLATION_CONTENT: &str = "translation.content";
    pub const TRANSLATION_D_EDGE: &str = "translation.d_edge";
    /// SimGAN's self-regularisation `|R(x) - x|`, the mean absolute change per pixel
    /// (unweighted).
    pub const TRANSLATION_SELF_REG: &str = "translation.self_reg";
    /// SimGAN's task-consistency term, the frozen classifier's cross-entropy on the refined
    /// images against the simulated labels (unweighted).
    pub const TRANSLATION_TASK: &str = "translation.task";
}

impl Serialize for StepMetrics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let groups = scalars::nested(&self.scalars);
        let mut map = s.serialize_map(Some(groups.len() + 3))?;
        map.serialize_entry("step", &self.step)?;
        map.serialize_entry("epoch", &self.epoch)?;
        for (k, v) in &groups {
            map.serialize_entry(k, v)?;
        }
        map.serialize_entry("steps_per_sec", &self.steps_per_sec)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for StepMetrics {
    /// Any record of `metrics.jsonl`, this version's or an earlier one's: `step`, `epoch`,
    /// `steps_per_sec`, and every other number by its (dotted) name.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = StepMetrics;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a metrics record")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<StepMetrics, A::Error> {
                let (mut step, mut epoch, mut steps_per_sec, mut scalars) = (None, 0.0, 0.0, Scalars::new());
                // In file order, so that a record reads back and writes out unchanged.
                while let Some(k) = map.next_key::<String>()? {
                    match k.as_str() {
                        "step" => step = Some(map.next_value::<u64>()?),
                        "epoch" => epoch = map.next_value::<f64>()?,
                        "steps_per_sec" => steps_per_sec = map.next_value::<f64>()?,
                        _ => scalars::flatten_into(&mut scalars, &k, &map.next_value::<scalars::Node>()?),
                    }
                }
                let step = step.ok_or_else(|| serde::de::Error::missing_field("step"))?;
                Ok(StepMetrics { step, epoch, scalars, steps_per_sec })
            }
        }
        d.deserialize_map(V)
    }
}

/// Appends metrics to `metrics.jsonl` (and, when the run logs to TensorBoard, to its event
/// files, with the sample grids).
pub struct MetricsLog {
    path: PathBuf,
    file: std::fs::File,
    tensorboard: Option<TensorBoard>,
}

impl MetricsLog {
    /// Opens the log for appending, training continuing from step `keep_through`: records of
    /// later steps (written after that checkpoint by an interrupted run) are dropped first,
    /// from `metrics.jsonl` and from what TensorBoard shows of the `tensorboard` folder.
    /// Returns the log and the kept records.
    pub fn open(path: &Path, keep_through: u64, tensorboard: Option<&Path>) -> Result<(Self, Vec<StepMetrics>)> {
        let kept = if path.exists() {
            let kept: Vec<StepMetrics> = read_metrics(path)?.into_iter().filter(|m| m.step <= keep_through).collect();
            let mut text = String::new();
            for m in &kept {
                text.push_str(&serde_json::to_string(m).expect("metrics serialise"));
                text.push('\n');
            }
            crate::run::checkpoint::write_atomic(path, text.as_bytes())?;
            kept
        } else {
            Vec::new()
        };
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(GanError::io(path))?;
        // A fresh run forgets everything at step 0 and after; a resumed one what followed
        // its checkpoint.
        let purge = if keep_through == 0 { 0 } else { keep_through + 1 };
        let tensorboard = tensorboard.map(|dir| TensorBoard::open(dir, Some(purge))).transpose()?;
        Ok((Self { path: path.into(), file, tensorboard }, kept))
    }

    pub fn append(&mut self, m: &StepMetrics) -> Result<()> {
        let line = serde_json::to_string(m).expect("metrics serialise");
        writeln!(self.file, "{line}").map_err(GanError::io(&self.path))?;
        match &mut self.tensorboard {
            Some(tb) => tb.scalars(m.step, &metric_scalars(m)),
            None => Ok(()),
        }
    }

    /// Logs a saved sample grid (a PNG) at `step` to TensorBoard, when the run logs there.
    pub fn sample_grid(&mut self, step: u64, png: &Path) -> Result<()> {
        match &mut self.tensorboard {
            Some(tb) => tb.png("samples", step, png),
            None => Ok(()),
        }
    }
}

/// Reads every record of a `metrics.jsonl`; a torn last line (from a killed run) is ignored.
pub fn read_metrics(path: &Path) -> Result<Vec<StepMetrics>> {
    read_jsonl(path)
}

/// Reads a JSON-lines log (`metrics.jsonl`, `diagnoses.jsonl`); a torn last line (from a
/// killed run: no newline after it) is ignored, any other bad line is an error naming it.
pub fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path).map_err(GanError::io(path))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut out = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str(line) {
            Ok(m) => out.push(m),
            Err(_) if i + 1 == lines.len() && !text.ends_with('\n') => break,
            Err(e) => return Err(GanError::Invalid(format!("{}: line {}: {e}", path.display(), i + 1))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(step: u64) -> StepMetrics {
        StepMetrics::of(step, &[("d_loss", 1.0), ("g_loss", 2.0), ("d_real", 0.5), ("d_fake", 0.5)])
    }

    /// A record written by an earlier version (nested groups, absent fields) reads by name,
    /// and this version writes the same bytes back.
    #[test]
    fn records_of_earlier_versions_read_by_name_and_write_back_unchanged() {
        let old = r#"{"step":6,"epoch":0.1,"vae":{"loss":120.5,"reconstruction":100.25,"kl":20.25},"steps_per_sec":33.5}"#;
        let m: StepMetrics = serde_json::from_str(old).unwrap();
        assert_eq!((m.step, m.get(names::VAE_KL), m.get(names::D_LOSS)), (6, Some(20.25), None));
        assert_eq!(serde_json::to_string(&m).unwrap(), old);
        let gan = r#"{"step":2,"epoch":0.0016,"d_loss":1.4,"g_loss":0.7,"d_real":0.5,"d_fake":0.49,"penalty":0.01,"steps_per_sec":10.0}"#;
        assert_eq!(serde_json::to_string(&serde_json::from_str::<StepMetrics>(gan).unwrap()).unwrap(), gan);
        assert!(serde_json::from_str::<StepMetrics>(r#"{"epoch":1}"#).is_err(), "a record needs its step");
    }

    #[test]
    fn resume_drops_records_after_the_checkpoint_and_torn_lines() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("metrics.jsonl");
        let (mut log, _) = MetricsLog::open(&p, 0, None).unwrap();
        for s in [10, 20, 30] {
            log.append(&m(s)).unwrap();
        }
        drop(log);
        let mut f = std::fs::OpenOptions::new().append(true).open(&p).unwrap();
        write!(f, "{{\"step\": 4").unwrap();
        assert_eq!(read_metrics(&p).unwrap().len(), 3);
        let (_, kept) = MetricsLog::open(&p, 20, None).unwrap();
        assert_eq!(kept.iter().map(|m| m.step).collect::<Vec<_>>(), vec![10, 20]);
        assert_eq!(read_metrics(&p).unwrap(), kept);
    }
}
