//! `gan bench`: steps per second of the real training step (see `make bench` for the
//! side-by-side comparison with PyTorch).

use anyhow::Context;

use gan::models::precision::Precision;

use crate::cli::BenchArgs;

pub fn run(a: BenchArgs) -> anyhow::Result<()> {
    let batch = a.batch();
    if let Some(dir) = &a.folder {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
        let bps = crate::bench::folder_batches_per_sec(dir, a.size, batch, workers, a.warmup, a.steps)
            .with_context(|| format!("cannot time decoding {}", dir.display()))?;
        let ips = bps * batch as f64;
        if a.json {
            println!(
                "{}",
                serde_json::json!({"impl": "gan", "model": "folder-decode", "batch_size": batch, "size": a.size, "workers": workers, "batches_per_sec": bps, "images_per_sec": ips})
            );
        } else {
            println!("folder decode: {bps:.2} batches/s of {} = {ips:.0} images/s at {}x{} (decoding threads: {workers})", batch, a.size, a.size);
        }
        return Ok(());
    }
    if a.sweep {
        return sweep(&a);
    }
    if let Some(dir) = &a.dump_step {
        crate::step_dump::dump_step(a.model, batch, dir)?;
        println!("{}: one step written to {}", a.model.name(), dir.display());
        return Ok(());
    }
    let device = a.device.resolve()?;
    let total = a.warmup + a.steps + 1;
    let sps = if let Some(config) = a.model.translation(batch, total) {
        if a.precision != Precision::F32 {
            return Err(crate::exit::user(format!("--precision {}: translation runs train in f32 only", a.precision.name())));
        }
        crate::bench::translation_steps_per_sec(config, device, a.warmup, a.steps)
    } else {
        let mut config = a.model.config(batch, total).expect("a GAN step");
        config.precision = a.precision;
        crate::bench::steps_per_sec(config, device, a.warmup, a.steps)
    }
    .context("benchmark failed")?;
    let model = a.model.name();
    let dev = gan::device::describe(device);
    if a.json {
        println!(
            "{}",
            serde_json::json!({"impl": "gan", "model": model, "batch_size": batch, "device": dev, "precision": a.precision, "threads": tch::get_num_threads(), "steps_per_sec": sps})
        );
    } else {
        println!("{model}: {sps:.2} steps/s (batch {batch}, {dev})");
    }
    Ok(())
}

fn sweep(a: &BenchArgs) -> anyhow::Result<()> {
    if let Some(&b) = a.sweep_batches.iter().find(|&&b| b == 0) {
        return Err(crate::exit::user(format!("--sweep-batches: a batch needs at least one image, got {b}")));
    }
    if let Some(&s) = a.sweep_sizes.iter().find(|s| !crate::sweep::SIZES.contains(s)) {
        return Err(crate::exit::user(format!("--sweep-sizes: the presets' image sizes are {:?}, got {s}", crate::sweep::SIZES)));
    }
    if !(a.sweep_secs.is_finite() && a.sweep_secs >= 0.0) {
        return Err(crate::exit::user(format!("--sweep-secs must be a non-negative number, got {}", a.sweep_secs)));
    }
    let device = a.device.resolve()?;
    let peak = crate::sweep::peak_gflops(device, a.precision);
    let arith = a.precision.name();
    let dev = gan::device::describe(device);
    let mut points = Vec::new();
    if !a.json {
        println!("peak: {peak:.1} GFLOP/s (2048^3 {arith} matmul, {dev})\n");
        println!("| image | batch | images/s | GFLOP/s | of peak |");
        println!("|---|---:|---:|---:|---:|");
    }
    for &size in &a.sweep_sizes {
        for &batch in &a.sweep_batches {
            let p = crate::sweep::measure(size, batch, device, a.precision, a.sweep_secs).with_context(|| format!("sweep at {size}x{size}, batch {batch}"))?;
            if a.json {
                println!("{}", serde_json::json!({"impl": "gan", "sweep": p, "peak_gflops": peak, "device": dev}));
            } else {
                println!("| {size}x{size} | {batch} | {:.1} | {:.1} | {:.0}% |", p.images_per_sec, p.gflops_per_sec, 100.0 * p.gflops_per_sec / peak);
            }
            points.push(p);
        }
    }
    if let Some(path) = &a.plot {
        let series: Vec<_> = a
            .sweep_sizes
            .iter()
            .map(|&s| gan::draw::lines::Series {
                name: format!("{s}x{s}"),
                points: points.iter().filter(|p| p.size == s).map(|p| (p.batch as f64, p.images_per_sec)).collect(),
            })
            .collect();
        let title = format!("mnist-dcgan step, {arith}, {dev}");
        let chart = gan::draw::lines::Chart { title: &title, x_label: "batch size", y_label: "images per second" };
        gan::draw::lines::save_log_lines(&chart, &series, path).with_context(|| format!("cannot draw {}", path.display()))?;
    }
    Ok(())
}
