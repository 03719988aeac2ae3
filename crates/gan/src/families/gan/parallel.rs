//! A trainer in a data-parallel group ([`crate::dist`]): rank 0 (the leader) owns the run
//! directory, every other rank (a follower) trains the same step on its shard of each global
//! batch without writing anything. On joining, all ranks check they hold the same
//! configuration, and the leader's weights, moving average, optimiser state and position in
//! the data (fresh or resumed, at any earlier world size) are broadcast to the followers.

use std::sync::Arc;

use tch::{Kind, Tensor};

use super::feed::Feed;
use super::{GanFamily, DATA_STREAM};
use crate::dist::{sorted_variables, Dist};
use crate::error::Result;
use gan_data::rng::mix;

impl GanFamily {
    /// Joins `dist`'s group at `step`; every rank calls it once, before its first step.
    /// Returns the group's step (rank 0's).
    pub(super) fn join_group(&mut self, dist: Arc<Dist>, step: u64) -> Result<u64> {
        dist.check_run(self.config.batch_size, &self.config.to_toml())?;
        let mut tensors = Vec::new();
        for vs in [&self.nets.g_vs, &self.nets.d_vs] {
            tensors.extend(sorted_variables(vs));
        }
        if let Some(e) = &self.ema {
            tensors.extend(sorted_variables(&e.vs));
        }
        tensors.extend(self.opt_g.state_tensors());
        tensors.extend(self.opt_d.state_tensors());
        dist.broadcast(&tensors)?;
        // Counters as exact integers (f32 would round steps past 2^24).
        let counters = Tensor::from_slice(&[step as i64, self.batches_consumed as i64, self.opt_g.steps_taken(), self.opt_d.steps_taken()]);
        dist.broadcast_exact(&counters)?;
        let c: Vec<i64> = Vec::try_from(counters.to_kind(Kind::Int64)).expect("four counters");
        if !dist.is_leader() {
            self.opt_g.set_steps_taken(c[2]);
            self.opt_d.set_steps_taken(c[3]);
            if c[1] as u64 != self.batches_consumed {
                self.seek_data(c[1] as u64)?;
            }
        }
        self.opt_g.set_dist(dist.clone());
        self.opt_d.set_dist(dist.clone());
        // As torch.nn.SyncBatchNorm: in a group of one the rank's batch is the group's, and the
        // plain batch norm computes the single process's numbers exactly.
        crate::dist::set_sync_batch_norm((self.config.sync_batch_norm && dist.world() > 1).then(|| dist.clone()));
        self.dist = Some(dist);
        Ok(c[0] as u64)
    }

    /// Re-opens the data at `batches_consumed` (a follower taking the leader's position).
    fn seek_data(&mut self, batches_consumed: u64) -> Result<()> {
        let c = &self.config;
        let opened = Feed::open(c.data.open()?, c.batch_size, mix(&[c.seed, DATA_STREAM]), batches_consumed, c.conditional, self.device)?;
        self.feed = opened.feed;
        self.batches_consumed = batches_consumed;
        Ok(())
    }
}
