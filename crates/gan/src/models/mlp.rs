//! The fully connected generator and discriminator of Goodfellow et al., "Generative
//! Adversarial Nets" (NeurIPS 2014), in the form GAN courses teach for MNIST:
//!
//! - G: `z(100) -> 256 -> 512 -> 1024 -> C*H*W`, LeakyReLU(0.2) (or `g_leaky_slope`) after
//!   each hidden layer, tanh output (images in `[-1, 1]`; `g_output = "linear"` for points
//!   of a toy distribution, which are not bounded).
//! - D: `C*H*W -> 1024 -> 512 -> 256 -> 1`, LeakyReLU(0.2) and Dropout(0.3) after each
//!   hidden layer, one logit out (the sigmoid lives in the loss).
//!
//! With `classes = K > 0` both take the class as a one-hot vector appended to their input
//! (see [`super::condition`]).
//!
//! Parameter names match a PyTorch `nn.Sequential` named `net` (`net.0.weight`, ...), and
//! initialisation matches `nn.Linear`'s default, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
//! weights and biases, so checkpoints load into the equivalent PyTorch modules unchanged.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::condition::append_vector;
use super::{Discriminator, Generator, ImageShape};

/// Sizes of the MLP pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpConfig {
    pub latent_dim: i64,
    pub g_hidden: Vec<i64>,
    pub d_hidden: Vec<i64>,
    /// Dropout probability after each hidden layer of D.
    pub d_dropout: f64,
    /// Negative slope of the LeakyReLUs.
    pub leaky_slope: f64,
    /// The generator's own slope, when it differs from `leaky_slope`; 0 gives plain ReLU,
    /// which lets G map whole regions of z onto one point (sharp modes on toy mixtures, as
    /// in the ReLU generators of VEEGAN and PacGAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub g_leaky_slope: Option<f64>,
    /// The generator's output layer.
    #[serde(default)]
    pub g_output: Output,
}

/// What follows the generator's last linear layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Output {
    /// `tanh`: images in `[-1, 1]`.
    #[default]
    Tanh,
    /// Nothing: unbounded values (toy points).
    Linear,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self {
            latent_dim: 100,
            g_hidden: vec![256, 512, 1024],
            d_hidden: vec![1024, 512, 256],
            d_dropout: 0.3,
            leaky_slope: 0.2,
            g_leaky_slope: None,
            g_output: Output::Tanh,
        }
    }
}

impl MlpConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = size_problems(self.latent_dim, [("g_hidden", &self.g_hidden), ("d_hidden", &self.d_hidden)]);
        if !(0.0..1.0).contains(&self.d_dropout) {
            p.push(format!("d_dropout must be in [0, 1), got {}", self.d_dropout));
        }
        for (name, slope) in [("leaky_slope", Some(self.leaky_slope)), ("g_leaky_slope", self.g_leaky_slope)] {
            if let Some(s) = slope.filter(|s| !(0.0..1.0).contains(s)) {
                p.push(format!("{name} must be in [0, 1), got {s}"));
            }
        }
        p
    }

    /// G's layer widths: `z` (with the one-hot class) through the hidden layers to the pixels.
    pub(super) fn g_sizes(&self, image: ImageShape, classes: i64) -> Vec<i64> {
        std::iter::once(self.latent_dim + classes).chain(self.g_hidden.iter().copied()).chain([image.numel()]).collect()
    }

    /// D's layer widths: the pixels (with the one-hot class) through the hidden layers to one score.
    pub(super) fn d_sizes(&self, image: ImageShape, classes: i64) -> Vec<i64> {
        std::iter::once(image.numel() + classes).chain(self.d_hidden.iter().copied()).chain([1]).collect()
    }

    pub fn generator(&self, root: &nn::Path, image: ImageShape, classes: i64) -> MlpGenerator {
        let sizes = self.g_sizes(image, classes);
        // nn.Sequential indices: Linear at 0, 2, 4, ... (each followed by one activation).
        let stack = LinearStack::new(root, &sizes, 2, self.g_leaky_slope.unwrap_or(self.leaky_slope), 0.0);
        MlpGenerator { stack, latent_dim: self.latent_dim, classes, image, output: self.g_output }
    }

    pub fn discriminator(&self, root: &nn::Path, image: ImageShape, classes: i64) -> MlpDiscriminator {
        let sizes = self.d_sizes(image, classes);
        // Linear, LeakyReLU, Dropout per hidden layer: Linear at 0, 3, 6, ...
        let stack = LinearStack::new(root, &sizes, 3, self.leaky_slope, self.d_dropout);
        MlpDiscriminator { stack, classes }
    }
}

