//! What a step reports: named scalars, detached 0-dim tensors kept on the device, so a step
//! never waits for the host. A logging window keeps the records and reads them once, as
//! means over the window ([`StepWindow::take_means`]).

use tch::{Kind, Tensor};

use crate::losses::{mean_score, LossConfig};

use super::step::DiscriminatorTerms;

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

/// One VAE step: the negative ELBO per image and its parts.
pub struct VaeStepStats {
    pub loss: Tensor,
    pub reconstruction: Tensor,
    pub kl: Tensor,
}

/// What [`crate::Trainer::train_step`] reports.
pub enum StepStats {
    Gan(GanStepStats),
    Vae(VaeStepStats),
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

/// Host means over a window of steps.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WindowMeans {
    Gan { d: DiscriminatorMeans, g_loss: f64, g_grad_norm: Option<f64> },
    Vae { loss: f64, reconstruction: f64, kl: f64 },
}

/// The step records since the last log line.
#[derive(Default)]
pub struct StepWindow {
    records: Vec<StepStats>,
}

impl StepWindow {
    pub fn push(&mut self, s: StepStats) {
        self.records.push(s);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn records(&self) -> &[StepStats] {
        &self.records
    }

    /// The means of the window's records, emptying it; `None` when it is empty.
    pub fn take_means(&mut self) -> Option<WindowMeans> {
        let records = std::mem::take(&mut self.records);
        let gan: Vec<&GanStepStats> = records.iter().filter_map(|r| if let StepStats::Gan(g) = r { Some(g) } else { None }).collect();
        let vae: Vec<&VaeStepStats> = records.iter().filter_map(|r| if let StepStats::Vae(v) = r { Some(v) } else { None }).collect();
        if !gan.is_empty() {
            let d = DiscriminatorMeans::of(gan.iter().map(|g| &g.d))?;
            let g_grad_norm = gan.iter().rev().find_map(|g| g.g_grad_norm.as_ref()).map(|t| t.double_value(&[]));
            return Some(WindowMeans::Gan { d, g_loss: mean(gan.iter().map(|g| &g.g_loss))?, g_grad_norm });
        }
        Some(WindowMeans::Vae {
            loss: mean(vae.iter().map(|v| &v.loss))?,
            reconstruction: mean(vae.iter().map(|v| &v.reconstruction))?,
            kl: mean(vae.iter().map(|v| &v.kl))?,
        })
    }
}

/// The mean of 0-dim tensors, in double precision, in one transfer; `None` for none.
pub fn mean<'a>(values: impl Iterator<Item = &'a Tensor>) -> Option<f64> {
    let v: Vec<Tensor> = values.map(|t| t.to_kind(Kind::Double)).collect();
    (!v.is_empty()).then(|| Tensor::stack(&v, 0).mean(None).double_value(&[]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn scalar(x: f64) -> Tensor {
        Tensor::from(x as f32).to_device(Device::Cpu)
    }

    fn d(loss: f64, penalty: Option<f64>) -> DiscriminatorStats {
        // The gradient norm is the window's last measured one (here the loss's value).
        DiscriminatorStats {
            loss: scalar(loss),
            real_score: scalar(0.75),
            fake_score: scalar(0.25),
            gap: scalar(1.0),
            penalty: penalty.map(scalar),
            grad_norm: penalty.map(|_| scalar(loss)),
        }
    }

    #[test]
    fn a_window_averages_each_named_field_and_a_lazy_penalty_over_the_updates_that_took_it() {
        let mut w = StepWindow::default();
        w.push(StepStats::Gan(GanStepStats { d: d(1.0, Some(4.0)), g_loss: scalar(2.0), g_grad_norm: Some(scalar(7.0)) }));
        w.push(StepStats::Gan(GanStepStats { d: d(5.0, Some(2.0)), g_loss: scalar(0.0), g_grad_norm: Some(scalar(9.0)) }));
        w.push(StepStats::Gan(GanStepStats { d: d(3.0, None), g_loss: scalar(4.0), g_grad_norm: None }));
        let want = DiscriminatorMeans { loss: 3.0, real_score: 0.75, fake_score: 0.25, gap: 1.0, penalty: Some(3.0), grad_norm: Some(5.0) };
        assert_eq!(w.take_means(), Some(WindowMeans::Gan { d: want, g_loss: 2.0, g_grad_norm: Some(9.0) }));
        assert!(w.is_empty());
        assert_eq!(w.take_means(), None);
        w.push(StepStats::Vae(VaeStepStats { loss: scalar(3.0), reconstruction: scalar(2.0), kl: scalar(1.0) }));
        w.push(StepStats::Vae(VaeStepStats { loss: scalar(5.0), reconstruction: scalar(4.0), kl: scalar(1.0) }));
        assert_eq!(w.take_means(), Some(WindowMeans::Vae { loss: 4.0, reconstruction: 3.0, kl: 1.0 }));
        let none = DiscriminatorMeans::of([d(1.0, None)].iter()).unwrap();
        assert_eq!((none.penalty, none.grad_norm), (None, None));
    }
}
