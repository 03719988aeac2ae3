//! One training step of the VAE baseline (Kingma & Welling 2014): the negative ELBO of a
//! batch, one gradient over decoder and encoder together, one update of each.

use tch::{Kind, Tensor};

use crate::models::vae::{Decoder, Encoder};
use crate::optim::Optimizer;

use crate::run::metrics::names::{VAE_KL, VAE_LOSS, VAE_RECONSTRUCTION};
use crate::train::record::Record;

/// One update of decoder and encoder on `real`; reports the batch's objective per image and
/// its parts.
pub fn vae_step(encoder: &Encoder, decoder: &Decoder, opt_dec: &mut Optimizer, opt_enc: &mut Optimizer, real: &Tensor, latent: i64) -> Record {
    let eps = Tensor::randn([real.size()[0], latent], (Kind::Float, real.device()));
    let t = encoder.elbo(decoder, real, &eps);
    let params: Vec<Tensor> = opt_dec.params().iter().chain(opt_enc.params()).map(Tensor::shallow_clone).collect();
    let mut grads = Tensor::run_backward(&[&t.loss], &params, false, false);
    let enc_grads = grads.split_off(opt_dec.params().len());
    opt_dec.step(&grads);
    opt_enc.step(&enc_grads);
    let mut r = Record::new();
    r.mean(VAE_LOSS, "the VAE's loss", &t.loss).mean(VAE_RECONSTRUCTION, "the reconstruction term", &t.reconstruction).mean(VAE_KL, "the KL term", &t.kl);
    r
}
