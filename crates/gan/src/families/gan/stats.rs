//! What a GAN step measures, as detached 0-dim tensors kept on the device, and the named
//! scalars of the [`Record`] it reports to the loop.

use tch::Tensor;

use crate::losses::{mean_score, LossConfig, LossKind};
use crate::run::metrics::names::{D_FAKE, D_GRAD_NORM, D_LOSS, D_REAL, G_GRAD_NORM, G_LOSS, PENALTY, WASSERSTEIN};

use super::step::DiscriminatorTerms;
pub use crate::train::record::mean;
use crate::train::record::Record;

/// The statistics of one discriminator (critic) update.
pub struct DiscriminatorStats {
    /// Adversarial loss plus the weighted penalty.
    pub loss: Tensor,
    /// Mean D(x) on the real batch (a probability for BCE, the raw score otherwise).
    pub real_score: Tensor,
    /// Mean D(G(z)) on the fake batch.
    pub fake_score: Tensor,
    /// Mean raw score on real minus on fake: the critic's Earth Mover's estimate.
    pub gap: Tensor,
    /// The unweighted penalty, when this update took one (a lazy penalty skips updates).
    pub penalty: Option<Tensor>,
    /// The norm of the update's weight gradients, when measured.
    pub grad_norm: Option<Tensor>,
    /// `E[sign D(x)]` on the real batch (ADA's overfitting measure), when a run adapts its
    /// augmentation.
    pub real_sign: Option<Tensor>,
}

impl DiscriminatorStats {
    /// The statistics of an update's terms under `loss`.
    pub fn of(loss: &LossConfig, terms: &DiscriminatorTerms) -> Self {
        let (real, fake) = (terms.real_out.detach(), terms.fake_out.detach());
        Self {
            loss: terms.loss.detach(),
            real_score: mean_score(loss, &real),
            fake_score: mean_score(loss, &fake),
            gap: real.mean(None) - fake.mean(None),
            penalty: terms.penalty.as_ref().map(Tensor::detach),
            grad_norm: terms.grad_norm.as_ref().map(Tensor::shallow_clone),
            real_sign: None,
        }
    }
}

impl DiscriminatorStats {
    /// The mean of several updates' statistics (the critic cycles of one step), on the
    /// device; the penalty over the updates that took one, the last measured gradient norm.
    pub fn mean_of(stats: Vec<DiscriminatorStats>) -> Self {
        let avg = |f: fn(&DiscriminatorStats) -> &Tensor| Tensor::stack(&stats.iter().map(f).collect::<Vec<_>>(), 0).mean(None);
        let penalties: Vec<&Tensor> = stats.iter().filter_map(|s| s.penalty.as_ref()).collect();
        Self {
            loss: avg(|s| &s.loss),
            real_score: avg(|s| &s.real_score),
            fake_score: avg(|s| &s.fake_score),
            gap: avg(|s| &s.gap),
            penalty: (!penalties.is_empty()).then(|| Tensor::stack(&penalties, 0).mean(None)),
            grad_norm: stats.iter().rev().find_map(|s| s.grad_norm.as_ref()).map(Tensor::shallow_clone),
            real_sign: stats.iter().map(|s| s.real_sign.as_ref()).collect::<Option<Vec<_>>>().map(|v| Tensor::stack(&v, 0).mean(None)),
        }
    }
}

/// One GAN step: the last discriminator update before the generator's, and the generator's
/// loss.
pub struct GanStepStats {
    pub d: DiscriminatorStats,
    pub g_loss: Tensor,
    /// The norm of the generator's weight gradients, when measured.
    pub g_grad_norm: Option<Tensor>,
}

impl GanStepStats {
    /// The step's named scalars under `loss`: the losses and scores, the Wasserstein estimate
    /// of a Wasserstein critic, the penalty when the update took one, the gradient norms when
    /// measured.
    pub fn record(&self, loss: &LossConfig) -> Record {
        let d = &self.d;
        let mut r = Record::new();
        r.mean(D_LOSS, "the discriminator's loss", &d.loss).mean(G_LOSS, "the generator's loss", &self.g_loss).mean(D_REAL, "D(x)", &d.real_score).mean(
            D_FAKE,
            "D(G(z))",
            &d.fake_score,
        );
        if loss.kind == LossKind::Wasserstein {
            r.mean(WASSERSTEIN, "the Wasserstein estimate", &d.gap);
        }
        if let (Some(_), Some(p)) = (loss.lipschitz.penalty_weight(), &d.penalty) {
            r.mean(PENALTY, "the penalty", p);
        }
        if let Some(g) = &d.grad_norm {
            r.last(D_GRAD_NORM, g);
        }
        if let Some(g) = &self.g_grad_norm {
            r.last(G_GRAD_NORM, g);
        }
        r
    }
}

/// Host means of [`DiscriminatorStats`] over a window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DiscriminatorMeans {
    pub loss: f64,
    pub real_score: f64,
    pub fake_score: f64,
    pub gap: f64,
    /// Over the updates that took the penalty; `None` when none did.
    pub penalty: Option<f64>,
    /// The last measured gradient norm of the window; `None` when none was.
    pub grad_norm: Option<f64>,
}

impl DiscriminatorMeans {
    /// The means of `stats` (`None` for no records), read in one transfer per field.
    pub fn of<'a>(stats: impl Iterator<Item = &'a DiscriminatorStats> + Clone) -> Option<Self> {
        let penalties: Vec<&Tensor> = stats.clone().filter_map(|s| s.penalty.as_ref()).collect();
        let grad_norm = stats.clone().filter_map(|s| s.grad_norm.as_ref()).last().map(|t| t.double_value(&[]));
        Some(Self {
            loss: mean(stats.clone().map(|s| &s.loss))?,
            real_score: mean(stats.clone().map(|s| &s.real_score))?,
            fake_score: mean(stats.clone().map(|s| &s.fake_score))?,
            gap: mean(stats.map(|s| &s.gap))?,
            penalty: mean(penalties.into_iter()),
            grad_norm,
        })
    }
}
