//! The losses of image-to-image translation, on a PatchGAN's map of logits `[B, 1, h, w]`
//! (every patch counts as one sample; the mean runs over batch and patches):
//! - adversarial, `bce` (pix2pix, Isola et al. 2017, eq. 1: `nn.BCEWithLogitsLoss` against
//!   all-ones or all-zeros maps) or `lsgan` (CycleGAN, Zhu et al. 2017, section 4: the
//!   least-squares loss of Mao et al. 2017, `nn.MSELoss` on the raw map against 1 or 0);
//!   the discriminator's loss is half the sum over real and fake, as in the reference code,
//!   "to slow down the rate at which D learns relative to G";
//! - `l1`: mean absolute difference, pix2pix's `lambda * L1(G(x), y)` (eq. 3) and
//!   CycleGAN's cycle (`||F(G(x)) - x||_1`, eq. 2) and identity (`||G(y) - y||_1`) terms.

use serde::{Deserialize, Serialize};
use tch::{Reduction, Tensor};

/// The adversarial loss of a translation model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatchLoss {
    /// Binary cross-entropy on logits (the pix2pix paper's `vanilla`).
    Bce,
    /// Least squares (the CycleGAN paper's choice).
    Lsgan,
}

impl PatchLoss {
    /// The loss of a logit map judged against `real` (target 1) or fake (target 0).
    pub fn judged(self, logits: &Tensor, real: bool) -> Tensor {
        let target = if real { logits.ones_like() } else { logits.zeros_like() };
        match self {
            PatchLoss::Bce => logits.binary_cross_entropy_with_logits::<Tensor>(&target, None, None, Reduction::Mean),
            PatchLoss::Lsgan => logits.mse_loss(&target, Reduction::Mean),
        }
    }

    /// The discriminator's loss: `(loss(D(real), 1) + loss(D(fake), 0)) / 2`.
    pub fn discriminator(self, real_logits: &Tensor, fake_logits: &Tensor) -> Tensor {
        (self.judged(real_logits, true) + self.judged(fake_logits, false)) * 0.5
    }

    /// The generator's adversarial loss: its fakes judged as real.
    pub fn generator(self, fake_logits: &Tensor) -> Tensor {
        self.judged(fake_logits, true)
    }

    /// The mean "realness" of a logit map, for the logs: `sigmoid` for BCE, the raw output
    /// for least squares.
    pub fn score(self, logits: &Tensor) -> Tensor {
        match self {
            PatchLoss::Bce => logits.sigmoid().mean(None),
            PatchLoss::Lsgan => logits.mean(None),
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
        close(PatchLoss::Bce.discriminator(&r, &f), BCE_D);
        close(PatchLoss::Bce.generator(&f), BCE_G);
        close(PatchLoss::Lsgan.discriminator(&r, &f), LS_D);
        close(PatchLoss::Lsgan.generator(&f), LS_G);
        close(l1(&r, &f), L1);
    }

    const BCE_D: f64 = 0.7235311582721364;
    const BCE_G: f64 = 0.945208850718961;
    const LS_D: f64 = 1.57875;
    const LS_G: f64 = 2.895;
    const L1: f64 = 1.775;
}
