//! `gan sample`: images from a trained run's newest checkpoint; for conditional runs, of the
//! classes named by `--class` or `--prompt`.

use anyhow::Context;
use gan_data::idx::{encode_images, write_maybe_gz, IdxImages};
use tch::{Device, Kind, Tensor};

use crate::cli::{SampleArgs, SampleFormat};
use crate::exit::user;

pub fn run(a: SampleArgs) -> anyhow::Result<()> {
    let n = a.n.unwrap_or(if a.held_out.is_some() { 4 } else { 64 });
    if n < 1 {
        return Err(user(format!("--n must be at least 1, got {n}")));
    }
    if a.nrow == Some(0) {
        return Err(user("--nrow must be at least 1"));
    }
    super::classes::check_truncation(a.latents.truncation)?;
    super::classes::check_truncation_psi(a.truncation_psi)?;
    super::check_out_dir(&a.out)?;
    let (mut g, device) = a.generator.load()?;
    if let Some(k) = a.held_out {
        return super::prompt::sample_held_out(&a, &g, k, n);
    }
    if let Some(p) = super::prompt::text_prompt(&g, a.prompt.as_deref(), &a.keywords)? {
        return sample_text(&a, &g, &p, n, device);
    }
    let chosen = super::classes::chosen(&g, &a.class, a.prompt.as_deref())?;
    let names: Vec<String> = match &chosen {
        Some(c) => {
            let vocab = g.vocabulary()?;
            c.iter().map(|&c| vocab.name(c as usize).to_string()).collect()
        }
        None => Vec::new(),
    };
    let z = a.latents.draw().latents(n, g.latent_dim(), device);
    if let Some(psi) = a.truncation_psi {
        g.truncate_in_w(psi)?;
    }
    // One block of n images per chosen class, all from the same z.
    let blocks: Vec<Option<i64>> = chosen.clone().map_or(vec![None], |c| c.into_iter().map(Some).collect());
    let mut images = Vec::new();
    let mut labels = Vec::new();
    for class in &blocks {
        let l = g.labels(n, class.map(|c| vec![c; n as usize]).as_deref())?;
        images.push(g.generate(&z, l.as_ref()).to_device(Device::Cpu));
        labels.extend(l);
    }
    let all = Tensor::cat(&images, 0);
    match a.format {
        SampleFormat::Png if blocks.len() > 1 => {
            let captioned: Vec<(String, Tensor)> = names.iter().cloned().zip(images).collect();
            gan::draw::labelled_grid::save_labelled_grid(&captioned, a.nrow.unwrap_or(8), &a.out)?;
        }
        SampleFormat::Png => {
            let nrow = a.nrow.unwrap_or(if g.classes > 0 && chosen.is_none() { g.classes as usize } else { 8 });
            gan::draw::grid::save_grid(&all, nrow, &a.out)?;
        }
        SampleFormat::Idx => {
            if g.image.channels != 1 {
                return Err(user(format!("--format idx holds grey images; this run makes {} channels", g.image.channels)));
            }
            let idx = IdxImages {
                count: all.size()[0] as usize,
                rows: g.image.height as usize,
                cols: g.image.width as usize,
                pixels: gan::draw::grid::to_bytes(&all),
            };
            write_maybe_gz(&a.out, &encode_images(&idx))?;
        }
        SampleFormat::Safetensors => {
            let z = z.to_device(Device::Cpu).repeat([blocks.len() as i64, 1]);
            let mut named = vec![("z", z), ("images", all.shallow_clone())];
            if !labels.is_empty() {
                named.push(("labels", Tensor::cat(&labels, 0).to_kind(Kind::Int64)));
            }
            Tensor::write_safetensors(&named, &a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
        }
    }
    let what = if names.is_empty() { String::new() } else { format!(" of {}", names.join(", ")) };
    eprintln!("wrote {} samples{what} from {} (step {}, {} weights) to {}", all.size()[0], g.checkpoint.display(), g.step, g.weights.name(), a.out.display());
    Ok(())
}

/// `n` designs of a text run's prompt, from `n` latents.
fn sample_text(a: &SampleArgs, g: &gan::run::trained::TrainedGenerator, p: &super::prompt::TextPrompt, n: i64, device: Device) -> anyhow::Result<()> {
    if !a.class.is_empty() || a.truncation_psi.is_some() {
        return Err(user("a text run draws from --prompt or --keywords; --class and --truncation-psi do not apply"));
    }
    let z = a.latents.draw().latents(n, g.latent_dim(), device);
    let images = g.generate_mixed(&z, Some(&p.condition.repeat([n, 1]))).to_device(Device::Cpu);
    match a.format {
        SampleFormat::Png => gan::draw::grid::save_grid(&images, a.nrow.unwrap_or(8), &a.out)?,
        SampleFormat::Safetensors => {
            let named = [("z", z.to_device(Device::Cpu)), ("images", images.shallow_clone()), ("condition", p.condition.to_device(Device::Cpu))];
            Tensor::write_safetensors(&named, &a.out).with_context(|| format!("cannot write {}", a.out.display()))?;
        }
        SampleFormat::Idx => return Err(user("--format idx holds grey images; a text run draws colour designs (use png or safetensors)")),
    }
    eprintln!("wrote {} designs of \"{}\" from {} (step {}, {} weights) to {}", n, p.text, g.checkpoint.display(), g.step, g.weights.name(), a.out.display());
    Ok(())
}
