//! `gan compare`: evaluated runs side by side, one column per run.

use std::path::Path;

use gan::eval::EvalReport;
use gan::run::checkpoint::{self, CheckpointChoice};
use gan::run::dir::RunDir;
use gan::run::trained::{Weights, WeightsChoice};
use gan::TrainConfig;

use super::eval::{evaluate_run, rows};
use crate::cli::CompareArgs;
use crate::exit::user;

pub fn run(a: CompareArgs) -> anyhow::Result<()> {
    let mut reports: Vec<EvalReport> = Vec::new();
    for run in &a.runs {
        let saved = RunDir::new(run).eval();
        let reusable = match saved.is_file() && !a.fresh {
            true => Some(EvalReport::load(&saved)?).filter(|r| r.weights == wanted_weights(run, a.how.load.choice())).filter(|r| {
                // Nor one whose latents were drawn at another truncation.
                let (was, asked) = ((r.truncation, r.truncation_psi), (a.how.truncation, a.how.truncation_psi));
                if was != asked {
                    eprintln!("{}: eval.json's latents were drawn at truncation {}, not {}", run.display(), shown(was), shown(asked));
                    return false;
                }
                // A report of another checkpoint than the one asked for is not reused.
                match wanted_step(run, &a.how.load.checkpoint) {
                    Some(s) if s != r.step => {
                        let which = if a.how.load.checkpoint.is_some() { "--checkpoint names" } else { "the newest checkpoint is" };
                        eprintln!("{}: eval.json is of step {}, {which} step {s}", run.display(), r.step);
                        false
                    }
                    _ => true,
                }
            }),
            false => None,
        };
        let report = if let Some(r) = reusable {
            r
        } else {
            eprintln!("evaluating {} ...", run.display());
            evaluate_run(run, &a.how)?
        };
        reports.push(report);
    }
    // Feature-space numbers are only comparable within one feature network.
    let spaces: Vec<&str> = reports.iter().filter_map(|r| r.features.as_ref().map(|f| f.classifier_sha256.as_str())).collect();
    if spaces.windows(2).any(|w| w[0] != w[1]) {
        return Err(user(
            "these runs were evaluated in different feature spaces (different classifiers); evaluate them with the same \
             --classifier (gan compare --fresh --classifier NAME ...)",
        ));
    }
    let table: Vec<Vec<(String, String)>> = reports.iter().map(rows).collect();
    let mut metrics: Vec<String> = Vec::new();
    for t in &table {
        for (k, _) in t {
            if !metrics.contains(k) {
                metrics.push(k.clone());
            }
        }
    }
    let heads: Vec<String> = a.runs.iter().map(|r| r.file_name().map_or_else(|| r.display().to_string(), |n| n.to_string_lossy().into_owned())).collect();
    let lead: Vec<(String, Vec<String>)> = vec![
        ("model".into(), reports.iter().map(|r| r.model.clone()).collect()),
        ("data".into(), reports.iter().map(|r| r.data.clone()).collect()),
        ("step".into(), reports.iter().map(|r| r.step.to_string()).collect()),
        ("weights".into(), reports.iter().map(|r| r.weights.name().to_string()).collect()),
        (
            "samples, seed, truncation".into(),
            reports.iter().map(|r| format!("{}, {}, {}", r.samples, r.seed, shown((r.truncation, r.truncation_psi)))).collect(),
        ),
    ];
    let body = metrics.iter().map(|m| {
        let cells = table.iter().map(|t| t.iter().find(|(k, _)| k == m).map_or_else(|| "-".to_string(), |(_, v)| v.clone())).collect();
        (m.clone(), cells)
    });
    let all: Vec<(String, Vec<String>)> = lead.into_iter().chain(body).collect();
    let w0 = all.iter().map(|r| r.0.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..heads.len()).map(|i| all.iter().map(|r| r.1[i].chars().count()).chain([heads[i].len()]).max().unwrap_or(0)).collect();
    let line = |name: &str, cells: &[String]| {
        let cols: Vec<String> = cells.iter().zip(&widths).map(|(c, w)| format!("{c:>w$}")).collect();
        println!("{name:w0$}  {}", cols.join("  "));
    };
    line("", &heads);
    for (name, cells) in &all {
        line(name, cells);
    }
    if let Some(f) = reports.iter().find_map(|r| r.features.as_ref()) {
        println!("feature space: {}", f.network);
    }
    Ok(())
}

/// The step of the checkpoint an evaluation of `run` would load (`None` when there is none
/// or it cannot be read; evaluating then reports the problem).
fn wanted_step(run: &Path, choice: &Option<CheckpointChoice>) -> Option<u64> {
    let dir = checkpoint::resolve(&RunDir::new(run), &choice.clone().unwrap_or_default()).ok()??;
    checkpoint::read_state(&dir).ok().map(|s| s.step)
}

/// The weights an evaluation of `run` would use now (an unreadable config: the trained
/// ones, so that the saved report is re-made and the problem reported there).
fn wanted_weights(run: &Path, choice: WeightsChoice) -> Weights {
    TrainConfig::load(&RunDir::new(run).config()).map_or(Weights::Raw, |c| choice.weights(&c.model.ema))
}

/// A truncation threshold in z and one in W: `none`, `1.5`, `psi 0.7` or `1.5, psi 0.7`.
fn shown((z, psi): (Option<f64>, Option<f64>)) -> String {
    match (z, psi) {
        (None, None) => "none".into(),
        (Some(z), None) => z.to_string(),
        (None, Some(p)) => format!("psi {p}"),
        (Some(z), Some(p)) => format!("{z}, psi {p}"),
    }
}
