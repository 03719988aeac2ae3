//! `gan doctor RUN`: the doctor's report on a run (see `gan::doctor::examine`).

use gan::doctor::examine::{examine, Drawn, Source};
use gan::run::dir::RunDir;

use crate::cli::DoctorArgs;
use crate::exit::user;

pub fn run(a: DoctorArgs) -> anyhow::Result<()> {
    if !RunDir::new(&a.run).config().is_file() {
        return Err(user(format!("{} is not a run directory (no config.toml)", a.run.display())));
    }
    let device = a.load.device.resolve()?;
    let report = examine(&a.run, &a.load.checkpoint.clone().unwrap_or_default(), a.load.choice(), device)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let history = crate::health::history(&report.diagnoses);
    println!("{}: {}", a.run.display(), if report.healthy { "healthy" } else { "unhealthy" });
    let from = match report.source {
        Source::Recorded => "while training (diagnoses.jsonl)",
        Source::Metrics => "in metrics.jsonl (the run has no diagnoses.jsonl; only the metric checks can be replayed)",
    };
    println!("  {from}: {history}");
    let what = match &report.drawn {
        Some(Drawn::Checkpoint { step }) => format!("the generator at step {step}"),
        Some(Drawn::Grid { step, path }) => format!("the sample grid of step {step} ({}, no checkpoint)", path.display()),
        None => {
            println!("  no checkpoint or sample grid yet: the samples were not checked");
            String::new()
        }
    };
    if report.drawn.is_some() && report.now.is_empty() {
        println!("  {what}: no finding");
    }
    for n in &report.now {
        println!("  {what}: {}: {}", n.kind.describe(), n.evidence);
        println!("    try: {}", n.advice);
    }
    for d in report.active.iter().filter(|d| !report.now.iter().any(|n| n.kind == d.kind)) {
        println!("  try for {}: {}", d.kind.describe(), d.advice);
    }
    Ok(())
}
