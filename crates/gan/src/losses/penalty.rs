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
//! - R1 + R2, Huang et al., "The GAN is dead; long live the GAN! A Modern GAN Baseline"
//!   (NeurIPS 2024, R3GAN): `gamma / 2 * (E[||grad_x D(x)||^2] + E[||grad D(G(z))||^2])`,
//!   the same zero-centred penalty on real and on (detached) generated samples, which with
//!   the relativistic loss gives local convergence. Its gamma may follow a cosine from
//!   `weight` to `weight_end` over the run, as in the R3GAN code's `gamma_scheduler`.

use tch::Tensor;

gan_data::kind_tagged! {
    /// The `[loss.lipschitz]` table.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Lipschitz {
        /// No constraint (the 2014 GAN and LSGAN).
        None,
        /// Clamp every critic weight into `[-clip, clip]` after each critic update.
        Clip { clip: f64 },
        /// Add `weight * E[(||grad C(x_hat)|| - 1)^2]` to the critic's loss (lambda = 10 in the paper).
        GradientPenalty { weight: f64 },
        /// Add `weight / 2 * E[||grad D(x)||^2]` over the real batch to the discriminator's loss
        /// (`weight` is the paper's gamma; 10 for its image models).
        R1 { weight: f64 },
        /// Add `weight / 2 * (E[||grad D(x)||^2] + E[||grad D(G(z))||^2])` (real and generated
        /// batches); with `weight_end`, the weight follows a cosine from `weight` to it.
        /// With `every = k`, the penalty is taken on every k-th discriminator update only, at k
        /// times the weight (lazy regularisation, Karras et al., "Analyzing and Improving the
        /// Image Quality of StyleGAN", CVPR 2020, sec. 3.1).
        #[serde(rename = "r1-r2")]
        R1R2 {
            weight: f64,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            weight_end: Option<f64>,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            every: Option<u32>,
        },
    }
}

// `#[default]` cannot go on the variant: kind_tagged! repeats it on a copy without Default.
#[allow(clippy::derivable_impls)]
impl Default for Lipschitz {
    fn default() -> Self {
        Lipschitz::None
    }
}

impl Lipschitz {
    pub fn problems(&self) -> Vec<String> {
        let positive = |name: &str, v: f64| (!(v > 0.0 && v.is_finite())).then(|| format!("{name} must be a positive number, got {v}"));
        match *self {
            Lipschitz::None => vec![],
            Lipschitz::Clip { clip } => positive("clip", clip).into_iter().collect(),
            Lipschitz::GradientPenalty { weight } | Lipschitz::R1 { weight } => positive("weight", weight).into_iter().collect(),
            Lipschitz::R1R2 { weight, weight_end, every } => {
                let mut p: Vec<String> = positive("weight", weight).into_iter().chain(weight_end.and_then(|w| positive("weight_end", w))).collect();
                if every == Some(0) {
                    p.push("every must be at least 1".into());
                }
                p
            }
        }
    }

    /// The name used in configuration files.
    pub fn name(&self) -> &'static str {
        gan_data::names::serde_name(self)
    }

    /// This constraint during step `step` (from 0) of `total`: a scheduled weight replaced
    /// by its value then (a cosine from `weight` to `weight_end`).
    pub fn at(&self, step: u64, total: u64) -> Lipschitz {
        match *self {
            Lipschitz::R1R2 { weight, weight_end: Some(end), every } => {
                Lipschitz::R1R2 { weight: crate::optim::cosine(weight, end, step, total), weight_end: None, every }
            }
            ref other => other.clone(),
        }
    }

    /// The constraint of discriminator update `update` (from 0): a lazy penalty is taken
    /// (at `every` times its weight) on every `every`-th update and left out of the others.
    pub fn for_d_update(&self, update: i64) -> Lipschitz {
        match *self {
            Lipschitz::R1R2 { weight, weight_end, every: Some(k) } if k > 1 => {
                if update.rem_euclid(k as i64) == 0 {
                    Lipschitz::R1R2 { weight: weight * k as f64, weight_end, every: None }
                } else {
                    Lipschitz::None
                }
            }
            ref other => other.clone(),
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
            Lipschitz::GradientPenalty { weight } | Lipschitz::R1 { weight } | Lipschitz::R1R2 { weight, .. } => Some(weight),
            _ => None,
        }
    }
}

/// One interpolation weight per sample, `[B, 1, 1, 1]`, drawn from U(0, 1) with libtorch's
/// generator.
pub fn interpolation_weights(real: &Tensor) -> Tensor {
    interpolation_weights_for(real.size()[0], real)
}

/// [`interpolation_weights`] for `n` samples shaped like `real`'s (a global batch whose
/// shard `real` is).
pub fn interpolation_weights_for(n: i64, real: &Tensor) -> Tensor {
    let mut shape = vec![1i64; real.dim()];
    shape[0] = n;
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
    squared_grad_norms(out, x).mean(None)
}

/// `(E[||grad D||^2] over the first `real_outputs` outputs, the same over the rest)`,
/// unweighted: R1 and R2 from one forward pass over `[real; fake]` (a leaf `x` that requires
/// grad; each output depends on its own rows only).
pub fn r1_r2_penalties(out: &Tensor, x: &Tensor, real_outputs: i64) -> (Tensor, Tensor) {
    let sq = squared_grad_norms(out, x);
    let n = sq.size()[0];
    (sq.narrow(0, 0, real_outputs).mean(None), sq.narrow(0, real_outputs, n - real_outputs).mean(None))
}

/// `||grad_x out_i||^2` per output `i` (per pack when packing), differentiable.
fn squared_grad_norms(out: &Tensor, x: &Tensor) -> Tensor {
    let grad = Tensor::run_backward(&[out.sum(out.kind())], &[x], true, true).remove(0);
    grad.reshape([out.size()[0], -1]).square().sum_dim_intlist([1i64].as_slice(), false, grad.kind())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant reads back as written, and a wrong field is named.
    #[test]
    fn lipschitz_tables_round_trip_and_name_their_fields() {
        let all = [
            Lipschitz::None,
            Lipschitz::Clip { clip: 0.01 },
            Lipschitz::GradientPenalty { weight: 10.0 },
            Lipschitz::R1 { weight: 1.0 },
            Lipschitz::R1R2 { weight: 1.0, weight_end: Some(0.1), every: Some(4) },
            Lipschitz::R1R2 { weight: 2.0, weight_end: None, every: None },
        ];
        for l in all {
            let v = toml::Value::try_from(&l).unwrap();
            assert_eq!(v.clone().try_into::<Lipschitz>().unwrap(), l, "{v}");
        }
        let bad: toml::Value = toml::from_str("kind = \"r1\"\nweight = \"small\"\n").unwrap();
        let e = bad.try_into::<Lipschitz>().unwrap_err().to_string();
        assert!(e.contains("weight"), "{e}");
    }
}
