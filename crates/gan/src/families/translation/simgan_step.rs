//! One SimGAN step (Shrivastava et al. 2017, algorithm 1): during the refiner's
//! initialisation the refiner alone steps on `lambda_reg * |R(x) - x|`; during the
//! discriminator's the discriminator alone steps on real images `y` against refined `R(x)`
//! (through the history); afterwards the refiner makes `refiner_updates` updates on
//! `local(D(R(x)), real) + lambda_reg * |R(x) - x|`, then the discriminator one. With a task
//! classifier ([`super::task`]) both refiner phases add its weighted cross-entropy.

use tch::Tensor;

use crate::config::simgan::SimGanConfig;
use crate::losses::simgan::{discriminator_loss, real_score, refiner_loss, self_regularisation};
use crate::models::translation::Translator;
use crate::optim::Optimizer;
use crate::run::metrics::names::{D_FAKE, D_LOSS, D_REAL, G_LOSS, TRANSLATION_SELF_REG, TRANSLATION_TASK};
use crate::train::record::Record;
use crate::train::StepContext;

use super::pool::ImagePool;
use super::step::{norms, update};
use super::task::TaskNet;

/// Which networks a step trains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Refiner,
    Discriminator,
    Both,
}

impl Phase {
    pub fn of(m: &SimGanConfig, step: u64) -> Self {
        if step < m.refiner_init_steps {
            Phase::Refiner
        } else if step < m.refiner_init_steps + m.discriminator_init_steps {
            Phase::Discriminator
        } else {
            Phase::Both
        }
    }
}

pub fn simgan_step(
    m: &SimGanConfig,
    (refiner, d): (&dyn Translator, &dyn Translator),
    (opt_r, opt_d): (&mut Optimizer, &mut Optimizer),
    (history, rng): (&mut ImagePool, &mut gan_data::rng::SplitMix64),
    (x, y, task): (&Tensor, &Tensor, Option<(&TaskNet, &Tensor)>),
    ctx: StepContext,
) -> Record {
    let phase = Phase::of(m, ctx.step);
    let mut r = Record::new();
    let mut r_norm = None;
    // A refiner loss with the task term of its refined batch added, and the unweighted term.
    let with_task = |loss: Tensor, refined: &Tensor| match task {
        Some((net, labels)) => {
            let ce = net.loss(refined, labels);
            (loss + &ce * net.weight, Some(ce))
        }
        None => (loss, None),
    };
    let mut task_ce = None;
    match phase {
        Phase::Refiner => {
            let refined = refiner.forward_t(x, true);
            let reg = self_regularisation(&refined, x);
            let (loss, ce) = with_task(&reg * m.lambda_reg, &refined);
            r_norm = update(opt_r, &loss, ctx.measure_grads);
            r.mean(TRANSLATION_SELF_REG, "the self-regularisation term", &reg);
            task_ce = ce;
        }
        Phase::Both => {
            // The terms of the last of the updates are recorded.
            let mut terms = None;
            for _ in 0..m.refiner_updates {
                let refined = refiner.forward_t(x, true);
                let (loss, adv, reg) = refiner_loss(&d.forward_t(&refined, true), &refined, x, m.lambda_reg);
                let (loss, ce) = with_task(loss, &refined);
                r_norm = update(opt_r, &loss, ctx.measure_grads);
                terms = Some((adv, reg));
                task_ce = ce;
            }
            let (adv, reg) = terms.expect("at least one refiner update");
            r.mean(G_LOSS, "the refiner's adversarial loss", &adv).mean(TRANSLATION_SELF_REG, "the self-regularisation term", &reg);
        }
        Phase::Discriminator => {}
    }
    let mut d_norm = None;
    if phase != Phase::Refiner {
        let refined = tch::no_grad(|| refiner.forward_t(x, true));
        let shown = history.query_half(&refined, rng);
        let (real_logits, refined_logits) = (d.forward_t(y, true), d.forward_t(&shown, true));
        let d_loss = discriminator_loss(&real_logits, &refined_logits);
        d_norm = update(opt_d, &d_loss, ctx.measure_grads);
        r.mean(D_LOSS, "the discriminator's loss", &d_loss).mean(D_REAL, "D(real) as real", &real_score(&real_logits)).mean(
            D_FAKE,
            "D(refined) as real",
            &real_score(&refined_logits),
        );
    }
    if let Some(ce) = &task_ce {
        r.mean(TRANSLATION_TASK, "the task-consistency term", ce);
    }
    norms(&mut r, d_norm, r_norm);
    r
}
