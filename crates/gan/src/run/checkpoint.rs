//! Checkpoints: everything needed to continue a run bit for bit.
//!
//! A checkpoint is a directory `checkpoints/step-NNNNNNNN/` holding
//! `generator.safetensors`, `discriminator.safetensors` (parameter names as in the
//! equivalent PyTorch modules), `generator_ema.safetensors` (the moving average of the
//! generator's weights, when the run keeps one, with the generator's names),
//! `optimizer.safetensors` (Adam or RMSprop moments and step counts),
//! `state.json` (step, batches consumed, image shape, number of classes), a copy of `config.toml`,
//! and, for a family that keeps state of its own (CycleGAN's image pools), `family.safetensors`
//! and `family.json`.
//! Random state needs no file: each step reseeds libtorch from `(seed, step)` and data order
//! is a function of `(seed, batch index)`.
//!
//! Writing is atomic: files go to a hidden temporary directory, are flushed to disk, the
//! directory is renamed into place, and only then is `checkpoints/latest` replaced (again by
//! rename). A process killed at any instant leaves `latest` naming a complete checkpoint.
//!
//! Readers (`gan sample`, `eval`, `serve`, ...) never write: they read `latest` and open the
//! files of the checkpoint it names. Only the training process, holding the run's lock,
//! removes anything: the temporary directories an interrupted save left (when it starts) and
//! old checkpoints (after each save). Pruning keeps the newest [`MIN_KEPT`] checkpoints at
//! least, so the one a reader resolved stays until two more saves have landed; a reader
//! slower than that gets "checkpoint ... was replaced while it was read; retry".

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
pub const FAMILY_TENSORS_FILE: &str = "family.safetensors";
pub const FAMILY_VALUES_FILE: &str = "family.json";
const FORMAT: u32 = 1;
/// The largest image side and class count a `state.json` may claim.
const MAX_SIDE: i64 = 4096;
const MAX_CLASSES: i64 = 100_000;

/// Fault injection for tests: `GAN_FAULT_ABORT_IN_CHECKPOINT=STEP` aborts the process in the
/// middle of writing the checkpoint of that step, as a SIGKILL would;
/// `GAN_FAULT_DISK_FULL_IN_CHECKPOINT=STEP` fails that write there as a full disk does.
const FAULT_ENV: &str = "GAN_FAULT_ABORT_IN_CHECKPOINT";
const DISK_FULL_ENV: &str = "GAN_FAULT_DISK_FULL_IN_CHECKPOINT";

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

/// What a checkpoint holds, borrowed from the family.
pub struct CheckpointParts<'a> {
    pub state: CheckpointState,
    pub config_toml: String,
    /// Weight files, each `(file name, weights)`: the generator's first.
    pub weights: Vec<(&'static str, &'a nn::VarStore)>,
    pub optimizer: Vec<(String, Tensor)>,
    /// The family's own state, when it keeps any.
    pub family: Option<FamilyState>,
}

/// A family's own checkpoint state: named tensors (`family.safetensors`) and values
/// (`family.json`; `null` writes no file).
#[derive(Default)]
pub struct FamilyState {
    pub tensors: Vec<(String, Tensor)>,
    pub values: serde_json::Value,
}

/// Reads the family state of a checkpoint (empty when it has none).
pub fn read_family_state(dir: &Path) -> Result<FamilyState> {
    let t = dir.join(FAMILY_TENSORS_FILE);
    let tensors = if t.is_file() { crate::tensors::read(&t)?.into_iter().collect() } else { Vec::new() };
    let v = dir.join(FAMILY_VALUES_FILE);
    let values = if v.is_file() {
        let bytes = std::fs::read(&v).map_err(GanError::io(&v))?;
        serde_json::from_slice(&bytes).map_err(|e| GanError::Checkpoint { path: v.clone(), reason: e.to_string() })?
    } else {
        serde_json::Value::Null
    };
    Ok(FamilyState { tensors, values })
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename); a failed write
/// leaves no temporary file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    let written = std::fs::write(&tmp, bytes).map_err(GanError::io(&tmp)).and_then(|()| sync_file(&tmp));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e.disk_full_as(|| path.display().to_string()));
    }
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

