//! `gan bench --model stylegan2 --dump-step DIR`: the four phases of one StyleGAN2 step
//! (`Gmain`, `Greg`, `Dmain`, `Dreg`, all four as on a run's first step) from seeded weights,
//! written out for `bench/reference_styled.py --check DIR`, which runs the same step as
//! NVlabs/stylegan2-ada-pytorch's training loop and `StyleGAN2Loss` do (lazy intervals,
//! `lr * k / (k + 1)` and Adam's betas to that power) and compares every weight.
//!
//! The step's random draws after the latents (the mixing cut and coin, the second latents,
//! the per-layer noise, the path length projection) come from the generator of random numbers
//! seeded with [`DRAW_SEED`], in an order the reference side repeats. R1's gamma is 1 here
//! (the preset's 0.01 leaves R1's part of the first update below rounding).

use std::path::Path;

use anyhow::Context;
use tch::{Device, Kind, Tensor};

use gan::families::gan::step::{RealBatch, StepParts};
use gan::families::stylegan2::step::{stylegan2_step, Regularisers};
use gan::losses::penalty::Lipschitz;
use gan::models::stylegan2::Stylegan2Generator;
use gan::models::{ImageShape, NetConfig, Partner};
use gan::optim::Optimizer;

/// Seeds of the latents and of the draws inside the step.
const Z_SEED: i64 = 1;
const DRAW_SEED: i64 = 2;

pub fn dump_stylegan2(config: gan::config::TrainConfig, batch_size: usize, dir: &Path) -> anyhow::Result<()> {
    let NetConfig::Stylegan2(net) = config.model.net.clone() else { anyhow::bail!("the stylegan2 bench model is a StyleGAN2") };
    let Lipschitz::R1 { .. } = config.loss.lipschitz else { anyhow::bail!("mnist-stylegan2 regularises D with R1") };
    // R1 at gamma 1, not the preset's 0.01, so that its share of D's update shows.
    let gamma = 1.0;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let device = Device::Cpu;
    let image = ImageShape { channels: 1, height: 32, width: 32 };
    tch::manual_seed(config.seed as i64);
    let nets = config.model.build(image, 0, 1, device);
    let Partner::Discriminator(d) = &nets.partner else { anyhow::bail!("StyleGAN2 is a GAN") };
    let g = nets.g.as_any().and_then(|a| a.downcast_ref::<Stylegan2Generator>()).context("a StyleGAN2 generator")?;
    let mut opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
    let mut opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
    opt_g.set_lazy_interval(net.training.pl_every);
    opt_d.set_lazy_interval(net.training.r1_every);
    let ds = gan_data::builtin::Builtin::Mnist10k.load()?.padded(2);
    let real = Tensor::from_slice(&ds.pixels_pm1()).view([-1, 1, 32, 32]).narrow(0, 0, batch_size as i64);
    tch::manual_seed(Z_SEED);
    let z = Tensor::randn([batch_size as i64, net.latent_dim], (Kind::Float, device));
    super::step_dump::save_weights(&nets.g_vs, &dir.join("init_g.safetensors"))?;
    super::step_dump::save_weights(&nets.d_vs, &dir.join("init_d.safetensors"))?;
    let t = &net.training;
    let hyper = [gamma, t.style_mixing, t.pl_weight, t.pl_decay, t.pl_batch_shrink as f64, t.pl_every as f64, t.r1_every as f64, DRAW_SEED as f64];
    let inputs = [("real".into(), real.shallow_clone()), ("z".into(), z.shallow_clone()), ("hyper".into(), Tensor::from_slice(&hyper))];
    super::step_dump::save(&inputs, &dir.join("inputs.safetensors"))?;
    let mut reg = Regularisers {
        terms: net.training.clone(),
        loss: config.loss.clone(),
        gamma,
        r2: false,
        pl_mean: Tensor::zeros([], (Kind::Float, device)),
        last_pl: None,
    };
    tch::manual_seed(DRAW_SEED);
    let parts = StepParts::of(&config, (nets.g.as_ref(), d.as_ref()), (&mut opt_g, &mut opt_d));
    stylegan2_step(parts, g, &mut reg, 0, &mut || Ok(RealBatch { images: real.shallow_clone(), labels: None }), &mut |_| z.shallow_clone())?;
    super::step_dump::save_weights(&nets.g_vs, &dir.join("after_g.safetensors"))?;
    super::step_dump::save_weights(&nets.d_vs, &dir.join("after_d.safetensors"))?;
    super::step_dump::save(&[("pl_mean".into(), reg.pl_mean.reshape([1]))], &dir.join("after_state.safetensors"))?;
    Ok(())
}
