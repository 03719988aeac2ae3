//! Keeping a critic 1-Lipschitz, as the Kantorovich-Rubinstein duality behind the
//! Wasserstein loss requires.
//!
//! - Weight clipping, Arjovsky et al., "Wasserstein GAN" (ICML 2017): after every critic
//!   update each weight is clamped into `[-c, c]` (c = 0.01 in the paper).
//! - Gradient penalty, Gulrajani et al., "Improved Training of Wasserstein GANs" (NeurIPS
//!   2017): `lambda * E[(||grad_x C(x_hat)||_2 - 1)^2]` at `x_hat = eps x + (1 - eps) G(z)`,
//!   with **one** `eps ~ U(0, 1)` per sample (broadcast over channels and pixels) and the
//!   L2 norm taken **per sample** over all of its channels and pixels. The penalty's
//!   gradient with respect to the critic's weights differentiates through `grad_x C`, so the
//!   inner gradient is taken with `create_graph` (true double backward).
//! - R1, Mescheder, Geiger & Nowozin, "Which Training Methods for GANs do actually
//!   Converge?" (ICML 2018): `gamma / 2 * E[||grad_x D(x)||_2^2]` on **real** data only, a
//!   zero-centred penalty that keeps a (BCE) discriminator flat on the data, so that the
//!   game converges instead of circling; not a Lipschitz bound, but it lives in the same
//!   table because it is taken the same way.

use serde::{Deserialize, Serialize};
use tch::Tensor;

/// The `[loss.lipschitz]` table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Lipschitz {
    /// No constraint (the 2014 GAN and LSGAN).
    #[default]
    None,
    /// Clamp every critic weight into `[-clip, clip]` after each critic update.
    Clip { clip: f64 },
    /// Add `weight * E[(||grad C(x_hat)|| - 1)^2]` to the critic's loss (lambda = 10 in the paper).
    GradientPenalty { weight: f64 },
    /// Add `weight / 2 * E[||grad D(x)||^2]` over the real batch to the discriminator's loss
    /// (`weight` is the paper's gamma; 10 for its image models).
    R1 { weight: f64 },
}

impl Lipschitz {
    pub fn problems(&self) -> Vec<String> {
        match *self {
            Lipschitz::None => vec![],
            Lipschitz::Clip { clip } if !(clip > 0.0 && clip.is_finite()) => {
                vec![format!("clip must be a positive number, got {clip}")]
            }
            Lipschitz::GradientPenalty { weight } | Lipschitz::R1 { weight } if !(weight > 0.0 && weight.is_finite()) => {
                vec![format!("weight must be a positive number, got {weight}")]
            }
            _ => vec![],
        }
    }

    /// The clip value, when clipping.
    pub fn clip(&self) -> Option<f64> {
        match *self {
            Lipschitz::Clip { clip } => Some(clip),
            _ => None,
        }
    }

    /// The weight of a gradient penalty (lambda or gamma), when there is one.
    pub fn penalty_weight(&self) -> Option<f64> {
        match *self {
            Lipschitz::GradientPenalty { weight } | Lipschitz::R1 { weight } => Some(weight),
            _ => None,
        }
    }
}

/// One interpolation weight per sample, `[B, 1, 1, 1]`, drawn from U(0, 1) with libtorch's
/// generator.
pub fn interpolation_weights(real: &Tensor) -> Tensor {
    let mut shape = vec![1i64; real.dim()];
    shape[0] = real.size()[0];
    Tensor::rand(&shape, (real.kind(), real.device()))
}

/// `x_hat = eps * real + (1 - eps) * fake` as a new leaf that requires grad (`fake` is
/// treated as a constant).
pub fn interpolate(real: &Tensor, fake: &Tensor, eps: &Tensor) -> Tensor {
    let fake = fake.detach();
    (&fake + eps * (real.detach() - &fake)).detach().set_requires_grad(true)
}

/// `E[(||grad_x C(x_hat)||_2 - 1)^2]` (unweighted) from the critic's outputs `out` (`[B]`) at
/// `x_hat` (`[B, ...]`), differentiable with respect to the critic's weights.
pub fn gradient_penalty(out: &Tensor, x_hat: &Tensor) -> Tensor {
    // Each output depends on its own sample only, so the gradient of the sum gives every
    // sample's own input gradient.
    let grad = Tensor::run_backward(&[out.sum(out.kind())], &[x_hat], true, true).remove(0);
    // One norm per critic input: per sample, or per pack of samples (PacGAN) when the critic
    // judges several at once. `norm` (not sqrt of a sum) so that a zero gradient
    // differentiates to 0, as in PyTorch.
    let norms = grad.reshape([out.size()[0], -1]).norm_scalaropt_dim(2, [1i64].as_slice(), false);
    (norms - 1.0).square().mean(None)
}


/// `E[||grad_x D(x)||_2^2]` (unweighted, without the 1/2) from the discriminator's outputs
/// `out` at the real batch `x` (a leaf that requires grad), differentiable with respect to
/// the discriminator's weights. One squared norm per discriminator input (per pack when
/// packing), averaged.
pub fn r1_penalty(out: &Tensor, x: &Tensor) -> Tensor {
    let grad = Tensor::run_backward(&[out.sum(out.kind())], &[x], true, true).remove(0);
    grad.reshape([out.size()[0], -1]).square().sum_dim_intlist([1i64].as_slice(), false, grad.kind()).mean(None)
}
