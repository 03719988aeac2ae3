//! `gan interpolate`: images along a path between the latents of two seeds, as a PNG strip
//! and a looping GIF (there and back).

use gan::latent_path::latent_path;
use gan::sample::{latents, TrainedGenerator};
use gan::DeviceChoice;

use crate::cli::InterpolateArgs;
use crate::exit::user;

pub fn run(a: InterpolateArgs) -> anyhow::Result<()> {
    if a.frames < 2 {
        return Err(user(format!("--frames must be at least 2, got {}", a.frames)));
    }
    if a.scale < 1 || a.delay_ms < 1 {
        return Err(user("--scale and --delay-ms must be at least 1"));
    }
    super::check_out_dir(&a.out)?;
    let device = DeviceChoice::from(a.device).resolve()?;
    let g = TrainedGenerator::load(&a.run, device)?;
    let dim = g.latent_dim();
    let za = latents(1, dim, a.from, device).get(0);
    let zb = latents(1, dim, a.to, device).get(0);
    let images = g.generate(&latent_path(&za, &zb, a.frames, a.mode.into()));
    gan::grid::save_grid(&images, a.frames as usize, &a.out)?;
    let frames: Vec<_> = (0..a.frames)
        .map(|i| gan::grid::make_grid(&images.narrow(0, i, 1), 1, 0).map(|f| gan::gif::upscale(&f, a.scale)))
        .collect::<Result<_, _>>()?;
    // There and back, without repeating the ends.
    let mut looped = frames.clone();
    looped.extend(frames[1..frames.len() - 1].iter().rev().cloned());
    let gif = a.out.with_extension("gif");
    gan::gif::save_gif(&looped, a.delay_ms, &gif)?;
    eprintln!("wrote {} ({} frames, seed {} -> {}) and {}", a.out.display(), a.frames, a.from, a.to, gif.display());
    Ok(())
}
