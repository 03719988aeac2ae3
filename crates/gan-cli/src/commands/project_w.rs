//! `gan project --space w | w+`: the StyleGAN2 projector (see `gan::explore::project_w`),
//! written as `best.png` (the target, then the projection), `path.gif`, `ws.safetensors`
//! (the projected `w`s, `[1, num_ws, w_dim]`) and `projection.json`. The distance is said in
//! the output: the run's evaluation space where one is shipped (the emoji classifier, the
//! digit or clothing classifier), else pixels only; LPIPS weights are not available here.

use gan::explore::project_w::{project_w, WProjectConfig, WSpace};
use gan::run::trained::TrainedGenerator;
use tch::Tensor;

use super::image_io::read_image;
use crate::cli::{ProjectArgs, ProjectSpace};

pub fn run(a: &ProjectArgs, g: &TrainedGenerator) -> anyhow::Result<()> {
    g.stylegan2()?;
    let (c, h, w) = (g.image.channels, g.image.height as u32, g.image.width as u32);
    let target = read_image(&a.image, c, h, w)?;
    let (f, distance) = gan::explore::distance::projection_features(g)?;
    let space = if a.space == ProjectSpace::WPlus { WSpace::WPlus } else { WSpace::W };
    let cfg = WProjectConfig { space, steps: a.steps, seed: a.seed, path_every: (a.steps / 40).max(1), ..WProjectConfig::default() };
    let p = project_w(g, &target, f.as_ref(), &cfg)?;
    std::fs::create_dir_all(&a.out).map_err(|e| crate::exit::user(format!("--out {}: cannot create: {e}", a.out.display())))?;
    gan::draw::grid::save_grid(&Tensor::cat(&[target, p.image.shallow_clone()], 0), 2, &a.out.join("best.png"))?;
    Tensor::write_safetensors(&[("ws", &p.ws)], a.out.join("ws.safetensors"))?;
    let space_name = if space == WSpace::WPlus { "w+" } else { "w" };
    let (first, last) = (p.losses.first().copied().unwrap_or(f64::NAN), p.losses.last().copied().unwrap_or(f64::NAN));
    let json = serde_json::json!({ "space": space_name, "distance": distance, "losses": p.losses, "steps": a.steps, "seed": a.seed });
    super::project::write_path_and_json(&a.out, &p.path, &json)?;
    println!(
        "projected {} into {space_name} of {} (step {}): distance {first:.4} -> {last:.4} ({distance}); wrote best.png, path.gif, ws.safetensors, projection.json to {}",
        a.image.display(),
        a.generator.run.display(),
        g.step,
        a.out.display()
    );
    Ok(())
}
