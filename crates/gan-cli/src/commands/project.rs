//! `gan project`: iGAN's projection of a sketch onto a trained generator (see
//! `gan::explore::project`), written as `best.png` (the sketch, then the best results),
//! `path.gif` (the best start's image along the optimisation) and `projection.json`.

use gan::explore::project::{project, ProjectConfig};
use tch::Tensor;

use super::image_io::read_image;
use crate::cli::{ProjectArgs, ProjectSpace};
use crate::exit::user;

pub fn run(a: ProjectArgs) -> anyhow::Result<()> {
    if a.starts < 1 || a.keep < 1 || a.steps < 1 {
        return Err(user("--starts, --steps and --keep must be at least 1"));
    }
    let (g, _) = a.generator.load()?;
    if a.space != ProjectSpace::Z {
        return super::project_w::run(&a, &g);
    }
    let (c, h, w) = (g.image.channels, g.image.height as u32, g.image.width as u32);
    let sketch = read_image(&a.image, c, h, w)?;
    let mask = match &a.mask {
        Some(m) => read_image(m, 1, h, w)?.gt(0.0).to_kind(tch::Kind::Float),
        None => Tensor::ones([1, 1, h as i64, w as i64], (tch::Kind::Float, tch::Device::Cpu)),
    };
    let cfg = ProjectConfig { starts: a.starts, steps: a.steps, prior: a.prior, seed: a.seed, ..ProjectConfig::default() };
    let p = project(&g, &sketch, &mask, &cfg)?;
    std::fs::create_dir_all(&a.out).map_err(|e| user(format!("--out {}: cannot create: {e}", a.out.display())))?;
    let keep = a.keep.min(a.starts);
    let row = Tensor::cat(&[sketch.to_device(tch::Device::Cpu), p.images.narrow(0, 0, keep)], 0);
    gan::draw::grid::save_grid(&row, (keep + 1) as usize, &a.out.join("best.png"))?;
    let json = serde_json::json!({ "losses": p.losses, "start_loss": p.start_loss, "classes": p.classes, "steps": a.steps, "starts": a.starts, "prior": a.prior, "seed": a.seed });
    write_path_and_json(&a.out, &p.path, &json)?;
    let best = p.losses.first().copied().unwrap_or(f64::NAN);
    let class = p.classes.as_ref().and_then(|c| c.first()).map(|c| format!(", class {c}")).unwrap_or_default();
    println!(
        "projected {} onto {} (step {}): best loss {best:.4}{class}; wrote best.png, path.gif, projection.json to {}",
        a.image.display(),
        a.generator.run.display(),
        g.step,
        a.out.display()
    );
    Ok(())
}

/// `path.gif` (the image along the optimisation, 4x) and `projection.json` in `out`.
pub(super) fn write_path_and_json(out: &std::path::Path, path: &[Tensor], json: &serde_json::Value) -> anyhow::Result<()> {
    let frames: Vec<image::DynamicImage> =
        path.iter().map(|x| gan::draw::grid::make_grid(&x.unsqueeze(0), 1, 0).map(|f| gan::draw::gif::upscale(&f, 4))).collect::<Result<_, _>>()?;
    gan::draw::gif::save_gif(&frames, 80, &out.join("path.gif"))?;
    gan::run::checkpoint::write_atomic(&out.join("projection.json"), serde_json::to_string_pretty(json).expect("json").as_bytes())?;
    Ok(())
}
