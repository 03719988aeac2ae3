//! One file per subcommand.

mod animate;
mod bench;
mod checkpoints;
mod classes;
mod classifier;
mod classifier_attributes;
mod compare;
mod data;
mod doctor;
mod eval;
mod eval_cas;
mod eval_translation;
mod image_io;
mod import;
mod interpolate;
mod judge;
mod lab;
mod matcher;
mod mix;
mod presets;
mod project;
mod project_w;
mod prompt;
mod refine;
mod sample;
mod serve;
mod steer;
mod train;
mod train_group;
mod train_translation;
mod translate;

use std::path::Path;

use crate::cli::{Cli, Command};

/// Fails with a one-line error when the folder `out` would be written into does not exist.
fn check_out_dir(out: &Path) -> anyhow::Result<()> {
    match out.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(parent) if !parent.is_dir() => Err(crate::exit::user(format!("--out {}: directory {} does not exist", out.display(), parent.display()))),
        _ => Ok(()),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    cli.memory_format.set_for_process();
    if let Some(n) = cli.threads {
        if n < 1 {
            return Err(crate::exit::user(format!("--threads must be at least 1, got {n}")));
        }
        tch::set_num_threads(n);
    } else if matches!(cli.command, Command::Serve(_) | Command::Lab(_)) {
        // The lab's networks are tiny: one thread runs them fastest and leaves the other
        // cores to the web server.
        tch::set_num_threads(1);
    }
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Interpolate(a) => interpolate::run(a),
        Command::Mix(a) => mix::run(a),
        Command::Import(c) => import::run(c),
        Command::Animate(a) => animate::run(a),
        Command::Steer(a) => steer::run(a),
        Command::Classifier(c) => classifier::run(c),
        Command::Matcher(c) => matcher::run(c),
        Command::Eval(a) => eval::run(a),
        Command::Checkpoints(a) => checkpoints::run(a),
        Command::Doctor(a) => doctor::run(a),
        Command::Compare(a) => compare::run(a),
        Command::Data(c) => data::run(c),
        Command::Presets(a) => presets::run(a),
        Command::Serve(a) => serve::run(a),
        Command::Lab(a) => lab::run(a),
        Command::Bench(a) => bench::run(a),
        Command::Translate(a) => translate::run(a),
        Command::Refine(a) => refine::run(a),
        Command::Project(a) => project::run(a),
    }
}
