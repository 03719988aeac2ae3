//! A translation run as one rank of a data-parallel group ([`crate::dist`]), as the GAN
//! family's: every rank trains the same step on its shard of each global batch (pix2pix's
//! batch norms synchronised, so the group computes the single process's batch statistics);
//! on joining, the leader's weights, moving average, optimiser state, step and image pools
//! are broadcast. Each rank keeps its own CycleGAN image pool afterwards (the reference code
//! under DistributedDataParallel does too); a checkpoint holds rank 0's.

use std::sync::Arc;

use tch::{Kind, Tensor};

use super::TranslationFamily;
use crate::dist::{sorted_variables, Dist};
use crate::error::Result;

impl TranslationFamily {
    /// Joins `dist`'s group at `step`; every rank calls it once, before its first step.
    /// Returns the group's step (rank 0's).
    pub(super) fn join_group(&mut self, dist: Arc<Dist>, step: u64) -> Result<u64> {
        dist.check_run(self.config.batch_size, &self.config.to_toml())?;
        let mut tensors = sorted_variables(&self.nets.g_vs);
        tensors.extend(sorted_variables(&self.nets.d_vs));
        if let Some(avg) = &self.ema {
            tensors.extend(sorted_variables(&avg.nets.vs));
        }
        tensors.extend(self.opt_g.state_tensors());
        tensors.extend(self.opt_d.state_tensors());
        dist.broadcast(&tensors)?;
        let stored = |p: &super::pool::ImagePool| p.stored().map_or(0, |t| t.size()[0]);
        let counters = Tensor::from_slice(&[step as i64, self.opt_g.steps_taken(), self.opt_d.steps_taken(), stored(&self.pools.a), stored(&self.pools.b)]);
        dist.broadcast_exact(&counters)?;
        let c: Vec<i64> = Vec::try_from(counters.to_kind(Kind::Int64)).expect("five counters");
        let image = [self.image.channels, self.image.height, self.image.width];
        for (pool, n) in [(&mut self.pools.a, c[3]), (&mut self.pools.b, c[4])] {
            if n > 0 {
                let t =
                    pool.stored().filter(|_| dist.is_leader()).unwrap_or_else(|| Tensor::zeros([n, image[0], image[1], image[2]], (Kind::Float, self.device)));
                dist.broadcast(std::slice::from_ref(&t))?;
                pool.restore(&t);
            }
        }
        if !dist.is_leader() {
            self.opt_g.set_steps_taken(c[1]);
            self.opt_d.set_steps_taken(c[2]);
            self.step = c[0] as u64;
        }
        self.opt_g.set_dist(dist.clone());
        self.opt_d.set_dist(dist.clone());
        crate::dist::set_sync_batch_norm((dist.world() > 1).then(|| dist.clone()));
        self.dist = Some(dist);
        Ok(c[0] as u64)
    }
}
