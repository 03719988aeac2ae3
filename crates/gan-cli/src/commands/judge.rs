//! `gan classifier judge`: how a classifier labels a run's samples, as a table (and JSON).

use anyhow::Context;
use gan::explore::judge::{judge_run, Judgement};
use serde::Serialize;

use crate::cli::ClassifierJudgeArgs;
use crate::exit::user;

#[derive(Serialize)]
struct Report<'a> {
    run: String,
    checkpoint: String,
    step: u64,
    classifier: String,
    class_names: Vec<String>,
    seed: u64,
    truncation: Option<f64>,
    judgements: &'a [Judgement],
}

pub fn run(a: ClassifierJudgeArgs) -> anyhow::Result<()> {
    if a.n < 1 {
        return Err(user(format!("--n must be at least 1, got {}", a.n)));
    }
    super::classes::check_truncation(a.latents.truncation)?;
    if let Some(out) = &a.out {
        super::check_out_dir(out)?;
    }
    let (g, device) = a.generator.load()?;
    let net = super::classes::pick_classifier(a.classifier.name(), &g.config.data, device)?;
    let (c, vocab) = (&net.classifier, &net.vocabulary);
    let judgements = judge_run(&g, c, a.n, a.latents.draw())?;
    let name = |i: usize| vocab.name(i).to_string();
    let width = (0..c.classes as usize).map(|i| name(i).len()).max().unwrap_or(5).max(5);
    let classifier = a.classifier.classifier.clone().unwrap_or_else(|| "shipped, chosen by the run's data".into());
    let truncation = super::classes::truncation_note(a.latents.truncation);
    println!(
        "{} (step {}, {} weights) judged by {classifier}, {} samples {}, seed {}{truncation}",
        a.generator.run.display(),
        g.step,
        g.weights.name(),
        a.n,
        if g.classes > 0 { "per class" } else { "in all" },
        a.latents.seed
    );
    if g.classes > 0 {
        println!("{:width$}  {:>9}  {:>10}  most confused with", "class", "agreement", "confidence");
        for j in &judgements {
            let r = j.requested.expect("conditional") as usize;
            let other = (0..j.shares.len()).filter(|&i| i != r).max_by(|&x, &y| j.shares[x].total_cmp(&j.shares[y])).expect("classes");
            let agreement = j.agreement.expect("conditional");
            println!("{:width$}  {:>8.1}%  {:>10.3}  {} ({:.1}%)", name(r), agreement * 100.0, j.mean_confidence, name(other), j.shares[other] * 100.0);
        }
        let agreements: Vec<f64> = judgements.iter().filter_map(|j| j.agreement).collect();
        let worst = (0..agreements.len()).min_by(|&x, &y| agreements[x].total_cmp(&agreements[y])).expect("classes");
        let mean = agreements.iter().sum::<f64>() / agreements.len() as f64;
        println!("mean agreement {:.1}%, lowest {:.1}% ({})", mean * 100.0, agreements[worst] * 100.0, name(worst));
    } else {
        let j = &judgements[0];
        println!("{:width$}  {:>6}", "class", "share");
        for (i, s) in j.shares.iter().enumerate() {
            println!("{:width$}  {:>5.1}%", name(i), s * 100.0);
        }
        let covered = j.shares.iter().filter(|&&s| s > 0.0).count();
        println!("{covered} of {} classes drawn; mean confidence {:.3}", j.shares.len(), j.mean_confidence);
    }
    if let Some(out) = &a.out {
        let report = Report {
            run: a.generator.run.display().to_string(),
            checkpoint: g.checkpoint.display().to_string(),
            step: g.step,
            classifier,
            class_names: (0..c.classes as usize).map(name).collect(),
            seed: a.latents.seed,
            truncation: a.latents.truncation,
            judgements: &judgements,
        };
        let text = serde_json::to_string_pretty(&report).expect("report serialises");
        std::fs::write(out, text).with_context(|| format!("cannot write {}", out.display()))?;
    }
    Ok(())
}
