//! Convolutional GANs after Radford et al., "Unsupervised Representation Learning with Deep
//! Convolutional Generative Adversarial Networks" (ICLR 2016): strided convolutions in D,
//! transposed convolutions in G, BatchNorm in both but not on G's output or D's input, ReLU in
//! G with a tanh output, LeakyReLU(0.2) in D, weights from N(0, 0.02).
//!
//! The pair adapts to square images of `b * 2^n` pixels with `b` = 4 (32, 64, 128, ...) or
//! `b` = 7 (28 for MNIST): G maps `z` through `ConvTranspose2d(z, g_base * 2^(n-1), b, 1, 0)`
//! and `n` stages of `ConvTranspose2d(4, 2, 1)` halving the channels down to `g_base`, then to
//! the image's channels; D mirrors it with `n` stages of `Conv2d(4, 2, 1)` from `d_base`
//! channels doubling, then `Conv2d(d_base * 2^(n-1), 1, b, 1, 0)` to one score (no sigmoid).
//!
//! The critic's normalisation is configurable, since a gradient penalty (Gulrajani et al.
//! 2017) needs a per-sample critic: `batch` (DCGAN, WGAN with clipping), `instance`
//! (`InstanceNorm2d` without affine parameters), `layer` or `none`. With `g_base` 32,
//! `d_base` 16, `instance` norm including D's first layer and z of 200, the 128x128 pair is
//! exactly the WGAN-GP face generator and critic of the seed course.
//!
//! With `classes = K > 0`, G's input is `[z, onehot(y)]` and D's input has `K` one-hot maps
//! stacked onto the image's channels (see [`super::condition`]). The condition may instead
//! pass through conditioning augmentation into G (`augment_condition`, StackGAN) and be read
//! by projection in D (`projection`, Miyato & Koyama 2018): what text-conditioned runs use.
//!
//! Layers are indexed like a PyTorch `nn.Sequential` named `net` (one index per module,
//! activations included), so weights load into the equivalent PyTorch modules unchanged.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::condition::{append_maps, append_vector, CondAugment, CondAugmentConfig, Projection};
use super::norm::{bn_config, conv, conv_t, Norm, NormLayer};
use super::{Discriminator, Generator, ImageShape};

/// Sizes and options of the convolutional pair.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DcganConfig {
    pub latent_dim: i64,
    /// Channels of G's last hidden layer (`ngf`); the first has `g_base * 2^(n-1)`.
    pub g_base: i64,
    /// Channels of D's first layer (`ndf`).
    pub d_base: i64,
    pub d_norm: Norm,
    /// Normalise D's first layer too (the DCGAN guideline says no; the seed's critic does).
    #[serde(default)]
    pub d_norm_first: bool,
    /// Negative slope of D's LeakyReLUs.
    #[serde(default = "default_slope")]
    pub leaky_slope: f64,
    /// A conditional G samples its condition by conditioning augmentation (StackGAN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub augment_condition: Option<CondAugmentConfig>,
    /// A conditional D reads its condition by projection instead of stacked maps.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub projection: bool,
}

fn default_slope() -> f64 {
    0.2
}

impl Default for DcganConfig {
    fn default() -> Self {
        Self { latent_dim: 100, g_base: 64, d_base: 64, d_norm: Norm::Batch, d_norm_first: false, leaky_slope: 0.2, augment_condition: None, projection: false }
    }
}

/// `(b, n)` with `size = b * 2^n`, `b` in {4, 7}, `n >= 1`.
pub fn geometry(image: ImageShape) -> Result<(i64, u32), String> {
    let s = image.height;
    let fits = |b: i64| s % b == 0 && s / b >= 2 && (s / b) & (s / b - 1) == 0;
    if image.width != s {
        return Err(format!("dcgan models need square images, got {}x{}", image.height, image.width));
    }
    let b = if fits(4) {
        4
    } else if fits(7) {
        7
    } else {
        return Err(format!("dcgan models need images of 4*2^n or 7*2^n pixels (28, 32, 64, 128, ...), got {s}x{s}"));
    };
    Ok((b, (s / b).trailing_zeros()))
}

