//! Controllable generation without retraining: gradient ascent on the latent `z` through a
//! frozen generator and a frozen classifier, raising `p(target | G(z))` (the "latent
//! space steering" of the GAN literature, e.g. Goetschalckx et al., "GANalyze", ICCV 2019,
//! with a classifier as the assessor).
//!
//! Objective per sample, minimised with Adam on `z` alone:
//! `-log p_target(G(z)) + keep_others * sum_{c != target} (p_c(G(z)) - p_c(G(z0)))^2`,
//! the second term (optional) penalising drift in the other classes' probabilities, the
//! answer to correlated features that move together.
//!
//! The judge is a LeNet classifier (grey runs) or one head of an attribute classifier (colour
//! runs: "toward skin tone 5", [`heads`]), which also says how far the other heads moved.

pub mod heads;

use tch::{nn, Kind, Tensor};

use crate::eval::attributes::AttributeNet;
use crate::eval::classifier::Classifier;
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};
use crate::run::trained::TrainedGenerator;

/// What steering reads: class probabilities of images, differentiable with respect to them.
pub trait Judge {
    fn probs(&self, x: &Tensor) -> Tensor;
    fn classes(&self) -> i64;
}

impl Judge for Classifier {
    fn probs(&self, x: &Tensor) -> Tensor {
        Classifier::probs(self, x)
    }

    fn classes(&self) -> i64 {
        self.classes
    }
}

/// One head of an attribute classifier.
pub struct Head<'a> {
    pub net: &'a AttributeNet,
    pub head: usize,
}

impl Judge for Head<'_> {
    fn probs(&self, x: &Tensor) -> Tensor {
        self.net.probs(x, self.head)
    }

    fn classes(&self) -> i64 {
        self.net.card.heads[self.head].classes.len() as i64
    }
}

/// How to steer.
#[derive(Debug, Clone, PartialEq)]
pub struct SteerConfig {
    pub target: i64,
    pub steps: u32,
    pub lr: f64,
    /// Weight of the penalty on the other classes' probabilities (0 = off).
    pub keep_others: f64,
}

/// The path and its scores.
pub struct Steered {
    /// Images before each step and after the last, `steps + 1` tensors of `[n, C, H, W]`.
    pub frames: Vec<Tensor>,
    /// `p(target)` of every sample before each step and after the last: `[steps + 1][n]`.
    pub trace: Vec<Vec<f64>>,
    /// Class probabilities at the start and at the end, `[n, classes]`.
    pub probs_before: Tensor,
    pub probs_after: Tensor,
}

/// Steers the latents `z0` (`[n, latent_dim]`); a conditional generator keeps its classes
/// `labels` (see [`TrainedGenerator::labels`]) fixed while z moves.
pub fn steer(g: &TrainedGenerator, c: &dyn Judge, z0: &Tensor, labels: Option<&Tensor>, cfg: &SteerConfig) -> Steered {
    let vs = nn::VarStore::new(z0.device());
    let z = vs.root().var_copy("z", z0);
    let mut opt = Optimizer::new(&vs, OptimizerConfig::Adam(AdamConfig { lr: cfg.lr, betas: (0.9, 0.999), eps: 1e-8 }));
    let others = Tensor::ones([c.classes()], (Kind::Float, z0.device()));
    let _ = others.get(cfg.target).fill_(0.0);
    let probs_before = tch::no_grad(|| c.probs(&g.generate(z0, labels)));
    let (mut frames, mut trace) = (Vec::new(), Vec::new());
    let mut record = |x: &Tensor, p: &Tensor| {
        frames.push(x.detach().to_device(tch::Device::Cpu));
        trace.push(Vec::<f64>::try_from(p.select(1, cfg.target).to_kind(Kind::Double).to_device(tch::Device::Cpu)).expect("probabilities"));
    };
    for _ in 0..cfg.steps {
        let x = g.forward(&z, labels);
        let p = c.probs(&x);
        record(&x, &p);
        let mut loss = -(p.select(1, cfg.target) + 1e-12).log().mean(Kind::Float);
        if cfg.keep_others > 0.0 {
            let drift = ((&p - &probs_before) * &others).square().sum_dim_intlist(1, false, Kind::Float).mean(Kind::Float);
            // `+=` on a tch tensor adds in place, inside the autograd graph; the out-of-place
            // sum keeps the graph as written.
            #[allow(clippy::assign_op_pattern)]
            {
                loss = loss + drift * cfg.keep_others;
            }
        }
        let grads = Tensor::run_backward(&[loss], &[&z], false, false);
        opt.step(&grads);
    }
    let x = tch::no_grad(|| g.generate(&z, labels));
    let probs_after = tch::no_grad(|| c.probs(&x));
    record(&x, &probs_after);
    Steered { frames, trace, probs_before, probs_after }
}
