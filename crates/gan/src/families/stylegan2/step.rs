//! One StyleGAN2 training step, the four phases of stylegan2-ada-pytorch's training loop
//! (training_loop.py) with the losses of training/loss.py (`StyleGAN2Loss`), each phase its
//! own optimiser update:
//! - `Gmain`: the non-saturating loss `softplus(-D(G(z)))`;
//! - `Greg`, every `pl_every`-th step: the path length penalty on a batch `pl_batch_shrink`
//!   times smaller, times `pl_weight` and the interval;
//! - `Dmain`: `softplus(D(G(z))) + softplus(-D(x))`;
//! - `Dreg`, every `r1_every`-th step: R1, `gamma / 2 * ||grad D(x)||^2`, times the interval.
//!
//! Every generated batch mixes styles with probability `style_mixing`: layers from a random
//! cut on take the `w` of a second latent (whose mapping leaves `w_avg` alone). The
//! discriminator sees every image through the run's augmentation.
//!
//! Beside the reference's objective, the phases take the relativistic pairing loss with R1 and
//! R2 of Huang et al., "The GAN is dead; long live the GAN! A Modern GAN Baseline" (NeurIPS
//! 2024; `brownvc/R3GAN`, whose StyleGAN2 ablation is its config B): `Gmain` becomes
//! `softplus(-(D(G(z)) - D(x)))` with `D(x)` a constant, `Dmain` `softplus(-(D(x) - D(G(z))))`,
//! and `Dreg` adds R2, the same zero-centred penalty on `Dmain`'s generated batch. R1 and R2
//! take separate passes: minibatch standard deviation must not mix real and generated rows.

use tch::{Kind, Tensor};

use crate::error::Result;
use crate::families::gan::stats::{DiscriminatorStats, GanStepStats};
use crate::families::gan::step::{DiscriminatorTerms, RealBatch, StepParts};
use crate::losses::path_length::{path_lengths, path_penalty, projection};
use crate::losses::penalty::r1_penalty;
use crate::losses::{discriminator_loss, generator_loss, LossConfig, LossKind};
use crate::models::stylegan2::synthesis::Noise;
use crate::models::stylegan2::{Regularisation, Stylegan2Generator};
use crate::optim::grad_norm;

/// What the step keeps between steps and reports: the path lengths' running mean, and the
/// last penalty taken.
pub struct Regularisers {
    pub terms: Regularisation,
    /// The adversarial loss: the reference's non-saturating `bce` or `relativistic`.
    pub loss: LossConfig,
    /// R1's gamma (0: none).
    pub gamma: f64,
    /// Whether `Dreg` takes R2 on the generated batch too (`[loss.lipschitz] kind = "r1-r2"`).
    pub r2: bool,
    pub pl_mean: Tensor,
    pub last_pl: Option<Tensor>,
}

/// `w` of `z` for every layer, tracking `w_avg`, with styles mixed in with probability `p`:
/// as the reference, the cut and the coin are drawn on the device and the second latent is
/// always mapped, so that the step never waits on the host.
pub fn mixed_ws(g: &Stylegan2Generator, z: &Tensor, p: f64) -> Tensor {
    let ws = g.ws(z, 1.0, true);
    let n = g.num_ws();
    if p <= 0.0 || n < 2 {
        return ws;
    }
    let device = z.device();
    let cut = Tensor::randint_low(1, n, [1], (Kind::Int64, device));
    let cut = cut.where_self(&Tensor::rand([1], (Kind::Float, device)).lt(p), &Tensor::full([1], n, (Kind::Int64, device)));
    let from_other = Tensor::arange(n, (Kind::Int64, device)).ge_tensor(&cut).view([1, n, 1]);
    g.ws(&z.randn_like(), 1.0, false).where_self(&from_other, &ws)
}

fn generate(g: &Stylegan2Generator, z: &Tensor, p: f64) -> Tensor {
    g.images(&mixed_ws(g, z, p), Noise::Random)
}

