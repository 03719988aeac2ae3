//! `gan bench`: steps per second of the real training step (see `make bench` for the
//! side-by-side comparison with PyTorch).

use anyhow::Context;

use crate::cli::BenchArgs;

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    if let Some(dir) = &a.folder {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let bps = crate::bench::folder_batches_per_sec(dir, a.size, a.batch_size, workers, a.warmup, a.steps)
            .with_context(|| format!("cannot time decoding {}", dir.display()))?;
        let ips = bps * a.batch_size as f64;
        if a.json {
            println!(
                "{}",
                serde_json::json!({"impl": "gan", "model": "folder-decode", "batch_size": a.batch_size, "size": a.size, "workers": workers, "batches_per_sec": bps, "images_per_sec": ips})
            );
        } else {
            println!("folder decode: {bps:.2} batches/s of {} = {ips:.0} images/s at {}x{} (decoding threads: {workers})", a.batch_size, a.size, a.size);
        }
        return Ok(());
    }
    if let Some(dir) = &a.dump_step {
        crate::step_dump::dump_step(a.model, a.batch_size, dir)?;
        println!("{}: one step written to {}", a.model.name(), dir.display());
        return Ok(());
    }
    let device = a.device.resolve()?;
    let model = a.model;
    let config = model.config(a.batch_size, a.warmup + a.steps + 1);
    let sps = crate::bench::steps_per_sec(config, device, a.warmup, a.steps).context("benchmark failed")?;
    let model = model.name();
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
