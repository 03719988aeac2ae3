//! One training step of Goodfellow et al. 2014, Algorithm 1: `k = d_steps` discriminator
//! (critic) updates, each on a fresh minibatch of data and noise, then one generator update.
//! With a Wasserstein critic this is Algorithm 1 of Arjovsky et al. 2017 (clipping after
//! each critic update) or of Gulrajani et al. 2017 (a gradient penalty in the critic's loss);
//! a BCE discriminator may carry the R1 penalty of Mescheder et al. 2018 instead, and the
//! relativistic pair of R3GAN (Huang et al. 2024) its R1 + R2 penalties.
//!
//! As in the PyTorch DCGAN example, the fakes of the last discriminator update are reused
//! for the generator update (one generator forward pass per step), and the discriminator
//! sees them detached. A discriminator without cross-sample layers (no batch norm) scores
//! real and fake images in one forward pass over their concatenation.
//! A conditional pair (Mirza & Osindero 2014) generates each fake with the class of the
//! real image beside it, and the discriminator scores real, fake and interpolated images
//! with that class.
//! Gradients are taken with `autograd.grad` semantics, so the generator's update never
//! computes the discriminator's weight gradients and nothing needs zeroing.

use tch::Tensor;

use crate::config::{CriticCycles, TrainConfig};
use crate::error::{GanError, Result};
use crate::losses::matching::{matching_aware_d_loss, wrong_conditions};
use crate::losses::penalty::{gradient_penalty, interpolate, interpolation_weights, interpolation_weights_for, r1_penalty, r1_r2_penalties, Lipschitz};
use crate::losses::{discriminator_loss, generator_loss, LossConfig};
use crate::models::diffaugment::Augmenter;
use crate::models::{Discriminator, Generator};
use crate::optim::Optimizer;

use super::stats::{DiscriminatorStats, GanStepStats};

/// The networks and optimisers a step updates.
pub struct StepParts<'a> {
    pub g: &'a dyn Generator,
    pub d: &'a dyn Discriminator,
    pub opt_g: &'a mut Optimizer,
    pub opt_d: &'a mut Optimizer,
    pub loss: &'a LossConfig,
    /// Whether the step measures its gradients' norms (the doctor reads them).
    pub measure_grads: bool,
    /// The data-parallel group, when the step is one rank's shard of a global batch (the
    /// gradient penalty's interpolation weights are drawn for the global batch and sharded,
    /// as the noise is).
    pub dist: Option<&'a crate::dist::Dist>,
    /// How the critic updates take their data (the seed notebook's loop or the default).
    pub cycles: CriticCycles,
    /// DiffAugment: what the discriminator sees of every real and fake image, in its updates
    /// and in the generator's (fresh draws each time).
    pub augment: Augmenter<'a>,
}

impl<'a> StepParts<'a> {
    /// The parts of a single-process step of `config` (its loss, critic cycles and
    /// augmentation, as a new run's first step has them), without gradient norms.
    pub fn of(config: &'a TrainConfig, (g, d): (&'a dyn Generator, &'a dyn Discriminator), (opt_g, opt_d): (&'a mut Optimizer, &'a mut Optimizer)) -> Self {
        let p = if config.augment.ada.is_some() { 0.0 } else { 1.0 };
        Self { g, d, opt_g, opt_d, loss: &config.loss, measure_grads: false, dist: None, cycles: config.critic_cycles, augment: config.augment.at(p) }
    }
}

/// The discriminator's objective on one batch, with its parts.
pub struct DiscriminatorTerms {
    /// Adversarial loss plus the weighted penalty (`lambda` times the gradient penalty, or
    /// `gamma / 2` times R1 or R1 + R2).
    pub loss: Tensor,
    pub real_out: Tensor,
    pub fake_out: Tensor,
    /// The unweighted gradient penalty, R1, or R1 + R2 term, when the loss has one.
    pub penalty: Option<Tensor>,
    /// The norm of the weight gradients of the update, when it was measured.
    pub grad_norm: Option<Tensor>,
}

