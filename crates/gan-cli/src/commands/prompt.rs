//! Prompts of text-conditioned runs (`[text]`): `--prompt "cat face with heart eyes"` or
//! `--keywords cat,heart,love`, read by the run's matcher into the sentence vector its
//! generator is conditioned on.

use gan::eval::matcher::shipped::of_text;
use gan::run::trained::TrainedGenerator;
use tch::Tensor;

use crate::cli::{SampleArgs, SampleFormat};
use crate::exit::user;

/// What a text run is asked to draw: the prompt as written, and its condition `[1, E]`.
pub struct TextPrompt {
    pub text: String,
    pub condition: Tensor,
}

/// The prompt of `--prompt` or `--keywords` for a text run; `None` for a run that is not
/// text-conditioned and was given neither (`--keywords` for such a run is refused).
pub fn text_prompt(g: &TrainedGenerator, prompt: Option<&str>, keywords: &[String]) -> anyhow::Result<Option<TextPrompt>> {
    let Some(text) = &g.config.text else {
        if !keywords.is_empty() {
            return Err(user(format!(
                "--keywords: {} was not trained on captions (no [text] table); train a text run such as --preset emoji-text-rpgan",
                g.checkpoint.display()
            )));
        }
        return Ok(None);
    };
    let (flag, written) = match (prompt, keywords.is_empty()) {
        (Some(p), true) => ("--prompt", p.to_string()),
        (None, false) => ("--keywords", keywords.join(" ")),
        (Some(_), false) => return Err(user("give --prompt or --keywords, not both")),
        (None, true) => {
            return Err(user(format!("{} draws from text: give --prompt \"cat face with heart eyes\" or --keywords cat,heart", g.checkpoint.display())))
        }
    };
    let condition = encode(g, text, flag, &written)?;
    Ok(Some(TextPrompt { text: written, condition }))
}

/// The sentence vector `[1, E]` of `written`, given with the option `flag`, by the matcher of
/// the text run `g` (whose `[text]` table is `text`).
pub fn encode(g: &TrainedGenerator, text: &gan::config::TextConfig, flag: &str, written: &str) -> anyhow::Result<Tensor> {
    let matcher = of_text(text, g.device())?;
    tch::no_grad(|| matcher.encode_prompt(written)).map_err(|e| user(format!("{flag}: {e}")))
}

/// `gan sample --held-out K`: K held-out captions of a text run, each with its real images and
/// `n` designs, as a labelled grid; the captions are printed too.
pub fn sample_held_out(a: &SampleArgs, g: &TrainedGenerator, k: usize, n: i64) -> anyhow::Result<()> {
    let Some(text) = &g.config.text else {
        return Err(user(format!("--held-out: {} was not trained on captions (no [text] table)", g.checkpoint.display())));
    };
    if k == 0 || n > 16 || a.format != SampleFormat::Png || a.truncation_psi.is_some() || a.nrow.is_some() {
        return Err(user(format!(
            "--held-out draws a PNG grid of 1 or more captions with 1 to 16 designs each (--n), a row per caption, without --format, --nrow or --truncation-psi; got {k} captions, --n {n}"
        )));
    }
    let gan_data::DataSource::Folder(f) = &g.config.data else {
        return Err(user("--held-out: a text run reads its captions from an image folder"));
    };
    let matcher = of_text(text, g.device())?;
    let data = gan::eval::matcher::data::read(&f.dir)?;
    let blocks = gan::eval::matcher::held_out::held_out_blocks(g, &matcher, &data, k, n, a.latents.draw())?;
    let nrow = blocks.iter().map(|(_, x)| x.size()[0] as usize).max().unwrap_or(1);
    gan::draw::labelled_grid::save_labelled_grid(&blocks, nrow, &a.out)?;
    for (caption, x) in &blocks {
        println!("{caption}\t{} real, {} designs", x.size()[0] - n, n);
    }
    eprintln!(
        "wrote {} held-out captions (real images first) from {} (step {}, {} weights) to {}",
        blocks.len(),
        g.checkpoint.display(),
        g.step,
        g.weights.name(),
        a.out.display()
    );
    Ok(())
}