/// The problems of a latent size and two stacks' hidden sizes, each named.
pub(super) fn size_problems(latent_dim: i64, hidden: [(&str, &Vec<i64>); 2]) -> Vec<String> {
    let mut p = Vec::new();
    let max = super::size::MAX_WIDTH;
    if !(1..=max).contains(&latent_dim) {
        p.push(format!("latent_dim must be between 1 and {max}, got {latent_dim}"));
    }
    for (name, h) in hidden {
        if h.iter().any(|&s| !(1..=max).contains(&s)) {
            p.push(format!("{name} sizes must be between 1 and {max}, got {h:?}"));
        }
    }
    p
}

/// Linear layers with LeakyReLU (and dropout, when `dropout > 0`) between them, under
/// `net` with PyTorch's `nn.Sequential` indices: Linear at 0, `stride`, 2 `stride`, ...
/// Weights and biases start as PyTorch's `nn.Linear` does, U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
/// The MLP GAN's networks and the VAE's encoder and decoder are such stacks.
pub(super) struct LinearStack {
    pub(super) layers: Vec<nn::Linear>,
    slope: f64,
    dropout: f64,
}

impl LinearStack {
    pub(super) fn new(root: &nn::Path, sizes: &[i64], stride: usize, slope: f64, dropout: f64) -> Self {
        let path = root / "net";
        let layers = sizes
            .windows(2)
            .enumerate()
            .map(|(i, w)| {
                let bound = 1.0 / (w[0] as f64).sqrt();
                let init = nn::Init::Uniform { lo: -bound, up: bound };
                let cfg = nn::LinearConfig { ws_init: init, bs_init: Some(init), bias: true };
                nn::linear(&path / (i * stride), w[0], w[1], cfg)
            })
            .collect();
        Self { layers, slope, dropout }
    }

    /// The last layer's output (no activation after it).
    pub(super) fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let last = self.layers.len() - 1;
        let mut h = x.shallow_clone();
        for (i, l) in self.layers.iter().enumerate() {
            h = l.forward(&h);
            if i < last {
                h = super::leaky_relu(&h, self.slope);
                if self.dropout > 0.0 {
                    h = h.dropout(self.dropout, train);
                }
            }
        }
        h
    }

    /// A second handle on the same weights.
    pub(super) fn share(&self) -> Self {
        let layers = self.layers.iter().map(|l| nn::Linear { ws: l.ws.shallow_clone(), bs: l.bs.as_ref().map(Tensor::shallow_clone) }).collect();
        Self { layers, slope: self.slope, dropout: self.dropout }
    }
}

pub struct MlpGenerator {
    stack: LinearStack,
    latent_dim: i64,
    classes: i64,
    image: ImageShape,
    output: Output,
}

impl Generator for MlpGenerator {
    fn latent_dim(&self) -> i64 {
        self.latent_dim
    }

    fn classes(&self) -> i64 {
        self.classes
    }

    fn forward_t(&self, z: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        let x = self.stack.forward_t(&append_vector(z, y, self.classes), train);
        let x = match self.output {
            Output::Tanh => x.tanh(),
            Output::Linear => x,
        };
        x.view([-1, self.image.channels, self.image.height, self.image.width])
    }
}

pub struct MlpDiscriminator {
    stack: LinearStack,
    classes: i64,
}

