//! Adaptive augmentation (Karras et al., "Training Generative Adversarial Networks with Limited
//! Data", NeurIPS 2020; NVlabs/stylegan2-ada-pytorch, `training/training_loop.py`): the
//! probability p of each DiffAugment transform follows the discriminator's overfitting. Each
//! step adds `E[sign D(real)]` of its last critic update (on the device); every `interval`
//! steps their mean `r_t` moves p by `sign(r_t - target) * batch * interval / (speed_kimg *
//! 1000)`, clamped to [0, 1]. p and the signs not yet used are in the checkpoint
//! (`family.json`), so a resumed run continues the same p (the ADA repository's users report
//! losing it on resume).

use serde::{Deserialize, Serialize};
use tch::Tensor;

use crate::models::diffaugment::AdaConfig;

/// ADA's state.
pub struct Ada {
    config: AdaConfig,
    pub p: f64,
    /// The last `r_t` (none before the first adjustment).
    pub last_rt: Option<f64>,
    /// `E[sign D(real)]` of the steps since the last adjustment.
    signs: Vec<Tensor>,
}

/// What a checkpoint keeps of [`Ada`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdaState {
    pub p: f64,
    #[serde(default)]
    pub last_rt: Option<f64>,
    pub pending: Vec<f64>,
}

impl Ada {
    pub fn new(config: AdaConfig) -> Self {
        Self { config, p: 0.0, last_rt: None, signs: Vec::new() }
    }

    /// One step's `E[sign D(real)]`; every `interval` steps, p moves.
    pub fn observe(&mut self, real_sign: Tensor, batch_size: usize) {
        self.signs.push(real_sign);
        if (self.signs.len() as u64) < self.config.interval {
            return;
        }
        let rt = crate::train::record::mean(self.signs.iter()).expect("signs were observed");
        self.signs.clear();
        let step = (batch_size as u64 * self.config.interval) as f64 / (self.config.speed_kimg * 1000.0);
        self.p = (self.p + (rt - self.config.target).signum() * step).clamp(0.0, 1.0);
        self.last_rt = Some(rt);
    }

    pub fn state(&self) -> AdaState {
        AdaState { p: self.p, last_rt: self.last_rt, pending: self.signs.iter().map(|t| t.double_value(&[])).collect() }
    }

    pub fn restore(&mut self, s: AdaState, device: tch::Device) {
        (self.p, self.last_rt) = (s.p, s.last_rt);
        self.signs = s.pending.into_iter().map(|v| Tensor::from(v as f32).to_device(device)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, interval 2, batch 10, speed 0.1 kimg: each adjustment moves p by
    /// 10 * 2 / 100 = 0.2; signs (1, 0.6) give r_t = 0.8 > 0.6: p 0 -> 0.2; (0, 0.2) give
    /// 0.1 < 0.6: back to 0; it never goes below 0 or above 1.
    #[test]
    fn p_follows_the_sign_of_rt_minus_the_target() {
        let mut a = Ada::new(AdaConfig { target: 0.6, interval: 2, speed_kimg: 0.1 });
        let s = |v: f32| Tensor::from(v);
        a.observe(s(1.0), 10);
        assert_eq!(a.p, 0.0, "not before the interval ends");
        a.observe(s(0.6), 10);
        assert!((a.p - 0.2).abs() < 1e-12 && (a.last_rt.unwrap() - 0.8).abs() < 1e-6);
        a.observe(s(0.0), 10);
        let saved = a.state();
        assert_eq!(saved.pending, [0.0]);
        a.observe(s(0.2), 10);
        assert_eq!(a.p, 0.0);
        a.observe(s(0.1), 10);
        a.observe(s(0.1), 10);
        assert_eq!(a.p, 0.0, "clamped at 0");
        for _ in 0..20 {
            a.observe(s(1.0), 10);
        }
        assert_eq!(a.p, 1.0, "clamped at 1");
        // A restored state continues where it was saved.
        let mut b = Ada::new(AdaConfig { target: 0.6, interval: 2, speed_kimg: 0.1 });
        b.restore(saved, tch::Device::Cpu);
        b.observe(s(0.2), 10);
        assert_eq!(b.p, 0.0);
        assert_eq!(b.state().pending.len(), 0);
    }
}
