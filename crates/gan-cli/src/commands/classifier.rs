//! `gan classifier train`: the LeNet-style judge used by steering and evaluation
//! (`gan classifier judge` is in `judge.rs`).

use gan::eval::classifier::{self, ClassifierCard};
use gan_data::builtin::Builtin;
use gan_data::dataset::{has_idx_split, load_idx_dir};
use gan_data::Split;

use crate::cli::{ClassifierCommand, ClassifierTrainArgs};
use crate::exit::user;

/// Share of the training images held out when the data has no test split.
const HOLD_OUT: f64 = 0.1;

pub fn run(c: ClassifierCommand) -> anyhow::Result<()> {
    match c {
        ClassifierCommand::Train(a) => train(a),
        ClassifierCommand::Judge(a) => super::judge::run(a),
    }
}

fn train(a: ClassifierTrainArgs) -> anyhow::Result<()> {
    if a.epochs < 1 || a.batch_size < 1 {
        return Err(user("--epochs and --batch-size must be at least 1"));
    }
    if a.out.extension().and_then(|e| e.to_str()) != Some("safetensors") {
        return Err(user(format!("--out {}: the weights file must end in .safetensors", a.out.display())));
    }
    super::check_out_dir(&a.out)?;
    if !a.heads.is_empty() {
        return super::classifier_attributes::train(&a);
    }
    let device = a.device.resolve()?;
    let (name, train_set, test_set) = match &a.data {
        None => (Builtin::Mnist10k.name().to_string(), Builtin::Mnist10k.load()?, None),
        Some(dir) => {
            if !dir.is_dir() {
                return Err(user(format!("--data {}: directory does not exist", dir.display())));
            }
            let test = if has_idx_split(dir, Split::Test) { Some(load_idx_dir(dir, Split::Test)?) } else { None };
            (dir.display().to_string(), load_idx_dir(dir, Split::Train)?, test)
        }
    };
    let (x, y) = classifier::tensors(&train_set, device)?;
    let classes = y.max().int64_value(&[]) + 1;
    let ((xt, yt), (xh, yh), held_out) = match test_set {
        Some(t) => {
            let (xh, yh) = classifier::tensors(&t, device)?;
            ((x, y), (xh, yh), "the data set's t10k split".to_string())
        }
        None => {
            let (tr, ho) = classifier::hold_out(&x, &y, HOLD_OUT, a.seed);
            (tr, ho, format!("a seeded {:.0}% of the training images (seed {})", HOLD_OUT * 100.0, a.seed))
        }
    };
    eprintln!("training the classifier on {name}: {} images, {} held out ({held_out}), {classes} classes", xt.size()[0], xh.size()[0]);
    let mut accuracy = 0.0;
    let c = classifier::train(classes, (&xt, &yt), (&xh, &yh), a.epochs, a.batch_size, a.seed, &mut |epoch, loss, acc| {
        accuracy = acc;
        eprintln!("epoch {epoch}/{}: loss {loss:.4}, held-out accuracy {:.2}%", a.epochs, acc * 100.0);
    });
    let card = ClassifierCard {
        data: name,
        classes,
        accuracy,
        held_out,
        held_out_images: xh.size()[0] as usize,
        epochs: a.epochs,
        seed: a.seed,
        command: std::iter::once("gan".to_string()).chain(std::env::args().skip(1)).collect::<Vec<_>>().join(" "),
    };
    c.save(&a.out, &card)?;
    eprintln!("wrote {} and {} (held-out accuracy {:.2}%)", a.out.display(), classifier::card_path(&a.out).display(), accuracy * 100.0);
    Ok(())
}
