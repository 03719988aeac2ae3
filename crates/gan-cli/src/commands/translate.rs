//! `gan translate`: a trained pix2pix or CycleGAN run applied to image files.
//!
//! Each input (a PNG/JPEG file, or every one under a folder) is read as the run's domain
//! (grey or RGB), resized so its shorter side is the run's size and centre-cropped, and
//! translated; the output is written to `OUT/<name>.png` (names relative to the input
//! folder, `/` replaced by `_`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use gan::run::translator::TrainedTranslator;

use super::image_io::{read_image, write_image};
use crate::cli::TranslateArgs;
use crate::exit::user;

pub fn run(a: TranslateArgs) -> anyhow::Result<()> {
    let device = a.load.device.resolve()?;
    let t = TrainedTranslator::load(&a.run, &a.load.checkpoint.clone().unwrap_or_default(), device)?;
    let inputs = inputs(&a.input)?;
    std::fs::create_dir_all(&a.out).map_err(|e| user(format!("--out {}: cannot create: {e}", a.out.display())))?;
    for (name, path) in &inputs {
        let x = read_image(path, t.image.channels, t.image.height as u32, t.image.width as u32)?;
        let y = t.translate(&x, a.direction)?;
        let out = a.out.join(format!("{name}.png"));
        write_image(&y, &out).with_context(|| format!("cannot write {}", out.display()))?;
    }
    println!("translated {} image(s) {} with {} (step {}) -> {}", inputs.len(), direction_name(a.direction), t.config.model.name(), t.step, a.out.display());
    Ok(())
}

fn direction_name(d: gan::run::translator::Direction) -> &'static str {
    match d {
        gan::run::translator::Direction::A2b => "A to B",
        gan::run::translator::Direction::B2a => "B to A",
    }
}

/// `(output name, file)` of every input image.
fn inputs(input: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    if input.is_file() {
        let stem = input.file_stem().map_or("image".into(), |s| s.to_string_lossy().into_owned());
        return Ok(vec![(stem, input.to_path_buf())]);
    }
    if !input.is_dir() {
        return Err(user(format!("--input {}: no such file or folder", input.display())));
    }
    let mut files = Vec::new();
    gan_data::folder::walk(input, &mut files)?;
    if files.is_empty() {
        return Err(user(format!("--input {}: no PNG or JPEG images in this folder", input.display())));
    }
    files.sort();
    let name = |p: &Path| p.strip_prefix(input).expect("under input").with_extension("").to_string_lossy().replace(['/', '\\'], "_");
    Ok(files.into_iter().map(|p| (name(&p), p)).collect())
}
