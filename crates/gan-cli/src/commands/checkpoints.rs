//! `gan checkpoints RUN`: a run's checkpoints, oldest first, with the time each was saved, its
//! size on disk and the metrics logged at its step; the one `latest` names is marked.

use std::path::Path;

use gan::run::checkpoint;
use gan::run::dir::RunDir;
use gan::run::metrics::read_metrics;

use crate::cli::CheckpointsArgs;
use crate::exit::user;

pub fn run(a: CheckpointsArgs) -> anyhow::Result<()> {
    let rd = RunDir::new(&a.run);
    if !rd.config().is_file() {
        return Err(user(format!("{} is not a run directory (no config.toml)", a.run.display())));
    }
    let list = checkpoint::list(&rd)?;
    if list.is_empty() {
        return Err(user(format!("{} has no checkpoint yet", a.run.display())));
    }
    let latest = checkpoint::latest(&rd).ok().flatten();
    let metrics = if rd.metrics().is_file() { read_metrics(&rd.metrics())? } else { Vec::new() };
    println!("{:>10}  {:<19}  {:>9}  {:>9}  {:>9}  {:>9}", "step", "saved (UTC)", "size", "D loss", "G loss", "penalty");
    for (step, dir) in list {
        let saved = std::fs::metadata(dir.join(checkpoint::STATE_FILE)).and_then(|m| m.modified()).map_or("?".into(), super::train::utc_stamp);
        let m = metrics.iter().rev().find(|m| m.step <= step);
        let show = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.4}"));
        use gan::run::metrics::names::{D_LOSS, G_LOSS, PENALTY, VAE_LOSS};
        let (d, g, p) = match m {
            Some(m) if m.scalars.has(VAE_LOSS) => (show(m.get(VAE_LOSS)), "-".to_string(), "-".to_string()),
            Some(m) => (show(m.get(D_LOSS)), show(m.get(G_LOSS)), show(m.get(PENALTY))),
            None => ("-".into(), "-".into(), "-".into()),
        };
        let mark = if latest.as_deref() == Some(dir.as_path()) { "  <- latest" } else { "" };
        println!("{step:>10}  {saved:<19}  {:>9}  {d:>9}  {g:>9}  {p:>9}{mark}", megabytes(&dir));
    }
    Ok(())
}

/// The size of the files in `dir`, as "12.3 MB".
fn megabytes(dir: &Path) -> String {
    let bytes: u64 = std::fs::read_dir(dir).map_or(0, |es| es.flatten().filter_map(|e| e.metadata().ok()).map(|m| m.len()).sum());
    format!("{:.1} MB", bytes as f64 / 1e6)
}
