//! One CartoonGAN step, in the order of the training reference (`znxlwm/pytorch-CartoonGAN`,
//! `CartoonGAN.py`): during the initialisation phase (the first `init_steps`), the generator
//! alone steps on `lambda_content * content(G(p), p)`; afterwards the discriminator steps on
//! the edge-promoting loss (targets `c` real; `G(p)` detached and the edge-smoothed targets
//! `e` fake), then the generator on `bce(D(G(p)), 1) + lambda_content * content(G(p), p)`
//! against the updated discriminator. The generator's output is computed once: the
//! reference computes it again after the discriminator's update, but the generator has not
//! changed, so the images are the same.

use tch::{Kind, Tensor};

use crate::config::translation::CartoonGanConfig;
use crate::losses::cartoon::{content_loss, discriminator_loss, generator_loss};
use crate::models::translation::Translator;
use crate::optim::Optimizer;
use crate::run::metrics::names::{D_FAKE, D_LOSS, D_REAL, G_LOSS, TRANSLATION_CONTENT, TRANSLATION_D_EDGE};
use crate::train::record::Record;
use crate::train::StepContext;

use super::step::{norms, update};

/// A batch: photos `a` (domain A), cartoons `b` (domain B) and, with the edge-promoting
/// loss, the cartoons with smoothed edges.
pub struct CartoonImages<'a> {
    pub a: &'a Tensor,
    pub b: &'a Tensor,
    pub b_edged: Option<&'a Tensor>,
}

/// The mean sigmoid score of a patch map.
fn score(logits: &Tensor) -> Tensor {
    logits.sigmoid().mean(Kind::Float)
}

pub fn cartoongan_step(
    m: &CartoonGanConfig,
    (g, d): (&dyn Translator, &dyn Translator),
    phi: &dyn Fn(&Tensor) -> Tensor,
    (opt_g, opt_d): (&mut Optimizer, &mut Optimizer),
    images: CartoonImages<'_>,
    ctx: StepContext,
) -> Record {
    let CartoonImages { a, b, b_edged } = images;
    let fake = g.forward_t(a, true);
    let content = content_loss(phi, &fake, a);
    let mut r = Record::new();
    if ctx.step < m.init_steps {
        let g_norm = update(opt_g, &(&content * m.lambda_content), ctx.measure_grads);
        r.mean(TRANSLATION_CONTENT, "the content term", &content);
        norms(&mut r, None, g_norm);
        return r;
    }
    let (real_logits, fake_logits) = (d.forward_t(b, true), d.forward_t(&fake.detach(), true));
    let edge_logits = b_edged.map(|e| d.forward_t(e, true));
    let d_loss = discriminator_loss(&real_logits, &fake_logits, edge_logits.as_ref());
    let d_norm = update(opt_d, &d_loss, ctx.measure_grads);
    let adv = generator_loss(&d.forward_t(&fake, true));
    let g_norm = update(opt_g, &(&adv + &content * m.lambda_content), ctx.measure_grads);
    r.mean(D_LOSS, "the discriminator's loss", &d_loss)
        .mean(G_LOSS, "the generator's adversarial loss", &adv)
        .mean(D_REAL, "D(cartoon)", &score(&real_logits))
        .mean(D_FAKE, "D(G(photo))", &score(&fake_logits))
        .mean(TRANSLATION_CONTENT, "the content term", &content);
    if let Some(e) = &edge_logits {
        r.mean(TRANSLATION_D_EDGE, "D(edge-smoothed cartoon)", &score(e));
    }
    norms(&mut r, d_norm, g_norm);
    r
}
