//! Throughput of the real training step, for `gan bench` (compared against the PyTorch
//! reference in `bench/reference.py` by `make bench`).

use std::time::Instant;

use tch::Device;

use crate::config::TrainConfig;
use crate::error::Result;
use crate::train::Trainer;

/// Steps per second of `config`'s training step after `warmup` untimed steps, timed over
/// `steps` steps. Runs in a temporary directory that is deleted afterwards.
pub fn steps_per_sec(config: TrainConfig, device: Device, warmup: u64, steps: u64) -> Result<f64> {
    let dir = std::env::temp_dir().join(format!("gan-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let result = (|| {
        let mut t = Trainer::new(config, &dir, device)?;
        for _ in 0..warmup {
            let _ = t.train_step();
        }
        sync(device);
        let start = Instant::now();
        for _ in 0..steps {
            let _ = t.train_step();
        }
        sync(device);
        Ok(steps as f64 / start.elapsed().as_secs_f64())
    })();
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn sync(device: Device) {
    if let Device::Cuda(i) = device {
        tch::Cuda::synchronize(i as i64);
    }
}