/// A real batch: images and, for a conditional pair, their one-hot classes.
pub struct RealBatch {
    pub images: Tensor,
    pub labels: Option<Tensor>,
}

impl RealBatch {
    /// The batch cut to whole packs of `pack` (PacGAN): a batch shortened by skipped images
    /// drops its last incomplete pack; one with fewer images than a pack is refused.
    pub fn whole_packs(self, pack: i64) -> Result<Self> {
        let n = self.images.size()[0];
        let keep = n - n % pack;
        if keep == n {
            return Ok(self);
        }
        if keep == 0 {
            return Err(GanError::Invalid(format!("a batch holds {n} readable images, fewer than one pack of {pack}: too many images were skipped")));
        }
        Ok(Self { images: self.images.narrow(0, 0, keep), labels: self.labels.map(|l| l.narrow(0, 0, keep)) })
    }
}

/// What one discriminator update sees: a real and a fake batch (the fake is detached), both
/// of classes `y` when conditional, and the per-sample interpolation weights of the
/// gradient penalty (drawn from U(0, 1) when `None`).
#[derive(Clone, Copy)]
pub struct DiscriminatorInput<'a> {
    pub real: &'a Tensor,
    pub fake: &'a Tensor,
    pub y: Option<&'a Tensor>,
    pub eps: Option<&'a Tensor>,
}

/// The discriminator's loss on one [`DiscriminatorInput`], with its parts.
pub fn discriminator_terms(d: &dyn Discriminator, loss: &LossConfig, input: DiscriminatorInput<'_>) -> DiscriminatorTerms {
    let DiscriminatorInput { real, fake, y, eps } = input;
    let fake = fake.detach();
    match loss.lipschitz {
        Lipschitz::GradientPenalty { weight } => {
            let eps = eps.map_or_else(|| interpolation_weights(real), Tensor::shallow_clone);
            let x_hat = interpolate(real, &fake, &eps);
            let (real_out, fake_out) = score_pair(d, real, &fake, y);
            // The interpolates get their own pass: inside a concatenation the double backward
            // would run over the real and fake rows too.
            let p = gradient_penalty(&d.forward_t(&x_hat, y, true), &x_hat);
            let loss = adversarial(d, loss, real, y, &real_out, &fake_out) + &p * weight;
            DiscriminatorTerms { loss, real_out, fake_out, penalty: Some(p), grad_norm: None }
        }
        Lipschitz::R1 { weight: gamma } => {
            // R1 differentiates the scores of the real batch with respect to its pixels.
            let real = real.detach().set_requires_grad(true);
            let (real_out, fake_out) = (d.forward_t(&real, y, true), d.forward_t(&fake, y, true));
            let p = r1_penalty(&real_out, &real);
            let loss = adversarial(d, loss, &real, y, &real_out, &fake_out) + &p * (gamma / 2.0);
            DiscriminatorTerms { loss, real_out, fake_out, penalty: Some(p), grad_norm: None }
        }
        Lipschitz::R1R2 { weight: gamma, .. } => {
            // One leaf over [real; fake]: one forward and one double backward for both (the
            // configuration refuses penalties on critics with batch statistics, so each
            // score depends on its own sample only).
            let x = Tensor::cat(&[real.detach(), fake.shallow_clone()], 0).set_requires_grad(true);
            let (both, k) = score_concatenated(d, &x, real.size()[0], y);
            let (r1, r2) = r1_r2_penalties(&both, &x, k);
            let (real_out, fake_out) = (both.narrow(0, 0, k), both.narrow(0, k, both.size()[0] - k));
            let p = r1 + r2;
            let loss = adversarial(d, loss, real, y, &real_out, &fake_out) + &p * (gamma / 2.0);
            DiscriminatorTerms { loss, real_out, fake_out, penalty: Some(p), grad_norm: None }
        }
        Lipschitz::None | Lipschitz::Clip { .. } => {
            let (real_out, fake_out) = score_pair(d, real, &fake, y);
            DiscriminatorTerms { loss: adversarial(d, loss, real, y, &real_out, &fake_out), real_out, fake_out, penalty: None, grad_norm: None }
        }
    }
}

