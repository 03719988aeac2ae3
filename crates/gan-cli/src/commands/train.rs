//! `gan train`: a new run from a preset, a TOML file and flags, or `--resume RUN_DIR`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use gan::config::Length;
use gan::presets::PresetConfig;
use gan::{Preset, TrainConfig};
use gan_data::{DataSource, Split};

use crate::cli::{ClassifierArg, EvalHow, FeatureArgs, LoadArgs, TrainArgs};
use crate::exit::user;
use crate::progress::Progress;

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    if a.checkpoint.is_some() && a.resume.is_none() {
        return Err(user("--checkpoint picks the checkpoint --resume RUN continues from; add --resume"));
    }
    if super::train_translation::wanted(&a) {
        return super::train_translation::run(a);
    }
    let device = a.device.resolve()?;
    let (children, dist) = super::train_group::setup(&a, device)?;
    let stop = crate::signals::install(a.stop_signal)?;
    if let Some(d) = dist.as_ref().filter(|d| !d.is_leader()) {
        let own = if a.resume.is_none() { Some(resolve_config(&a, Preset::DEFAULT.config())?) } else { None };
        let config = match own {
            Some(c) => c,
            None => {
                // Resuming: the leader's run says which family this is.
                let text = super::train_group::leaders_config(d)?;
                if gan::families::FamilyKind::of_toml(&text) == Some(gan::families::FamilyKind::Translation) {
                    let config = gan::config::translation::TranslateConfig::from_toml_str(&text, "rank 0's configuration")?;
                    return super::train_translation::follow(d, config, device, stop);
                }
                TrainConfig::from_toml_str(&text, "rank 0's configuration")?
            }
        };
        return super::train_group::follow(d, stop, |dir| gan::families::new_train_run(config, dir, device));
    }
    let mut progress = Progress::new(a.no_progress);
    let mut trainer = match &a.resume {
        Some(run) => {
            let requested = if a.preset.is_some() || a.config.is_some() || has_overrides(&a) {
                let saved = TrainConfig::load(&run.join("config.toml")).with_context(|| format!("cannot resume {}", run.display()))?;
                Some(resolve_config(&a, saved)?)
            } else {
                None
            };
            gan::families::resume_train_run(run, requested, &a.checkpoint.clone().unwrap_or_default(), device)?
        }
        None => {
            let config = resolve_config(&a, Preset::DEFAULT.config())?;
            let out = a.out.clone().unwrap_or_else(|| default_run_dir(&a));
            gan::families::new_train_run(config, &out, device)?
        }
    };
    super::train_group::lead(&mut trainer, (dist, children), stop, &mut |e| progress.on_event(e))?;
    if a.eval {
        let run = trainer.run_dir().to_path_buf();
        eprintln!("evaluating {} ...", run.display());
        let how = EvalHow {
            n: None,
            seed: 0,
            truncation: None,
            truncation_psi: None,
            classifier: ClassifierArg { classifier: None },
            features: FeatureArgs::default(),
            cache: None,
            no_cache: false,
            load: LoadArgs { checkpoint: None, raw: false, device: a.device },
        };
        let report = super::eval::evaluate_run(&run, &how)?;
        super::eval::print_report(&report, &run);
    }
    Ok(())
}

fn has_overrides(a: &TrainArgs) -> bool {
    a.data.is_some() || a.classes.is_some() || a.steps.is_some() || a.epochs.is_some() || a.batch_size.is_some() || a.seed.is_some() || a.precision.is_some()
}

