//! `gan bench --sweep`: how the cost of a training step grows with the batch and the image.
//! For each image size of the presets and each batch size it times the mnist-dcgan step (one
//! BatchNorm D update with BCE, then one G update) on random images of that size, and reports
//! images per second and the FLOP rate achieved, counted by [`gan::models::flops`], against
//! this machine's peak as a 2048^3 matrix product in the same precision measures it.
//!
//! The networks are each size's preset's: mnist-dcgan's at 28x28 (grey), the same pair at
//! 64x64 RGB (the DCGAN paper's 64x64 networks), faces128-wgan-gp's at 128x128 RGB.

use std::time::Instant;

use anyhow::Context;
use tch::{Device, Kind, Tensor};

use gan::config::TrainConfig;
use gan::families::gan::step::{gan_step, RealBatch, StepParts};
use gan::models::precision::Precision;
use gan::models::{ImageShape, Partner};
use gan::optim::Optimizer;
use gan::presets::Preset;

/// One measured point of the sweep.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Point {
    pub size: i64,
    pub batch: usize,
    pub steps: u64,
    pub images_per_sec: f64,
    pub gflops_per_sec: f64,
}

/// The image sides the sweep knows networks for.
pub const SIZES: [i64; 3] = [28, 64, 128];

/// The step's configuration and image for a preset image size.
fn setup(size: i64) -> anyhow::Result<(TrainConfig, ImageShape)> {
    let mut config = Preset::MnistDcgan.config();
    let image = match size {
        28 => ImageShape { channels: 1, height: 28, width: 28 },
        64 => ImageShape { channels: 3, height: 64, width: 64 },
        128 => {
            config.model = Preset::Faces128WganGp.config().model;
            ImageShape { channels: 3, height: 128, width: 128 }
        }
        other => anyhow::bail!("the sweep has no networks for {other}x{other} images (it knows {SIZES:?})"),
    };
    Ok((config, image))
}

/// GFLOP/s of a 2048 x 2048 x 2048 matrix product on `device` in `precision` (the best of
/// five; bf16 through the same autocast region the step runs in).
pub fn peak_gflops(device: Device, precision: Precision) -> f64 {
    let _region = precision.region(device);
    let n = 2048i64;
    let a = Tensor::randn([n, n], (Kind::Float, device));
    let b = Tensor::randn([n, n], (Kind::Float, device));
    let _ = a.mm(&b);
    let best = (0..5)
        .map(|_| {
            crate::bench::sync(device);
            let t = Instant::now();
            let _ = a.mm(&b);
            crate::bench::sync(device);
            t.elapsed().as_secs_f64()
        })
        .fold(f64::MAX, f64::min);
    2.0 * (n * n * n) as f64 / best / 1e9
}

/// Times the step at `size` and `batch`: one untimed step, then steps until at least two
/// and `min_secs` seconds have gone.
pub fn measure(size: i64, batch: usize, device: Device, precision: Precision, min_secs: f64) -> anyhow::Result<Point> {
    let (config, image) = setup(size)?;
    tch::manual_seed(config.seed as i64);
    let mut nets = config.model.build(image, 0, 1, device);
    if precision == Precision::Bf16 {
        nets = nets.in_bf16(device);
    }
    let Partner::Discriminator(d) = &nets.partner else { anyhow::bail!("the sweep's models are GANs") };
    let mut opt_g = Optimizer::new(&nets.g_vs, config.optim.g.clone());
    let mut opt_d = Optimizer::new(&nets.d_vs, config.optim.d.clone());
    let flops = config.model.forward_flops(image, 0).context("the sweep's models count their FLOPs")?.gan_step();
    let real = Tensor::rand([batch as i64, image.channels, image.height, image.width], (Kind::Float, device)) * 2.0 - 1.0;
    let latent = config.model.latent_dim();
    let mut step = || -> anyhow::Result<()> {
        let parts = StepParts::of(&config, (nets.g.as_ref(), d.as_ref()), (&mut opt_g, &mut opt_d));
        let noise = |n| Tensor::randn([n, latent], (Kind::Float, device));
        gan_step(parts, 1, || Ok(RealBatch { images: real.shallow_clone(), labels: None }), noise)?;
        Ok(())
    };
    step()?;
    crate::bench::sync(device);
    let start = Instant::now();
    let mut steps = 0u64;
    while steps < 2 || start.elapsed().as_secs_f64() < min_secs {
        step()?;
        steps += 1;
        crate::bench::sync(device);
    }
    let secs = start.elapsed().as_secs_f64();
    let images_per_sec = (steps as f64 * batch as f64) / secs;
    Ok(Point { size, batch, steps, images_per_sec, gflops_per_sec: images_per_sec * flops as f64 / 1e9 })
}