impl DcganConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        use super::size::{MAX_CHANNELS, MAX_WIDTH};
        for (name, v, max) in [("latent_dim", self.latent_dim, MAX_WIDTH), ("g_base", self.g_base, MAX_CHANNELS), ("d_base", self.d_base, MAX_CHANNELS)] {
            if !(1..=max).contains(&v) {
                p.push(format!("{name} must be between 1 and {max}, got {v}"));
            }
        }
        if !(0.0..1.0).contains(&self.leaky_slope) {
            p.push(format!("leaky_slope must be in [0, 1), got {}", self.leaky_slope));
        }
        if let Some(ca) = self.augment_condition {
            if !((1..=MAX_WIDTH).contains(&ca.dim) && ca.kl_weight >= 0.0 && ca.kl_weight.is_finite()) {
                p.push(format!("augment_condition needs dim between 1 and {MAX_WIDTH} and a finite kl_weight >= 0, got {} and {}", ca.dim, ca.kl_weight));
            }
        }
        if self.d_norm_first && self.d_norm == Norm::None {
            p.push("d_norm_first needs a d_norm other than \"none\"".into());
        }
        p
    }

    pub fn generator(&self, root: &nn::Path, image: ImageShape, classes: i64) -> DcganGenerator {
        let (b, n) = geometry(image).expect("image checked before building");
        let net = root / "net";
        let mut idx = 0;
        let mut layers = Vec::new();
        let augment = self.augment_condition.filter(|_| classes > 0).map(|c| CondAugment::new(&(root / "ca"), classes, c));
        let width = augment.as_ref().map_or(classes, |a| a.config.dim);
        let mut cin = self.latent_dim + width;
        for stage in 0..=n {
            let last = stage == n;
            let cout = if last { image.channels } else { self.g_base << (n - 1 - stage) };
            let (k, s, pad) = if stage == 0 { (b, 1, 0) } else { (4, 2, 1) };
            layers.push(Layer::ConvT(conv_t(&net / idx, cin, cout, k, (s, pad, 0), last)));
            idx += 1;
            if last {
                layers.push(Layer::Tanh);
            } else {
                layers.push(Layer::Norm(NormLayer::Batch(nn::batch_norm2d(&net / idx, cout, bn_config()))));
                layers.push(Layer::Relu);
                idx += 2;
            }
            cin = cout;
        }
        DcganGenerator { layers, latent_dim: self.latent_dim, classes, augment }
    }

    pub fn discriminator(&self, root: &nn::Path, image: ImageShape, classes: i64) -> DcganDiscriminator {
        let (b, n) = geometry(image).expect("image checked before building");
        let net = root / "net";
        let mut idx = 0;
        let mut layers = Vec::new();
        let projected = self.projection && classes > 0;
        let (mut cin, mut size) = (image.channels + if projected { 0 } else { classes }, image.height);
        for stage in 0..n {
            let cout = self.d_base << stage;
            size /= 2;
            let norm = if stage == 0 && !self.d_norm_first { Norm::None } else { self.d_norm };
            layers.push(Layer::Conv(conv(&net / idx, cin, cout, 4, 2, 1, norm == Norm::None)));
            idx += 1;
            if let Some(l) = NormLayer::new(norm, &net / idx, cout, size) {
                layers.push(Layer::Norm(l));
                idx += 1;
            }
            layers.push(Layer::Leaky(self.leaky_slope));
            idx += 1;
            cin = cout;
        }
        layers.push(Layer::Conv(conv(&net / idx, cin, 1, b, 1, 0, true)));
        let projection = projected.then(|| Projection::new(&(root / "projection"), classes, cin));
        DcganDiscriminator { layers, per_sample: self.d_norm != Norm::Batch, classes, projection }
    }
}

enum Layer {
    Conv(nn::Conv2D),
    ConvT(nn::ConvTranspose2D),
    Norm(NormLayer),
    Relu,
    Leaky(f64),
    Tanh,
}

impl Layer {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        match self {
            Layer::Conv(c) => c.forward(x),
            Layer::ConvT(c) => c.forward(x),
            Layer::Norm(n) => n.forward_t(x, train),
            Layer::Relu => x.relu(),
            Layer::Leaky(slope) => super::leaky_relu(x, *slope),
            Layer::Tanh => x.tanh(),
        }
    }
}

fn run(layers: &[Layer], x: Tensor, train: bool) -> Tensor {
    layers.iter().fold(x, |h, l| l.forward_t(&h, train))
}