fn fault_point(step: u64, file: &Path) -> Result<()> {
    let at = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok()) == Some(step);
    if at(FAULT_ENV) {
        std::process::abort();
    }
    if at(DISK_FULL_ENV) {
        return Err(GanError::Io { path: file.into(), source: std::io::Error::from_raw_os_error(28) });
    }
    Ok(())
}

/// Saves a checkpoint for `parts.state.step`, points `latest` at it, and deletes all but
/// the newest `keep` checkpoints (and those of every `keep_every`-th step, when it is not 0).
/// Returns the checkpoint's directory. A save that fails removes what it wrote; a full disk
/// is reported as [`GanError::DiskFull`] naming the last good checkpoint.
pub fn save(run: &RunDir, parts: CheckpointParts<'_>, keep: usize, keep_every: u64) -> Result<PathBuf> {
    let step = parts.state.step;
    let tmp = run.checkpoints().join(format!(".tmp-step-{step:08}"));
    write_checkpoint(run, parts, &tmp, keep, keep_every).map_err(|e| {
        let _ = std::fs::remove_dir_all(&tmp);
        match e.disk_full_as(|| format!("checkpoint step-{step:08} of {}", run.root().display())) {
            GanError::DiskFull { writing, .. } => GanError::DiskFull { writing, last_good: latest(run).ok().flatten() },
            other => other,
        }
    })
}

fn write_checkpoint(run: &RunDir, parts: CheckpointParts<'_>, tmp: &Path, keep: usize, keep_every: u64) -> Result<PathBuf> {
    let step = parts.state.step;
    let dir = run.checkpoint(step);
    if tmp.exists() {
        std::fs::remove_dir_all(tmp).map_err(GanError::io(tmp))?;
    }
    std::fs::create_dir_all(tmp).map_err(GanError::io(tmp))?;
    let torch_err = |p: &Path| {
        let p = p.to_path_buf();
        move |e: tch::TchError| GanError::Checkpoint { path: p, reason: e.to_string() }
    };
    let mut files = Vec::new();
    for (i, (name, vs)) in parts.weights.iter().enumerate() {
        let f = tmp.join(name);
        crate::tensors::save_vars(vs, &f).map_err(torch_err(&f))?;
        if i == 0 {
            fault_point(step, &f)?;
        }
        files.push(f);
    }
    if let Some(family) = &parts.family {
        if !family.tensors.is_empty() {
            let f = tmp.join(FAMILY_TENSORS_FILE);
            crate::tensors::write_row_major(&family.tensors, &f).map_err(torch_err(&f))?;
            files.push(f);
        }
        if !family.values.is_null() {
            let f = tmp.join(FAMILY_VALUES_FILE);
            std::fs::write(&f, serde_json::to_vec_pretty(&family.values).expect("values serialise")).map_err(GanError::io(&f))?;
            files.push(f);
        }
    }
    let o = tmp.join(OPTIMIZER_FILE);
    crate::tensors::write_row_major(&parts.optimizer, &o).map_err(torch_err(&o))?;
    let s = tmp.join(STATE_FILE);
    std::fs::write(&s, serde_json::to_vec_pretty(&parts.state).expect("state serialises")).map_err(GanError::io(&s))?;
    let c = tmp.join("config.toml");
    std::fs::write(&c, parts.config_toml).map_err(GanError::io(&c))?;
    files.extend([o, s, c]);
    for f in &files {
        sync_file(f)?;
    }
    sync_dir(tmp);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(GanError::io(&dir))?;
    }
    std::fs::rename(tmp, &dir).map_err(GanError::io(&dir))?;
    sync_dir(&run.checkpoints());
    write_atomic(&run.latest_pointer(), format!("step-{step:08}\n").as_bytes())?;
    prune(run, keep, keep_every)?;
    Ok(dir)
}

/// The fewest checkpoints pruning leaves, whatever `keep_checkpoints` says: a reader that
/// resolved `latest` just before a save still finds its checkpoint (see the module header).
pub const MIN_KEPT: usize = 2;

