//! `gan train` as one rank of a data-parallel group: under torchrun (whose environment names
//! the rank, world and rendezvous), or with `--nproc N`, where this process becomes rank 0
//! and starts ranks 1..N of itself on this machine with the same environment torchrun would
//! give them. Rank 0 trains the run as a single process would and writes it; the others train
//! in a scratch directory that is deleted afterwards, print nothing but errors, and take the
//! leader's configuration when resuming (they need not see the run directory).

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use gan::dist::{Dist, Launch};
use gan::Trainer;

use crate::cli::TrainArgs;
use crate::exit::user;

/// The ranks this process started (`--nproc`); killed if the leader stops early.
pub struct Children(Vec<Child>);

impl Children {
    /// Waits for every rank to finish; fails naming the first that did not succeed.
    pub fn wait(mut self) -> anyhow::Result<()> {
        let mut failed = None;
        for (i, c) in self.0.iter_mut().enumerate() {
            let status = c.wait().context("waiting for a rank")?;
            if !status.success() && failed.is_none() {
                failed = Some(format!("rank {} exited with {status}", i + 1));
            }
        }
        self.0.clear();
        failed.map_or(Ok(()), |f| Err(anyhow::anyhow!(f)))
    }

    /// Gives ranks that are ending (stopped by the same signal) `grace` to exit; kills the rest.
    fn end_within(mut self, grace: Duration) {
        let deadline = std::time::Instant::now() + grace;
        while std::time::Instant::now() < deadline && self.0.iter_mut().any(|c| matches!(c.try_wait(), Ok(None))) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// How long a stopped leader waits for the ranks it started to end.
const STOPPING_RANKS_SECS: u64 = 10;

impl Drop for Children {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A free TCP port on 127.0.0.1 for the store.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port for the ranks' store")?.local_addr()?.port())
}

/// `--nproc N`: sets this process up as rank 0 of N and starts ranks 1..N (this binary, the
/// same arguments without `--nproc`, each with an equal share of the cores unless `--threads`).
fn spawn_local(n: usize, explicit_threads: bool) -> anyhow::Result<Children> {
    if n < 1 {
        return Err(user("--nproc must be at least 1"));
    }
    let port = free_port()?.to_string();
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let per = (cores / n).max(1) as i32;
    if !explicit_threads {
        tch::set_num_threads(per);
    }
    let exe = std::env::current_exe().context("locating this binary to start the other ranks")?;
    let mut args: Vec<String> = Vec::new();
    let mut skip = false;
    for a in std::env::args().skip(1) {
        if skip {
            skip = false;
        } else if a == "--nproc" {
            skip = true;
        } else if !a.starts_with("--nproc=") {
            args.push(a);
        }
    }
    // torchrun's variables for rank `r` of this machine's group.
    let launch = |r: usize| {
        [
            ("WORLD_SIZE", n.to_string()),
            ("RANK", r.to_string()),
            ("LOCAL_RANK", r.to_string()),
            ("MASTER_ADDR", "127.0.0.1".into()),
            ("MASTER_PORT", port.clone()),
        ]
    };
    for (k, v) in launch(0) {
        // SAFETY: set before any other thread of this process reads the environment.
        unsafe { std::env::set_var(k, v) };
    }
    let mut children = Vec::new();
    for rank in 1..n {
        let mut c = Command::new(&exe);
        if !explicit_threads {
            c.arg("--threads").arg(per.to_string());
        }
        c.args(&args).envs(launch(rank));
        children.push(c.spawn().with_context(|| format!("starting rank {rank}"))?);
    }
    Ok(Children(children))
}

/// Joins the group the environment describes.
fn join(launch: &Launch, timeout_secs: u64) -> anyhow::Result<Arc<Dist>> {
    Ok(Arc::new(Dist::join(launch, Duration::from_secs(timeout_secs))?))
}

/// The group this process trains in, if any: `--nproc N` starts ranks 1..N of this
/// binary (returned, to be waited for), torchrun's environment names the rendezvous.
pub fn setup(a: &TrainArgs, device: tch::Device) -> anyhow::Result<(Option<Children>, Option<Arc<Dist>>)> {
    let explicit_threads = std::env::args().any(|x| x == "--threads" || x.starts_with("--threads="));
    let children = match a.nproc {
        Some(n) if n != 1 => Some(spawn_local(n, explicit_threads)?),
        _ => None,
    };
    let dist = match Launch::from_env()? {
        Some(launch) if device != tch::Device::Cpu => {
            return Err(user(format!(
                "data-parallel training (rank {} of {}) runs on CPU tensors through Gloo; this build has no NCCL for --device cuda",
                launch.rank, launch.world
            )))
        }
        Some(launch) => Some(join(&launch, a.dist_timeout)?),
        None => None,
    };
    Ok((children, dist))
}

/// Rank 0's configuration (TOML), which it shares once its trainer is loaded: what a
/// follower trains when resuming (it need not see the run directory).
pub fn leaders_config(dist: &Dist) -> anyhow::Result<String> {
    String::from_utf8(dist.share("config", b"")?).context("rank 0's configuration is not text")
}

/// A follower rank: trains the run `open` makes in a scratch directory (deleted when
/// training ends), with the leader's state, which arrives in `Trainer::join`.
pub fn follow(dist: &Arc<Dist>, stop: Arc<AtomicUsize>, open: impl FnOnce(&Path) -> gan::Result<Trainer>) -> anyhow::Result<()> {
    let scratch = Scratch(std::env::temp_dir().join(format!("gan-rank{}-{}", dist.rank(), std::process::id())));
    let mut trainer = open(&scratch.0)?;
    trainer.join(dist.clone())?;
    trainer.stop_on(stop);
    Ok(trainer.run(&mut |_| {})?)
}

/// The leader, or a process training alone: shares its configuration with the group and
/// joins it, trains, then waits for the ranks it started.
pub fn lead(
    trainer: &mut Trainer,
    group: (Option<Arc<Dist>>, Option<Children>),
    stop: Arc<AtomicUsize>,
    on_event: &mut dyn FnMut(&gan::events::Event),
) -> anyhow::Result<()> {
    let (dist, children) = group;
    if let Some(d) = dist {
        d.share("config", trainer.config_toml().as_bytes())?;
        trainer.join(d)?;
    }
    trainer.stop_on(stop);
    if let Err(e) = trainer.run(on_event) {
        // A stop is agreed by every rank after the same step: let the others end too.
        if let (gan::GanError::Stopped { .. }, Some(c)) = (&e, children) {
            c.end_within(Duration::from_secs(STOPPING_RANKS_SECS));
        }
        return Err(e.into());
    }
    if let Some(c) = children {
        c.wait()?;
    }
    Ok(())
}

/// A follower's scratch run directory.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
