//! `gan`: train, sample and benchmark generative adversarial networks.

mod bench;
mod cli;
mod commands;
mod exit;
mod health;
mod progress;
mod signals;
mod step_dump;
mod sweep;

use clap::Parser;

fn main() {
    exit::install_panic_hook();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => exit::clap_error(e),
    };
    std::process::exit(exit::report(commands::run(cli)));
}