/// The four phases of step `step` (from 0).
pub fn stylegan2_step(
    p: StepParts<'_>,
    g: &Stylegan2Generator,
    reg: &mut Regularisers,
    step: u64,
    next_real: &mut dyn FnMut() -> Result<RealBatch>,
    noise: &mut dyn FnMut(i64) -> Tensor,
) -> Result<GanStepStats> {
    let real = next_real()?.images;
    let n = real.size()[0];
    let mixing = reg.terms.style_mixing;
    // Gmain.
    let fake = generate(g, &noise(n), mixing);
    let fake_out = p.d.forward_t(&p.augment.apply(&fake), None, true);
    let paired = (reg.loss.kind == LossKind::Relativistic).then(|| tch::no_grad(|| p.d.forward_t(&p.augment.apply(&real), None, true)));
    let g_loss = generator_loss(&reg.loss, &fake_out, paired.as_ref());
    let grads = p.opt_g.grads(&g_loss);
    let g_grad_norm = p.measure_grads.then(|| grad_norm(&grads));
    p.opt_g.step(&grads);
    // Greg.
    reg.last_pl = None;
    let every = reg.terms.pl_every as u64;
    if reg.terms.pl_weight > 0.0 && step.is_multiple_of(every) {
        let m = (n / reg.terms.pl_batch_shrink).max(1);
        let ws = mixed_ws(g, &noise(n).narrow(0, 0, m), mixing);
        let img = g.images(&ws, Noise::Random);
        let lengths = path_lengths(&img, &ws, &projection(&img));
        let penalty = path_penalty(&lengths, &mut reg.pl_mean, reg.terms.pl_decay);
        let loss = (&penalty * reg.terms.pl_weight).mean(None) * every as f64;
        let grads = p.opt_g.grads(&loss);
        p.opt_g.step(&grads);
        reg.last_pl = Some(penalty.mean(None).detach());
    }
    // Dmain.
    let fake = tch::no_grad(|| generate(g, &noise(n), mixing));
    let real_out = p.d.forward_t(&p.augment.apply(&real), None, true);
    let fake_out = p.d.forward_t(&p.augment.apply(&fake), None, true);
    let loss = discriminator_loss(&reg.loss, &real_out, &fake_out);
    let grads = p.opt_d.grads(&loss);
    let d_grad_norm = p.measure_grads.then(|| grad_norm(&grads));
    p.opt_d.step(&grads);
    // Dreg.
    let every = reg.terms.r1_every as u64;
    let mut penalty = None;
    if reg.gamma > 0.0 && step.is_multiple_of(every) {
        let zero_centred = |x: &Tensor| {
            let x = x.detach().set_requires_grad(true);
            r1_penalty(&p.d.forward_t(&p.augment.apply(&x), None, true), &x)
        };
        let both = if reg.r2 { zero_centred(&real) + zero_centred(&fake) } else { zero_centred(&real) };
        let grads = p.opt_d.grads(&(&both * (reg.gamma / 2.0 * every as f64)));
        p.opt_d.step(&grads);
        penalty = Some(both);
    }
    let terms = DiscriminatorTerms { loss, real_out, fake_out, penalty, grad_norm: d_grad_norm };
    let mut d = DiscriminatorStats::of(&reg.loss, &terms);
    if p.augment.config.ada.is_some() {
        d.real_sign = Some(terms.real_out.detach().sign().mean(None));
    }
    Ok(GanStepStats { d, g_loss: g_loss.detach(), g_grad_norm })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::stylegan2::Stylegan2Config;
    use crate::models::ImageShape;

    /// Mixing always (p = 1) keeps the first layer's `w` and replaces the last one's; never
    /// (p = 0) gives one `w` for every layer.
    #[test]
    fn mixing_takes_the_layers_from_the_cut_on_from_a_second_latent() {
        tch::manual_seed(0);
        let vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let cfg = Stylegan2Config { latent_dim: 4, w_dim: 4, channel_base: 32, channel_max: 4, ..Default::default() };
        let g = cfg.generator(&vs.root(), ImageShape { channels: 3, height: 16, width: 16 });
        let z = Tensor::randn([3, 4], (Kind::Float, tch::Device::Cpu));
        let plain = g.ws(&z, 1.0, false);
        let differs = |a: &Tensor, b: &Tensor| (a - b).abs().max().double_value(&[]) > 0.0;
        let n = g.num_ws();
        for _ in 0..5 {
            let mixed = mixed_ws(&g, &z, 1.0);
            assert!(!differs(&mixed.select(1, 0), &plain.select(1, 0)), "the first layer keeps z's w");
            assert!(differs(&mixed.select(1, n - 1), &plain.select(1, n - 1)), "the last layer takes the other w");
        }
        assert!(!differs(&mixed_ws(&g, &z, 0.0), &plain));
    }
}
