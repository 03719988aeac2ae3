//! `gan doctor RUN`: the doctor's analysis after the fact, on any run directory. It reports
//! the diagnoses recorded while the run trained (`diagnoses.jsonl`); for runs of older
//! versions without that log it replays the checks that need only `metrics.jsonl`; and it
//! checks what the chosen checkpoint's generator draws now.

use std::path::Path;

use serde::Serialize;
use tch::Device;

use super::{probe, signals, Diagnosis, Doctor, Finding};
use crate::config::TrainConfig;
use crate::error::Result;
use crate::run::checkpoint::CheckpointChoice;
use crate::run::dir::RunDir;
use crate::run::metrics::read_metrics;
use crate::run::trained::{TrainedGenerator, WeightsChoice};
use gan_data::modes::PAPER_SAMPLES;

/// Where the diagnoses of a report come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// `diagnoses.jsonl`, written while training.
    Recorded,
    /// Replayed from `metrics.jsonl` (a run without a diagnoses log).
    Metrics,
}

/// A finding on the checkpoint, with the advice for its kind.
#[derive(Debug, Clone, Serialize)]
pub struct Now {
    pub kind: super::DiagnosisKind,
    pub evidence: String,
    pub advice: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Examination {
    pub source: Source,
    /// Every start and clear, in order.
    pub diagnoses: Vec<Diagnosis>,
    /// Those still active at the end.
    pub active: Vec<Diagnosis>,
    /// The checkpoint step the samples were drawn at, when the run has one.
    pub checkpoint_step: Option<u64>,
    /// What the generator draws at that checkpoint.
    pub now: Vec<Now>,
    pub healthy: bool,
}

/// Examines `run` at `checkpoint` (normally its newest), sampling the chosen weights.
pub fn examine(run: &Path, checkpoint: &CheckpointChoice, weights: WeightsChoice, device: Device) -> Result<Examination> {
    let rd = RunDir::new(run);
    let config = TrainConfig::load(&rd.config())?;
    let (source, diagnoses) =
        if rd.diagnoses().exists() { (Source::Recorded, crate::run::diagnoses::read(&rd.diagnoses())?) } else { (Source::Metrics, replay(&config, &rd)?) };
    let mut now = Vec::new();
    let mut checkpoint_step = None;
    if crate::run::checkpoint::resolve(&rd, checkpoint)?.is_some() {
        let g = TrainedGenerator::load(run, checkpoint, weights, device)?;
        checkpoint_step = Some(g.step);
        now = sample_findings(&config, &g, device)?.into_iter().map(|f| Now { kind: f.kind, advice: f.kind.advice().into(), evidence: f.evidence }).collect();
    }
    let active = super::active_of(&diagnoses);
    let healthy = active.is_empty() && now.is_empty();
    Ok(Examination { source, diagnoses, active, checkpoint_step, now, healthy })
}

/// The metric checks over `metrics.jsonl`, as training would have made them every
/// `[doctor] every` steps (every 250 when the run turned the doctor off).
fn replay(config: &TrainConfig, rd: &RunDir) -> Result<Vec<Diagnosis>> {
    let metrics = if rd.metrics().is_file() { read_metrics(&rd.metrics())? } else { Vec::new() };
    let every = if config.doctor.every == 0 { crate::config::DoctorConfig::default().every } else { config.doctor.every };
    let mut doctor = Doctor::new(config.doctor.clone());
    let mut start = 0;
    let mut out = Vec::new();
    while start < metrics.len() {
        let check = (metrics[start].step / every + 1) * every;
        let end = start + metrics[start..].iter().take_while(|m| m.step <= check).count();
        out.extend(doctor.observe(metrics[end - 1].step, &signals::from_metrics(&config.doctor, &config.loss, &metrics[start..end])));
        start = end;
    }
    Ok(out)
}

fn sample_findings(config: &TrainConfig, g: &TrainedGenerator, device: Device) -> Result<Vec<Finding>> {
    let cfg = &config.doctor;
    let mut out = Vec::new();
    if let Some(dist) = config.data.toy() {
        let z = crate::models::latent::latents(PAPER_SAMPLES as i64, g.latent_dim(), config.seed, device);
        out.extend(probe::check_modes(cfg, dist, &g.generate(&z, None)));
    } else if let Some(p) = probe::ClassProbe::for_run(config, g.image, g.classes, device)? {
        out.extend(p.check(cfg, |z| g.generate(z, None)));
    }
    Ok(out)
}
