//! Class conditioning after Mirza & Osindero, "Conditional Generative Adversarial Nets"
//! (arXiv:1411.1784, 2014): the generator sees `[z, onehot(y)]`; the discriminator sees the
//! class too, as a one-hot vector appended to the flattened image (MLP) or as `K` constant
//! one-hot maps stacked onto the image's channels (convolutional networks).
//!
//! Networks built with `classes = 0` are unconditional and take no labels.
//!
//! A condition need not be one-hot: a text-conditioned run passes sentence vectors of the same
//! shape `[B, width]`. Two ways of reading one are here besides concatenation: conditioning
//! augmentation ([`CondAugment`]) for generators and projection ([`Projection`]) for
//! discriminators.

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Kind, Tensor};

/// `[B]` integer labels to `[B, classes]` floats on the labels' device.
pub fn one_hot(labels: &Tensor, classes: i64) -> Tensor {
    labels.to_kind(Kind::Int64).one_hot(classes).to_kind(Kind::Float)
}

/// The labels a network needs: present exactly when it was built with classes.
fn labels(y: Option<&Tensor>, classes: i64, batch: i64) -> Option<&Tensor> {
    match (classes, y) {
        (0, None) => None,
        (0, Some(_)) => panic!("labels given to an unconditional network"),
        (k, Some(y)) => {
            assert_eq!(y.size(), [batch, k], "one-hot labels of shape [batch, classes]");
            Some(y)
        }
        (_, None) => panic!("a conditional network needs labels"),
    }
}

/// `[h, y]` along the feature axis (`h` is `[B, F]`).
pub fn append_vector(h: &Tensor, y: Option<&Tensor>, classes: i64) -> Tensor {
    match labels(y, classes, h.size()[0]) {
        None => h.shallow_clone(),
        Some(y) => Tensor::cat(&[h, &y.to_kind(h.kind())], 1),
    }
}

/// `x` (`[B, C, H, W]`) with `classes` one-hot maps stacked onto its channels: map `k` of
/// sample `b` is all ones when `b` has class `k`, else all zeros.
pub fn append_maps(x: &Tensor, y: Option<&Tensor>, classes: i64) -> Tensor {
    let s = x.size();
    match labels(y, classes, s[0]) {
        None => x.shallow_clone(),
        Some(y) => {
            let maps = y.to_kind(x.kind()).view([s[0], classes, 1, 1]).expand([s[0], classes, s[2], s[3]], false);
            Tensor::cat(&[x, &maps], 1)
        }
    }
}

/// Conditioning augmentation's sizes: `[model] augment_condition = { dim = 128, kl_weight = 2.0 }`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CondAugmentConfig {
    /// Width of the sampled condition `c`.
    pub dim: i64,
    /// Weight of its KL term in the generator's loss (StackGAN's `COEFF.KL`).
    pub kl_weight: f64,
}

/// Conditioning augmentation of StackGAN (Zhang et al. 2017, section 3.1;
/// `hanzhanggit/StackGAN-Pytorch`, `code/model.py` `CA_NET` and `code/miscc/utils.py`
/// `KL_loss`): `[mu, logvar] = ReLU(Linear(y))`, `c = mu + exp(logvar / 2) * eps` with
/// `eps ~ N(0, I)`, and the generator's extra loss
/// `kl_weight * -0.5 * mean(1 + logvar - mu^2 - exp(logvar))` (a mean over batch and width,
/// as the reference takes it).
pub struct CondAugment {
    fc: nn::Linear,
    pub config: CondAugmentConfig,
}

impl CondAugment {
    pub fn new(p: &nn::Path, input: i64, config: CondAugmentConfig) -> Self {
        Self { fc: nn::linear(p / "fc", input, 2 * config.dim, Default::default()), config }
    }

    /// `(mu, logvar)`, each `[B, dim]`.
    pub fn moments(&self, y: &Tensor) -> (Tensor, Tensor) {
        let x = self.fc.forward(y).relu();
        (x.narrow(1, 0, self.config.dim), x.narrow(1, self.config.dim, self.config.dim))
    }

    /// A draw of `c` (from libtorch's generator).
    pub fn sample(&self, y: &Tensor) -> Tensor {
        let (mu, logvar) = self.moments(y);
        &mu + (logvar * 0.5).exp() * mu.randn_like()
    }

