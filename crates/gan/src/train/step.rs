//! One training step of Goodfellow et al. 2014, Algorithm 1: `k = d_steps` discriminator
//! updates, each on a fresh minibatch of data and noise, then one generator update.
//!
//! As in the PyTorch DCGAN example, the fakes of the last discriminator update are reused
//! for the generator update (one generator forward pass per step), and the discriminator
//! sees them detached. A discriminator without cross-sample layers (no batch norm) scores
//! real and fake images in one forward pass over their concatenation. Gradients are taken
//! with `autograd.grad` semantics, so the generator's update never computes the
//! discriminator's weight gradients and nothing needs zeroing.

use tch::Tensor;

use crate::losses::{discriminator_loss, generator_loss, LossConfig};
use crate::models::{Discriminator, Generator};
use crate::optim::Adam;

/// Detached scalars of one step, kept on the device until logging reads them.
pub struct StepStats {
    /// `[d_loss, g_loss, mean D(x), mean D(G(z))]`.
    pub values: Tensor,
}

/// The networks and optimisers a step updates.
pub struct StepParts<'a> {
    pub g: &'a dyn Generator,
    pub d: &'a dyn Discriminator,
    pub opt_g: &'a mut Adam,
    pub opt_d: &'a mut Adam,
    pub loss: &'a LossConfig,
}

/// Runs one step. `next_real` yields a real batch per call; `noise` draws a latent batch.
pub fn gan_step(
    p: StepParts<'_>,
    d_steps: u32,
    mut next_real: impl FnMut() -> Tensor,
    mut noise: impl FnMut() -> Tensor,
) -> StepStats {
    let mut kept = None;
    for j in 0..d_steps {
        let last = j + 1 == d_steps;
        let real = next_real();
        let z = noise();
        let fake = if last { p.g.forward(&z) } else { tch::no_grad(|| p.g.forward(&z)) };
        let (real_logits, fake_logits) = if p.d.per_sample() {
            // One forward over [real; fake]: the same function, one larger matrix product.
            let n = real.size()[0];
            let both = p.d.forward_t(&Tensor::cat(&[real, fake.detach()], 0), true);
            (both.narrow(0, 0, n), both.narrow(0, n, both.size()[0] - n))
        } else {
            (p.d.forward_t(&real, true), p.d.forward_t(&fake.detach(), true))
        };
        let d_loss = discriminator_loss(&real_logits, &fake_logits, p.loss.real_label);
        let grads = p.opt_d.grads(&d_loss);
        p.opt_d.step(&grads);
        if last {
            let d_real = real_logits.detach().sigmoid().mean(None);
            let d_fake = fake_logits.detach().sigmoid().mean(None);
            kept = Some((fake, d_loss.detach(), d_real, d_fake));
        }
    }
    let (fake, d_loss, d_real, d_fake) = kept.expect("d_steps >= 1");
    let g_loss = generator_loss(p.loss.generator, &p.d.forward_t(&fake, true));
    let grads = p.opt_g.grads(&g_loss);
    p.opt_g.step(&grads);
    StepStats { values: Tensor::stack(&[d_loss, g_loss.detach(), d_real, d_fake], 0) }
}
