//! Reading class choices (`--class 9`, `--class "ankle boot"`, `--prompt "boots and bags"`)
//! against a conditional run's vocabulary, and choosing the classifier that judges a run.

use std::path::Path;

use gan::eval::classifier::Shipped;
use gan::eval::images::FeatureNet;
use gan::models::latent::MIN_TRUNCATION;
use gan::run::trained::TrainedGenerator;
use gan_data::vocab::Vocabulary;
use gan_data::DataSource;
use tch::Device;

use crate::exit::user;

/// One class by number or by name, for the option `flag`.
pub fn parse_class(vocab: &Vocabulary, flag: &str, text: &str) -> anyhow::Result<i64> {
    let k = vocab.len() as i64;
    match text.trim().parse::<i64>() {
        Ok(c) if (0..k).contains(&c) => Ok(c),
        Ok(c) => Err(user(format!("{flag} {c}: class out of range; this run has classes 0..={} ({} .. {})", k - 1, vocab.name(0), vocab.name(k as usize - 1)))),
        Err(_) => vocab.lookup(text).map(|c| c as i64).map_err(|e| user(format!("{flag}: {e}"))),
    }
}

/// The classes chosen by `--class` (repeatable) or `--prompt`, or `None` when neither is
/// given. Fails with a one-line error for an unconditional run.
pub fn chosen(g: &TrainedGenerator, class: &[String], prompt: Option<&str>) -> anyhow::Result<Option<Vec<i64>>> {
    if class.is_empty() && prompt.is_none() {
        return Ok(None);
    }
    if g.classes == 0 {
        return Err(user(format!(
            "{} was trained without class labels, so --class/--prompt cannot choose what it draws; \
             train a conditional run (--preset mnist-cgan or fashion-cgan) or steer this one with `gan steer --target`",
            g.checkpoint.display()
        )));
    }
    let vocab = g.vocabulary()?;
    let classes = match prompt {
        Some(p) => vocab.parse_prompt(p).map_err(|e| user(format!("--prompt: {e}")))?.into_iter().map(|c| c as i64).collect(),
        None => class.iter().map(|c| parse_class(&vocab, "--class", c)).collect::<anyhow::Result<_>>()?,
    };
    Ok(Some(classes))
}

/// The classifier named by `--classifier` (`mnist`, `fashion-mnist` or a file), or by
/// default the shipped one for the run's data vocabulary; with its class names (label
/// numbers for a classifier file).
pub fn pick_classifier(choice: Option<&str>, data: &DataSource, device: Device) -> anyhow::Result<FeatureNet> {
    match choice {
        Some(name) => match Shipped::ALL.into_iter().find(|s| s.name() == name) {
            Some(s) => Ok(FeatureNet::shipped(s, device)?),
            None if Path::new(name).is_file() => Ok(FeatureNet::from_file(Path::new(name), device)?),
            None => Err(user(format!("--classifier {name}: neither a file nor a shipped classifier (mnist, fashion-mnist)"))),
        },
        // The channels of Stacked MNIST are digits.
        None if matches!(data, DataSource::StackedMnist { .. }) => Ok(FeatureNet::shipped(Shipped::Mnist, device)?),
        None => match data.class_set().and_then(Shipped::for_class_set) {
            Some(shipped) => Ok(FeatureNet::shipped(shipped, device)?),
            None => Err(user(format!(
                "no shipped classifier knows the classes of {}: choose the judge with --classifier mnist|fashion-mnist|FILE",
                data.describe()
            ))),
        },
    }
}

/// Checks `--truncation`.
pub fn check_truncation(t: Option<f64>) -> anyhow::Result<()> {
    match t {
        Some(t) if !(t > 0.0 && t.is_finite()) => Err(user(format!("--truncation must be a positive number, got {t}"))),
        Some(t) if t < MIN_TRUNCATION => {
            Err(user(format!("--truncation {t} is below {MIN_TRUNCATION}: so few draws fall inside it that sampling would crawl")))
        }
        _ => Ok(()),
    }
}

/// `", latents truncated at T"`, or nothing for plain latents: how reports say it.
pub fn truncation_note(t: Option<f64>) -> String {
    t.map_or_else(String::new, |t| format!(", latents truncated at {t}"))
}

/// Checks `--truncation-psi`.
pub fn check_truncation_psi(psi: Option<f64>) -> anyhow::Result<()> {
    match psi {
        Some(p) if !(p.is_finite() && (-2.0..=2.0).contains(&p)) => {
            Err(user(format!("--truncation-psi must be a number from -2 to 2 (1: none, 0: the average image), got {p}")))
        }
        _ => Ok(()),
    }
}
