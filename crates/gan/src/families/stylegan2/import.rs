//! `gan import stylegan2`: a pretrained generator (see `models::stylegan2::import`) written
//! as a run directory with one checkpoint, so that `gan sample`, `gan mix`, `gan interpolate
//! --space w` and `gan project` work on it as on a trained run. Only the generator is
//! imported (the discriminator and optimiser states are not), so the run cannot be resumed.

use std::path::Path;

use gan_data::folder::FolderSource;
use gan_data::DataSource;
use tch::{nn, Device, Kind, Tensor};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::losses::LossConfig;
use crate::models::latent::latents;
use crate::models::stylegan2::import::{read, Source};
use crate::models::stylegan2::mapping::W_AVG;
use crate::models::stylegan2::Stylegan2Config;
use crate::models::{EmaConfig, ImageShape, ModelConfig, NetConfig};
use crate::run::checkpoint::{self, CheckpointParts, CheckpointState, GENERATOR_FILE};
use crate::run::dir::RunDir;

/// Latents averaged for `w_avg` when the file has none (the reference's projector uses 10k).
pub const W_AVG_SAMPLES: i64 = 10_000;

/// What was imported.
pub struct ImportReport {
    pub source: Source,
    pub config: Stylegan2Config,
    pub image: ImageShape,
    pub weights: usize,
    pub skipped: Vec<String>,
    pub not_understood: Vec<String>,
    /// Whether `w_avg` came from the file (else from mapped latents).
    pub w_avg_from_file: bool,
}

/// Imports `file` into the new run directory `out`; `data` is the folder of the run's data
/// (for `gan eval`), by default `data/imported`.
pub fn import_run(file: &Path, out: &Path, data: Option<&Path>) -> Result<ImportReport> {
    let bytes = std::fs::read(file).map_err(GanError::io(file))?;
    let imported = read(&bytes).map_err(|e| GanError::Invalid(format!("{}: {e}", file.display())))?;
    let rd = RunDir::new(out);
    if rd.config().exists() {
        return Err(GanError::Invalid(format!("{}: already a run directory (config.toml exists); choose a new --out", out.display())));
    }
    let mut config = TrainConfig::default();
    let dir = data.map_or_else(|| Path::new("data/imported").to_path_buf(), Path::to_path_buf);
    config.data = DataSource::Folder(FolderSource::new(dir, imported.image.height as u32));
    config.model = ModelConfig { net: NetConfig::Stylegan2(imported.config.clone()), ema: EmaConfig::default() };
    config.loss = LossConfig::default();
    config.validate("imported configuration")?;
    let vs = nn::VarStore::new(Device::Cpu);
    let g = imported.config.generator(&vs.root(), imported.image);
    let vars = vs.variables();
    tch::no_grad(|| {
        for (name, t) in &imported.tensors {
            vars[name].shallow_clone().copy_(t);
        }
    });
    if !imported.has_w_avg {
        let z = latents(W_AVG_SAMPLES, imported.config.latent_dim, 0, Device::Cpu);
        let mean = tch::no_grad(|| g.mapping.forward(&z, false).mean_dim([0i64].as_slice(), false, Kind::Float));
        tch::no_grad(|| vars[W_AVG].shallow_clone().copy_(&mean));
    }
    std::fs::create_dir_all(out).map_err(GanError::io(out))?;
    let toml = config.to_toml();
    checkpoint::write_atomic(&rd.config(), toml.as_bytes())?;
    let state = CheckpointState::new(0, 0, imported.image, 0);
    checkpoint::save(
        &rd,
        CheckpointParts { state, config_toml: toml, weights: vec![(GENERATOR_FILE, &vs)], optimizer: Vec::<(String, Tensor)>::new(), family: None },
        2,
        0,
    )?;
    Ok(ImportReport {
        source: imported.source,
        config: imported.config,
        image: imported.image,
        weights: imported.tensors.len(),
        skipped: imported.skipped,
        not_understood: imported.not_understood,
        w_avg_from_file: imported.has_w_avg,
    })
}
