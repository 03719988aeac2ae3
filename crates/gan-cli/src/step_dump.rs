//! `gan bench --dump-step DIR`: one training step of a bench model, written out so that
//! `bench/reference.py --check DIR` can run the same step in PyTorch (both its styles) and
//! compare: the initial weights, the step's inputs (real batch, noise and, for WGAN-GP, the
//! interpolation weights) and the weights after the step, as safetensors.
//!
//! The MLP model's discriminator runs without dropout here (the two sides cannot draw the
//! same mask); everything else is the bench step as timed.

use std::path::Path;

use anyhow::Context;
use tch::{Device, Tensor};

use gan::families::gan::step::{gan_step, RealBatch, StepParts};
use gan::losses::penalty::interpolation_weights;
use gan::models::{ImageShape, NetConfig, Partner};
use gan::optim::Optimizer;

use crate::bench::BenchModel;

/// Seeds of the step's inputs (the networks take the bench configuration's seed).
const NOISE_SEED: i64 = 1;
const EPS_SEED: i64 = 2;

pub(crate) fn save(vars: &[(String, Tensor)], path: &Path) -> anyhow::Result<()> {
    Tensor::write_safetensors(vars, path).with_context(|| format!("cannot write {}", path.display()))
}

pub(crate) fn save_weights(vs: &tch::nn::VarStore, path: &Path) -> anyhow::Result<()> {
    gan::tensors::save_vars(vs, path).with_context(|| format!("cannot write {}", path.display()))
}

pub fn dump_step(model: BenchModel, batch_size: usize, dir: &Path) -> anyhow::Result<()> {
    let Some(mut config) = model.config(batch_size, 1).filter(|_| model != BenchModel::Progan) else {
        return Err(crate::exit::user(format!("--dump-step covers the GAN steps (mlp, dcgan, wgan-gp-mlp, wgan-gp-conv, stylegan2), not {}", model.name())));
    };
    if model == BenchModel::Stylegan2 {
        return crate::step_dump_styled::dump_stylegan2(config, batch_size, dir);
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    if let NetConfig::Mlp(c) = &mut config.model.net {
        c.d_dropout = 0.0;
    }
    let device = Device::Cpu;
    let image = ImageShape { channels: 1, height: 28, width: 28 };
    tch::manual_seed(config.seed as i64);
    let nets = config.model.build(image, 0, 1, device);
    let Partner::Discriminator(d) = &nets.partner else { anyhow::bail!("bench models are GANs") };
    let mut opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
    let mut opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
    let ds = gan_data::builtin::Builtin::Mnist10k.load()?;
    let real = Tensor::from_slice(&ds.pixels_pm1()).view([-1, 1, 28, 28]).narrow(0, 0, batch_size as i64);
    tch::manual_seed(NOISE_SEED);
    let z = Tensor::randn([batch_size as i64, config.model.latent_dim()], (tch::Kind::Float, device));
    // The step's one random draw (WGAN-GP's interpolation weights) comes from this seed: drawn
    // here once to be written out, and again inside the step.
    tch::manual_seed(EPS_SEED);
    let eps = interpolation_weights(&real);
    save_weights(&nets.g_vs, &dir.join("init_g.safetensors"))?;
    save_weights(&nets.d_vs, &dir.join("init_d.safetensors"))?;
    save(&[("real".into(), real.shallow_clone()), ("z".into(), z.shallow_clone()), ("eps".into(), eps)], &dir.join("inputs.safetensors"))?;
    tch::manual_seed(EPS_SEED);
    let parts = StepParts::of(&config, (nets.g.as_ref(), d.as_ref()), (&mut opt_g, &mut opt_d));
    gan_step(parts, 1, || Ok(RealBatch { images: real.shallow_clone(), labels: None }), |_| z.shallow_clone())?;
    save_weights(&nets.g_vs, &dir.join("after_g.safetensors"))?;
    save_weights(&nets.d_vs, &dir.join("after_d.safetensors"))?;
    Ok(())
}