    /// The weighted KL term of `y`'s moments.
    pub fn kl(&self, y: &Tensor) -> Tensor {
        let (mu, logvar) = self.moments(y);
        kl_to_standard_normal(&mu, &logvar) * self.config.kl_weight
    }
}

/// `-0.5 * mean(1 + logvar - mu^2 - exp(logvar))`: StackGAN's `KL_loss`.
pub fn kl_to_standard_normal(mu: &Tensor, logvar: &Tensor) -> Tensor {
    (logvar + 1.0 - mu.square() - logvar.exp()).mean(Kind::Float) * -0.5
}

/// The projection discriminator's condition term (Miyato & Koyama 2018, "cGANs with
/// Projection Discriminator", eq. 3; `pfnet-research/sngan_projection`): `<V y, phi(x)>`,
/// with `phi(x)` the sum over positions of the last feature maps, added to the unconditional
/// logit.
pub struct Projection {
    embed: nn::Linear,
}

impl Projection {
    pub fn new(p: &nn::Path, condition: i64, features: i64) -> Self {
        Self { embed: nn::linear(p / "embed", condition, features, nn::LinearConfig { bias: false, ..Default::default() }) }
    }

    /// `[B]` terms of features `h` (`[B, F, H, W]`) and conditions `y` (`[B, width]`).
    pub fn term(&self, h: &Tensor, y: &Tensor) -> Tensor {
        let phi = h.sum_dim_intlist([2i64, 3].as_slice(), false, h.kind());
        (self.embed.forward(&y.to_kind(h.kind())) * phi).sum_dim_intlist(1, false, h.kind())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_maps_and_vectors_by_hand() {
        let y = one_hot(&Tensor::from_slice(&[2i64, 0]), 3);
        assert_eq!(Vec::<f32>::try_from(&y.flatten(0, -1)).unwrap(), vec![0., 0., 1., 1., 0., 0.]);
        let h = Tensor::from_slice(&[5f32, 6., 7., 8.]).view([2, 2]);
        let v = append_vector(&h, Some(&y), 3);
        assert_eq!(Vec::<f32>::try_from(&v.flatten(0, -1)).unwrap(), vec![5., 6., 0., 0., 1., 7., 8., 1., 0., 0.]);
        let x = Tensor::full([2, 1, 2, 2], 9.0, (Kind::Float, tch::Device::Cpu));
        let m = append_maps(&x, Some(&y), 3);
        assert_eq!(m.size(), vec![2, 4, 2, 2]);
        // Sample 0 (class 2): channel 0 is the image, channel 3 (= 1 + 2) is all ones.
        assert_eq!(m.get(0).sum_dim_intlist([1i64, 2].as_slice(), false, Kind::Float).iter::<f64>().unwrap().collect::<Vec<_>>(), vec![36., 0., 0., 4.]);
        assert_eq!(m.get(1).sum_dim_intlist([1i64, 2].as_slice(), false, Kind::Float).iter::<f64>().unwrap().collect::<Vec<_>>(), vec![36., 4., 0., 0.]);
        assert!(append_vector(&h, None, 0).equal(&h));
    }

    /// Worked by hand: mu = (1, 0), logvar = (0, ln 2): the elements 1 + 0 - 1 - 1 = -1 and
    /// 1 + ln 2 - 0 - 2 = ln 2 - 1, mean (ln 2 - 2) / 2, times -0.5: (2 - ln 2) / 4.
    #[test]
    fn kl_by_hand() {
        let mu = Tensor::from_slice(&[1f32, 0.]).view([1, 2]);
        let logvar = Tensor::from_slice(&[0f32, 2f32.ln()]).view([1, 2]);
        let kl = kl_to_standard_normal(&mu, &logvar).double_value(&[]);
        let want = (2.0 - 2f64.ln()) / 4.0;
        assert!((kl - want).abs() < 1e-6, "{kl} vs {want}");
        assert!(
            kl_to_standard_normal(&Tensor::zeros([3, 4], (Kind::Float, tch::Device::Cpu)), &Tensor::zeros([3, 4], (Kind::Float, tch::Device::Cpu)))
                .double_value(&[])
                .abs()
                < 1e-12
        );
    }
}
