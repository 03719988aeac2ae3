//! Optimisers written out on tensors, so that their state (moments and step counts) is
//! checkpointed and a resumed run continues bit for bit: Adam (the GAN default) and RMSprop
//! (the WGAN paper's choice for weight clipping, where momentum destabilises the critic).
//!
//! Gradients are passed in explicitly (from `Tensor::run_backward`, i.e. `autograd.grad`):
//! nothing accumulates into `.grad`, so there is nothing to zero and a network's gradients
//! are never computed by the other network's update.

mod adam;
mod groups;
mod pair;
mod rmsprop;
mod schedule;

use std::collections::HashMap;

use tch::{nn, Kind, Tensor};

pub use adam::AdamConfig;
pub use pair::OptimConfig;
pub use rmsprop::RmsPropConfig;
pub use schedule::{cosine, hold_then_linear, LrSchedule, ScheduleSettings, DEFAULT_DECAY_FROM};

use crate::error::{GanError, Result};

gan_data::kind_tagged! {
    /// An `[optim.g]` / `[optim.d]` table.
    #[derive(Debug, Clone, PartialEq)]
    pub enum OptimizerConfig {
        Adam(AdamConfig),
        #[serde(rename = "rmsprop")]
        RmsProp(RmsPropConfig),
    }
}

impl Default for OptimizerConfig {
    fn default() -> Self {
        OptimizerConfig::Adam(AdamConfig::default())
    }
}

impl OptimizerConfig {
    pub fn problems(&self) -> Vec<String> {
        match self {
            OptimizerConfig::Adam(c) => c.problems(),
            OptimizerConfig::RmsProp(c) => c.problems(),
        }
    }

    pub fn lr(&self) -> f64 {
        match self {
            OptimizerConfig::Adam(c) => c.lr,
            OptimizerConfig::RmsProp(c) => c.lr,
        }
    }

    /// Names of the per-parameter state tensors.
    fn slots(&self) -> &'static [&'static str] {
        match self {
            OptimizerConfig::Adam(_) => &["m", "v"],
            OptimizerConfig::RmsProp(_) => &["v"],
        }
    }
}

/// One optimiser over the trainable variables of one variable store.
pub struct Optimizer {
    cfg: OptimizerConfig,
    names: Vec<String>,
    params: Vec<Tensor>,
    /// `state[slot][param]`.
    state: Vec<Vec<Tensor>>,
    step: i64,
    /// Factor on the configured learning rate (set by the run's [`LrSchedule`]).
    lr_scale: f64,
    /// The data-parallel group whose mean gradient each step takes (see [`crate::dist`]).
    dist: Option<std::sync::Arc<crate::dist::Dist>>,
    /// Each parameter's factor on the learning rate (see `groups.rs`).
    lr_mult: Vec<f64>,
    /// Lazy regularisation's `c = k / (k + 1)` (see `groups.rs`); 1 without.
    lazy_c: f64,
}

impl Optimizer {
    /// Trainable variables, ordered by name so the order never depends on hashing
    /// (batch-norm running statistics are variables too, but not trainable).
    pub fn new(vs: &nn::VarStore, cfg: OptimizerConfig) -> Self {
        let mut vars: Vec<(String, Tensor)> = vs.variables().into_iter().filter(|(_, t)| t.requires_grad()).collect();
        vars.sort_by(|a, b| a.0.cmp(&b.0));
        let (names, params): (Vec<String>, Vec<Tensor>) = vars.into_iter().unzip();
        let state = cfg.slots().iter().map(|_| params.iter().map(|p| p.zeros_like()).collect()).collect();
        let lr_mult = vec![1.0; params.len()];
        Self { cfg, names, params, state, step: 0, lr_scale: 1.0, dist: None, lr_mult, lazy_c: 1.0 }
    }

    /// The parameters, in the order `step` expects their gradients.
    pub fn params(&self) -> &[Tensor] {
        &self.params
    }

    pub fn steps_taken(&self) -> i64 {
        self.step
    }

    /// Gradients of `loss` with respect to the parameters (no accumulation into `.grad`).
    /// A parameter the loss does not reach (a ProGAN layer above the resolution trained) gets
    /// a zero gradient, as the reference code's optimiser gives it.
    pub fn grads(&self, loss: &Tensor) -> Vec<Tensor> {
        let grads = Tensor::run_backward(&[loss], &self.params, false, false);
        grads.into_iter().zip(&self.params).map(|(g, p)| if g.defined() { g } else { p.zeros_like() }).collect()
    }

    /// Scales the configured learning rate for the following updates.
    pub fn set_lr_scale(&mut self, scale: f64) {
        self.lr_scale = scale;
    }

    /// From now on, every update takes the mean of the ranks' gradients.
    pub fn set_dist(&mut self, dist: std::sync::Arc<crate::dist::Dist>) {
        self.dist = Some(dist);
    }

