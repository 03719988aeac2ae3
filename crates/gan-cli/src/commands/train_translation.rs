//! `gan train` for image-to-image runs (pix2pix, CycleGAN): chosen by a translation preset,
//! a `--config` whose `[model] kind` is `pix2pix` or `cyclegan`, or `--resume` of such a run.

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;

use anyhow::Context;
use gan::config::translation::TranslateConfig;
use gan::dist::Dist;
use gan::families::FamilyKind;
use gan::presets::Named;

use crate::cli::TrainArgs;
use crate::exit::user;
use crate::progress::Progress;

/// Whether these arguments train a translation run.
pub fn wanted(a: &TrainArgs) -> bool {
    let config_at = |p: &std::path::Path| std::fs::read_to_string(p).ok().as_deref().and_then(FamilyKind::of_toml) == Some(FamilyKind::Translation);
    matches!(a.preset, Some(Named::Translation(_)))
        || a.config.as_deref().is_some_and(config_at)
        || a.resume.as_deref().is_some_and(|r| FamilyKind::of_run(r) == Some(FamilyKind::Translation))
}

pub fn run(a: TrainArgs) -> anyhow::Result<()> {
    let refused = [(a.classes.is_some(), "--classes"), (a.epochs.is_some(), "--epochs (translation runs count steps; use --steps)")];
    if let Some((_, flag)) = refused.iter().find(|(set, _)| *set) {
        return Err(user(format!("{flag} is not available for image-to-image runs")));
    }
    let device = a.device.resolve()?;
    let (children, dist) = super::train_group::setup(&a, device)?;
    let stop = crate::signals::install(a.stop_signal)?;
    if let Some(d) = dist.as_ref().filter(|d| !d.is_leader()) {
        let config = match &a.resume {
            None => resolve(&a, base(&a)?)?,
            Some(_) => TranslateConfig::from_toml_str(&super::train_group::leaders_config(d)?, "rank 0's configuration")?,
        };
        return follow(d, config, device, stop);
    }
    let mut progress = Progress::new(a.no_progress);
    let mut trainer = match &a.resume {
        Some(run) => {
            let requested = if a.preset.is_some()
                || a.config.is_some()
                || a.steps.is_some()
                || a.batch_size.is_some()
                || a.seed.is_some()
                || a.data.is_some()
                || a.precision.is_some()
            {
                let path = run.join("config.toml");
                let text = std::fs::read_to_string(&path).with_context(|| format!("cannot resume {}", run.display()))?;
                Some(resolve(&a, TranslateConfig::from_toml_str(&text, &path.display().to_string())?)?)
            } else {
                None
            };
            gan::families::translation::resume_run(run, requested, &a.checkpoint.clone().unwrap_or_default(), device)?
        }
        None => {
            let config = resolve(&a, base(&a)?)?;
            let out = a.out.clone().unwrap_or_else(|| super::train::default_run_dir(&a));
            gan::families::translation::new_run(config, &out, device)?
        }
    };
    super::train_group::lead(&mut trainer, (dist, children), stop, &mut |e| progress.on_event(e))?;
    if a.eval {
        let run = trainer.run_dir().to_path_buf();
        eprintln!("evaluating {} ...", run.display());
        let report = super::eval_translation::evaluate(&run, None, device)?;
        super::eval_translation::print_report(&report, &run);
    }
    Ok(())
}

/// A follower rank of a translation run of `config`.
pub fn follow(d: &Arc<Dist>, config: TranslateConfig, device: tch::Device, stop: Arc<AtomicUsize>) -> anyhow::Result<()> {
    super::train_group::follow(d, stop, |dir| gan::families::translation::new_run(config, dir, device))
}

/// The preset's configuration, or the `--config` file's.
fn base(a: &TrainArgs) -> anyhow::Result<TranslateConfig> {
    match a.preset {
        Some(Named::Translation(p)) => Ok(p.config()),
        Some(p) => Err(user(format!("`{p}` is not an image-to-image preset"))),
        None => {
            let path = a.config.as_ref().expect("wanted() saw a translation --config");
            let text = std::fs::read_to_string(path).map_err(|e| user(format!("cannot read config {}: {e}", path.display())))?;
            Ok(TranslateConfig::from_toml_str(&text, &path.display().to_string())?)
        }
    }
}

/// The base configuration, then `--config`'s fields (over a preset), then flags; validated.
fn resolve(a: &TrainArgs, mut config: TranslateConfig) -> anyhow::Result<TranslateConfig> {
    let mut source = "command line".to_string();
    // `--config` is the base itself unless a preset or the resumed run is.
    if let Some(path) = a.config.as_ref().filter(|_| a.preset.is_some() || a.resume.is_some()) {
        let text = std::fs::read_to_string(path).map_err(|e| user(format!("cannot read config {}: {e}", path.display())))?;
        source = path.display().to_string();
        config = config.overlay_toml(&text, &source)?;
    }
    if let Some(dir) = &a.data {
        if !dir.is_dir() {
            return Err(user(format!("--data {}: directory does not exist", dir.display())));
        }
        let dir = dir.canonicalize().map_err(|e| user(format!("--data {}: {e}", dir.display())))?;
        config.data.set_dir(dir);
    }
    if let Some(s) = a.steps {
        config.steps = s;
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
    if let Some(dir) = config.data.dir().filter(|d| !d.is_dir()) {
        return Err(user(format!("data folder {} does not exist; pass --data DIR or set data.dir in a --config file", dir.display())));
    }
    Ok(config)
}
