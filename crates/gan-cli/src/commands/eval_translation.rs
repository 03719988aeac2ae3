//! `gan eval` of an image-to-image run: L1, SSIM, FID and class agreement of its outputs
//! on held-out pairs (see `gan::eval::translation`); writes RUN/eval.json.

use std::path::Path;

use gan::eval::classifier::Shipped;
use gan::eval::images::FeatureNet;
use gan::eval::styles::StyleJudge;
use gan::eval::translation::{self, DirectionScores, Judge, TranslationReport};
use gan::families::translation::{bytes_tensor, to_pm1};
use gan::families::FamilyKind;
use gan::run::checkpoint::CheckpointChoice;
use gan::run::dir::RunDir;
use gan::run::translator::TrainedTranslator;
use gan_data::pairs::{FolderLayout, PairSource};
use tch::Device;

use crate::cli::EvalHow;
use crate::exit::user;

/// Whether `run` holds a translation run.
pub fn is_translation_run(run: &Path) -> bool {
    FamilyKind::of_run(run) == Some(FamilyKind::Translation)
}

/// `gan eval` with its flags: `--n` limits the pairs, `--classifier` picks the judge.
pub fn run_with(run: &Path, how: &EvalHow) -> anyhow::Result<()> {
    let device = how.load.device.resolve()?;
    let choice = how.load.checkpoint.clone().unwrap_or_default();
    let report = evaluate_at(run, &choice, how.n, how.classifier.name(), device)?;
    print_report(&report, run);
    Ok(())
}

/// Evaluates the newest checkpoint with the default judge.
pub fn evaluate(run: &Path, n: Option<usize>, device: Device) -> anyhow::Result<TranslationReport> {
    evaluate_at(run, &CheckpointChoice::Latest, n, None, device)
}

fn evaluate_at(run: &Path, choice: &CheckpointChoice, n: Option<usize>, classifier: Option<&str>, device: Device) -> anyhow::Result<TranslationReport> {
    let t = TrainedTranslator::load(run, choice, device)?;
    let source = held_out(&t.config.data)?;
    let set = source.open()?;
    let count = n.unwrap_or(usize::MAX).min(set.a.len()).min(set.b.len()) as i64;
    if count == 0 {
        return Err(user("--n must be at least 1"));
    }
    let a = to_pm1(&bytes_tensor(&set.a).narrow(0, 0, count), device);
    let b = to_pm1(&bytes_tensor(&set.b).narrow(0, 0, count), device);
    let net = match (classifier, source.class_set().and_then(Shipped::for_class_set)) {
        (Some(name), _) => Some(super::classes::pick_classifier(Some(name), &gan_data::DataSource::default(), device)?),
        (None, Some(shipped)) => Some(FeatureNet::shipped(shipped, device)?),
        (None, None) => None,
    };
    let attributes = match &source {
        PairSource::Styles { dir, .. } if net.is_none() && gan::eval::attributes::shipped::reads(dir) => Some(gan::eval::attributes::shipped::emoji(device)?),
        _ => None,
    };
    let judge = match (&net, &attributes, &source) {
        (Some(net), _, _) => Some(Judge::Classes(net)),
        (None, Some(attr), PairSource::Styles { a, b, .. }) => Some(Judge::Styles(StyleJudge::new(attr, a, b)?)),
        _ => None,
    };
    let report = translation::evaluate(&t, &run.display().to_string(), &a, &b, judge.as_ref(), source.describe())?;
    gan::eval::save_report(run, report.step, &report)?;
    Ok(report)
}

/// The paired test data of a run's task.
fn held_out(data: &PairSource) -> anyhow::Result<PairSource> {
    match data.held_out() {
        Some(s) => Ok(s),
        None => match data {
            PairSource::Folder { dir, size, layout } if *layout != FolderLayout::Unpaired && dir.join("test").is_dir() => {
                Ok(PairSource::Folder { dir: dir.join("test"), size: *size, layout: *layout })
            }
            PairSource::RenderedToMnist { .. } => Err(user(format!(
                "{}: rendered digits have no true refined partner to score against; score a SimGAN run by what its digits teach: gan eval --run RUN --cas",
                data.describe()
            ))),
            _ => Err(user(format!(
                "{}: no held-out pairs to score against; put aligned test pairs in a test/ folder next to the training data",
                data.describe()
            ))),
        },
    }
}

pub fn print_report(r: &TranslationReport, run: &Path) {
    println!("{} (step {}, {} on {})", r.run, r.step, r.model, r.data);
    if let Some(f) = &r.feature_net {
        println!("feature space: {f}");
    }
    for s in &r.scores {
        print_direction(s, "");
    }
    for s in &r.identity {
        print_direction(s, "identity baseline (the inputs as outputs), ");
    }
    println!("wrote {}", RunDir::new(run).eval().display());
}

fn print_direction(s: &DirectionScores, what: &str) {
    let dir = match s.direction {
        gan::run::translator::Direction::A2b => "a2b",
        gan::run::translator::Direction::B2a => "b2a",
    };
    println!("  {what}{dir}: {} held-out pairs", s.pairs);
    println!("    L1                 {:.4}", s.l1);
    println!("    SSIM               {:.4}", s.ssim);
    println!("    sharpness          {:.4} (targets {:.4})", s.sharpness, s.target_sharpness);
    println!("    edge steepness     {:.1} (targets {:.1})", s.edge_steepness, s.target_edge_steepness);
    if let Some(f) = s.fid {
        println!("    FID                {f:.3}");
    }
    if let Some(c) = s.class_agreement {
        println!("    class agreement    {:.2}%", 100.0 * c);
    }
    if let Some(v) = s.target_style {
        let ceiling = s.targets_style.map_or_else(String::new, |c| format!(" (the true drawings: {:.2}%)", 100.0 * c));
        println!("    as target style    {:.2}%{ceiling}", 100.0 * v);
    }
    if let Some(v) = s.subgroup_kept {
        println!("    subgroup kept      {:.2}%", 100.0 * v);
    }
}
