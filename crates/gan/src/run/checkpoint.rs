//! Checkpoints: everything needed to continue a run bit for bit.
//!
//! A checkpoint is a directory `checkpoints/step-NNNNNNNN/` holding
//! `generator.safetensors`, `discriminator.safetensors` (parameter names as in the
//! equivalent PyTorch modules), `generator_ema.safetensors` (the moving average of the
//! generator's weights, when the run keeps one, with the generator's names),
//! `optimizer.safetensors` (Adam or RMSprop moments and step counts),
//! `state.json` (step, batches consumed, image shape, number of classes) and a copy of `config.toml`.
//! Random state needs no file: each step reseeds libtorch from `(seed, step)` and data order
//! is a function of `(seed, batch index)`.
//!
//! Writing is atomic: files go to a hidden temporary directory, are flushed to disk, the
//! directory is renamed into place, and only then is `checkpoints/latest` replaced (again by
//! rename). A process killed at any instant leaves `latest` naming a complete checkpoint.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tch::{nn, Tensor};

use crate::error::{GanError, Result};
use crate::models::ImageShape;
use crate::run::dir::RunDir;

pub const GENERATOR_FILE: &str = "generator.safetensors";
pub const DISCRIMINATOR_FILE: &str = "discriminator.safetensors";
pub const GENERATOR_EMA_FILE: &str = "generator_ema.safetensors";
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
pub const STATE_FILE: &str = "state.json";
const FORMAT: u32 = 1;

/// Fault injection for tests: `GAN_FAULT_ABORT_IN_CHECKPOINT=STEP` aborts the process in the
/// middle of writing the checkpoint of that step, as a SIGKILL would.
const FAULT_ENV: &str = "GAN_FAULT_ABORT_IN_CHECKPOINT";

/// `state.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckpointState {
    pub format: u32,
    pub step: u64,
    pub batches_consumed: u64,
    pub image: ImageShape,
    /// Number of classes a conditional pair was built for (0: unconditional).
    #[serde(default)]
    pub classes: i64,
}

impl CheckpointState {
    pub fn new(step: u64, batches_consumed: u64, image: ImageShape, classes: i64) -> Self {
        Self { format: FORMAT, step, batches_consumed, image, classes }
    }
}

/// What a checkpoint holds, borrowed from the trainer.
pub struct CheckpointParts<'a> {
    pub state: CheckpointState,
    pub config_toml: &'a str,
    pub g_vs: &'a nn::VarStore,
    pub d_vs: &'a nn::VarStore,
    /// The generator's moving average, when the run keeps one.
    pub ema_vs: Option<&'a nn::VarStore>,
    pub optimizer: Vec<(String, Tensor)>,
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(GanError::io(&tmp))?;
    sync_file(&tmp)?;
    std::fs::rename(&tmp, path).map_err(GanError::io(path))?;
    if let Some(parent) = path.parent() {
        sync_dir(parent);
    }
    Ok(())
}

fn sync_file(path: &Path) -> Result<()> {
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(GanError::io(path))
}

fn sync_dir(path: &Path) {
    // Directory fsync makes the rename durable; not every filesystem supports it.
    if let Ok(d) = std::fs::File::open(path) {
        let _ = d.sync_all();
    }
}

fn fault_point(step: u64) {
    if std::env::var(FAULT_ENV).ok().and_then(|v| v.parse::<u64>().ok()) == Some(step) {
        std::process::abort();
    }
}

