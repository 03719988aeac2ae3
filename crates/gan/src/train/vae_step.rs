//! One training step of the VAE baseline (Kingma & Welling 2014): the negative ELBO of a
//! batch, one gradient over decoder and encoder together, one update of each.

use tch::{Kind, Tensor};

use crate::models::vae::{Decoder, Encoder};
use crate::optim::Optimizer;

use super::step::STAT_COUNT;

/// `[loss, reconstruction, kl, 0, ...]` of the batch (padded to the GAN step's
/// [`STAT_COUNT`] statistics), detached, as floats.
pub fn vae_step(encoder: &Encoder, decoder: &Decoder, opt_dec: &mut Optimizer, opt_enc: &mut Optimizer, real: &Tensor, latent: i64) -> Tensor {
    let eps = Tensor::randn([real.size()[0], latent], (Kind::Float, real.device()));
    let t = encoder.elbo(decoder, real, &eps);
    let params: Vec<Tensor> = opt_dec.params().iter().chain(opt_enc.params()).map(Tensor::shallow_clone).collect();
    let mut grads = Tensor::run_backward(&[&t.loss], &params, false, false);
    let enc_grads = grads.split_off(opt_dec.params().len());
    opt_dec.step(&grads);
    opt_enc.step(&enc_grads);
    let values = Tensor::stack(&[t.loss.detach(), t.reconstruction.detach(), t.kl.detach()], 0).to_kind(Kind::Float);
    Tensor::cat(&[values, Tensor::zeros([STAT_COUNT - 3], (Kind::Float, real.device()))], 0)
}
