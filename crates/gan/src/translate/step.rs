//! One update of a translation pair, in the order of the reference code's
//! `optimize_parameters`.
//!
//! pix2pix: `fake = G(a)`; the discriminator steps on `(a, b)` as real and `(a, fake)` as
//! fake (`fake` detached); then the generator steps on the updated discriminator's verdict
//! on `(a, fake)` plus `lambda_l1 * |fake - b|`.
//!
//! CycleGAN: `fake_b = G(a)`, `rec_a = F(fake_b)`, `fake_a = F(b)`, `rec_b = G(fake_a)`; both
//! generators step together on `loss(D_B(fake_b)) + loss(D_A(fake_a)) +
//! lambda (|rec_a - a| + |rec_b - b|) + lambda_identity lambda (|G(b) - b| + |F(a) - a|)`;
//! then both discriminators step, each on real images and on fakes drawn through its pool.

use tch::Tensor;

use crate::config::translation::{CycleGanConfig, Pix2PixConfig, TranslationNets};
use crate::losses::translation::l1;
use crate::optim::Optimizer;

use super::pool::ImagePool;

/// What one step measured (host numbers; see `TranslationMetrics` for their meaning).
#[derive(Debug, Clone, Copy, Default)]
pub struct TranslationStats {
    pub d_loss: Option<f64>,
    pub g_loss: Option<f64>,
    pub d_real: Option<f64>,
    pub d_fake: Option<f64>,
    pub l1: Option<f64>,
    pub cycle: Option<f64>,
    pub identity: Option<f64>,
}

fn value(t: &Tensor) -> f64 {
    t.double_value(&[])
}

// Sums stay out of place (`+=` on a tensor adds in place, inside the autograd graph).
#[allow(clippy::assign_op_pattern)]
pub fn pix2pix_step(m: &Pix2PixConfig, nets: &TranslationNets, opt_g: &mut Optimizer, opt_d: &mut Optimizer, a: &Tensor, b: &Tensor) -> TranslationStats {
    let fake = nets.a2b.forward_t(a, true);
    let mut stats = TranslationStats::default();
    let adversarial = m.lambda_adv > 0.0;
    if adversarial {
        let real_logits = nets.d_b.forward_t(&Tensor::cat(&[a, b], 1), true);
        let fake_logits = nets.d_b.forward_t(&Tensor::cat(&[a, &fake.detach()], 1), true);
        let d_loss = m.loss.discriminator(&real_logits, &fake_logits);
        let grads = opt_d.grads(&d_loss);
        opt_d.step(&grads);
        (stats.d_loss, stats.d_real, stats.d_fake) = (Some(value(&d_loss)), Some(value(&m.loss.score(&real_logits))), Some(value(&m.loss.score(&fake_logits))));
    }
    let rec = l1(&fake, b);
    let mut g_loss = &rec * m.lambda_l1;
    if adversarial {
        let adv = m.loss.generator(&nets.d_b.forward_t(&Tensor::cat(&[a, &fake], 1), true));
        stats.g_loss = Some(value(&adv));
        g_loss = g_loss + adv * m.lambda_adv;
    }
    let grads = opt_g.grads(&g_loss);
    opt_g.step(&grads);
    stats.l1 = Some(value(&rec));
    stats
}

/// The image pools of domain A's and domain B's fakes.
pub struct Pools {
    pub a: ImagePool,
    pub b: ImagePool,
}

#[allow(clippy::assign_op_pattern)]
pub fn cyclegan_step(
    m: &CycleGanConfig,
    nets: &TranslationNets,
    opt_g: &mut Optimizer,
    opt_d: &mut Optimizer,
    pools: &mut Pools,
    rng: &mut gan_data::rng::SplitMix64,
    (a, b): (&Tensor, &Tensor),
) -> TranslationStats {
    let (g, f) = (&nets.a2b, nets.b2a.as_ref().expect("CycleGAN has F: B -> A"));
    let (d_b, d_a) = (&nets.d_b, nets.d_a.as_ref().expect("CycleGAN has D_A"));
    let fake_b = g.forward_t(a, true);
    let rec_a = f.forward_t(&fake_b, true);
    let fake_a = f.forward_t(b, true);
    let rec_b = g.forward_t(&fake_a, true);
    let cycle = l1(&rec_a, a) + l1(&rec_b, b);
    let adv = m.loss.generator(&d_b.forward_t(&fake_b, true)) + m.loss.generator(&d_a.forward_t(&fake_a, true));
    let mut g_loss = &adv + &cycle * m.lambda_cycle;
    let mut identity = None;
    if m.lambda_identity > 0.0 {
        let idt = l1(&g.forward_t(b, true), b) + l1(&f.forward_t(a, true), a);
        g_loss = g_loss + &idt * (m.lambda_identity * m.lambda_cycle);
        identity = Some(value(&idt));
    }
    let grads = opt_g.grads(&g_loss);
    opt_g.step(&grads);

    let pooled_b = pools.b.query(&fake_b, rng);
    let pooled_a = pools.a.query(&fake_a, rng);
    let (real_b_logits, fake_b_logits) = (d_b.forward_t(b, true), d_b.forward_t(&pooled_b, true));
    let (real_a_logits, fake_a_logits) = (d_a.forward_t(a, true), d_a.forward_t(&pooled_a, true));
    let d_loss = m.loss.discriminator(&real_b_logits, &fake_b_logits) + m.loss.discriminator(&real_a_logits, &fake_a_logits);
    let grads = opt_d.grads(&d_loss);
    opt_d.step(&grads);
    let mean2 = |x: &Tensor, y: &Tensor| (value(&m.loss.score(x)) + value(&m.loss.score(y))) / 2.0;
    TranslationStats {
        d_loss: Some(value(&d_loss)),
        g_loss: Some(value(&adv)),
        d_real: Some(mean2(&real_b_logits, &real_a_logits)),
        d_fake: Some(mean2(&fake_b_logits, &fake_a_logits)),
        l1: None,
        cycle: Some(value(&cycle)),
        identity,
    }
}