/// The complete checkpoints of a run, `(step, directory)` in step order (by number, so
/// `step-100000000` follows `step-99999999`).
pub fn list(run: &RunDir) -> Result<Vec<(u64, PathBuf)>> {
    let root = run.checkpoints();
    let mut steps: Vec<(u64, PathBuf)> = std::fs::read_dir(&root)
        .map_err(GanError::io(&root))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter_map(|p| Some((p.file_name()?.to_str()?.strip_prefix("step-")?.parse().ok()?, p)))
        .collect();
    steps.sort();
    Ok(steps)
}

fn prune(run: &RunDir, keep: usize, keep_every: u64) -> Result<()> {
    let steps = list(run)?;
    let excess = steps.len().saturating_sub(keep.max(MIN_KEPT));
    for (step, old) in &steps[..excess] {
        if keep_every == 0 || !step.is_multiple_of(keep_every) {
            std::fs::remove_dir_all(old).map_err(GanError::io(old))?;
        }
    }
    Ok(())
}

/// Removes the temporary directories an interrupted save left. Only the training process,
/// holding the run's lock, calls this: a reader that did could delete a save in progress.
pub fn remove_leftovers(run: &RunDir) -> Result<()> {
    let root = run.checkpoints();
    let Ok(entries) = std::fs::read_dir(&root) else { return Ok(()) };
    for e in entries.flatten() {
        if e.file_name().to_string_lossy().starts_with(".tmp-") {
            std::fs::remove_dir_all(e.path()).map_err(GanError::io(e.path()))?;
        }
    }
    Ok(())
}

/// The newest complete checkpoint of a run, if any. Reads only: nothing on disk changes.
pub fn latest(run: &RunDir) -> Result<Option<PathBuf>> {
    let pointer = run.latest_pointer();
    if !pointer.exists() {
        return Ok(None);
    }
    let mut name = std::fs::read_to_string(&pointer).map_err(GanError::io(&pointer))?;
    // A save may land between reading the pointer and looking at what it names: read it
    // again while it moves.
    for _ in 0..5 {
        let dir = run.checkpoints().join(name.trim());
        if dir.join(STATE_FILE).is_file() {
            return Ok(Some(dir));
        }
        let again = std::fs::read_to_string(&pointer).map_err(GanError::io(&pointer))?;
        if again == name {
            return Err(GanError::Checkpoint { path: pointer, reason: format!("names {}, which is incomplete or missing", dir.display()) });
        }
        name = again;
    }
    Err(GanError::Checkpoint { path: pointer, reason: "moved on five times while it was read (the run is saving quickly); retry".into() })
}

/// Which checkpoint of a run to use (`--checkpoint STEP|PATH`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CheckpointChoice {
    /// The one `checkpoints/latest` names.
    #[default]
    Latest,
    /// `checkpoints/step-N` of the run.
    Step(u64),
    /// A checkpoint directory given by its path.
    Dir(PathBuf),
}

impl std::str::FromStr for CheckpointChoice {
    type Err = std::convert::Infallible;

    /// A number is a step; anything else a path.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Ok(s.trim().parse().map_or_else(|_| Self::Dir(s.into()), Self::Step))
    }
}

/// The checkpoint directory `choice` names in `run` (`None`: the run has no checkpoint yet
/// and `Latest` was asked for). Reads only.
pub fn resolve(run: &RunDir, choice: &CheckpointChoice) -> Result<Option<PathBuf>> {
    let dir = match choice {
        CheckpointChoice::Latest => return latest(run),
        CheckpointChoice::Step(s) => run.checkpoint(*s),
        CheckpointChoice::Dir(d) => d.clone(),
    };
    if dir.join(STATE_FILE).is_file() {
        return Ok(Some(dir));
    }
    let have: Vec<String> = list(run).map(|l| l.into_iter().map(|(s, _)| s.to_string()).collect()).unwrap_or_default();
    let have = if have.is_empty() { "none".to_string() } else { have.join(", ") };
    Err(GanError::Checkpoint { path: dir, reason: format!("is not a complete checkpoint of {} (its checkpoints: steps {have})", run.root().display()) })
}

