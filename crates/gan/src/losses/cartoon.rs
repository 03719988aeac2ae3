//! CartoonGAN's losses (Chen et al., "CartoonGAN: Generative Adversarial Networks for Photo
//! Cartoonization", CVPR 2018, eqs. 2-4; the training reference `znxlwm/pytorch-CartoonGAN`,
//! `CartoonGAN.py`), on the discriminator's patch logits (the reference's `BCELoss` on its
//! sigmoid, here with logits):
//! - the edge-promoting adversarial loss: the discriminator learns target-style images `c` as
//!   real, and both generated images `G(p)` and target-style images with smoothed edges `e`
//!   as fake, the three terms summed (no halving); without edges (the ablation), the first two;
//! - the generator's adversarial term: its images judged real;
//! - the content loss: the mean absolute difference of a fixed network's feature maps of `G(p)`
//!   and of `p` (VGG19's conv4_4 in the paper; `phi(p)` is a constant).

use tch::Tensor;

use crate::losses::LossKind;

/// The discriminator's loss: `bce(D(c), 1) + bce(D(G(p)), 0) [+ bce(D(e), 0)]`.
pub fn discriminator_loss(real: &Tensor, fake: &Tensor, edge: Option<&Tensor>) -> Tensor {
    let bce = LossKind::Bce;
    let loss = bce.patch_judged(real, true) + bce.patch_judged(fake, false);
    match edge {
        Some(e) => loss + bce.patch_judged(e, false),
        None => loss,
    }
}

/// The generator's adversarial term: `bce(D(G(p)), 1)`.
pub fn generator_loss(fake: &Tensor) -> Tensor {
    LossKind::Bce.patch_judged(fake, true)
}

/// `mean |phi(G(p)) - phi(p)|`, `phi` the fixed feature network.
pub fn content_loss(phi: &dyn Fn(&Tensor) -> Tensor, generated: &Tensor, input: &Tensor) -> Tensor {
    let target = tch::no_grad(|| phi(input));
    (phi(generated) - target).abs().mean(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: logits 0 score sigmoid 1/2, so each BCE term is ln 2.
    #[test]
    fn the_edge_term_adds_a_third_bce() {
        let z = Tensor::zeros([2, 1, 3, 3], (tch::Kind::Float, tch::Device::Cpu));
        let ln2 = std::f64::consts::LN_2;
        assert!((discriminator_loss(&z, &z, Some(&z)).double_value(&[]) - 3.0 * ln2).abs() < 1e-6);
        assert!((discriminator_loss(&z, &z, None).double_value(&[]) - 2.0 * ln2).abs() < 1e-6);
        // A confident real verdict costs the generator little: softplus(-5) = ln(1 + e^-5).
        let five = z.ones_like() * 5.0;
        assert!((generator_loss(&five).double_value(&[]) - (1.0 + (-5.0f64).exp()).ln()).abs() < 1e-6);
    }

    /// Worked by hand: with phi doubling its input, |2 * 1 - 2 * 0.5| = 1 per element.
    #[test]
    fn the_content_loss_compares_features() {
        let phi = |x: &Tensor| x * 2.0;
        let (g, p) = (Tensor::ones([1, 2, 2, 2], (tch::Kind::Float, tch::Device::Cpu)), Tensor::full([1, 2, 2, 2], 0.5, (tch::Kind::Float, tch::Device::Cpu)));
        assert!((content_loss(&phi, &g, &p).double_value(&[]) - 1.0).abs() < 1e-6);
    }
}
