//! ProGAN's training schedule (train.py's `TrainingSchedule`, Karras et al. 2018, sec. 3):
//! after `stable` images at a resolution, the next one fades in over `fade` images, from 4x4
//! up to the full size. The level of detail after `n` real images is
//! `R - 2 - phase - max(n_in_phase - stable, 0) / fade` (at least 0), where a phase is
//! `stable + fade` images; the optimisers' states are reset whenever its floor or ceiling
//! changes (the reference's `reset_opt_for_new_lod`), i.e. when a fade starts and ends.

use crate::models::progan::{Levels, ProganConfig};

/// The schedule of one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub levels: Levels,
    /// Images per stable stretch and per fade.
    pub stable: f64,
    pub fade: f64,
}

impl Schedule {
    pub fn new(c: &ProganConfig, levels: Levels) -> Self {
        Self { levels, stable: c.stable_kimg * 1000.0, fade: c.fade_kimg * 1000.0 }
    }

    /// The level of detail after `images` real images.
    pub fn lod(&self, images: u64) -> f64 {
        let n = images as f64;
        let phase_len = self.stable + self.fade;
        let (phase, in_phase) = if phase_len > 0.0 { ((n / phase_len).floor(), n - (n / phase_len).floor() * phase_len) } else { (0.0, 0.0) };
        let mut lod = self.levels.max_lod() - phase;
        if self.fade > 0.0 {
            lod -= (in_phase - self.stable).max(0.0) / self.fade;
        }
        lod.max(0.0)
    }

    /// Whether going from `before` to `lod` starts or ends a fade (the optimisers reset).
    pub fn resets(before: f64, lod: f64) -> bool {
        before.floor() != lod.floor() || before.ceil() != lod.ceil()
    }
}

/// What the run reports of its growth: the resolution trained and the new block's weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub resolution: i64,
    /// 1 when the newest block is fully in (ProGAN's alpha).
    pub alpha: f64,
}

impl Stage {
    pub fn at(levels: Levels, lod: f64) -> Self {
        let (top, t) = levels.at(lod);
        Self { resolution: 1 << top, alpha: 1.0 - t }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand, for 32x32 (R = 5, lod from 3) with 1,000 stable and 500 fading images.
    #[test]
    fn the_level_of_detail_follows_the_reference_schedule() {
        let s = Schedule { levels: Levels { log2: 5 }, stable: 1000.0, fade: 500.0 };
        for (n, lod) in
            [(0, 3.0), (999, 3.0), (1000, 3.0), (1250, 2.5), (1500, 2.0), (2500, 2.0), (2750, 1.5), (4000, 1.0), (4400, 0.2), (4500, 0.0), (9000, 0.0)]
        {
            assert!((s.lod(n) - lod).abs() < 1e-12, "{n} images: {} != {lod}", s.lod(n));
        }
        assert_eq!(Stage::at(s.levels, 2.5), Stage { resolution: 8, alpha: 0.5 });
        assert_eq!(Stage::at(s.levels, 3.0), Stage { resolution: 4, alpha: 1.0 });
        assert_eq!(Stage::at(s.levels, 0.0), Stage { resolution: 32, alpha: 1.0 });
    }

    #[test]
    fn the_optimisers_reset_when_a_fade_starts_and_ends() {
        assert!(!Schedule::resets(3.0, 3.0));
        assert!(Schedule::resets(3.0, 2.9));
        assert!(!Schedule::resets(2.9, 2.5));
        assert!(Schedule::resets(2.1, 2.0));
        assert!(!Schedule::resets(2.0, 2.0));
    }
}