/// Preset (or `fallback`), then the TOML file, then flags; validated with every problem.
fn resolve_config(a: &TrainArgs, fallback: TrainConfig) -> anyhow::Result<TrainConfig> {
    let mut config = match a.preset.map(|p| p.config()) {
        Some(PresetConfig::Train(c)) => *c,
        Some(PresetConfig::Translate(_)) => unreachable!("train_translation::wanted() takes translation presets"),
        None => fallback,
    };
    let mut source = "command line".to_string();
    if let Some(path) = &a.config {
        let text = std::fs::read_to_string(path).map_err(|e| user(format!("cannot read config {}: {e}", path.display())))?;
        source = path.display().to_string();
        config = config.overlay_toml(&text, &source)?;
    }
    if let Some(dir) = &a.data {
        config.data = data_source(&config.data, absolute(dir)?)?;
    }
    if let Some(c) = a.classes {
        match &mut config.data {
            DataSource::Idx { classes, .. } => *classes = c.into(),
            other => return Err(user(format!("--classes names the labels of IDX data (--data DIR); this run reads {}", other.describe()))),
        }
    }
    if let Some(s) = a.steps {
        config.set_length(Length::Steps(s));
    }
    if let Some(e) = a.epochs {
        config.set_length(Length::Epochs(e));
    }
    if let Some(b) = a.batch_size {
        config.batch_size = b;
    }
    if let Some(s) = a.seed {
        config.seed = s;
    }
    if let Some(p) = a.precision {
        config.precision = p;
    }
    config.validate(&source)?;
    let dir = match &config.data {
        DataSource::Idx { dir, .. } | DataSource::Cifar10 { dir, .. } => Some(dir),
        DataSource::Folder(f) => Some(&f.dir),
        _ => None,
    };
    if let Some(dir) = dir {
        if dir.as_os_str().is_empty() || !dir.is_dir() {
            let what = if dir.as_os_str().is_empty() { "no data folder is set".to_string() } else { format!("data folder {} does not exist", dir.display()) };
            let fetch = match &config.data {
                DataSource::Cifar10 { .. } => " (`gan data fetch cifar10` downloads it to data/cifar10)",
                _ => "",
            };
            return Err(user(format!("{what}; pass --data DIR or set data.dir in a --config file{fetch}")));
        }
    }
    Ok(config)
}

/// `--data DIR`: IDX files when the folder holds them, CIFAR-10's batches for a
/// configuration that reads CIFAR-10, otherwise the image folder of a configuration that
/// reads one.
fn data_source(current: &DataSource, dir: PathBuf) -> anyhow::Result<DataSource> {
    let has_idx = ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"].iter().any(|f| dir.join(f).is_file());
    match current {
        DataSource::Folder(f) => Ok(DataSource::Folder(gan_data::folder::FolderSource { dir, ..f.clone() })),
        DataSource::Cifar10 { split, .. } => Ok(DataSource::Cifar10 { dir, split: *split }),
        // The labels keep the names the preset gave them (change them with --classes).
        _ if has_idx => Ok(DataSource::Idx { dir, split: Split::Train, classes: current.class_set(), pad: current.pad() }),
        _ => Err(user(format!(
            "--data {}: no train-images-idx3-ubyte[.gz] there; to train on a folder of PNG/JPEG images use a configuration \
             with [data] kind = \"folder\" (for example --preset faces128-wgan-gp)",
            dir.display()
        ))),
    }
}

fn absolute(dir: &Path) -> anyhow::Result<PathBuf> {
    if !dir.is_dir() {
        return Err(user(format!("--data {}: directory does not exist", dir.display())));
    }
    dir.canonicalize().map_err(|e| user(format!("--data {}: {e}", dir.display())))
}

pub(super) fn default_run_dir(a: &TrainArgs) -> PathBuf {
    let name = match (&a.preset, &a.config) {
        (Some(p), _) => p.name(),
        (None, Some(c)) => c.file_stem().map_or("run".into(), |s| s.to_string_lossy().into_owned()),
        (None, None) => Preset::DEFAULT.name().into(),
    };
    let base = PathBuf::from("runs").join(format!("{name}-{}", utc_stamp(std::time::SystemTime::now())));
    // Two runs started in the same second get distinct directories.
    (0..).map(|i| if i == 0 { base.clone() } else { PathBuf::from(format!("{}-{i}", base.display())) }).find(|p| !p.exists()).expect("some name is free")
}

/// `t` as `YYYYMMDD-HHMMSS` in UTC (civil-from-days, H. Hinnant's algorithm).
pub(super) fn utc_stamp(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}{m:02}{d:02}-{:02}{:02}{:02}", rem / 3600, rem % 3600 / 60, rem % 60)
}
