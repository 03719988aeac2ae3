//! One file per subcommand.

mod bench;
mod presets;
mod sample;
mod train;

use crate::cli::{Cli, Command};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.threads {
        if n < 1 {
            return Err(crate::exit::user(format!("--threads must be at least 1, got {n}")));
        }
        tch::set_num_threads(n);
    }
    match cli.command {
        Command::Train(a) => train::run(a),
        Command::Sample(a) => sample::run(a),
        Command::Presets => presets::run(),
        Command::Bench(a) => bench::run(a),
    }
}
