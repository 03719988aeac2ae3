//! Prompts of text-conditioned runs (`[text]`): `--prompt "cat face with heart eyes"` or
//! `--keywords cat,heart,love`, read by the run's matcher into the sentence vector its
//! generator is conditioned on.

use gan::families::gan::text::load_matcher;
use gan::run::trained::TrainedGenerator;
use tch::Tensor;

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
    let matcher = load_matcher(text, g.device())?;
    tch::no_grad(|| matcher.encode_prompt(written)).map_err(|e| user(format!("{flag}: {e}")))
}