/// Moves the checkpoints after `step` into `checkpoints/superseded/` and points `latest` at
/// `step`: a run resumed from an older checkpoint writes a new future, and keeps the old one
/// (pruning never looks there). Only the training process, under the lock, calls this.
pub fn supersede_after(run: &RunDir, step: u64) -> Result<Vec<PathBuf>> {
    let newer: Vec<PathBuf> = list(run)?.into_iter().filter(|(s, _)| *s > step).map(|(_, d)| d).collect();
    let aside = run.checkpoints().join("superseded");
    let mut moved = Vec::new();
    for dir in newer {
        std::fs::create_dir_all(&aside).map_err(GanError::io(&aside))?;
        let to = aside.join(dir.file_name().expect("step directory"));
        if to.exists() {
            std::fs::remove_dir_all(&to).map_err(GanError::io(&to))?;
        }
        std::fs::rename(&dir, &to).map_err(GanError::io(&to))?;
        moved.push(to);
    }
    write_atomic(&run.latest_pointer(), format!("step-{step:08}\n").as_bytes())?;
    Ok(moved)
}

pub fn read_state(dir: &Path) -> Result<CheckpointState> {
    let p = dir.join(STATE_FILE);
    let bytes = std::fs::read(&p).map_err(GanError::io(&p))?;
    let state: CheckpointState = serde_json::from_slice(&bytes).map_err(|e| GanError::Checkpoint { path: p.clone(), reason: e.to_string() })?;
    if state.format != FORMAT {
        return Err(GanError::Checkpoint { path: p, reason: format!("format {} is not supported (expected {FORMAT})", state.format) });
    }
    let ImageShape { channels, height, width } = state.image;
    if !(1..=4).contains(&channels) || !(1..=MAX_SIDE).contains(&height) || !(1..=MAX_SIDE).contains(&width) {
        return Err(GanError::Checkpoint {
            path: p,
            reason: format!("image {} is not a shape this tool trains (1-4 channels, sides 1-{MAX_SIDE})", state.image),
        });
    }
    if !(0..=MAX_CLASSES).contains(&state.classes) {
        return Err(GanError::Checkpoint { path: p, reason: format!("classes {} is out of range (0-{MAX_CLASSES})", state.classes) });
    }
    Ok(state)
}

/// Loads a network's weights strictly: every variable from a tensor of its name, shape and
/// dtype with finite values, and nothing else in the file ([`crate::tensors::load_into`]).
pub fn load_weights(vs: &mut nn::VarStore, file: &Path) -> Result<()> {
    let mut vars = vs.variables();
    crate::tensors::load_into(file, &mut vars)
}

/// Loads `optimizer.safetensors` as a name-to-tensor map.
pub fn load_optimizer(dir: &Path) -> Result<HashMap<String, Tensor>> {
    crate::tensors::read(&dir.join(OPTIMIZER_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_order_by_step_number_and_pruning_keeps_at_least_the_newest_two() {
        let d = tempfile::tempdir().unwrap();
        let run = RunDir::new(d.path());
        for step in [5, 99_999_999, 100_000_000, 100_000_001] {
            std::fs::create_dir_all(run.checkpoint(step)).unwrap();
        }
        std::fs::create_dir_all(run.checkpoints().join(".tmp-step-100000002")).unwrap();
        // As text, "step-100000000" sorts before "step-99999999".
        let steps: Vec<u64> = list(&run).unwrap().into_iter().map(|(s, _)| s).collect();
        assert_eq!(steps, vec![5, 99_999_999, 100_000_000, 100_000_001]);
        prune(&run, 3, 0).unwrap();
        assert_eq!(list(&run).unwrap().into_iter().map(|(s, _)| s).collect::<Vec<_>>(), vec![99_999_999, 100_000_000, 100_000_001]);
        prune(&run, 1, 0).unwrap();
        assert_eq!(list(&run).unwrap().into_iter().map(|(s, _)| s).collect::<Vec<_>>(), vec![100_000_000, 100_000_001]);
        // Readers leave the interrupted save alone; the trainer removes it.
        std::fs::write(run.latest_pointer(), "step-100000001\n").unwrap();
        std::fs::write(run.checkpoint(100_000_001).join(STATE_FILE), "{}").unwrap();
        assert_eq!(latest(&run).unwrap(), Some(run.checkpoint(100_000_001)));
        assert!(run.checkpoints().join(".tmp-step-100000002").is_dir());
        remove_leftovers(&run).unwrap();
        assert!(!run.checkpoints().join(".tmp-step-100000002").exists());
    }
}
