//! `gan steer`: move latents towards a class with a classifier's gradient; writes a
//! before/after grid, a GIF of the path and the per-step probability trace.

use gan::explore::steer::heads::{steer_head, Target};
use gan::explore::steer::{steer, SteerConfig, Steered};
use gan::models::latent::latents;
use gan::run::trained::TrainedGenerator;
use tch::{Device, Tensor};

use crate::cli::SteerArgs;
use crate::exit::user;

/// p(target) above which a latent counts as steered.
const SUCCESS: f64 = 0.9;

pub fn run(a: SteerArgs) -> anyhow::Result<()> {
    if a.n < 1 || a.steps < 1 || !(a.lr > 0.0) || !(a.keep_others >= 0.0) {
        return Err(user("--n and --steps must be at least 1, --lr positive, --keep-others at least 0"));
    }
    super::check_out_dir(&a.out)?;
    let (g, device) = a.generator.load()?;
    if g.image.channels == 3 {
        return steer_colour(&a, &g, device);
    }
    if g.image != gan::eval::classifier::INPUT {
        return Err(user(format!(
            "the classifiers judge 28x28 grey images and the emoji classifier RGB ones; {} makes {:?}",
            a.generator.run.display(),
            g.image
        )));
    }
    let net = super::classes::pick_classifier(a.classifier.name(), &g.config.data, device)?;
    let (c, vocab) = (&net.classifier, &net.vocabulary);
    let target = match a.target.parse::<i64>() {
        Ok(l) if (0..c.classes).contains(&l) => l,
        Ok(l) => return Err(user(format!("--target {l}: class out of range 0..{}", c.classes - 1))),
        Err(_) => vocab.lookup(&a.target).map_err(|e| user(format!("--target: {e}")))? as i64,
    };
    let name = vocab.name(target as usize).to_string();
    let z0 = latents(a.n, g.latent_dim(), a.seed, device);
    // A conditional generator keeps its classes (taken in turn) while z moves.
    let labels = g.labels(a.n, None)?;
    let s = steer(&g, c, &z0, labels.as_ref(), &config(&a, target));
    let reached = s.trace.last().expect("trace").iter().filter(|&&p| p > SUCCESS).count();
    let trace = serde_json::json!({
        "target": target, "target_name": name, "reached_0.9": reached,
        "probs_before": to_rows(&s.probs_before), "probs_after": to_rows(&s.probs_after),
    });
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let summary = format!("mean p({name}) {:.3} -> {:.3}; {reached}/{} above {SUCCESS}", mean(&s.trace[0]), mean(s.trace.last().expect("trace")), a.n);
    write(&a, &s, trace, &format!("steered {} latents towards {name}: {summary}", a.n))
}

fn config(a: &SteerArgs, target: i64) -> SteerConfig {
    SteerConfig { target, steps: a.steps, lr: a.lr, keep_others: a.keep_others }
}

/// A colour run, judged by the emoji classifier's heads: `--target FIELD=VALUE`.
fn steer_colour(a: &SteerArgs, g: &TrainedGenerator, device: Device) -> anyhow::Result<()> {
    let net = gan::eval::attributes::shipped::emoji(device)?;
    let target = Target::parse(&net, &a.target).map_err(|e| user(format!("--target: {e}")))?;
    let z0 = latents(a.n, g.latent_dim(), a.seed, device);
    let labels = g.labels(a.n, None)?;
    let h = steer_head(g, &net, &target, &z0, labels.as_ref(), &config(a, target.class))?;
    let trace = serde_json::json!({
        "classifier": net.describe(), "field": h.field, "target": target.class, "target_name": h.class_name,
        "share_before": h.share_before, "share_after": h.share_after, "other_heads_changed": h.others,
    });
    let moved: Vec<String> = h.others.iter().map(|m| format!("{} {:.0}%", m.field, 100.0 * m.changed)).collect();
    let summary = format!(
        "steered {} latents towards {} = {}: {:.0}% -> {:.0}% of samples read as it; other heads changed for: {}",
        a.n,
        h.field,
        h.class_name,
        100.0 * h.share_before,
        100.0 * h.share_after,
        moved.join(", ")
    );
    write(a, &h.steered, trace, &summary)
}

/// The before/after grid, the GIF of the path and the JSON trace (`extra` plus the settings
/// and per-step probabilities).
fn write(a: &SteerArgs, s: &Steered, mut trace: serde_json::Value, summary: &str) -> anyhow::Result<()> {
    let (first, last) = (&s.frames[0], s.frames.last().expect("frames"));
    gan::draw::grid::save_grid(&Tensor::cat(&[first, last], 0), a.n as usize, &a.out)?;
    let frames: Vec<_> =
        s.frames.iter().map(|f| gan::draw::grid::make_grid(f, a.n as usize, 2).map(|g| gan::draw::gif::upscale(&g, 2))).collect::<Result<_, _>>()?;
    let gif = a.out.with_extension("gif");
    gan::draw::gif::save_gif(&frames, 80, &gif)?;
    let settings = serde_json::json!({
        "steps": a.steps, "lr": a.lr, "keep_others": a.keep_others, "seed": a.seed, "n": a.n,
        "p_target_before": s.trace[0], "p_target_after": s.trace.last(), "p_target_by_step": s.trace,
    });
    for (k, v) in settings.as_object().expect("an object") {
        trace[k] = v.clone();
    }
    let json = a.out.with_extension("json");
    gan::run::checkpoint::write_atomic(&json, serde_json::to_string_pretty(&trace)?.as_bytes())?;
    eprintln!("{summary}");
    eprintln!("wrote {}, {} and {}", a.out.display(), gif.display(), json.display());
    Ok(())
}

fn to_rows(t: &Tensor) -> Vec<Vec<f64>> {
    let t = t.to_device(Device::Cpu).to_kind(tch::Kind::Double);
    (0..t.size()[0]).map(|i| Vec::<f64>::try_from(t.get(i)).expect("row")).collect()
}
