//! `gan steer`: move latents towards a class with a classifier's gradient; writes a
//! before/after grid, a GIF of the path and the per-step probability trace.

use gan::explore::steer::{steer, SteerConfig};
use gan::models::latent::latents;
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
    if g.image != gan::eval::classifier::INPUT {
        return Err(user(format!("the classifiers judge 28x28 grey images; {} makes {:?}", a.generator.run.display(), g.image)));
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
    let cfg = SteerConfig { target, steps: a.steps, lr: a.lr, keep_others: a.keep_others };
    // A conditional generator keeps its classes (taken in turn) while z moves.
    let labels = g.labels(a.n, None)?;
    let s = steer(&g, c, &z0, labels.as_ref(), &cfg);
    // Before (top row) and after (bottom row).
    let (first, last) = (&s.frames[0], s.frames.last().expect("frames"));
    gan::draw::grid::save_grid(&Tensor::cat(&[first, last], 0), a.n as usize, &a.out)?;
    let frames: Vec<_> =
        s.frames.iter().map(|f| gan::draw::grid::make_grid(f, a.n as usize, 2).map(|g| gan::draw::gif::upscale(&g, 2))).collect::<Result<_, _>>()?;
    let gif = a.out.with_extension("gif");
    gan::draw::gif::save_gif(&frames, 80, &gif)?;
    let before = s.trace[0].clone();
    let after = s.trace.last().expect("trace").clone();
    let reached = after.iter().filter(|&&p| p > SUCCESS).count();
    let trace = serde_json::json!({
        "target": target, "target_name": name, "steps": a.steps, "lr": a.lr, "keep_others": a.keep_others, "seed": a.seed,
        "p_target_before": before, "p_target_after": after, "reached_0.9": reached, "n": a.n,
        "p_target_by_step": s.trace,
        "probs_before": to_rows(&s.probs_before), "probs_after": to_rows(&s.probs_after),
    });
    let json = a.out.with_extension("json");
    gan::run::checkpoint::write_atomic(&json, serde_json::to_string_pretty(&trace)?.as_bytes())?;
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    eprintln!("steered {} latents towards {name}: mean p({name}) {:.3} -> {:.3}; {reached}/{} above {SUCCESS}", a.n, mean(&before), mean(&after), a.n);
    eprintln!("wrote {}, {} and {}", a.out.display(), gif.display(), json.display());
    Ok(())
}

/// The classifier named by `--classifier`, or the shipped one that fits the run's data.
fn to_rows(t: &Tensor) -> Vec<Vec<f64>> {
    let t = t.to_device(Device::Cpu).to_kind(tch::Kind::Double);
    (0..t.size()[0]).map(|i| Vec::<f64>::try_from(t.get(i)).expect("row")).collect()
}