    /// Every state tensor, in a fixed order (for handing state to other ranks).
    pub fn state_tensors(&self) -> Vec<Tensor> {
        self.state.iter().flatten().map(Tensor::shallow_clone).collect()
    }

    /// Sets the number of updates taken (a rank that received its state from another).
    pub fn set_steps_taken(&mut self, step: i64) {
        self.step = step;
    }

    /// One update with the given gradients (one per parameter, in `params()` order); in a
    /// data-parallel group, with their mean over the ranks.
    pub fn step(&mut self, grads: &[Tensor]) {
        assert_eq!(grads.len(), self.params.len(), "one gradient per parameter");
        let averaged;
        let grads = match &self.dist {
            Some(d) => {
                averaged = d.average(grads);
                &averaged[..]
            }
            None => grads,
        };
        self.step += 1;
        if self.is_plain() {
            tch::no_grad(|| match &self.cfg {
                OptimizerConfig::Adam(c) => {
                    let (m, v) = self.state.split_at_mut(1);
                    c.update(c.lr * self.lr_scale, self.step, &mut self.params, grads, &mut m[0], &mut v[0]);
                }
                OptimizerConfig::RmsProp(c) => c.update(c.lr * self.lr_scale, &mut self.params, grads, &mut self.state[0]),
            });
        } else {
            self.step_groups(grads);
        }
    }

    /// Clamps every parameter into `[-c, c]` (WGAN weight clipping).
    pub fn clip_params(&mut self, c: f64) {
        tch::no_grad(|| {
            for p in &mut self.params {
                let _ = p.clamp_(-c, c);
            }
        });
    }

    /// The state as named tensors: `<prefix><slot>.<param>` and `<prefix>step`.
    pub fn state(&self, prefix: &str) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        for (slot, tensors) in self.cfg.slots().iter().zip(&self.state) {
            for (n, t) in self.names.iter().zip(tensors) {
                out.push((format!("{prefix}{slot}.{n}"), t.shallow_clone()));
            }
        }
        out.push((format!("{prefix}step"), Tensor::from_slice(&[self.step])));
        out
    }

    /// Restores the state written by [`state`](Self::state), checking every name and shape.
    pub fn load_state(&mut self, tensors: &HashMap<String, Tensor>, prefix: &str, file: &std::path::Path) -> Result<()> {
        let missing = |name: &str| GanError::Checkpoint { path: file.into(), reason: format!("missing tensor {name}") };
        let step_name = format!("{prefix}step");
        let step = tensors.get(&step_name).ok_or_else(|| missing(&step_name))?;
        if step.numel() != 1 || step.kind() != Kind::Int64 || step.flatten(0, -1).int64_value(&[0]) < 0 {
            let what = format!("{} {:?}", crate::tensors::dtype_name(step.kind()), step.size());
            return Err(GanError::Checkpoint { path: file.into(), reason: format!("tensor {step_name} must be one non-negative I64, got {what}") });
        }
        self.step = step.flatten(0, -1).int64_value(&[0]);
        for (slot, dsts) in self.cfg.slots().iter().zip(&mut self.state) {
            for (n, dst) in self.names.iter().zip(dsts.iter_mut()) {
                let name = format!("{prefix}{slot}.{n}");
                let src = tensors.get(&name).ok_or_else(|| missing(&name))?;
                crate::tensors::copy_checked(file, &name, dst, src)?;
            }
        }
        Ok(())
    }
}

/// The L2 norm of a network's gradients taken together (a 0-dim tensor on their device).
pub fn grad_norm(grads: &[Tensor]) -> Tensor {
    let squares: Vec<Tensor> = grads.iter().map(|g| g.detach().square().sum(Kind::Float)).collect();
    Tensor::stack(&squares, 0).sum(Kind::Float).sqrt()
}

