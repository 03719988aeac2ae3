//! `gan sample`: images from a trained run's newest checkpoint.

use anyhow::Context;
use gan::sample::TrainedGenerator;
use gan::DeviceChoice;
use gan_data::idx::{encode_images, write_maybe_gz, IdxImages};
use tch::Tensor;

use crate::cli::{SampleArgs, SampleFormat};
use crate::exit::user;

pub fn run(a: SampleArgs) -> anyhow::Result<()> {
    if a.n < 1 {
        return Err(user(format!("--n must be at least 1, got {}", a.n)));
    }
    if a.nrow < 1 {
        return Err(user("--nrow must be at least 1"));
    }
    super::check_out_dir(&a.out)?;
    let device = DeviceChoice::from(a.device).resolve()?;
    let g = TrainedGenerator::load(&a.run, device)?;
    let (z, images) = g.sample(a.n, a.seed);
    match a.format {
        SampleFormat::Png => gan::grid::save_grid(&images, a.nrow, &a.out)?,
        SampleFormat::Idx => {
            if g.image.channels != 1 {
                return Err(user(format!("--format idx holds grey images; this run makes {} channels", g.image.channels)));
            }
            let idx = IdxImages {
                count: a.n as usize,
                rows: g.image.height as usize,
                cols: g.image.width as usize,
                pixels: gan::grid::to_bytes(&images),
            };
            write_maybe_gz(&a.out, &encode_images(&idx))?;
        }
        SampleFormat::Safetensors => {
            Tensor::write_safetensors(&[("z", &z), ("images", &images)], &a.out)
                .with_context(|| format!("cannot write {}", a.out.display()))?;
        }
    }
    eprintln!("wrote {} samples from {} (step {}) to {}", a.n, g.checkpoint.display(), g.step, a.out.display());
    Ok(())
}
