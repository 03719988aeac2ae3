//! The run lock: a training process holds an exclusive advisory lock (`flock`) on
//! `RUN/train.lock` for as long as it trains, so that a second `gan train --resume` on the same
//! directory stops at once instead of writing over the first. The kernel drops the lock when
//! the holder dies, however it dies, so a killed run leaves nothing to clean up: the file may
//! stay, the lock does not. Readers (`sample`, `eval`, `serve`) never take it and never write.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};

use crate::error::{GanError, Result};
use crate::run::dir::RunDir;

/// Held while training; released on drop (or by the kernel when the process dies).
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: std::path::PathBuf,
}

impl RunLock {
    /// Fails when `run` already holds a run (a `config.toml`).
    pub fn check_free(run: &RunDir) -> Result<()> {
        if run.config().exists() {
            return Err(GanError::Invalid(format!("{} already holds a run; continue it with --resume {0} or choose another --out", run.root().display())));
        }
        Ok(())
    }

    /// Creates a new run's directory and takes its lock, checking again under the lock that
    /// no other `gan train --out` on the same directory won the race.
    pub fn claim_new(run: &RunDir) -> Result<Self> {
        std::fs::create_dir_all(run.checkpoints()).map_err(GanError::io(run.checkpoints()))?;
        let lock = Self::acquire(run)?;
        Self::check_free(run)?;
        Ok(lock)
    }

    /// Takes the lock of `run` (whose directory must exist), changing nothing in the lock
    /// file; fails at once, naming the holder, when another process has it.
    pub fn acquire(run: &RunDir) -> Result<Self> {
        let path = run.lock_file();
        let mut file = OpenOptions::new().read(true).write(true).create(true).truncate(false).open(&path).map_err(GanError::io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { file, path }),
            Err(TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = file.read_to_string(&mut pid);
                let pid = pid.trim();
                let holder = if pid.is_empty() { "another process".to_string() } else { format!("process {pid}") };
                Err(GanError::Invalid(format!("run {} is being trained by {holder}; wait for it to finish or stop it first", run.root().display())))
            }
            Err(TryLockError::Error(e)) => Err(GanError::Io { path, source: e }),
        }
    }

    /// Writes this process's id into the lock file, for the message a second trainer gets.
    /// A trainer calls it once its run has loaded (a refused resume leaves the file as it was).
    pub fn record_holder(&mut self) -> Result<()> {
        let f = &mut self.file;
        f.set_len(0).and_then(|()| f.rewind()).and_then(|()| writeln!(f, "{}", std::process::id())).map_err(GanError::io(&self.path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_is_refused_with_the_first_ones_pid_and_the_lock_frees_on_drop() {
        let d = tempfile::tempdir().unwrap();
        let run = RunDir::new(d.path());
        let mut first = RunLock::acquire(&run).unwrap();
        first.record_holder().unwrap();
        let e = RunLock::acquire(&run).unwrap_err().to_string();
        assert!(e.contains(&format!("is being trained by process {}", std::process::id())), "{e}");
        drop(first);
        RunLock::acquire(&run).unwrap();
    }
}
