//! `metrics.jsonl`: one JSON object per logging interval, averaged over the interval.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{GanError, Result};
use crate::run::tensorboard::{metric_scalars, TensorBoard};

/// Averages over one logging interval, ending at `step`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepMetrics {
    pub step: u64,
    /// Passes over the data so far (fractional).
    pub epoch: f64,
    /// Discriminator (critic) and generator losses; absent for the VAE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_loss: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g_loss: Option<f64>,
    /// Mean D(x) on real images (a probability for BCE, the raw score otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_real: Option<f64>,
    /// Mean D(G(z)) on generated images (before the generator's update).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_fake: Option<f64>,
    /// The VAE's negative ELBO and its parts, per image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vae: Option<VaeMetrics>,
    /// The critic's Earth Mover's estimate, mean C(x) - mean C(G(z)) (Wasserstein losses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wasserstein: Option<f64>,
    /// The unweighted penalty (when there is one): E[(||grad C(x_hat)|| - 1)^2] for WGAN-GP,
    /// E[||grad D(x)||^2] for R1, that plus E[||grad D(G(z))||^2] for R1 + R2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub penalty: Option<f64>,
    /// The L2 norm of all of the discriminator's (critic's) and of all of the generator's
    /// weight gradients, at the interval's last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_grad_norm: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g_grad_norm: Option<f64>,
    /// The reconstruction terms of a translation run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<TranslationMetrics>,
    /// Wall-clock training speed over the interval.
    pub steps_per_sec: f64,
}

/// The L1 terms of an image-to-image run, unweighted: pix2pix's `|G(a) - b|`, CycleGAN's
/// cycle `|F(G(a)) - a| + |G(F(b)) - b|` and identity `|G(b) - b| + |F(a) - a|`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TranslationMetrics {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub l1: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cycle: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<f64>,
}

/// The VAE's objective, per image: `loss = reconstruction + kl` (the negative ELBO).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct VaeMetrics {
    pub loss: f64,
    pub reconstruction: f64,
    pub kl: f64,
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
        StepMetrics {
            step,
            epoch: 0.0,
            d_loss: Some(1.0),
            g_loss: Some(2.0),
            d_real: Some(0.5),
            d_fake: Some(0.5),
            wasserstein: None,
            penalty: None,
            d_grad_norm: None,
            g_grad_norm: None,
            vae: None,
            translation: None,
            steps_per_sec: 1.0,
        }
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