/// The adversarial part of the discriminator's loss: plain, or for a conditional pair whose
/// loss asks for it, matching-aware (real images with the next image's condition scored as
/// fakes as well, [`matching_aware_d_loss`]).
fn adversarial(d: &dyn Discriminator, loss: &LossConfig, real: &Tensor, y: Option<&Tensor>, real_out: &Tensor, fake_out: &Tensor) -> Tensor {
    let n = real.size()[0];
    match y.filter(|_| loss.matching_aware && n > 1) {
        Some(y) => {
            let wrong = d.forward_t(&real.narrow(0, 0, n - 1).detach(), Some(&wrong_conditions(y)), true);
            matching_aware_d_loss(loss, real_out, fake_out, &wrong)
        }
        None => discriminator_loss(loss, real_out, fake_out),
    }
}

/// The scores of a real and a fake batch: one forward pass over their concatenation when
/// the discriminator scores each sample on its own (the same function, larger products).
fn score_pair(d: &dyn Discriminator, real: &Tensor, fake: &Tensor, y: Option<&Tensor>) -> (Tensor, Tensor) {
    if d.per_sample() {
        let x = Tensor::cat(&[real.shallow_clone(), fake.shallow_clone()], 0);
        let (both, k) = score_concatenated(d, &x, real.size()[0], y);
        (both.narrow(0, 0, k), both.narrow(0, k, both.size()[0] - k))
    } else {
        (d.forward_t(real, y, true), d.forward_t(fake, y, true))
    }
}

/// Scores `x = [real; fake]` (the first `n_real` rows real, classes `y` for each half) and
/// returns the scores with the number of them that belong to the real rows: one per sample,
/// or per pack of samples (PacGAN).
fn score_concatenated(d: &dyn Discriminator, x: &Tensor, n_real: i64, y: Option<&Tensor>) -> (Tensor, i64) {
    let y2 = y.map(|y| Tensor::cat(&[y, y], 0));
    let both = d.forward_t(x, y2.as_ref(), true);
    let k = both.size()[0] * n_real / x.size()[0];
    (both, k)
}

/// One discriminator (critic) update: the terms of [`discriminator_terms`], their gradient,
/// the optimiser's step, and the weight clipping of Arjovsky et al. 2017 for a clipped
/// critic, with the gradients' norm when `measure`. The training step and the lab both update
/// their discriminators here.
pub fn update_discriminator(
    d: &dyn Discriminator,
    opt_d: &mut Optimizer,
    loss: &LossConfig,
    input: DiscriminatorInput<'_>,
    measure: bool,
) -> DiscriminatorTerms {
    let mut terms = discriminator_terms(d, loss, input);
    let grads = opt_d.grads(&terms.loss);
    terms.grad_norm = measure.then(|| grad_norm(&grads));
    opt_d.step(&grads);
    if let Some(c) = loss.lipschitz.clip() {
        opt_d.clip_params(c);
    }
    terms
}