pub struct DcganGenerator {
    layers: Vec<Layer>,
    latent_dim: i64,
    classes: i64,
    augment: Option<CondAugment>,
}

impl Generator for DcganGenerator {
    fn latent_dim(&self) -> i64 {
        self.latent_dim
    }

    fn classes(&self) -> i64 {
        self.classes
    }

    fn forward_t(&self, z: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        let input = match (&self.augment, y) {
            (Some(a), Some(y)) => Tensor::cat(&[z.shallow_clone(), a.sample(y).to_kind(z.kind())], 1),
            _ => append_vector(z, y, self.classes),
        };
        let width = input.size()[1];
        run(&self.layers, input.view([-1, width, 1, 1]), train)
    }

    fn regularizer(&self, y: Option<&Tensor>) -> Option<Tensor> {
        Some(self.augment.as_ref()?.kl(y?))
    }
}

pub struct DcganDiscriminator {
    layers: Vec<Layer>,
    per_sample: bool,
    classes: i64,
    projection: Option<Projection>,
}

impl Discriminator for DcganDiscriminator {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        let (Some(p), Some(y)) = (&self.projection, y) else {
            return run(&self.layers, append_maps(x, y, self.classes), train).view([-1]);
        };
        let (body, last) = self.layers.split_at(self.layers.len() - 1);
        let h = run(body, x.shallow_clone(), train);
        last[0].forward_t(&h, train).view([-1]) + p.term(&h, y)
    }

    fn per_sample(&self) -> bool {
        self.per_sample
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn shape(c: i64, s: i64) -> ImageShape {
        ImageShape { channels: c, height: s, width: s }
    }

    #[test]
    fn geometry_of_supported_sizes() {
        assert_eq!(geometry(shape(1, 28)), Ok((7, 2)));
        assert_eq!(geometry(shape(3, 32)), Ok((4, 3)));
        assert_eq!(geometry(shape(3, 64)), Ok((4, 4)));
        assert_eq!(geometry(shape(3, 128)), Ok((4, 5)));
        assert!(geometry(shape(3, 30)).unwrap_err().contains("30x30"));
        assert!(geometry(ImageShape { channels: 3, height: 64, width: 32 }).unwrap_err().contains("square"));
    }

    /// The seed's 128x128 pair: parameter shapes in `nn.Sequential` order.
    #[test]
    fn faces128_pair_matches_the_seed_layout() {
        let cfg =
            DcganConfig { latent_dim: 200, g_base: 32, d_base: 16, d_norm: Norm::Instance, d_norm_first: true, leaky_slope: 0.2, ..DcganConfig::default() };
        let (gvs, dvs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g = cfg.generator(&gvs.root(), shape(3, 128), 0);
        let d = cfg.discriminator(&dvs.root(), shape(3, 128), 0);
        let shapes = |vs: &nn::VarStore| {
            let mut v: Vec<(String, Vec<i64>)> = vs.variables().into_iter().filter(|(n, _)| n.ends_with("weight")).map(|(n, t)| (n, t.size())).collect();
            v.sort_by_key(|(n, _)| n.split('.').nth(1).unwrap().parse::<u32>().unwrap());
            v
        };
        let g_convs: Vec<Vec<i64>> = shapes(&gvs).into_iter().filter(|(_, s)| s.len() == 4).map(|(_, s)| s).collect();
        assert_eq!(g_convs, vec![vec![200, 512, 4, 4], vec![512, 256, 4, 4], vec![256, 128, 4, 4], vec![128, 64, 4, 4], vec![64, 32, 4, 4], vec![32, 3, 4, 4]]);
        let d_convs: Vec<(String, Vec<i64>)> = shapes(&dvs);
        let want = [
            ("net.0.weight", vec![16, 3, 4, 4]),
            ("net.3.weight", vec![32, 16, 4, 4]),
            ("net.6.weight", vec![64, 32, 4, 4]),
            ("net.9.weight", vec![128, 64, 4, 4]),
            ("net.12.weight", vec![256, 128, 4, 4]),
            ("net.15.weight", vec![1, 256, 4, 4]),
        ];
        assert_eq!(d_convs, want.iter().map(|(n, s)| (n.to_string(), s.clone())).collect::<Vec<_>>());
        let z = Tensor::randn([2, 200], (tch::Kind::Float, Device::Cpu));
        let x = g.forward_t(&z, None, true);
        assert_eq!(x.size(), vec![2, 3, 128, 128]);
        assert!(x.abs().max().double_value(&[]) <= 1.0);
        assert_eq!(d.forward_t(&x, None, true).size(), vec![2]);
        assert!(d.per_sample());
    }

    #[test]
    fn mnist_pair_shapes_and_batch_norm_placement() {
        let cfg = DcganConfig::default();
        let (gvs, dvs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g = cfg.generator(&gvs.root(), shape(1, 28), 0);
        let d = cfg.discriminator(&dvs.root(), shape(1, 28), 0);
        let x = g.forward_t(&Tensor::randn([3, 100], (tch::Kind::Float, Device::Cpu)), None, true);
        assert_eq!(x.size(), vec![3, 1, 28, 28]);
        assert_eq!(d.forward_t(&x, None, true).size(), vec![3]);
        assert!(!d.per_sample());
        let names: Vec<String> = dvs.variables().into_keys().collect();
        // No norm on D's input layer (it has a bias instead); BatchNorm after the second conv.
        assert!(names.contains(&"net.0.bias".to_string()) && !names.iter().any(|n| n.starts_with("net.1.")));
        assert!(names.contains(&"net.3.running_var".to_string()));
        let gnames: Vec<String> = gvs.variables().into_keys().collect();
        // G's output layer has no BatchNorm after it: the last index is the ConvTranspose.
        assert!(gnames.contains(&"net.6.weight".to_string()) && !gnames.iter().any(|n| n.starts_with("net.7.")));
    }

    /// Conditional pair: z gets 10 one-hot inputs, D's first conv 10 extra maps; a sample's
    /// output depends on its own class only.
    #[test]
    fn conditional_pair_reads_the_class() {
        use crate::models::condition::one_hot;
        let cfg = DcganConfig::default();
        let (gvs, dvs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
        let g = cfg.generator(&gvs.root(), shape(1, 28), 10);
        let d = cfg.discriminator(&dvs.root(), shape(1, 28), 10);
        assert_eq!(gvs.variables()["net.0.weight"].size(), vec![110, 128, 7, 7]);
        assert_eq!(dvs.variables()["net.0.weight"].size(), vec![64, 11, 4, 4]);
        assert_eq!(g.classes(), 10);
        let z = Tensor::randn([2, 100], (tch::Kind::Float, Device::Cpu));
        let (ya, yb) = (one_hot(&Tensor::from_slice(&[3i64, 3]), 10), one_hot(&Tensor::from_slice(&[3i64, 7]), 10));
        let (xa, xb) = (g.forward_t(&z, Some(&ya), false), g.forward_t(&z, Some(&yb), false));
        let diff = |a: &Tensor, b: &Tensor, i: i64| (a.get(i) - b.get(i)).abs().max().double_value(&[]);
        assert_eq!(diff(&xa, &xb, 0), 0.0);
        assert!(diff(&xa, &xb, 1) > 1e-4);
        let (da, db) = (d.forward_t(&xa, Some(&ya), false), d.forward_t(&xa, Some(&yb), false));
        assert_eq!(diff(&da, &db, 0), 0.0);
        assert!(diff(&da, &db, 1) > 1e-6);
    }

    #[test]
    fn layer_norm_critic_is_per_sample_with_pytorch_shapes() {
        let cfg = DcganConfig { d_norm: Norm::Layer, d_base: 8, ..DcganConfig::default() };
        let dvs = nn::VarStore::new(Device::Cpu);
        let d = cfg.discriminator(&dvs.root(), shape(3, 32), 0);
        assert!(d.per_sample());
        let vars = dvs.variables();
        // Conv 0, LeakyReLU 1, Conv 2, LayerNorm([16, 8, 8]) 3: nn.LayerNorm's parameters.
        assert_eq!(vars["net.3.weight"].size(), vec![16, 8, 8]);
        let x = Tensor::randn([4, 3, 32, 32], (tch::Kind::Float, Device::Cpu));
        let all = d.forward_t(&x, None, true);
        // Per sample: scoring one image alone gives its score within the batch.
        let one = d.forward_t(&x.narrow(0, 2, 1), None, true);
        assert!((all.double_value(&[2]) - one.double_value(&[0])).abs() < 1e-5);
    }
}
