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

use tch::{Kind, Tensor};

use crate::config::translation::{CycleGanConfig, Pix2PixConfig};
use crate::losses::translation::l1;
use crate::models::translation::Translator;
use crate::optim::{grad_norm, Optimizer};
use crate::run::metrics::names::{D_FAKE, D_GRAD_NORM, D_LOSS, D_REAL, G_GRAD_NORM, G_LOSS, TRANSLATION_CYCLE, TRANSLATION_IDENTITY, TRANSLATION_L1};
use crate::train::record::Record;

use super::pool::ImagePool;

const D_WHAT: &str = "the discriminators' loss";
const G_WHAT: &str = "the generators' adversarial loss";

/// An optimiser's update with `loss`'s gradients; their norm when `measure`.
pub(super) fn update(opt: &mut Optimizer, loss: &Tensor, measure: bool) -> Option<Tensor> {
    let grads = opt.grads(loss);
    let norm = measure.then(|| grad_norm(&grads));
    opt.step(&grads);
    norm
}

/// Adds the gradient norms measured (discriminators', generators') to `r`.
pub(super) fn norms(r: &mut Record, d: Option<Tensor>, g: Option<Tensor>) {
    if let Some(d) = &d {
        r.last(D_GRAD_NORM, d);
    }
    if let Some(g) = &g {
        r.last(G_GRAD_NORM, g);
    }
}

// Sums stay out of place (`+=` on a tensor adds in place, inside the autograd graph).
#[allow(clippy::assign_op_pattern)]
pub fn pix2pix_step(
    m: &Pix2PixConfig,
    (g, d): (&dyn Translator, &dyn Translator),
    (opt_g, opt_d): (&mut Optimizer, &mut Optimizer),
    (a, b): (&Tensor, &Tensor),
    measure: bool,
) -> Record {
    let fake = g.forward_t(a, true);
    let adversarial = m.lambda_adv > 0.0;
    let mut d_terms = None;
    if adversarial {
        let real_logits = d.forward_t(&Tensor::cat(&[a, b], 1), true);
        let fake_logits = d.forward_t(&Tensor::cat(&[a, &fake.detach()], 1), true);
        let d_loss = m.loss.patch_discriminator(&real_logits, &fake_logits);
        let d_norm = update(opt_d, &d_loss, measure);
        d_terms = Some((d_loss, m.loss.patch_score(&real_logits), m.loss.patch_score(&fake_logits), d_norm));
    }
    let rec = l1(&fake, b);
    let mut g_loss = &rec * m.lambda_l1;
    let mut adv_loss = None;
    if adversarial {
        let adv = m.loss.patch_generator(&d.forward_t(&Tensor::cat(&[a, &fake], 1), true));
        g_loss = g_loss + &adv * m.lambda_adv;
        adv_loss = Some(adv);
    }
    let g_norm = update(opt_g, &g_loss, measure);
    let mut r = Record::new();
    let mut d_norm = None;
    if let (Some((d_loss, real, fake, norm)), Some(adv)) = (d_terms, &adv_loss) {
        r.mean(D_LOSS, D_WHAT, &d_loss).mean(G_LOSS, G_WHAT, adv).mean(D_REAL, "D(a, b)", &real).mean(D_FAKE, "D(a, G(a))", &fake);
        d_norm = norm;
    }
    r.mean(TRANSLATION_L1, "the L1 term", &rec);
    norms(&mut r, d_norm, g_norm);
    r
}

/// The image pools of domain A's and domain B's fakes.
pub struct Pools {
    pub a: ImagePool,
    pub b: ImagePool,
}

/// CycleGAN's generators `(G, F)` and discriminators `(D_B, D_A)`.
pub struct CycleNets<'a> {
    pub g: &'a dyn Translator,
    pub f: &'a dyn Translator,
    pub d_b: &'a dyn Translator,
    pub d_a: &'a dyn Translator,
}

#[allow(clippy::assign_op_pattern)]
pub fn cyclegan_step(
    m: &CycleGanConfig,
    CycleNets { g, f, d_b, d_a }: CycleNets<'_>,
    (opt_g, opt_d): (&mut Optimizer, &mut Optimizer),
    pools: &mut Pools,
    rng: &mut gan_data::rng::SplitMix64,
    (a, b): (&Tensor, &Tensor),
    measure: bool,
) -> Record {
    let fake_b = g.forward_t(a, true);
    let rec_a = f.forward_t(&fake_b, true);
    let fake_a = f.forward_t(b, true);
    let rec_b = g.forward_t(&fake_a, true);
    let cycle = l1(&rec_a, a) + l1(&rec_b, b);
    let adv = m.loss.patch_generator(&d_b.forward_t(&fake_b, true)) + m.loss.patch_generator(&d_a.forward_t(&fake_a, true));
    let mut g_loss = &adv + &cycle * m.lambda_cycle;
    let mut identity = None;
    if m.lambda_identity > 0.0 {
        let idt = l1(&g.forward_t(b, true), b) + l1(&f.forward_t(a, true), a);
        g_loss = g_loss + &idt * (m.lambda_identity * m.lambda_cycle);
        identity = Some(idt);
    }
    let g_norm = update(opt_g, &g_loss, measure);

    let pooled_b = pools.b.query(&fake_b, rng);
    let pooled_a = pools.a.query(&fake_a, rng);
    let (real_b_logits, fake_b_logits) = (d_b.forward_t(b, true), d_b.forward_t(&pooled_b, true));
    let (real_a_logits, fake_a_logits) = (d_a.forward_t(a, true), d_a.forward_t(&pooled_a, true));
    let d_loss = m.loss.patch_discriminator(&real_b_logits, &fake_b_logits) + m.loss.patch_discriminator(&real_a_logits, &fake_a_logits);
    let d_norm = update(opt_d, &d_loss, measure);
    // The two discriminators' mean scores, averaged in double precision.
    let mean2 = |x: &Tensor, y: &Tensor| (m.loss.patch_score(x).to_kind(Kind::Double) + m.loss.patch_score(y).to_kind(Kind::Double)) / 2.0;
    let mut r = Record::new();
    r.mean(D_LOSS, D_WHAT, &d_loss)
        .mean(G_LOSS, G_WHAT, &adv)
        .mean(D_REAL, "D(real)", &mean2(&real_b_logits, &real_a_logits))
        .mean(D_FAKE, "D(fake)", &mean2(&fake_b_logits, &fake_a_logits))
        .mean(TRANSLATION_CYCLE, "the cycle term", &cycle);
    if let Some(idt) = &identity {
        r.mean(TRANSLATION_IDENTITY, "the identity term", idt);
    }
    norms(&mut r, d_norm, g_norm);
    r
}
