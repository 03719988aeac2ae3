//! One training step of the VAE baseline (Kingma & Welling 2014): the negative ELBO of a
//! batch, one gradient over decoder and encoder together, one update of each.

use tch::{Kind, Tensor};

use crate::models::vae::{Decoder, Encoder};
use crate::optim::Optimizer;

use super::stats::VaeStepStats;

/// One update of decoder and encoder on `real`; returns the batch's objective, detached.
pub fn vae_step(encoder: &Encoder, decoder: &Decoder, opt_dec: &mut Optimizer, opt_enc: &mut Optimizer, real: &Tensor, latent: i64) -> VaeStepStats {
    let eps = Tensor::randn([real.size()[0], latent], (Kind::Float, real.device()));
    let t = encoder.elbo(decoder, real, &eps);
    let params: Vec<Tensor> = opt_dec.params().iter().chain(opt_enc.params()).map(Tensor::shallow_clone).collect();
    let mut grads = Tensor::run_backward(&[&t.loss], &params, false, false);
    let enc_grads = grads.split_off(opt_dec.params().len());
    opt_dec.step(&grads);
    opt_enc.step(&enc_grads);
    VaeStepStats { loss: t.loss.detach(), reconstruction: t.reconstruction.detach(), kl: t.kl.detach() }
}
