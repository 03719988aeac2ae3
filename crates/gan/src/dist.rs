//! Data-parallel training over torch.distributed's c10d (as PyTorch's DistributedDataParallel,
//! Li et al., "PyTorch Distributed: Experiences on Accelerating Data Parallel Training", VLDB
//! 2020): every rank holds the same networks, computes gradients on its shard of each global
//! batch, and the gradients are averaged (one flat all-reduce per network) before every
//! optimiser step, so all ranks take the same step. The ranks meet through a TCPStore and
//! talk through a Gloo process group (`gan_shim::dist`), launched the way torchrun launches
//! them: `RANK`, `WORLD_SIZE`, `LOCAL_RANK`, `MASTER_ADDR`, `MASTER_PORT`.
//!
//! A collective that fails (a rank died, the network broke) is recorded here and every later
//! one is skipped; the training loop checks [`Dist::check`] after each step and stops before
//! anything is written.

use std::sync::Mutex;
use std::time::Duration;

use gan_shim::dist::{Group, GroupConfig};
use tch::{Kind, Tensor};

use crate::error::{GanError, Result};

/// How this process was launched: torchrun's environment variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub rank: i32,
    pub world: i32,
    pub local_rank: i32,
    pub addr: String,
    pub port: u16,
    /// torchrun's agent serves the store (`TORCHELASTIC_USE_AGENT_STORE=True`).
    pub agent_store: bool,
    /// torchrun's restart count, so that a restarted group does not read the old one's keys.
    pub restart: u32,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parse<T: std::str::FromStr>(name: &str, value: &str) -> Result<T> {
    value.trim().parse().map_err(|_| GanError::Distributed(format!("{name}={value:?} is not a valid number")))
}

impl Launch {
    /// The launch described by the environment, or `None` when `WORLD_SIZE` is unset (a
    /// plain single process).
    pub fn from_env() -> Result<Option<Launch>> {
        Self::from_vars(var)
    }

    /// As [`Self::from_env`], reading variables through `get`.
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Option<Launch>> {
        let Some(world) = get("WORLD_SIZE") else { return Ok(None) };
        let need = |name: &str| {
            get(name).ok_or_else(|| {
                GanError::Distributed(format!("WORLD_SIZE is set but {name} is not (launch with torchrun, or set RANK, MASTER_ADDR and MASTER_PORT)"))
            })
        };
        let world: i32 = parse("WORLD_SIZE", &world)?;
        let rank: i32 = parse("RANK", &need("RANK")?)?;
        if world < 1 || !(0..world).contains(&rank) {
            return Err(GanError::Distributed(format!("RANK={rank} must be in 0..WORLD_SIZE={world}")));
        }
        let local_rank = get("LOCAL_RANK").map(|v| parse("LOCAL_RANK", &v)).transpose()?.unwrap_or(rank);
        let addr = need("MASTER_ADDR")?;
        let port: u16 = parse("MASTER_PORT", &need("MASTER_PORT")?)?;
        let agent_store = get("TORCHELASTIC_USE_AGENT_STORE").is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
        let restart = get("TORCHELASTIC_RESTART_COUNT").map(|v| parse("TORCHELASTIC_RESTART_COUNT", &v)).transpose()?.unwrap_or(0);
        Ok(Some(Launch { rank, world, local_rank, addr, port, agent_store, restart }))
    }
}

/// A joined group of ranks.
pub struct Dist {
    group: Group,
    /// The first failed collective's message; later collectives are skipped.
    failure: Mutex<Option<String>>,
}

impl Dist {
    /// Joins the group `launch` describes, waiting at most `timeout` for the others.
    pub fn join(launch: &Launch, timeout: Duration) -> Result<Dist> {
        let config = GroupConfig {
            host: launch.addr.clone(),
            port: launch.port,
            rank: launch.rank,
            size: launch.world,
            agent_store: launch.agent_store,
            timeout_ms: timeout.as_millis() as i64,
            prefix: format!("gan/attempt_{}/", launch.restart),
        };
        let group = Group::join(&config).map_err(|e| {
            GanError::Distributed(format!(
                "rank {} of {} could not join the group at {}:{} within {} s: {e}",
                launch.rank,
                launch.world,
                launch.addr,
                launch.port,
                timeout.as_secs()
            ))
        })?;
        Ok(Dist { group, failure: Mutex::new(None) })
    }

    pub fn rank(&self) -> i32 {
        self.group.rank
    }

    pub fn world(&self) -> i32 {
        self.group.size
    }

    /// Rank 0, the one that writes the run's files.
    pub fn is_leader(&self) -> bool {
        self.group.rank == 0
    }

