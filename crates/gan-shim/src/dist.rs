//! torch.distributed's c10d process groups (`src/dist.cpp`): a TCPStore rendezvous and a Gloo
//! group over CPU tensors, as `torch.distributed.init_process_group("gloo", ...)` makes them,
//! with the collectives data-parallel training needs. Every call waits at most the group's
//! timeout; a peer that died or never came surfaces as an error with Gloo's or the store's
//! words.

use std::ffi::CString;
use std::os::raw::c_char;

use tch::Tensor;
use torch_sys::C_tensor;

#[repr(C)]
struct GanGroup {
    _private: [u8; 0],
}

extern "C" {
    fn gan_shim_group_new(
        host: *const c_char,
        port: i32,
        rank: i32,
        size: i32,
        agent_store: i32,
        timeout_ms: i64,
        prefix: *const c_char,
        out: *mut *mut GanGroup,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
    fn gan_shim_group_free(g: *mut GanGroup);
    fn gan_shim_group_allreduce_sum(g: *mut GanGroup, t: *mut C_tensor, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_group_broadcast(g: *mut GanGroup, t: *mut C_tensor, root: i32, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_group_barrier(g: *mut GanGroup, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_store_set(g: *mut GanGroup, key: *const c_char, value: *const u8, len: usize, err: *mut c_char, err_len: usize) -> i32;
    fn gan_shim_group_failure(g: *mut GanGroup, err: *mut c_char, err_len: usize) -> i32;
    #[allow(clippy::too_many_arguments)]
    fn gan_shim_sync_batch_norm(
        g: *mut GanGroup,
        x: *mut C_tensor,
        weight: *mut C_tensor,
        bias: *mut C_tensor,
        running_mean: *mut C_tensor,
        running_var: *mut C_tensor,
        momentum: f64,
        eps: f64,
        out: *mut *mut C_tensor,
        err: *mut c_char,
        err_len: usize,
    ) -> i32;
    fn gan_shim_store_get(g: *mut GanGroup, key: *const c_char, value: *mut u8, cap: usize, len: *mut usize, err: *mut c_char, err_len: usize) -> i32;
}

/// Where and how to join.
#[derive(Debug, Clone)]
pub struct GroupConfig {
    /// The store's host (torchrun's `MASTER_ADDR`) and port (`MASTER_PORT`).
    pub host: String,
    pub port: u16,
    pub rank: i32,
    pub size: i32,
    /// The store is served by the launcher (torchrun's agent, `TORCHELASTIC_USE_AGENT_STORE`);
    /// otherwise rank 0 serves it.
    pub agent_store: bool,
    /// The longest any rendezvous or collective may wait.
    pub timeout_ms: i64,
    /// Prefix of this group's keys in the store.
    pub prefix: String,
}

/// A joined Gloo process group.
pub struct Group {
    ptr: *mut GanGroup,
    pub rank: i32,
    pub size: i32,
}

// SAFETY: the C++ group is used from one thread at a time (`&mut`-free methods are still
// called sequentially by the training loop); c10d's Gloo backend is thread-safe besides.
unsafe impl Send for Group {}
unsafe impl Sync for Group {}

fn cstring(what: &str, s: &str) -> Result<CString, String> {
    CString::new(s).map_err(|_| format!("{what} {s:?} holds a NUL byte"))
}

impl Group {
    /// Rendezvous with the other `size - 1` ranks and build the Gloo group.
    pub fn join(c: &GroupConfig) -> Result<Group, String> {
        let (host, prefix) = (cstring("host", &c.host)?, cstring("prefix", &c.prefix)?);
        let mut out = std::ptr::null_mut();
        // SAFETY: NUL-terminated strings alive for the call and an out-pointer.
        super::call("rendezvous", |err, len| unsafe {
            gan_shim_group_new(host.as_ptr(), c.port as i32, c.rank, c.size, c.agent_store as i32, c.timeout_ms, prefix.as_ptr(), &mut out, err, len)
        })?;
        Ok(Group { ptr: out, rank: c.rank, size: c.size })
    }

    /// Sums `t` over the group in place (a dense CPU tensor).
    pub fn all_reduce_sum(&self, t: &Tensor) -> Result<(), String> {
        // SAFETY: a live group and tensor.
        super::call("all-reduce", |err, len| unsafe { gan_shim_group_allreduce_sum(self.ptr, super::ptr(t), err, len) })
    }

    /// Overwrites `t` with rank `root`'s on every rank.
    pub fn broadcast(&self, t: &Tensor, root: i32) -> Result<(), String> {
        // SAFETY: a live group and tensor.
        super::call("broadcast", |err, len| unsafe { gan_shim_group_broadcast(self.ptr, super::ptr(t), root, err, len) })
    }

    pub fn barrier(&self) -> Result<(), String> {
        // SAFETY: a live group.
        super::call("barrier", |err, len| unsafe { gan_shim_group_barrier(self.ptr, err, len) })
    }

    /// `torch.nn.SyncBatchNorm` in training mode on `[N, C, ...]` input: batch statistics over
    /// every rank's rows, running statistics updated in place, a backward pass whose input
    /// gradient is the group's (first order only). A collective that fails inside it is
    /// recorded (see [`Self::failure`]) and the pass continues with this rank's statistics.
    #[allow(clippy::too_many_arguments)]
    pub fn sync_batch_norm(
        &self,
        x: &Tensor,
        weight: &Tensor,
        bias: &Tensor,
        running_mean: &Tensor,
        running_var: &Tensor,
        momentum: f64,
        eps: f64,
    ) -> Result<Tensor, String> {
        let p = super::ptr;
        // SAFETY: a live group and tensors for the call.
        super::call_new("synchronised batch norm", |out, err, len| unsafe {
            gan_shim_sync_batch_norm(self.ptr, p(x), p(weight), p(bias), p(running_mean), p(running_var), momentum, eps, out, err, len)
        })
    }

    /// A collective that failed inside an autograd pass (synchronised batch norm), if any.
    pub fn failure(&self) -> Option<String> {
        // SAFETY: a live group.
        super::call("synchronised batch norm", |err, len| unsafe { gan_shim_group_failure(self.ptr, err, len) }).err()
    }

    /// Stores `value` under `key` for every rank to read.
    pub fn set(&self, key: &str, value: &[u8]) -> Result<(), String> {
        let key = cstring("key", key)?;
        // SAFETY: a live group, a NUL-terminated key and `value.len()` bytes.
        super::call("store", |err, len| unsafe { gan_shim_store_set(self.ptr, key.as_ptr(), value.as_ptr(), value.len(), err, len) })
    }

    /// The value under `key`, waiting (up to the timeout) for some rank to set it.
    pub fn get(&self, key: &str) -> Result<Vec<u8>, String> {
        let ckey = cstring("key", key)?;
        let mut buf = vec![0u8; 4096];
        loop {
            let mut size = 0usize;
            // SAFETY: a live group, a NUL-terminated key, a buffer of `buf.len()` bytes.
            super::call("store", |err, len| unsafe { gan_shim_store_get(self.ptr, ckey.as_ptr(), buf.as_mut_ptr(), buf.len(), &mut size, err, len) })?;
            if size <= buf.len() {
                buf.truncate(size);
                return Ok(buf);
            }
            buf = vec![0u8; size];
        }
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: `ptr` came from `gan_shim_group_new` and is freed once.
        unsafe { gan_shim_group_free(self.ptr) }
    }
}