impl Discriminator for MlpDiscriminator {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        self.stack.forward_t(&append_vector(&x.flatten(1, -1), y, self.classes), train).view([-1])
    }

    fn per_sample(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::condition::one_hot;
    use tch::{Device, Kind};

    /// `g_leaky_slope = 0`: G's hidden layer is a ReLU, D keeps the 0.2 slope.
    #[test]
    fn generator_slope_is_its_own() {
        let image = ImageShape { channels: 1, height: 1, width: 2 };
        let cfg = MlpConfig {
            latent_dim: 2,
            g_hidden: vec![16],
            d_hidden: vec![16],
            d_dropout: 0.0,
            g_leaky_slope: Some(0.0),
            g_output: Output::Linear,
            ..MlpConfig::default()
        };
        let (gvs, dvs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g = cfg.generator(&gvs.root(), image, 0);
        let d = cfg.discriminator(&dvs.root(), image, 0);
        let v = |vs: &nn::VarStore, n: &str| vs.variables()[n].shallow_clone();
        let z = Tensor::randn([5, 2], (Kind::Float, Device::Cpu));
        let hidden = z.matmul(&v(&gvs, "net.0.weight").tr()) + v(&gvs, "net.0.bias");
        let want = hidden.relu().matmul(&v(&gvs, "net.2.weight").tr()) + v(&gvs, "net.2.bias");
        assert!(g.forward_t(&z, None, false).view([5, 2]).allclose(&want, 1e-6, 1e-6, false));
        let x = Tensor::randn([5, 1, 1, 2], (Kind::Float, Device::Cpu));
        let h = x.view([5, 2]).matmul(&v(&dvs, "net.0.weight").tr()) + v(&dvs, "net.0.bias");
        let leaky = h.maximum(&(&h * 0.2));
        let want = (leaky.matmul(&v(&dvs, "net.3.weight").tr()) + v(&dvs, "net.3.bias")).view([-1]);
        assert!(d.forward_t(&x, None, false).allclose(&want, 1e-6, 1e-6, false));
        let bad = MlpConfig { g_leaky_slope: Some(1.5), ..MlpConfig::default() };
        assert!(bad.problems().join("\n").contains("g_leaky_slope must be in [0, 1), got 1.5"));
    }

    #[test]
    fn conditional_mlp_pair_appends_the_one_hot_class() {
        let image = ImageShape { channels: 1, height: 28, width: 28 };
        let cfg = MlpConfig { d_dropout: 0.0, ..MlpConfig::default() };
        let (gvs, dvs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g = cfg.generator(&gvs.root(), image, 10);
        let d = cfg.discriminator(&dvs.root(), image, 10);
        assert_eq!(gvs.variables()["net.0.weight"].size(), vec![256, 110]);
        assert_eq!(dvs.variables()["net.0.weight"].size(), vec![1024, 794]);
        let z = Tensor::randn([2, 100], (Kind::Float, Device::Cpu));
        let y = one_hot(&Tensor::from_slice(&[1i64, 8]), 10);
        let x = g.forward_t(&z, Some(&y), false);
        assert_eq!(x.size(), vec![2, 1, 28, 28]);
        // By hand: D's first layer sees [pixels, one-hot], so its pre-activation equals
        // W[:, :784] x + W[:, 784 + class] + b.
        let (w, b) = (&dvs.variables()["net.0.weight"], &dvs.variables()["net.0.bias"]);
        let want = x.flatten(1, -1).matmul(&w.narrow(1, 0, 784).tr()) + w.narrow(1, 784, 10).tr().index_select(0, &Tensor::from_slice(&[1i64, 8])) + b;
        let got = d.stack.layers[0].forward(&append_vector(&x.flatten(1, -1), Some(&y), 10));
        assert!((got - want).abs().max().double_value(&[]) < 1e-5);
        assert_eq!(d.forward_t(&x, Some(&y), false).size(), vec![2]);
    }
}