    /// What a failed collective means: with two ranks the lost one is the other.
    fn lost(&self, e: String) -> String {
        let who = if self.world() == 2 { format!("rank {} lost", 1 - self.rank()) } else { "a rank was lost".to_string() };
        format!("{who} (rank {} of {}: {e})", self.rank(), self.world())
    }

    fn record(&self, e: String) {
        let mut f = self.failure.lock().expect("failure lock");
        if f.is_none() {
            *f = Some(self.lost(e));
        }
    }

    fn failed(&self) -> bool {
        self.failure.lock().expect("failure lock").is_some()
    }

    /// Fails with the first lost collective, if any.
    pub fn check(&self) -> Result<()> {
        if let Some(e) = self.group.failure() {
            self.record(e);
        }
        match self.failure.lock().expect("failure lock").clone() {
            Some(e) => Err(GanError::Distributed(e)),
            None => Ok(()),
        }
    }

    /// The mean over ranks of each gradient, through one flat all-reduce (the gradients
    /// are float32 tensors on one device). After a failure the local gradients come back.
    pub fn average(&self, grads: &[Tensor]) -> Vec<Tensor> {
        let local = || grads.iter().map(Tensor::shallow_clone).collect();
        if grads.is_empty() || self.failed() {
            return local();
        }
        let flat = flatten(grads);
        if let Err(e) = self.group.all_reduce_sum(&flat) {
            self.record(e);
            return local();
        }
        let flat = flat / self.world() as f64;
        pieces(&flat, grads).map(|(piece, g)| piece.to_kind(g.kind())).collect()
    }

    /// Overwrites every tensor with rank 0's (one flat broadcast; float32 tensors).
    pub fn broadcast(&self, tensors: &[Tensor]) -> Result<()> {
        if tensors.is_empty() {
            return Ok(());
        }
        let flat = flatten(tensors);
        self.group.broadcast(&flat, 0).map_err(|e| GanError::Distributed(self.lost(e)))?;
        tch::no_grad(|| {
            for (piece, t) in pieces(&flat, tensors) {
                t.shallow_clone().copy_(&piece);
            }
        });
        Ok(())
    }

    /// Overwrites `t` (one tensor of any dtype Gloo carries, such as int64) with rank 0's.
    pub fn broadcast_exact(&self, t: &Tensor) -> Result<()> {
        self.group.broadcast(t, 0).map_err(|e| GanError::Distributed(self.lost(e)))
    }

    /// Rank 0's `value` for `key` on every rank (followers pass anything; they wait for the
    /// leader's, up to the timeout).
    pub fn share(&self, key: &str, value: &[u8]) -> Result<Vec<u8>> {
        let key = format!("share/{key}");
        let err = |e: String| GanError::Distributed(format!("rank {} waiting for rank 0's {key}: {e}", self.rank()));
        if self.is_leader() {
            self.group.set(&key, value).map_err(err)?;
            Ok(value.to_vec())
        } else {
            self.group.get(&key).map_err(err)
        }
    }

    /// What every family checks on joining: a global `batch_size` that splits evenly over the
    /// ranks (at least one example each), and the same configuration (`config_toml`) on all.
    pub fn check_run(&self, batch_size: usize, config_toml: &str) -> Result<()> {
        let world = self.world() as usize;
        if batch_size < world || !batch_size.is_multiple_of(world) {
            return Err(GanError::Distributed(format!(
                "the global batch_size ({batch_size}) must be a multiple of the world size ({world}), at least one image per rank"
            )));
        }
        self.agree("configuration", config_toml.as_bytes())
    }

    /// Checks that every rank holds the same `value` for `what` (rank 0's is the reference),
    /// then waits for all ranks; fails on a rank that differs, naming it.
    pub fn agree(&self, what: &str, value: &[u8]) -> Result<()> {
        if self.share(&format!("agree/{what}"), value)? != value {
            return Err(GanError::Distributed(format!(
                "rank {} has a different {what} than rank 0; start every rank with the same configuration",
                self.rank()
            )));
        }
        self.group.barrier().map_err(|e| GanError::Distributed(self.lost(e)))
    }

    /// The signal every rank stops on after this step: the lowest-numbered one any rank
    /// received (`local` is this rank's, 0 for none), 0 if none did. One all-reduce of a
    /// signal-indexed vector.
    pub fn agreed_signal(&self, local: usize) -> Result<usize> {
        let mut seen = vec![0f32; SIGNALS];
        if (1..SIGNALS).contains(&local) {
            seen[local] = 1.0;
        }
        let t = Tensor::from_slice(&seen);
        self.group.all_reduce_sum(&t).map_err(|e| GanError::Distributed(self.lost(e)))?;
        let seen = Vec::<f32>::try_from(&t).map_err(|e| GanError::Distributed(format!("reading the agreed signal: {e}")))?;
        Ok((1..SIGNALS).find(|&i| seen[i] > 0.0).unwrap_or(0))
    }

