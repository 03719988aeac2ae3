//! `gan bench`: steps per second of the real training step (see `make bench` for the
//! side-by-side comparison with PyTorch).

use anyhow::Context;
use gan::{DeviceChoice, Preset};

use crate::cli::{BenchArgs, BenchModel};

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    let device = DeviceChoice::from(a.device).resolve()?;
    let mut config = match a.model {
        BenchModel::Mlp => Preset::MnistMlp.config(),
    };
    config.batch_size = a.batch_size;
    config.steps = Some(a.warmup + a.steps + 1);
    config.epochs = None;
    // Keep the timed loop free of logging, sampling and checkpoint I/O.
    let never = 1 << 40;
    config.log_every = never;
    config.sample_every = never;
    config.checkpoint_every = never;
    let sps = gan::bench::steps_per_sec(config, device, a.warmup, a.steps).context("benchmark failed")?;
    let model = format!("{:?}", a.model).to_lowercase();
    let dev = gan::device::describe(device);
    if a.json {
        println!(
            "{}",
            serde_json::json!({"impl": "gan", "model": model, "batch_size": a.batch_size, "device": dev, "threads": tch::get_num_threads(), "steps_per_sec": sps})
        );
    } else {
        println!("{model}: {sps:.2} steps/s (batch {}, {dev})", a.batch_size);
    }
    Ok(())
}
