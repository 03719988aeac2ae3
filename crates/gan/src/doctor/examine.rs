//! `gan doctor RUN`: the doctor's analysis after the fact, on any run directory. It reports
//! the diagnoses recorded while the run trained (`diagnoses.jsonl`); for runs of older
//! versions without that log it replays the checks that need only `metrics.jsonl`; and it
//! checks what the chosen checkpoint's generator draws now, or, for a run without a
//! checkpoint, the images of its newest sample grid (64 samples: a coarser check).

use std::path::Path;

use serde::Serialize;
use tch::Device;

use super::{probe::Probe, scores, Diagnosis, Doctor};
use crate::config::TrainConfig;
use crate::error::Result;
use crate::models::ImageShape;
use crate::run::checkpoint::CheckpointChoice;
use crate::run::dir::RunDir;
use crate::run::metrics::read_metrics;
use crate::run::trained::{TrainedGenerator, WeightsChoice};
use gan_data::source::Opened;

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

/// The samples `gan doctor` checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "from")]
pub enum Drawn {
    /// Drawn from the checkpoint's generator at `step`.
    Checkpoint { step: u64 },
    /// The tiles of the sample grid saved at `step`.
    Grid { step: u64, path: std::path::PathBuf },
}

#[derive(Debug, Clone, Serialize)]
pub struct Examination {
    pub source: Source,
    /// Every start and clear, in order.
    pub diagnoses: Vec<Diagnosis>,
    /// Those still active at the end.
    pub active: Vec<Diagnosis>,
    /// Where the samples checked came from (none: the run has neither checkpoint nor grid).
    pub drawn: Option<Drawn>,
    /// What the samples show.
    pub now: Vec<Now>,
    pub healthy: bool,
}

/// Examines `run` at `checkpoint` (normally its newest), sampling the chosen weights.
pub fn examine(run: &Path, checkpoint: &CheckpointChoice, weights: WeightsChoice, device: Device) -> Result<Examination> {
    let rd = RunDir::new(run);
    let config = TrainConfig::load(&rd.config())?;
    let (source, diagnoses) =
        if rd.diagnoses().exists() { (Source::Recorded, crate::run::diagnoses::read(&rd.diagnoses())?) } else { (Source::Metrics, replay(&config, &rd)?) };
    let (drawn, reading) = if crate::run::checkpoint::resolve(&rd, checkpoint)?.is_some() {
        let g = TrainedGenerator::load(run, checkpoint, weights, device)?;
        let probe = Probe::for_run(&config, g.image, g.classes, device)?;
        let real = if probe.needs_real() { real_images(&config, device)?.map(|r| r.batch) } else { None };
        (Some(Drawn::Checkpoint { step: g.step }), probe.read(&config.doctor, |z, y| g.generate(z, y), real.as_ref()))
    } else {
        // A toy run's grids are scatter plots: nothing to read back.
        let grid = rd.sample_grids().unwrap_or_default().pop().filter(|_| config.data.toy().is_none());
        match (grid, real_images(&config, device)?) {
            (Some((step, path)), Some(real)) => {
                let probe = Probe::for_run(&config, real.image, real.classes, device)?;
                let ncol = if real.classes > 0 { real.classes as usize } else { GRID_COLUMNS };
                let tiles = crate::draw::grid::read_grid(&path, ncol)?.to_device(device);
                (Some(Drawn::Grid { step, path }), probe.read(&config.doctor, |_, _| tiles, Some(&real.batch)))
            }
            _ => (None, super::probe::Reading::default()),
        }
    };
    let now: Vec<Now> = reading.findings.into_iter().map(|f| Now { kind: f.kind, advice: f.kind.advice().into(), evidence: f.evidence }).collect();
    let active = super::active_of(&diagnoses);
    let healthy = active.is_empty() && now.is_empty();
    Ok(Examination { source, diagnoses, active, drawn, now, healthy })
}

/// The metric checks over `metrics.jsonl`, as training would have made them every
/// `[doctor] every` steps from `[doctor] warmup` (every 250 when the run turned the doctor
/// off); without samples the checks that need their quality find nothing.
fn replay(config: &TrainConfig, rd: &RunDir) -> Result<Vec<Diagnosis>> {
    let metrics = if rd.metrics().is_file() { read_metrics(&rd.metrics())? } else { Vec::new() };
    let every = if config.doctor.every == 0 { crate::config::DoctorConfig::default().every } else { config.doctor.every };
    let mut doctor = Doctor::new(config.doctor.clone());
    let mut start = 0;
    let mut out = Vec::new();
    while start < metrics.len() {
        let check = (metrics[start].step / every + 1) * every;
        let end = start + metrics[start..].iter().take_while(|m| m.step <= check).count();
        if metrics[end - 1].step >= config.doctor.warmup {
            out.extend(doctor.observe(metrics[end - 1].step, &scores::from_metrics(&config.doctor, &config.loss, &metrics[..end], start, None)));
        }
        start = end;
    }
    Ok(out)
}

/// The columns of an unconditional run's sample grid (a conditional one has one per class).
const GRID_COLUMNS: usize = 8;

/// A run's images as its data gives them: their shape, the classes of a conditional run (0:
/// unconditional), and a seeded random batch of them.
struct RealImages {
    image: ImageShape,
    classes: i64,
    batch: tch::Tensor,
}

/// The run's images, for the checks that compare samples with real images and for reading a
/// sample grid back; `None` for toy points and Stacked MNIST (composed on the fly).
fn real_images(config: &TrainConfig, device: Device) -> Result<Option<RealImages>> {
    let n = config.batch_size.clamp(2, 256);
    let pick = |len: usize| -> Result<Vec<usize>> {
        let mut sampler = gan_data::BatchSampler::new(len, n.min(len), config.seed)?;
        Ok(sampler.batch(0).iter().map(|&i| i as usize).collect())
    };
    let (pixels, image, labelled) = match config.data.open()? {
        Opened::Memory(ds) => {
            let k = ds.sample_len();
            let pixels: Vec<u8> = pick(ds.len())?.into_iter().flat_map(|i| ds.pixels[i * k..(i + 1) * k].to_vec()).collect();
            (pixels, ImageShape { channels: ds.channels as i64, height: ds.height as i64, width: ds.width as i64 }, ds.num_classes())
        }
        Opened::Folder(folder, _) => {
            // Files that no longer decode are left out here; training reports them.
            let pixels: Vec<u8> = pick(folder.len())?.into_iter().filter_map(|i| folder.load(i).ok()).flatten().collect();
            let s = folder.size as i64;
            (pixels, ImageShape { channels: 3, height: s, width: s }, None)
        }
        Opened::Points(_) | Opened::Stacked(_) => return Ok(None),
    };
    let t = tch::Tensor::from_slice(&pixels).view([-1, image.channels, image.height, image.width]);
    let classes = if config.conditional { labelled.unwrap_or(0) as i64 } else { 0 };
    Ok(Some(RealImages { image, classes, batch: (t.to_kind(tch::Kind::Float) / 127.5 - 1.0).to_device(device) }))
}
