//! `gan eval`: scores one run and writes RUN/eval.json.

use std::path::{Path, PathBuf};

use gan::eval::classifier::Shipped;
use gan::eval::inception::{weights::WeightsOptions, Inception};
use gan::eval::learned::LearnedConfig;
use gan::eval::space::SpaceKind;
use gan::eval::{evaluate, EvalOptions, EvalReport, Features};
use gan::run::dir::RunDir;
use gan::run::trained::TrainedGenerator;
use gan_data::folder::FolderSource;
use gan_data::metadata::{Match, Scalar};
use gan_data::DataSource;

use crate::cli::{EvalArgs, EvalHow, FeatureChoice};
use crate::exit::user;

pub fn run(a: EvalArgs) -> anyhow::Result<()> {
    super::classes::check_truncation(a.how.truncation)?;
    super::classes::check_truncation_psi(a.how.truncation_psi)?;
    if a.cas {
        return super::eval_cas::run(&a);
    }
    let run = a.run.clone().expect("clap asks for --run unless --cas-train is given");
    if super::eval_translation::is_translation_run(&run) {
        if a.samples.is_some() {
            return Err(user(format!("{}: --samples scores a GAN run's samples; this is an image-to-image run", run.display())));
        }
        if a.how.truncation.is_some() || a.how.truncation_psi.is_some() {
            return Err(user(format!("{}: --truncation and --truncation-psi draw latents; an image-to-image run has none", run.display())));
        }
        return super::eval_translation::run_with(&run, &a.how);
    }
    if let Some(dir) = &a.samples {
        if !dir.is_dir() {
            return Err(user(format!("--samples {}: no such folder", dir.display())));
        }
        if a.how.truncation.is_some() || a.how.truncation_psi.is_some() {
            return Err(user(format!(
                "--samples {}: the folder's images are scored as they are; --truncation and --truncation-psi do not apply",
                dir.display()
            )));
        }
        let mut from = FolderSource::new(dir, 0);
        for term in &a.samples_filter {
            let (field, value) = term.split_once('=').ok_or_else(|| user(format!("--samples-filter {term}: expected FIELD=VALUE, e.g. split=test")))?;
            let scalar = value.parse::<i64>().map_or_else(|_| Scalar::Text(value.into()), Scalar::Int);
            from.filter.insert(field.trim().into(), Match::One(scalar));
        }
        let report = score(&run, &a.how, Some(&from))?;
        print_table(&report);
        println!("(the scores of {}, not of the run's generator: RUN/eval.json left as it was)", from.describe_rows());
        return Ok(());
    }
    let report = evaluate_run(&run, &a.how)?;
    print_report(&report, &run);
    Ok(())
}

/// Prints a report as a table, and where it was written.
pub fn print_report(report: &EvalReport, run: &Path) {
    print_table(report);
    println!("wrote {}", RunDir::new(run).eval().display());
}

fn print_table(report: &EvalReport) {
    let scored = match &report.samples_dir {
        Some(dir) => format!("), {} images of {dir}", report.samples),
        None => format!(", {} weights), {} samples", report.weights.name(), report.samples),
    };
    let mut truncation = super::classes::truncation_note(report.truncation);
    if let Some(psi) = report.truncation_psi {
        truncation += &format!(", truncated in W at psi {psi}");
    }
    println!("{} (step {}, {} {}{scored}, seed {}{truncation}", report.run, report.step, report.model, report.data, report.seed);
    if let Some(f) = &report.features {
        println!("feature space: {}", f.network);
    }
    let rows = rows(report);
    let width = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
    for (name, value) in rows {
        println!("  {name:width$}  {value}");
    }
}

/// Evaluates a run and writes its eval.json.
pub fn evaluate_run(run: &Path, how: &EvalHow) -> anyhow::Result<EvalReport> {
    let report = score(run, how, None)?;
    gan::eval::save_report(run, report.step, &report)?;
    Ok(report)
}

/// Scores a run's generator, or the images of `samples_from` in its place.
fn score(run: &Path, how: &EvalHow, samples_from: Option<&FolderSource>) -> anyhow::Result<EvalReport> {
    let (g, device) = how.generator(run)?;
    let cache = if how.no_cache { None } else { how.cache.clone().or_else(default_cache) };
    let (classifier, inception, attributes);
    let features = match g.config.data.toy() {
        Some(_) => None,
        None => Some(match feature_choice(how, &g) {
            FeatureChoice::Classifier | FeatureChoice::Auto => {
                classifier = super::classes::pick_classifier(how.classifier.name(), &g.config.data, device)?;
                Features::Classifier(&classifier)
            }
            FeatureChoice::Inception => {
                let weights = how.features.inception_weights().ok_or_else(|| user(NO_WEIGHTS))?;
                let python = std::env::var_os("GAN_PYTHON").filter(|v| !v.is_empty()).map(PathBuf::from);
                let opts = WeightsOptions { cache_dir: cache.as_deref(), python: python.as_deref() };
                inception = Inception::load(&weights, &opts, device)?;
                Features::Inception(&inception)
            }
            FeatureChoice::Attributes => {
                attributes = gan::eval::attributes::shipped::emoji(device)?;
                Features::Attributes(&attributes)
            }
            FeatureChoice::Learned => {
                eprintln!("scoring in a feature network trained on the run's data (trained once, then cached)");
                Features::Learned(LearnedConfig { steps: how.features.learned_steps, ..LearnedConfig::default() })
            }
        }),
    };
    let opts = EvalOptions { samples: how.n, draw: how.draw(), cache_dir: cache.as_deref(), device, samples_from };
    Ok(evaluate(run, &g, features.as_ref(), &opts)?)
}