/// Runs one step. `next_real` yields a real batch per call; `noise(n)` draws `n` latents.
pub fn gan_step(
    mut p: StepParts<'_>,
    d_steps: u32,
    mut next_real: impl FnMut() -> Result<RealBatch>,
    mut noise: impl FnMut(i64) -> Tensor,
) -> Result<GanStepStats> {
    let mut kept = None;
    let mut cycle_stats = Vec::new();
    let shared = if p.cycles.same_real { Some(next_real()?) } else { None };
    for j in 0..d_steps {
        let last = j + 1 == d_steps;
        let RealBatch { images: real, labels: y } = match &shared {
            Some(b) => RealBatch { images: b.images.shallow_clone(), labels: b.labels.as_ref().map(Tensor::shallow_clone) },
            None => next_real()?,
        };
        let z = noise(real.size()[0]);
        let generate = || p.g.forward_t(&z, y.as_ref(), true);
        // The generator's update reuses these fakes (and their graph) unless it draws its own.
        let fake = if last && !p.cycles.fresh_generator_noise { generate() } else { tch::no_grad(generate) };
        let loss = LossConfig { lipschitz: p.loss.lipschitz.for_d_update(p.opt_d.steps_taken()), ..p.loss.clone() };
        let eps = match (p.dist, &loss.lipschitz) {
            (Some(dist), Lipschitz::GradientPenalty { .. }) => Some(dist.shard(&interpolation_weights_for(real.size()[0] * dist.world() as i64, &real))),
            _ => None,
        };
        let (real_seen, fake_seen) = (p.augment.apply(&real), p.augment.apply(&fake));
        let input = DiscriminatorInput { real: &real_seen, fake: &fake_seen, y: y.as_ref(), eps: eps.as_ref() };
        let terms = update_discriminator(p.d, p.opt_d, &loss, input, last && p.measure_grads);
        // The statistics of the last cycle, or of every cycle when their mean is logged.
        if last || p.cycles.log_mean {
            let mut stats = DiscriminatorStats::of(p.loss, &terms);
            if p.augment.config.ada.is_some() {
                stats.real_sign = Some(terms.real_out.detach().sign().mean(None));
            }
            cycle_stats.push(stats);
        }
        if last {
            kept = Some((fake, real, y));
        }
    }
    let (fake, real, y) = kept.expect("d_steps >= 1");
    let fake = if p.cycles.fresh_generator_noise { p.g.forward_t(&noise(real.size()[0]), y.as_ref(), true) } else { fake };
    let d = if p.cycles.log_mean { DiscriminatorStats::mean_of(cycle_stats) } else { cycle_stats.pop().expect("d_steps >= 1") };
    let (g_loss, g_grad_norm) = update_generator(&mut p, GeneratorInput { fake: &fake, real: &real, y: y.as_ref() });
    Ok(GanStepStats { d, g_loss, g_grad_norm })
}

/// What one generator update sees: fakes with their graph to the generator, the real batch
/// beside them (a relativistic loss scores it) and their classes when conditional.
#[derive(Clone, Copy)]
pub struct GeneratorInput<'a> {
    pub fake: &'a Tensor,
    pub real: &'a Tensor,
    pub y: Option<&'a Tensor>,
}

/// One generator update: its loss on the discriminator's scores of the (augmented) fakes,
/// plus the generator's own term, its gradient and the optimiser's step. Returns the loss
/// (detached) and, when `p.measure_grads`, the gradients' norm. The training step and the
/// lab both update their generators here.
pub fn update_generator(p: &mut StepParts<'_>, input: GeneratorInput<'_>) -> (Tensor, Option<Tensor>) {
    let GeneratorInput { fake, real, y } = input;
    // A relativistic generator compares each fake with its real partner, scored by the
    // discriminator as it is now (a constant for the generator's gradient).
    let real_now = p.loss.kind.generator_needs_real().then(|| tch::no_grad(|| p.d.forward_t(&p.augment.apply(real), y, true)));
    let g_loss = generator_loss(p.loss, &p.d.forward_t(&p.augment.apply(fake), y, true), real_now.as_ref());
    // A generator's own term (conditioning augmentation's KL) joins its loss.
    let g_loss = match p.g.regularizer(y) {
        Some(r) => g_loss + r,
        None => g_loss,
    };
    let grads = p.opt_g.grads(&g_loss);
    let norm = p.measure_grads.then(|| grad_norm(&grads));
    p.opt_g.step(&grads);
    (g_loss.detach(), norm)
}

pub use crate::optim::grad_norm;

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: the gradients (3, 4) and (12) have norm sqrt(9 + 16 + 144) = 13.
    #[test]
    fn the_gradient_norm_takes_every_tensor_together() {
        let grads = [Tensor::from_slice(&[3.0f32, 4.0]), Tensor::from_slice(&[12.0f32]).view([1, 1])];
        assert_eq!(grad_norm(&grads).double_value(&[]), 13.0);
    }
}