    /// Synchronised batch normalisation of `x` in training mode with `bn`'s weights and
    /// running statistics (see `gan_shim::dist::Group::sync_batch_norm`); after a failure,
    /// plain per-rank batch norm (the step is discarded by [`Self::check`]).
    pub fn batch_norm(&self, bn: &tch::nn::BatchNorm, x: &Tensor, momentum: f64, eps: f64) -> Tensor {
        let (Some(w), Some(b)) = (&bn.ws, &bn.bs) else { unreachable!("the networks' batch norms are affine") };
        if !self.failed() {
            match self.group.sync_batch_norm(x, w, b, &bn.running_mean, &bn.running_var, momentum, eps) {
                Ok(y) => return y,
                Err(e) => self.record(e),
            }
        }
        x.batch_norm(Some(w), Some(b), Some(&bn.running_mean), Some(&bn.running_var), true, momentum, eps, false)
    }

    /// Rows `[rank * n / world, (rank + 1) * n / world)` of `t` (this rank's shard of a
    /// global batch whose size the world divides).
    pub fn shard(&self, t: &Tensor) -> Tensor {
        let n = t.size()[0];
        let per = n / self.world() as i64;
        t.narrow(0, self.rank() as i64 * per, per)
    }
}

/// Signal numbers [`Dist::agreed_signal`] carries (Linux's standard and real-time ones).
const SIGNALS: usize = 65;

/// A store's variables (weights and batch-norm statistics) in name order: what a joining
/// rank receives from the leader.
pub fn sorted_variables(vs: &tch::nn::VarStore) -> Vec<Tensor> {
    let mut v: Vec<(String, Tensor)> = vs.variables().into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v.into_iter().map(|(_, t)| t).collect()
}

/// `tensors` end to end in one float32 vector (one collective instead of one per tensor).
fn flatten(tensors: &[Tensor]) -> Tensor {
    Tensor::cat(&tensors.iter().map(|t| t.detach().to_kind(Kind::Float).reshape([-1])).collect::<Vec<_>>(), 0)
}

/// The parts of a [`flatten`]ed vector, each shaped like the tensor it came from, with it.
fn pieces<'a>(flat: &'a Tensor, like: &'a [Tensor]) -> impl Iterator<Item = (Tensor, &'a Tensor)> + 'a {
    let mut at = 0;
    like.iter().map(move |t| {
        let n = t.numel() as i64;
        let piece = flat.narrow(0, at, n).view_as(t);
        at += n;
        (piece, t)
    })
}

/// The group whose batch norms are synchronised (`sync_batch_norm = true`), for the networks
/// to find while they train; set by the trainer that joins a group.
static SYNC_BATCH_NORM: Mutex<Option<std::sync::Arc<Dist>>> = Mutex::new(None);

/// Makes the networks' training-mode batch norms synchronise over `dist` (or stop, with `None`).
pub fn set_sync_batch_norm(dist: Option<std::sync::Arc<Dist>>) {
    *SYNC_BATCH_NORM.lock().expect("sync lock") = dist;
}

/// The group batch norms synchronise over, if any.
pub fn sync_batch_norm() -> Option<std::sync::Arc<Dist>> {
    SYNC_BATCH_NORM.lock().expect("sync lock").clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn reads_torchruns_environment_and_names_what_is_wrong() {
        assert_eq!(Launch::from_vars(env(&[])).unwrap(), None);
        let l = Launch::from_vars(env(&[
            ("WORLD_SIZE", "2"),
            ("RANK", "1"),
            ("LOCAL_RANK", "1"),
            ("MASTER_ADDR", "10.0.0.1"),
            ("MASTER_PORT", "29500"),
            ("TORCHELASTIC_USE_AGENT_STORE", "True"),
        ]))
        .unwrap()
        .unwrap();
        assert_eq!((l.rank, l.world, l.local_rank, l.addr.as_str(), l.port, l.agent_store, l.restart), (1, 2, 1, "10.0.0.1", 29500, true, 0));
        let e = Launch::from_vars(env(&[("WORLD_SIZE", "2"), ("RANK", "0"), ("MASTER_PORT", "1")])).unwrap_err().to_string();
        assert!(e.contains("MASTER_ADDR"), "{e}");
        let e = Launch::from_vars(env(&[("WORLD_SIZE", "2"), ("RANK", "2"), ("MASTER_ADDR", "h"), ("MASTER_PORT", "1")])).unwrap_err().to_string();
        assert!(e.contains("RANK=2 must be in 0..WORLD_SIZE=2"), "{e}");
        let e = Launch::from_vars(env(&[("WORLD_SIZE", "two")])).unwrap_err().to_string();
        assert!(e.contains("WORLD_SIZE=\"two\""), "{e}");
    }
}