/// Saves a checkpoint for `parts.state.step`, points `latest` at it, and deletes all but
/// the newest `keep` checkpoints. Returns the checkpoint's directory.
pub fn save(run: &RunDir, parts: CheckpointParts<'_>, keep: usize) -> Result<PathBuf> {
    let step = parts.state.step;
    let dir = run.checkpoint(step);
    let tmp = run.checkpoints().join(format!(".tmp-step-{step:08}"));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp).map_err(GanError::io(&tmp))?;
    }
    std::fs::create_dir_all(&tmp).map_err(GanError::io(&tmp))?;
    let torch_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e: tch::TchError| GanError::Checkpoint { path: p, reason: e.to_string() }
    };
    let g = tmp.join(GENERATOR_FILE);
    parts.g_vs.save(&g).map_err(torch_err(&g))?;
    fault_point(step);
    let d = tmp.join(DISCRIMINATOR_FILE);
    parts.d_vs.save(&d).map_err(torch_err(&d))?;
    let mut files = vec![g.clone(), d.clone()];
    if let Some(vs) = parts.ema_vs {
        let e = tmp.join(GENERATOR_EMA_FILE);
        vs.save(&e).map_err(torch_err(&e))?;
        files.push(e);
    }
    let o = tmp.join(OPTIMIZER_FILE);
    Tensor::write_safetensors(&parts.optimizer, &o).map_err(torch_err(&o))?;
    let s = tmp.join(STATE_FILE);
    std::fs::write(&s, serde_json::to_vec_pretty(&parts.state).expect("state serialises")).map_err(GanError::io(&s))?;
    let c = tmp.join("config.toml");
    std::fs::write(&c, parts.config_toml).map_err(GanError::io(&c))?;
    files.extend([o, s, c]);
    for f in &files {
        sync_file(f)?;
    }
    sync_dir(&tmp);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(GanError::io(&dir))?;
    }
    std::fs::rename(&tmp, &dir).map_err(GanError::io(&dir))?;
    sync_dir(&run.checkpoints());
    write_atomic(&run.latest_pointer(), format!("step-{step:08}\n").as_bytes())?;
    prune(run, keep)?;
    Ok(dir)
}

fn prune(run: &RunDir, keep: usize) -> Result<()> {
    let root = run.checkpoints();
    let mut steps: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(GanError::io(&root))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("step-")))
        .collect();
    steps.sort();
    let excess = steps.len().saturating_sub(keep);
    for old in &steps[..excess] {
        std::fs::remove_dir_all(old).map_err(GanError::io(old))?;
    }
    Ok(())
}

/// The newest complete checkpoint of a run, if any (leftover temporary directories from an
/// interrupted save are removed).
pub fn latest(run: &RunDir) -> Result<Option<PathBuf>> {
    let pointer = run.latest_pointer();
    if !pointer.exists() {
        return Ok(None);
    }
    if let Ok(entries) = std::fs::read_dir(run.checkpoints()) {
        for e in entries.flatten() {
            if e.file_name().to_string_lossy().starts_with(".tmp-") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let name = std::fs::read_to_string(&pointer).map_err(GanError::io(&pointer))?;
    let dir = run.checkpoints().join(name.trim());
    if !dir.join(STATE_FILE).is_file() {
        return Err(GanError::Checkpoint { path: pointer, reason: format!("names {}, which is incomplete or missing", dir.display()) });
    }
    Ok(Some(dir))
}

pub fn read_state(dir: &Path) -> Result<CheckpointState> {
    let p = dir.join(STATE_FILE);
    let bytes = std::fs::read(&p).map_err(GanError::io(&p))?;
    let state: CheckpointState = serde_json::from_slice(&bytes).map_err(|e| GanError::Checkpoint { path: p.clone(), reason: e.to_string() })?;
    if state.format != FORMAT {
        return Err(GanError::Checkpoint { path: p, reason: format!("format {} is not supported (expected {FORMAT})", state.format) });
    }
    Ok(state)
}

/// Loads a network's weights, checking names and shapes.
pub fn load_weights(vs: &mut nn::VarStore, file: &Path) -> Result<()> {
    vs.load(file).map_err(|e| GanError::Checkpoint { path: file.into(), reason: e.to_string() })
}

/// Loads `optimizer.safetensors` as a name-to-tensor map.
pub fn load_optimizer(dir: &Path) -> Result<HashMap<String, Tensor>> {
    let p = dir.join(OPTIMIZER_FILE);
    let tensors = Tensor::read_safetensors(&p).map_err(|e| GanError::Checkpoint { path: p.clone(), reason: e.to_string() })?;
    Ok(tensors.into_iter().collect())
}
