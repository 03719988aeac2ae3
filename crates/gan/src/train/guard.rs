//! The divergence guard. A run whose losses or weights become NaN or infinite learns nothing
//! more, and checkpointing it would overwrite the good checkpoints with garbage. So, once per
//! log interval (one host read over the window's records and one over every parameter, never
//! per step) and before every checkpoint, training checks that everything is finite, and stops
//! with [`GanError::Diverged`] naming the step, what went bad and the last good checkpoint.

use tch::{nn, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::run::checkpoint;
use crate::run::dir::RunDir;

use super::record::Window;

/// True when every tensor is finite, read in one transfer.
fn all_finite<'a>(ts: impl Iterator<Item = &'a Tensor>) -> bool {
    let flags: Vec<Tensor> = ts.map(|t| t.isfinite().all()).collect();
    flags.is_empty() || Tensor::stack(&flags, 0).all().int64_value(&[]) == 1
}

/// The first step of the window (whose records end at `last_step`) with a non-finite scalar,
/// and which scalar it was.
pub fn first_bad_step(window: &Window, last_step: u64) -> Option<(u64, &'static str)> {
    let (i, what) = window.first_bad()?;
    Some((last_step + 1 - window.len() as u64 + i as u64, what))
}

/// The first non-finite parameter of the named networks, as "the generator's net.0.weight".
pub fn bad_parameter(nets: &[(&str, &nn::VarStore)]) -> Option<String> {
    let all: Vec<(String, Tensor)> =
        nets.iter().flat_map(|(net, vs)| vs.variables().into_iter().map(move |(name, t)| (format!("the {net}'s {name}"), t))).collect();
    if all_finite(all.iter().map(|(_, t)| t)) {
        return None;
    }
    all.into_iter().find(|(_, t)| t.to_kind(Kind::Float).isfinite().all().int64_value(&[]) == 0).map(|(name, _)| name)
}

/// The error for a run that diverged at `step`, naming its newest (good) checkpoint.
pub fn diverged(run: &RunDir, step: u64, what: String) -> GanError {
    GanError::Diverged { step, what, last_good: checkpoint::latest(run).ok().flatten() }
}

/// Fails when `what` (from the checks above) is set.
pub fn check(run: &RunDir, step: u64, what: Option<String>) -> Result<()> {
    what.map_or(Ok(()), |w| Err(diverged(run, step, w)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn step(g_loss: f32) -> crate::train::record::Record {
        let mut r = crate::train::record::Record::new();
        r.mean("d_loss", "the discriminator's loss", &Tensor::from(1.0f32)).mean("g_loss", "the generator's loss", &Tensor::from(g_loss));
        r
    }

    #[test]
    fn the_first_non_finite_record_names_its_step_and_scalar() {
        let mut w = Window::default();
        for x in [1.0, 2.0, 3.0] {
            w.push(step(x));
        }
        assert_eq!(first_bad_step(&w, 30), None);
        w.push(step(f32::NAN));
        w.push(step(f32::INFINITY));
        // Records end at step 30, so the window holds steps 26..=30.
        assert_eq!(first_bad_step(&w, 30), Some((29, "the generator's loss")));
    }

    #[test]
    fn a_non_finite_weight_is_named_with_its_network() {
        let (a, b) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let _ = a.root().zeros("w", &[3]);
        let bad = (b.root() / "net" / "2").ones("bias", &[2]);
        assert_eq!(bad_parameter(&[("generator", &a), ("discriminator", &b)]), None);
        let _ = tch::no_grad(|| bad.get(1).fill_(f64::INFINITY));
        assert_eq!(bad_parameter(&[("generator", &a), ("discriminator", &b)]).as_deref(), Some("the discriminator's net.2.bias"));
    }
}
