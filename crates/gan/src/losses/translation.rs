//! The losses of image-to-image translation, on a PatchGAN's map of logits `[B, 1, h, w]`
//! (every patch counts as one sample; the mean runs over batch and patches):
//! - adversarial, one of the toolkit's [`LossKind`]s written with the reference code's
//!   constants (junyanz/pytorch-CycleGAN-and-pix2pix, `models/networks.py`, `GANLoss`):
//!   `bce` (pix2pix, Isola et al. 2017, eq. 1: `nn.BCEWithLogitsLoss` against all-ones or
//!   all-zeros maps) or `least-squares` (also read as `lsgan`; CycleGAN, Zhu et al. 2017,
//!   section 4: the least-squares loss of Mao et al. 2017, `nn.MSELoss` on the raw map
//!   against 1 or 0, without the GAN loss's factor 1/2 on the generator's term); the
//!   discriminator's loss is half the sum over real and fake, as in the reference code,
//!   "to slow down the rate at which D learns relative to G". The reference defines no
//!   Wasserstein or relativistic patch loss, and translation runs refuse them
//!   ([`patch_loss_problem`]);
//! - `l1`: mean absolute difference, pix2pix's `lambda * L1(G(x), y)` (eq. 3) and
//!   CycleGAN's cycle (`||F(G(x)) - x||_1`, eq. 2) and identity (`||G(y) - y||_1`) terms.

use tch::{Reduction, Tensor};

use crate::losses::LossKind;

/// Why `kind` cannot be a PatchGAN's adversarial loss, if it cannot.
pub fn patch_loss_problem(kind: LossKind) -> Option<String> {
    match kind {
        LossKind::Bce | LossKind::LeastSquares => None,
        LossKind::Wasserstein | LossKind::Relativistic => {
            Some(format!("model.loss = \"{}\" has no PatchGAN form in the pix2pix/CycleGAN recipes; use \"bce\" or \"least-squares\"", kind.name()))
        }
    }
}

impl LossKind {
    /// The loss of a PatchGAN's logit map judged against `real` (target 1) or fake (target 0).
    pub fn patch_judged(self, logits: &Tensor, real: bool) -> Tensor {
        let target = if real { logits.ones_like() } else { logits.zeros_like() };
        match self {
            LossKind::LeastSquares => logits.mse_loss(&target, Reduction::Mean),
            LossKind::Bce | LossKind::Wasserstein | LossKind::Relativistic => {
                debug_assert!(patch_loss_problem(self).is_none(), "translation configs refuse {self:?}");
                logits.binary_cross_entropy_with_logits::<Tensor>(&target, None, None, Reduction::Mean)
            }
        }
    }

    /// A PatchGAN's loss: `(loss(D(real), 1) + loss(D(fake), 0)) / 2`.
    pub fn patch_discriminator(self, real_logits: &Tensor, fake_logits: &Tensor) -> Tensor {
        (self.patch_judged(real_logits, true) + self.patch_judged(fake_logits, false)) * 0.5
    }

    /// The translation generator's adversarial loss: its fakes judged as real.
    pub fn patch_generator(self, fake_logits: &Tensor) -> Tensor {
        self.patch_judged(fake_logits, true)
    }

    /// The mean "realness" of a logit map, for the logs: `sigmoid` for BCE, the raw output
    /// for least squares.
    pub fn patch_score(self, logits: &Tensor) -> Tensor {
        match self {
            LossKind::LeastSquares => logits.mean(None),
            LossKind::Bce | LossKind::Wasserstein | LossKind::Relativistic => logits.sigmoid().mean(None),
        }
    }
}

/// Mean absolute difference.
pub fn l1(a: &Tensor, b: &Tensor) -> Tensor {
    a.l1_loss(b, Reduction::Mean)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    /// Values from PyTorch 2.11:
    /// ```python
    /// import torch, torch.nn as nn
    /// torch.set_default_dtype(torch.float64)
    /// r = torch.tensor([[[[0.5, -1.0], [2.0, 0.0]]]]); f = torch.tensor([[[[-0.3, 1.5], [0.2, -2.0]]]])
    /// bce, mse = nn.BCEWithLogitsLoss(), nn.MSELoss()
    /// print(0.5 * (bce(r, torch.ones_like(r)) + bce(f, torch.zeros_like(f))).item())
    /// print(bce(f, torch.ones_like(f)).item())
    /// print(0.5 * (mse(r, torch.ones_like(r)) + mse(f, torch.zeros_like(f))).item())
    /// print(mse(f, torch.ones_like(f)).item())
    /// print(nn.L1Loss()(r, f).item())
    /// ```
    #[test]
    fn losses_match_pytorch() {
        let t = |v: [f64; 4]| Tensor::from_slice(&v).reshape([1, 1, 2, 2]).to_kind(Kind::Double).to_device(Device::Cpu);
        let (r, f) = (t([0.5, -1.0, 2.0, 0.0]), t([-0.3, 1.5, 0.2, -2.0]));
        let close = |x: Tensor, want: f64| {
            let got = x.double_value(&[]);
            assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        };
        close(LossKind::Bce.patch_discriminator(&r, &f), BCE_D);
        close(LossKind::Bce.patch_generator(&f), BCE_G);
        close(LossKind::LeastSquares.patch_discriminator(&r, &f), LS_D);
        close(LossKind::LeastSquares.patch_generator(&f), LS_G);
        close(l1(&r, &f), L1);
    }

    const BCE_D: f64 = 0.7235311582721364;
    const BCE_G: f64 = 0.945208850718961;
    const LS_D: f64 = 1.57875;
    const LS_G: f64 = 2.895;
    const L1: f64 = 1.775;
}
