//! `gan eval --cas`: the classification accuracy score (`gan::eval::cas`) of a conditional
//! run's samples or of a SimGAN run's refined digits, written to RUN/cas.json, or of a
//! labelled data set, printed.

use std::path::Path;

use gan::eval::cas::{self, CasReport, CasTraining};
use gan::eval::classifier;
use gan::run::translator::TrainedTranslator;
use gan_data::dataset::{has_idx_split, load_idx_dir};
use gan_data::pairs::{mnist_split, HELD_OUT};
use gan_data::rendered::RenderSettings;
use gan_data::{DataSource, Dataset, Split};

use crate::cli::EvalArgs;
use crate::exit::user;

const BATCH: usize = 128;

pub fn run(a: &EvalArgs) -> anyhow::Result<()> {
    if a.cas_epochs < 1 {
        return Err(user("--cas-epochs must be at least 1"));
    }
    let latent_free = |what: String| match (a.how.truncation, a.how.truncation_psi) {
        (None, None) => Ok(()),
        _ => Err(user(format!("{what} draws no latents: --truncation and --truncation-psi apply to a GAN run's samples"))),
    };
    match (&a.run, &a.cas_train) {
        (_, Some(dir)) => latent_free(format!("--cas-train {}", dir.display())).and_then(|()| data_set(a, dir)),
        (Some(run), None) if super::eval_translation::is_translation_run(run) => latent_free(run.display().to_string()).and_then(|()| refined(a, run)),
        (Some(run), None) => generated(a, run),
        (None, None) => Err(user("--cas needs --run RUN or --cas-train DIR")),
    }
}

/// The score of a conditional run's samples, written to RUN/cas.json.
fn generated(a: &EvalArgs, run: &Path) -> anyhow::Result<()> {
    let (g, device) = a.how.generator(run)?;
    let (test_set, test_name, note) = test_images(a.cas_test.as_deref(), a.cas_held_out, &g.config.data)?;
    let (xt, yt) = classifier::tensors(&test_set, device)?;
    let n = a.how.n.unwrap_or(10_000);
    let draw = a.how.draw();
    let (xg, yg) = cas::generated_set(&g, n as i64, draw)?;
    let how = CasTraining { epochs: a.cas_epochs, batch_size: BATCH.min(n), seed: a.how.seed };
    let (accuracy, per_class) = cas::score(g.classes, (&xg.to_device(device), &yg.to_device(device)), (&xt, &yt), how);
    let truncation = super::classes::truncation_note(draw.truncation);
    let train = format!("{} samples of {} (step {}, {} weights{truncation})", n, run.display(), g.step, g.weights.name());
    let report = report(a, (train, n), (test_name, test_set.len()), (accuracy, per_class));
    print(&report, note);
    write_report(run, &report)
}

/// The score of a SimGAN run: `--n` (10,000) digits of its renderer (its seed), refined, tested
/// on the real digits its data holds out (or `--cas-test`); written to RUN/cas.json.
fn refined(a: &EvalArgs, run: &Path) -> anyhow::Result<()> {
    let device = a.how.load.device.resolve()?;
    let t = TrainedTranslator::load(run, &a.how.load.checkpoint.clone().unwrap_or_default(), device)?;
    let (render, dir) = super::refine::simulator(&t, run, "gan eval --cas")?;
    let (test_set, test_name) = match a.cas_test.as_deref() {
        Some(d) => idx_test(d, a.cas_held_out)?,
        None => {
            let real = dir.map_or("the built-in mnist-10k".to_string(), |d| d.display().to_string());
            (mnist_split(dir, Split::Test)?, format!("{real} (the digits the run held out)"))
        }
    };
    let n = a.how.n.unwrap_or(10_000);
    let rendered = RenderSettings { images: n, ..render.clone() }.render()?;
    let refined = super::refine::refine(&t, &rendered)?;
    let (xg, yg) = classifier::tensors(&refined, device)?;
    let (xt, yt) = classifier::tensors(&test_set, device)?;
    let how = CasTraining { epochs: a.cas_epochs, batch_size: BATCH.min(n), seed: a.how.seed };
    let (accuracy, per_class) = cas::score(10, (&xg, &yg), (&xt, &yt), how);
    let train = format!("{} refined by {} (step {}, {} weights)", rendered.name, run.display(), t.step, t.weights.name());
    let report = report(a, (train, n), (test_name, test_set.len()), (accuracy, per_class));
    print(&report, None);
    write_report(run, &report)
}

/// The report of a score: what trained (and how many images), what it was tested on, the
/// accuracy overall and per class.
fn report(a: &EvalArgs, (train, train_images): (String, usize), (test, test_images): (String, usize), (accuracy, per_class): (f64, Vec<f64>)) -> CasReport {
    CasReport { train, train_images, test, test_images, epochs: a.cas_epochs, seed: a.how.seed, accuracy, per_class }
}

