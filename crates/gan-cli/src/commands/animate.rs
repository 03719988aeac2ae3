//! `gan animate`: the fixed-z sample grids a run saved while training, as one GIF (samples
//! emerging from noise).

use gan::run::dir::RunDir;

use crate::cli::AnimateArgs;
use crate::exit::user;

pub fn run(a: AnimateArgs) -> anyhow::Result<()> {
    if a.scale < 1 || a.delay_ms < 1 {
        return Err(user("--scale and --delay-ms must be at least 1"));
    }
    if !a.run.is_dir() {
        return Err(user(format!("run directory {} does not exist", a.run.display())));
    }
    let rd = RunDir::new(&a.run);
    let grids = rd.sample_grids().map_err(|e| user(format!("{}: cannot list samples: {e}", rd.samples().display())))?;
    if grids.is_empty() {
        return Err(user(format!("{} holds no sample grids (samples/step-*.png)", rd.samples().display())));
    }
    let out = a.out.clone().unwrap_or_else(|| a.run.join("training.gif"));
    super::check_out_dir(&out)?;
    let paths: Vec<_> = grids.iter().map(|(_, p)| p.clone()).collect();
    let mut frames = gan::draw::gif::open_frames(&paths, a.scale)?;
    // Hold the final state a little before looping.
    let last = frames.last().cloned().expect("at least one grid");
    frames.extend([last.clone(), last]);
    gan::draw::gif::save_gif(&frames, a.delay_ms, &out)?;
    let (first, final_step) = (grids[0].0, grids[grids.len() - 1].0);
    eprintln!("wrote {} ({} grids, steps {first}..{final_step})", out.display(), grids.len());
    Ok(())
}
