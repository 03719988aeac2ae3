//! `gan matcher train`: the text-image matcher of text-conditioned runs and of R-precision.

use gan::eval::matcher::train::{train as train_matcher, MatcherTrainOptions};
use gan::eval::matcher::{card_path, data, MatcherCard};

use crate::cli::{MatcherCommand, MatcherTrainArgs};
use crate::exit::user;

pub fn run(c: MatcherCommand) -> anyhow::Result<()> {
    match c {
        MatcherCommand::Train(a) => train(a),
    }
}

fn train(a: MatcherTrainArgs) -> anyhow::Result<()> {
    if a.steps < 1 || a.batch_size < 2 || a.eval_every < 1 {
        return Err(user("--steps and --eval-every must be at least 1, --batch-size at least 2"));
    }
    if !(0.0..=1.0).contains(&a.keyword_share) {
        return Err(user(format!("--keyword-share must be in [0, 1], got {}", a.keyword_share)));
    }
    if a.out.extension().and_then(|e| e.to_str()) != Some("safetensors") {
        return Err(user(format!("--out {}: the weights file must end in .safetensors", a.out.display())));
    }
    super::check_out_dir(&a.out)?;
    if !a.data.is_dir() {
        return Err(user(format!("--data {}: directory does not exist", a.data.display())));
    }
    let device = a.device.resolve()?;
    let set = data::read(&a.data)?;
    let card = MatcherCard {
        data: a.data.display().to_string(),
        vocabulary: gan_data::text::WordVocabulary { words: Vec::new() },
        train_images: 0,
        held_out_images: 0,
        held_out_r_precision: 0.0,
        steps: 0,
        seed: 0,
        command: std::iter::once("gan".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" "),
    };
    eprintln!("training the matcher on {}: {} training rows, {} held out (split = test)", a.data.display(), set.rows(false).len(), set.rows(true).len());
    let o = MatcherTrainOptions { steps: a.steps, batch_size: a.batch_size, keyword_share: a.keyword_share, eval_every: a.eval_every, seed: a.seed, device };
    let m = train_matcher(&set, card, o, &mut |step, loss, r| {
        eprintln!("step {step}/{}: loss {loss:.4}, held-out real R-precision {:.1}% (chance 1%)", a.steps, 100.0 * r);
    })?;
    m.save(&a.out)?;
    eprintln!("wrote {} and {} ({} words)", a.out.display(), card_path(&a.out).display(), m.card.vocabulary.words.len());
    Ok(())
}