/// Checks one learning rate.
fn lr_problem(lr: f64) -> Option<String> {
    (!(lr > 0.0 && lr.is_finite())).then(|| format!("lr must be a positive number, got {lr}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    /// Three steps on one 3-vector parameter with the given gradients, at constant rate or
    /// following `schedule`.
    fn three_steps_scheduled(cfg: OptimizerConfig, schedule: LrSchedule) -> Vec<f32> {
        let vs = nn::VarStore::new(Device::Cpu);
        let p = vs.root().var_copy("p", &Tensor::from_slice(&[0.5f32, -1.0, 2.0]));
        let mut opt = Optimizer::new(&vs, cfg);
        for (t, g) in [[1.0f32, -2.0, 0.5], [0.3, 0.3, -4.0], [-1.0, 0.0, 1e-3]].iter().enumerate() {
            opt.set_lr_scale(schedule.factor(0.0, t as u64, 3));
            opt.step(&[Tensor::from_slice(g)]);
        }
        Vec::try_from(&p).unwrap()
    }

    fn three_steps(cfg: OptimizerConfig) -> Vec<f32> {
        three_steps_scheduled(cfg, LrSchedule::Constant)
    }

    fn assert_close(got: &[f32], want: &[f32]) {
        for (a, b) in got.iter().zip(want) {
            assert!((a - b).abs() < 1e-6, "{got:?} vs {want:?}");
        }
    }

    /// PyTorch 2.11:
    ///
    /// ```python
    /// import torch
    /// p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
    /// opt = torch.optim.Adam([p], lr=0.1, betas=(0.5, 0.999))
    /// for g in ([1.0, -2.0, 0.5], [0.3, 0.3, -4.0], [-1.0, 0.0, 1e-3]):
    ///     p.grad = torch.tensor(g); opt.step()
    /// print(p.tolist())
    /// ```
    #[test]
    fn adam_matches_torch_optim_adam() {
        let got = three_steps(OptimizerConfig::Adam(AdamConfig { lr: 0.1, betas: (0.5, 0.999), eps: 1e-8 }));
        assert_close(&got, &[0.368_818_34, -0.850_221_7, 2.033_696_2]);
    }

    /// As above with `torch.optim.RMSprop([p], lr=0.01, alpha=0.99, eps=1e-8)`.
    #[test]
    fn rmsprop_matches_torch_optim_rmsprop() {
        let got = three_steps(OptimizerConfig::RmsProp(RmsPropConfig { lr: 0.01, alpha: 0.99, eps: 1e-8 }));
        assert_close(&got, &[0.440_650_73, -0.914_907_16, 1.999_210_5]);
    }

    /// The linear schedule is `LambdaLR(opt, lambda t: 1 - t / 3)` stepped after each update:
    ///
    /// ```python
    /// for kind in ("adam", "rms"):
    ///     p = torch.nn.Parameter(torch.tensor([0.5, -1.0, 2.0]))
    ///     opt = (torch.optim.Adam([p], lr=0.1, betas=(0.5, 0.999)) if kind == "adam"
    ///            else torch.optim.RMSprop([p], lr=0.01, alpha=0.99, eps=1e-8))
    ///     sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: 1 - t / 3)
    ///     for g in ([1.0, -2.0, 0.5], [0.3, 0.3, -4.0], [-1.0, 0.0, 1e-3]):
    ///         p.grad = torch.tensor(g); opt.step(); sched.step()
    ///     print(kind, p.tolist())
    /// ```
    #[test]
    fn linear_schedule_matches_torch_lambda_lr() {
        let adam = OptimizerConfig::Adam(AdamConfig { lr: 0.1, betas: (0.5, 0.999), eps: 1e-8 });
        assert_close(&three_steps_scheduled(adam, LrSchedule::Linear), &[0.365_519_82, -0.872_526_9, 1.973_793_5]);
        let rms = OptimizerConfig::RmsProp(RmsPropConfig { lr: 0.01, alpha: 0.99, eps: 1e-8 });
        assert_close(&three_steps_scheduled(rms, LrSchedule::Linear), &[0.403_927_74, -0.909_938_1, 1.966_148_6]);
    }

    #[test]
    fn state_round_trip_and_missing_tensor_named() {
        for cfg in [OptimizerConfig::default(), OptimizerConfig::RmsProp(RmsPropConfig::default())] {
            let vs = nn::VarStore::new(Device::Cpu);
            let _p = vs.root().var_copy("p", &Tensor::from_slice(&[1.0f32, 2.0]));
            let mut a = Optimizer::new(&vs, cfg.clone());
            a.step(&[Tensor::from_slice(&[0.5f32, -0.5])]);
            let state: HashMap<String, Tensor> = a.state("g.").into_iter().collect();
            let mut b = Optimizer::new(&vs, cfg);
            b.load_state(&state, "g.", std::path::Path::new("x")).unwrap();
            assert_eq!(b.steps_taken(), 1);
            for (sa, sb) in a.state.iter().zip(&b.state) {
                assert!(sa[0].equal(&sb[0]));
            }
            let mut bad: HashMap<String, Tensor> = a.state("g.").into_iter().collect();
            bad.remove("g.v.p");
            let e = b.load_state(&bad, "g.", std::path::Path::new("x")).err().unwrap().to_string();
            assert!(e.contains("g.v.p"), "{e}");
        }
    }

    #[test]
    fn clipping_bounds_every_parameter() {
        let vs = nn::VarStore::new(Device::Cpu);
        let p = vs.root().var_copy("p", &Tensor::from_slice(&[0.5f32, -1.0, 0.004]));
        let mut opt = Optimizer::new(&vs, OptimizerConfig::default());
        opt.clip_params(0.01);
        assert_eq!(Vec::<f32>::try_from(&p).unwrap(), vec![0.01, -0.01, 0.004]);
    }
}
