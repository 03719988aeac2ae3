//! One training step of Goodfellow et al. 2014, Algorithm 1: `k = d_steps` discriminator
//! (critic) updates, each on a fresh minibatch of data and noise, then one generator update.
//! With a Wasserstein critic this is Algorithm 1 of Arjovsky et al. 2017 (clipping after
//! each critic update) or of Gulrajani et al. 2017 (a gradient penalty in the critic's loss);
//! a BCE discriminator may carry the R1 penalty of Mescheder et al. 2018 instead.
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

use tch::{Kind, Tensor};

use crate::error::Result;
use crate::losses::{discriminator_loss, generator_loss, mean_score, LossConfig};
use crate::models::{Discriminator, Generator};
use crate::optim::Optimizer;
use crate::penalty::{gradient_penalty, interpolate, interpolation_weights, r1_penalty, Lipschitz};

/// Number of scalars in [`StepStats::values`].
pub const STAT_COUNT: i64 = 6;

/// Detached scalars of one step, kept on the device until logging reads them.
pub struct StepStats {
    /// `[d_loss, g_loss, mean score on real, mean score on fake, mean C(real) - mean C(fake),
    /// unweighted gradient penalty (0 without one)]`.
    pub values: Tensor,
}

/// The networks and optimisers a step updates.
pub struct StepParts<'a> {
    pub g: &'a dyn Generator,
    pub d: &'a dyn Discriminator,
    pub opt_g: &'a mut Optimizer,
    pub opt_d: &'a mut Optimizer,
    pub loss: &'a LossConfig,
}

/// The discriminator's objective on one batch, with its parts.
pub struct DiscriminatorTerms {
    /// Adversarial loss plus the weighted penalty (`lambda` times the gradient penalty, or
    /// `gamma / 2` times R1).
    pub loss: Tensor,
    pub real_out: Tensor,
    pub fake_out: Tensor,
    /// The unweighted gradient penalty or R1 term, when the loss has one.
    pub penalty: Option<Tensor>,
}

/// A real batch: images and, for a conditional pair, their one-hot classes.
pub struct RealBatch {
    pub images: Tensor,
    pub labels: Option<Tensor>,
}

/// The discriminator's loss on `real` and (detached) `fake`, both of classes `y` when
/// conditional. `eps` gives the per-sample interpolation weights of the gradient penalty
/// (drawn from U(0, 1) when `None`).
pub fn discriminator_terms(
    d: &dyn Discriminator,
    loss: &LossConfig,
    real: &Tensor,
    fake: &Tensor,
    y: Option<&Tensor>,
    eps: Option<&Tensor>,
) -> DiscriminatorTerms {
    let fake = fake.detach();
    // WGAN-GP scores interpolates; R1 differentiates the scores of the real batch with
    // respect to its pixels.
    let (interpolates, r1) = match loss.lipschitz {
        Lipschitz::GradientPenalty { weight } => {
            let eps = eps.map_or_else(|| interpolation_weights(real), Tensor::shallow_clone);
            (Some((weight, interpolate(real, &fake, &eps))), None)
        }
        Lipschitz::R1 { weight } => (None, Some(weight)),
        Lipschitz::None | Lipschitz::Clip { .. } => (None, None),
    };
    let real = if r1.is_some() { real.detach().set_requires_grad(true) } else { real.shallow_clone() };
    let (real_out, fake_out) = if d.per_sample() && r1.is_none() {
        // One forward over [real; fake]: the same function, larger matrix products.
        let n = real.size()[0];
        let y2 = y.map(|y| Tensor::cat(&[y, y], 0));
        let both = d.forward_t(&Tensor::cat(&[real.shallow_clone(), fake.shallow_clone()], 0), y2.as_ref(), true);
        // One output per sample, or per pack of samples (PacGAN): the real rows' share.
        let k = both.size()[0] * n / (n + fake.size()[0]);
        (both.narrow(0, 0, k), both.narrow(0, k, both.size()[0] - k))
    } else {
        (d.forward_t(&real, y, true), d.forward_t(&fake, y, true))
    };
    let adversarial = discriminator_loss(loss, &real_out, &fake_out);
    let (total, penalty) = if let Some((w, x_hat)) = interpolates {
        // The interpolates get their own pass: inside a concatenation the double backward
        // would run over the real and fake rows too.
        let p = gradient_penalty(&d.forward_t(&x_hat, y, true), &x_hat);
        (adversarial + &p * w, Some(p))
    } else if let Some(gamma) = r1 {
        let p = r1_penalty(&real_out, &real);
        (adversarial + &p * (gamma / 2.0), Some(p))
    } else {
        (adversarial, None)
    };
    DiscriminatorTerms { loss: total, real_out, fake_out, penalty }
}

/// Runs one step. `next_real` yields a real batch per call; `noise(n)` draws `n` latents.
pub fn gan_step(
    p: StepParts<'_>,
    d_steps: u32,
    mut next_real: impl FnMut() -> Result<RealBatch>,
    mut noise: impl FnMut(i64) -> Tensor,
) -> Result<StepStats> {
    let mut kept = None;
    for j in 0..d_steps {
        let last = j + 1 == d_steps;
        let RealBatch { images: real, labels: y } = next_real()?;
        let z = noise(real.size()[0]);
        let generate = || p.g.forward_t(&z, y.as_ref(), true);
        let fake = if last { generate() } else { tch::no_grad(generate) };
        let terms = discriminator_terms(p.d, p.loss, &real, &fake, y.as_ref(), None);
        let grads = p.opt_d.grads(&terms.loss);
        p.opt_d.step(&grads);
        if let Some(c) = p.loss.lipschitz.clip() {
            p.opt_d.clip_params(c);
        }
        if last {
            kept = Some((fake, y, terms));
        }
    }
    let (fake, y, terms) = kept.expect("d_steps >= 1");
    let g_loss = generator_loss(p.loss, &p.d.forward_t(&fake, y.as_ref(), true));
    let grads = p.opt_g.grads(&g_loss);
    p.opt_g.step(&grads);
    let (real_out, fake_out) = (terms.real_out.detach(), terms.fake_out.detach());
    let gap = real_out.mean(None) - fake_out.mean(None);
    let penalty = terms.penalty.map_or_else(|| gap.zeros_like(), |t| t.detach());
    let values = Tensor::stack(
        &[terms.loss.detach(), g_loss.detach(), mean_score(p.loss, &real_out), mean_score(p.loss, &fake_out), gap, penalty],
        0,
    )
    .to_kind(Kind::Float);
    Ok(StepStats { values })
}
