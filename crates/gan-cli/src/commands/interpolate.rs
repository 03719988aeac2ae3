//! `gan interpolate`: images along a path between the latents of two seeds and, for
//! conditional runs, between two classes with z fixed (morphing), as a PNG strip and a
//! looping GIF (there and back).

use gan::explore::latent_path::{latent_path, PathMode};
use gan::models::condition::one_hot;
use gan::models::latent::latents;
use gan::run::trained::TrainedGenerator;
use tch::{Device, Tensor};

use crate::cli::{InterpolateArgs, LatentSpace};
use crate::exit::user;

pub fn run(a: InterpolateArgs) -> anyhow::Result<()> {
    if a.frames < 2 {
        return Err(user(format!("--frames must be at least 2, got {}", a.frames)));
    }
    if a.scale < 1 || a.delay_ms < 1 {
        return Err(user("--scale and --delay-ms must be at least 1"));
    }
    if a.to.is_none() && a.to_class.is_none() && a.to_prompt.is_none() {
        return Err(user(
            "nothing to interpolate: give --to SEED (a path in z) and/or --to-class CLASS (a morph between classes) or --to-prompt TEXT (text runs)",
        ));
    }
    super::check_out_dir(&a.out)?;
    let (g, device) = a.generator.load()?;
    let dim = g.latent_dim();
    let za = latents(1, dim, a.from, device).get(0);
    let zb = a.to.map(|to| latents(1, dim, to, device).get(0));
    let (y, classes) = class_path(&g, &a)?;
    let images = match a.space {
        LatentSpace::Z => {
            let z = match &zb {
                Some(zb) => latent_path(&za, zb, a.frames, a.mode),
                None => za.unsqueeze(0).repeat([a.frames, 1]),
            };
            g.generate_mixed(&z, y.as_ref())
        }
        LatentSpace::W => w_path_images(&g, &za, zb.as_ref().unwrap_or(&za), a.frames)?,
    };
    gan::draw::grid::save_grid(&images, a.frames as usize, &a.out)?;
    let frames: Vec<_> = (0..a.frames)
        .map(|i| gan::draw::grid::make_grid(&images.narrow(0, i, 1), 1, 0).map(|f| gan::draw::gif::upscale(&f, a.scale)))
        .collect::<Result<_, _>>()?;
    // There and back, without repeating the ends.
    let mut looped = frames.clone();
    looped.extend(frames[1..frames.len() - 1].iter().rev().cloned());
    let gif = a.out.with_extension("gif");
    gan::draw::gif::save_gif(&looped, a.delay_ms, &gif)?;
    let seeds = a.to.map_or_else(|| format!("seed {} fixed", a.from), |to| format!("seed {} -> {to}", a.from));
    let seeds = if a.space == LatentSpace::W { format!("{seeds}, a straight line in w") } else { seeds };
    eprintln!("wrote {} ({} frames, {seeds}{classes}) and {}", a.out.display(), a.frames, gif.display());
    Ok(())
}

/// Images along the straight line between the `w`s of two latents (StyleGAN2 runs).
fn w_path_images(g: &TrainedGenerator, za: &Tensor, zb: &Tensor, frames: i64) -> anyhow::Result<Tensor> {
    let sg = g.stylegan2()?;
    let ends = tch::no_grad(|| sg.ws(&Tensor::stack(&[za, zb], 0), 1.0, false));
    let shape = ends.size();
    let flat = ends.flatten(1, -1);
    let path = latent_path(&flat.get(0), &flat.get(1), frames, PathMode::Lerp).view([frames, shape[1], shape[2]]);
    Ok(g.generate_ws(&path)?)
}

/// Class weights along the path (`[frames, classes]`, linear from one one-hot to the other)
/// for a conditional run, and a description; `None` for an unconditional one.
fn class_path(g: &TrainedGenerator, a: &InterpolateArgs) -> anyhow::Result<(Option<Tensor>, String)> {
    if g.config.text.is_some() {
        return prompt_path(g, a);
    }
    if a.from_prompt.is_some() || a.to_prompt.is_some() {
        return Err(user(format!("{} was not trained on captions, so --from-prompt/--to-prompt cannot morph it", g.checkpoint.display())));
    }
    if g.classes == 0 {
        if a.from_class.is_some() || a.to_class.is_some() {
            return Err(user(format!(
                "{} was trained without class labels, so --from-class/--to-class cannot morph it; use --from/--to seeds",
                g.checkpoint.display()
            )));
        }
        return Ok((None, String::new()));
    }
    let vocab = g.vocabulary()?;
    let from = a.from_class.as_deref().map_or(Ok(0), |c| super::classes::parse_class(&vocab, "--from-class", c))?;
    let to = a.to_class.as_deref().map_or(Ok(from), |c| super::classes::parse_class(&vocab, "--to-class", c))?;
    let ends = one_hot(&Tensor::from_slice(&[from, to]), g.classes);
    let y = latent_path(&ends.get(0), &ends.get(1), a.frames, PathMode::Lerp).to_device(Device::Cpu);
    let (nf, nt) = (vocab.name(from as usize), vocab.name(to as usize));
    let desc = if from == to { format!(", class {nf}") } else { format!(", class {nf} -> {nt}") };
    Ok((Some(y), desc))
}

/// A text run's conditions along the path (`[frames, E]`, linear from one prompt's sentence
/// vector to the other's), and a description.
fn prompt_path(g: &TrainedGenerator, a: &InterpolateArgs) -> anyhow::Result<(Option<Tensor>, String)> {
    let from = a.from_prompt.as_deref().ok_or_else(|| user(format!("{} draws from text: give --from-prompt (and --to-prompt)", g.checkpoint.display())))?;
    let to = a.to_prompt.as_deref().unwrap_or(from);
    let text = g.config.text.as_ref().expect("a text run");
    let a_end = super::prompt::encode(g, text, "--from-prompt", from)?;
    let b_end = super::prompt::encode(g, text, "--to-prompt", to)?;
    let y = latent_path(&a_end.get(0), &b_end.get(0), a.frames, PathMode::Lerp).to_device(Device::Cpu);
    let desc = if from == to { format!(", \"{from}\"") } else { format!(", \"{from}\" -> \"{to}\"") };
    Ok((Some(y), desc))
}