fn write_report(run: &Path, report: &CasReport) -> anyhow::Result<()> {
    let out = run.join("cas.json");
    std::fs::write(&out, serde_json::to_string_pretty(report)? + "\n").map_err(|e| user(format!("{}: {e}", out.display())))?;
    println!("wrote {}", out.display());
    Ok(())
}

/// The score of a labelled data set (rendered, refined or real training digits), printed.
fn data_set(a: &EvalArgs, dir: &Path) -> anyhow::Result<()> {
    let test = a.cas_test.as_deref().ok_or_else(|| user("--cas-train needs --cas-test DIR: the real images to test on"))?;
    if !dir.is_dir() {
        return Err(user(format!("--cas-train {}: no such folder", dir.display())));
    }
    let device = a.how.load.device.resolve()?;
    let same = dir.canonicalize().ok().zip(test.canonicalize().ok()).is_some_and(|(a, b)| a == b);
    let train_set = if a.cas_held_out && same { mnist_split(Some(&dir.to_path_buf()), Split::Train)? } else { load_idx_dir(dir, Split::Train)? };
    let (test_set, test_name) = idx_test(test, a.cas_held_out)?;
    let (xg, yg) = classifier::tensors(&train_set, device)?;
    let (xt, yt) = classifier::tensors(&test_set, device)?;
    let classes = yg.max().int64_value(&[]).max(yt.max().int64_value(&[])) + 1;
    let how = CasTraining { epochs: a.cas_epochs, batch_size: BATCH.min(train_set.len()), seed: a.how.seed };
    let (accuracy, per_class) = cas::score(classes, (&xg, &yg), (&xt, &yt), how);
    let part = if a.cas_held_out && same { ", less the held-out images" } else { "" };
    let train = format!("{} ({} images{part})", dir.display(), train_set.len());
    let report = report(a, (train, train_set.len()), (test_name, test_set.len()), (accuracy, per_class));
    print(&report, None);
    Ok(())
}

/// The test images of an IDX folder: its t10k split when it has one, else its train split,
/// or with `held_out` the last [`HELD_OUT`] images of that.
fn idx_test(dir: &Path, held_out: bool) -> anyhow::Result<(Dataset, String)> {
    if !dir.is_dir() {
        return Err(user(format!("--cas-test {}: no such folder", dir.display())));
    }
    if held_out {
        if has_idx_split(dir, Split::Test) {
            return Err(user(format!("--cas-held-out: {} has t10k files, a test split of its own; leave --cas-held-out out", dir.display())));
        }
        let set = mnist_split(Some(&dir.to_path_buf()), Split::Test)?;
        return Ok((set, format!("{} (its last {HELD_OUT} images)", dir.display())));
    }
    let split = if has_idx_split(dir, Split::Test) { Split::Test } else { Split::Train };
    let name = if split == Split::Test { "t10k" } else { "train" };
    Ok((load_idx_dir(dir, split)?, format!("{} ({name} split)", dir.display())))
}

/// The real test images: `--cas-test`'s folder, or the test split of the run's IDX data;
/// for the built-in MNIST-10k (no digits the run has not seen), those digits, with a note.
fn test_images(dir: Option<&Path>, held_out: bool, data: &DataSource) -> anyhow::Result<(Dataset, String, Option<&'static str>)> {
    match (dir, data) {
        (Some(d), _) => idx_test(d, held_out).map(|(s, n)| (s, n, None)),
        (None, DataSource::Idx { dir, .. }) => {
            if !has_idx_split(dir, Split::Test) {
                return Err(user(format!("{}: the run's data has no t10k split to test on; pass --cas-test DIR", dir.display())));
            }
            idx_test(dir, false).map(|(s, n)| (s, n, None))
        }
        (None, DataSource::Builtin { name, .. }) => Ok((
            name.load()?,
            format!("the built-in {}", name.name()),
            Some("the run trained on these digits: the shared data holds no MNIST digit it has not seen (the classifier has not seen them)"),
        )),
        (None, other) => Err(user(format!("--cas tests on labelled 28x28 IDX images; the run's data is {}: pass --cas-test DIR", other.describe()))),
    }
}

fn print(r: &CasReport, note: Option<&str>) {
    println!("classification accuracy score: {:.2}%", 100.0 * r.accuracy);
    println!("  a LeNet trained on {} ({} epochs, seed {}), tested on {} images of {}", r.train, r.epochs, r.seed, r.test_images, r.test);
    if let Some(n) = note {
        println!("  note: {n}");
    }
    let per: Vec<String> = r.per_class.iter().enumerate().map(|(k, a)| format!("{k}: {:.1}%", 100.0 * a)).collect();
    println!("  per class: {}", per.join(", "));
}
