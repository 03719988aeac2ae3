//! Stopping a training run like a tool people run on clusters: SIGINT (Ctrl-C) and SIGTERM
//! (what SLURM and Kubernetes send before they kill a pre-empted job), and optionally SIGUSR1
//! or SIGUSR2 (SLURM's `--signal`), let the step under way finish and a checkpoint be written
//! (`gan::Trainer::stop_on`); a second signal ends the process at once, with the same
//! 128 + signal exit status a shell reports.

use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::sync::Arc;

use anyhow::Context;
use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1, SIGUSR2};

/// A further signal that stops training cleanly (`gan train --stop-signal`).
#[derive(clap::ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopSignal {
    Usr1,
    Usr2,
}

impl StopSignal {
    fn number(self) -> i32 {
        match self {
            StopSignal::Usr1 => SIGUSR1,
            StopSignal::Usr2 => SIGUSR2,
        }
    }
}

/// Installs the handlers; the returned number becomes the first signal's once one arrives.
pub fn install(extra: Option<StopSignal>) -> anyhow::Result<Arc<AtomicUsize>> {
    let got = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(AtomicBool::new(false));
    for sig in [SIGINT, SIGTERM].into_iter().chain(extra.map(StopSignal::number)) {
        // Registered first, so that it sees the flag as the previous signal left it.
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, seen.clone()).context("installing a signal handler")?;
        signal_hook::flag::register(sig, seen.clone()).context("installing a signal handler")?;
        signal_hook::flag::register_usize(sig, got.clone(), sig as usize).context("installing a signal handler")?;
    }
    Ok(got)
}

/// The conventional name of a signal number.
pub fn name(signal: usize) -> String {
    match signal as i32 {
        SIGINT => "SIGINT".into(),
        SIGTERM => "SIGTERM".into(),
        SIGUSR1 => "SIGUSR1".into(),
        SIGUSR2 => "SIGUSR2".into(),
        n => format!("signal {n}"),
    }
}