/// Where pytorch-fid's weights come from, for the error that says they are missing.
const NO_WEIGHTS: &str = "--features inception needs pytorch-fid's Inception weights: pass --weights FILE or set GAN_INCEPTION_WEIGHTS to pt_inception-2015-12-05-6726825d.pth (from https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth)";

/// `--features`, with `auto` resolved: a classifier when `--classifier` names one, for
/// Stacked MNIST, and for 28x28 grey data a shipped classifier knows (padded or not); the emoji classifier
/// for RGB folders with the emoji metadata; else Inception when its weights are given; else
/// a learned network.
fn feature_choice(how: &EvalHow, g: &TrainedGenerator) -> FeatureChoice {
    match how.features.features {
        FeatureChoice::Auto => {
            let data = &g.config.data;
            let known = data.class_set().and_then(Shipped::for_class_set).is_some();
            let emoji = |d: &DataSource| matches!(d, DataSource::Folder(f) if gan::eval::attributes::shipped::reads(&f.dir));
            if how.classifier.name().is_some() || matches!(data, DataSource::StackedMnist { .. }) || (gan::eval::classifier::margin(g.image).is_some() && known)
            {
                FeatureChoice::Classifier
            } else if g.image.channels == 3 && emoji(data) {
                FeatureChoice::Attributes
            } else if how.features.inception_weights().is_some() {
                FeatureChoice::Inception
            } else {
                FeatureChoice::Learned
            }
        }
        other => other,
    }
}

fn default_cache() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("GAN_CACHE_DIR").or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("gan"))).or_else(|| var("HOME").map(|h| h.join(".cache/gan")))
}

/// The report as `(metric, value)` rows, the same names for every run of a kind.
pub fn rows(r: &EvalReport) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut row = |k: &str, v: String| out.push((k.to_string(), v));
    if let Some(m) = &r.modes {
        row("modes covered", format!("{}/{}", m.covered, m.modes));
        row("high quality (3 std)", format!("{:.1}%", 100.0 * m.high_quality));
        row("reverse KL (modes)", format!("{:.4}", m.reverse_kl));
    }
    let prdc = r.points.as_ref().or(r.features.as_ref().map(|f| &f.prdc));
    if let Some(f) = &r.features {
        row("FID", format!("{:.3}", f.fid));
        row("KID", format!("{:.5} ± {:.5}", f.kid.mean, f.kid.std));
        let name = if f.space == SpaceKind::Inception { "Inception Score" } else { "classifier score" };
        if let (Some(s), Some(r)) = (f.classifier_score, f.real_classifier_score) {
            row(name, format!("{:.3} ± {:.3}", s.mean, s.std));
            row("  (real data)", format!("{:.3}", r.mean));
        }
    }
    if let Some(p) = prdc {
        row("precision (k=3)", format!("{:.3}", p.precision));
        row("recall (k=3)", format!("{:.3}", p.recall));
        row("density", format!("{:.3}", p.density));
        row("coverage", format!("{:.3}", p.coverage));
    }
    if let Some(s) = &r.stacked {
        row("modes covered", format!("{}/{}", s.covered, s.modes));
        row("KL(modes || uniform)", format!("{:.4}", s.kl_uniform));
        row("KL per channel (r, g, b)", format!("{:.4}, {:.4}, {:.4}", s.channel_kl[0], s.channel_kl[1], s.channel_kl[2]));
        row("  (real data)", format!("{}/{} modes, KL {:.4}", s.real_covered, s.modes, s.real_kl_uniform));
    }
    if let Some(c) = &r.classes {
        match (&c.field, &c.real_shares, c.kl_real) {
            (Some(field), Some(real), Some(kl)) => {
                row(&format!("{field}s drawn"), format!("{}/{}", c.covered, real.iter().filter(|&&q| q > 0.0).count()));
                row(&format!("KL({field}s || data's)"), format!("{kl:.4}"));
            }
            _ => {
                row("classes drawn", format!("{}/{}", c.covered, c.shares.len()));
                row("KL(classes || uniform)", format!("{:.4}", c.kl_uniform));
            }
        }
    }
    if let Some(a) = &r.agreement {
        row(&format!("{} as requested", a.field), format!("{:.1}%", 100.0 * a.share));
        let shares = |v: &[(String, f64)]| v.iter().map(|(c, s)| format!("{c} {:.0}%", 100.0 * s)).collect::<Vec<_>>().join(", ");
        row("  per class", shares(&a.per_class));
        let read: Vec<String> = a.read_as.iter().map(|(c, v)| format!("{c}: {}", shares(&v[..v.len().min(3)]))).collect();
        row("  read as", read.join("; "));
        if let Some(real) = &a.real {
            row(&format!("  real held-out {}", a.field), format!("{:.1}% of {} images of {}", 100.0 * real.share, real.images, real.rows));
            row("    per class", shares(&real.per_class));
        }
    }
    if let Some(t) = &r.text {
        let pct = |x: f64| format!("{:.1}%", 100.0 * x);
        row(
            "R-precision, train captions",
            format!("{} (real {}, {} captions; chance {})", pct(t.train.generated), pct(t.train.real), t.train.captions, pct(t.chance)),
        );
        row("R-precision, held-out captions", format!("{} (real {}, {} captions)", pct(t.held_out.generated), pct(t.held_out.real), t.held_out.captions));
        for (group, s) in &t.held_out_groups {
            row(&format!("  {group}"), format!("{} (real {}, {} captions)", pct(s.generated), pct(s.real), s.captions));
        }
    }
    out
}
