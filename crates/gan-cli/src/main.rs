//! `gan`: train, sample and benchmark generative adversarial networks.

mod bench;
mod cli;
mod commands;
mod exit;
mod health;
mod progress;
mod signals;
mod step_dump;
mod step_dump_styled;
mod sweep;

use clap::Parser;

fn main() {
    // Output piped into a reader that stops early (`gan presets | head`) ends quietly, as
    // other command-line tools do, instead of reporting a failed write.
    // SAFETY: called first, before any other thread exists.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_DFL) };
    exit::install_panic_hook();
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => exit::clap_error(e),
    };
    std::process::exit(exit::report(commands::run(cli)));
}
