//! Projecting an image into a StyleGAN2 generator's W or W+ space: the projector of Karras
//! et al., "Analyzing and Improving the Image Quality of StyleGAN" (CVPR 2020, sec. 5), as
//! NVlabs/stylegan2-ada-pytorch's projector.py runs it: `w` starts at the average of 10,000
//! mapped latents, Adam (0.9, 0.999) at 0.1 with a cosine ramp-down over the last 25% of the
//! steps and a linear ramp-up over the first 5%, Gaussian noise on `w` of `0.05 * w_std`
//! fading to 0 by 75% of the steps, the layers' noise images optimised too, under the noise
//! regulariser (squared autocorrelation at shifts of one pixel, over a pyramid down to 8x8,
//! weight 1e5) and renormalised after every step. W+ optimises one `w` per layer.
//!
//! The reference measures the distance with LPIPS (VGG16 features); those weights cannot be
//! downloaded here, so the distance is the pixels' mean squared error plus the relative
//! squared distance in a feature network the caller chooses (the run's evaluation space).

use gan_data::rng::mix;
use tch::{Device, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::models::latent::latents;
use crate::run::trained::TrainedGenerator;

/// W: one `w` for every layer; W+: one per layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WSpace {
    W,
    WPlus,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WProjectConfig {
    pub space: WSpace,
    pub steps: u32,
    pub lr: f64,
    pub seed: u64,
    /// Record the image every this many steps (for the path GIF).
    pub path_every: u32,
}

impl Default for WProjectConfig {
    fn default() -> Self {
        Self { space: WSpace::W, steps: 1000, lr: 0.1, seed: 0, path_every: 25 }
    }
}

const W_AVG_SAMPLES: i64 = 10_000;
const NOISE_FACTOR: f64 = 0.05;
const NOISE_RAMP: f64 = 0.75;
const LR_RAMPDOWN: f64 = 0.25;
const LR_RAMPUP: f64 = 0.05;
const NOISE_REG: f64 = 1e5;

pub struct WProjection {
    /// `[1, C, H, W]` in `[-1, 1]`.
    pub image: Tensor,
    /// `[1, num_ws, w_dim]`.
    pub ws: Tensor,
    /// The distance at each step.
    pub losses: Vec<f64>,
    pub path: Vec<Tensor>,
}

/// projector.py's learning rate at fraction `t` of the run.
pub fn lr_at(lr: f64, t: f64) -> f64 {
    let down = ((1.0 - t) / LR_RAMPDOWN).min(1.0);
    lr * (0.5 - 0.5 * (down * std::f64::consts::PI).cos()) * (t / LR_RAMPUP).min(1.0)
}

/// The noise regulariser of projector.py.
pub fn noise_regularisation(bufs: &[Tensor]) -> Tensor {
    let mut reg = Tensor::zeros([], (Kind::Float, Device::Cpu));
    for b in bufs {
        let mut n = b.view([1, 1, b.size()[0], b.size()[1]]);
        loop {
            reg = reg + (&n * n.roll([1], [3])).mean(Kind::Float).square() + (&n * n.roll([1], [2])).mean(Kind::Float).square();
            if n.size()[2] <= 8 {
                break;
            }
            n = n.avg_pool2d([2, 2], [2, 2], [0, 0], false, true, None::<i64>);
        }
    }
    reg
}

/// Projects `target` (`[1, C, H, W]` in `[-1, 1]`); `features` maps images to the feature
/// vectors of the distance. The generator's noise images are left as the projection found
/// them.
pub fn project_w(g: &TrainedGenerator, target: &Tensor, features: &dyn Fn(&Tensor) -> Tensor, cfg: &WProjectConfig) -> Result<WProjection> {
    let sg = g.stylegan2()?;
    let want = [1, g.image.channels, g.image.height, g.image.width];
    if target.size() != want {
        return Err(GanError::Invalid(format!("the image is {:?} but the run generates {} images", &target.size()[1..], g.image)));
    }
    tch::manual_seed(mix(&[cfg.seed, 0x57]) as i64);
    let z = latents(W_AVG_SAMPLES, g.latent_dim(), mix(&[cfg.seed, 0x5A]), Device::Cpu);
    let w_samples = tch::no_grad(|| sg.mapping.forward(&z, false));
    let w_avg = w_samples.mean_dim([0i64].as_slice(), true, Kind::Float);
    let w_std = ((&w_samples - &w_avg).square().sum(Kind::Float) / W_AVG_SAMPLES as f64).sqrt().double_value(&[]);
    let num_ws = sg.num_ws();
    let start = match cfg.space {
        WSpace::W => w_avg.unsqueeze(1),
        WSpace::WPlus => w_avg.unsqueeze(1).repeat([1, num_ws, 1]),
    };
    let w_opt = start.detach().copy().set_requires_grad(true);
    let bufs = sg.synthesis.noise_buffers();
    tch::no_grad(|| {
        for b in &bufs {
            let _ = b.shallow_clone().normal_(0.0, 1.0);
        }
    });
    let mut params: Vec<Tensor> = std::iter::once(w_opt.shallow_clone()).chain(bufs.iter().map(|b| b.shallow_clone().set_requires_grad(true))).collect();
    let mut adam = Adam::new(&params);
    let target = target.to_kind(Kind::Float);
    let target_f = tch::no_grad(|| features(&target));
    let scale = target_f.square().sum(Kind::Float).clamp_min(1e-12);
    let (mut losses, mut path) = (Vec::new(), Vec::new());
    for step in 0..cfg.steps {
        let t = f64::from(step) / f64::from(cfg.steps);
        let noise_scale = w_std * NOISE_FACTOR * (1.0 - t / NOISE_RAMP).max(0.0).powi(2);
        let ws = (&w_opt + w_opt.randn_like() * noise_scale).expand([1, num_ws, w_opt.size()[2]], false);
        let x = sg.images(&ws, crate::models::stylegan2::synthesis::Noise::Const);
        let dist = (&x - &target).square().mean(Kind::Float) + (features(&x) - &target_f).square().sum(Kind::Float) / &scale;
        let loss = &dist + noise_regularisation(&bufs) * NOISE_REG;
        adam.step(&mut params, &loss, lr_at(cfg.lr, t));
        tch::no_grad(|| {
            for b in &bufs {
                let centred = b - b.mean(Kind::Float);
                let normed = &centred * centred.square().mean(Kind::Float).rsqrt();
                b.shallow_clone().copy_(&normed);
            }
        });
        losses.push(dist.double_value(&[]));
        if step % cfg.path_every.max(1) == 0 {
            path.push(x.detach().get(0));
        }
    }
    let ws = w_opt.detach().expand([1, num_ws, w_opt.size()[2]], false).contiguous();
    for b in &bufs {
        let _ = b.shallow_clone().set_requires_grad(false);
    }
    let image = tch::no_grad(|| sg.images(&ws, crate::models::stylegan2::synthesis::Noise::Const));
    path.push(image.get(0));
    Ok(WProjection { image, ws, losses, path })
}

/// Adam (0.9, 0.999, 1e-8) over a list of leaf tensors, the learning rate given per step
/// (the noise images being optimised live in the loaded generator, not in a var store of
/// their own, so `optim::Optimizer` cannot hold them).
struct Adam {
    m: Vec<Tensor>,
    v: Vec<Tensor>,
    t: i32,
}

impl Adam {
    fn new(params: &[Tensor]) -> Self {
        Self { m: params.iter().map(Tensor::zeros_like).collect(), v: params.iter().map(Tensor::zeros_like).collect(), t: 0 }
    }

    fn step(&mut self, params: &mut [Tensor], loss: &Tensor, lr: f64) {
        let grads = Tensor::run_backward(&[loss], params, false, false);
        self.t += 1;
        let (b1, b2) = (0.9f64, 0.999f64);
        let (c1, c2) = (1.0 - b1.powi(self.t), 1.0 - b2.powi(self.t));
        tch::no_grad(|| {
            for ((p, g), (m, v)) in params.iter_mut().zip(grads).zip(self.m.iter_mut().zip(self.v.iter_mut())) {
                *m = &*m * b1 + &g * (1.0 - b1);
                *v = &*v * b2 + g.square() * (1.0 - b2);
                let update = (&*m / c1) / ((&*v / c2).sqrt() + 1e-8) * lr;
                let _ = p.f_sub_(&update).expect("same shapes");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// projector.py's schedule by hand: 0 at the start, the full rate in the middle, half
    /// way down the cosine at 87.5%.
    #[test]
    fn the_learning_rate_ramps_as_the_reference_does() {
        for (t, want) in [(0.0, 0.0), (0.025, 0.05), (0.5, 0.1), (0.875, 0.05), (1.0, 0.0)] {
            assert!((lr_at(0.1, t) - want).abs() < 1e-12, "t {t}: {} != {want}", lr_at(0.1, t));
        }
    }

    /// A constant map and a checkerboard correlate fully with their one-pixel shifts (2 per
    /// pyramid level); the 16x16 ones add the 8x8 level.
    #[test]
    fn the_noise_regulariser_measures_autocorrelation() {
        let ones = Tensor::ones([8, 8], (Kind::Float, Device::Cpu));
        assert!((noise_regularisation(&[ones]).double_value(&[]) - 2.0).abs() < 1e-6);
        let idx = Tensor::arange(16, (Kind::Float, Device::Cpu));
        let checker = ((idx.unsqueeze(0) + idx.unsqueeze(1)).remainder(2.0) * 2.0 - 1.0).contiguous();
        // 16x16: (-1)^2 twice; 8x8 after pooling the checkerboard: zeros.
        assert!((noise_regularisation(&[checker]).double_value(&[]) - 2.0).abs() < 1e-6);
        let ones16 = Tensor::ones([16, 16], (Kind::Float, Device::Cpu));
        assert!((noise_regularisation(&[ones16]).double_value(&[]) - 4.0).abs() < 1e-6);
    }
}
