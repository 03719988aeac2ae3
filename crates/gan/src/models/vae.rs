//! The VAE baseline: Kingma & Welling, "Auto-Encoding Variational Bayes" (ICLR 2014), with
//! MLPs the size of the 2014 GAN's:
//!
//! - encoder: `C*H*W -> 1024 -> 512 -> 256 -> 2 * latent` (mean and log-variance of
//!   q(z|x)), LeakyReLU(0.2) after each hidden layer;
//! - decoder: `latent -> 256 -> 512 -> 1024 -> C*H*W` logits of Bernoulli pixel means
//!   (the generator: images are `2 sigmoid(logits) - 1 = tanh(logits / 2)` in `[-1, 1]`).
//!
//! Training maximises the ELBO, `E_q[log p(x|z)] - KL(q(z|x) || N(0, I))`, with one
//! reparameterised sample `z = mu + exp(logvar / 2) * eps`. The reconstruction term is the
//! binary cross-entropy of pixel intensities in `[0, 1]` (`bce`) or their squared error
//! (`mse`, a Gaussian decoder of fixed unit variance up to constants), summed over pixels;
//! the KL term is closed-form. Both are reported per image.

use serde::{Deserialize, Serialize};
use tch::{nn, Kind, Reduction, Tensor};

use super::mlp::{size_problems, LinearStack};
use super::{Generator, ImageShape};

/// The VAE's reconstruction likelihood.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reconstruction {
    #[default]
    Bce,
    Mse,
}

/// The `[model]` table with `kind = "vae"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaeConfig {
    pub latent_dim: i64,
    pub encoder_hidden: Vec<i64>,
    pub decoder_hidden: Vec<i64>,
    pub leaky_slope: f64,
    #[serde(default)]
    pub reconstruction: Reconstruction,
}

impl Default for VaeConfig {
    fn default() -> Self {
        Self {
            latent_dim: 20,
            encoder_hidden: vec![1024, 512, 256],
            decoder_hidden: vec![256, 512, 1024],
            leaky_slope: 0.2,
            reconstruction: Reconstruction::Bce,
        }
    }
}

impl VaeConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = size_problems(self.latent_dim, [("encoder_hidden", &self.encoder_hidden), ("decoder_hidden", &self.decoder_hidden)]);
        if !(0.0..1.0).contains(&self.leaky_slope) {
            p.push(format!("leaky_slope must be in [0, 1), got {}", self.leaky_slope));
        }
        p
    }

    pub fn decoder(&self, root: &nn::Path, image: ImageShape) -> Decoder {
        let sizes: Vec<i64> = std::iter::once(self.latent_dim).chain(self.decoder_hidden.iter().copied()).chain([image.numel()]).collect();
        Decoder { mlp: LinearStack::new(root, &sizes, 2, self.leaky_slope, 0.0), latent_dim: self.latent_dim, image }
    }

    pub fn encoder(&self, root: &nn::Path, image: ImageShape) -> Encoder {
        let sizes: Vec<i64> = std::iter::once(image.numel()).chain(self.encoder_hidden.iter().copied()).chain([2 * self.latent_dim]).collect();
        Encoder { mlp: LinearStack::new(root, &sizes, 2, self.leaky_slope, 0.0), reconstruction: self.reconstruction }
    }
}

pub struct Decoder {
    mlp: LinearStack,
    latent_dim: i64,
    image: ImageShape,
}

impl Decoder {
    /// A second handle on the same weights.
    pub fn share(&self) -> Decoder {
        Decoder { mlp: self.mlp.share(), latent_dim: self.latent_dim, image: self.image }
    }

    /// Pixel logits `[B, C*H*W]`.
    pub fn logits(&self, z: &Tensor) -> Tensor {
        self.mlp.forward_t(z, false)
    }
}

impl Generator for Decoder {
    fn latent_dim(&self) -> i64 {
        self.latent_dim
    }

    fn classes(&self) -> i64 {
        0
    }

    fn forward_t(&self, z: &Tensor, _y: Option<&Tensor>, _train: bool) -> Tensor {
        (self.logits(z) / 2.0).tanh().view([-1, self.image.channels, self.image.height, self.image.width])
    }
}

pub struct Encoder {
    mlp: LinearStack,
    pub reconstruction: Reconstruction,
}

/// The negative ELBO of a batch and its two parts, each a mean over images.
pub struct ElboTerms {
    pub loss: Tensor,
    pub reconstruction: Tensor,
    pub kl: Tensor,
}

impl Encoder {
    /// Mean and log-variance of q(z|x), each `[B, latent]`.
    pub fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let h = self.mlp.forward_t(&x.flatten(1, -1), false);
        let parts = h.chunk(2, 1);
        (parts[0].shallow_clone(), parts[1].shallow_clone())
    }

    /// The negative ELBO of images `x` in `[-1, 1]` with noise `eps` (`[B, latent]`, N(0, I)).
    pub fn elbo(&self, decoder: &Decoder, x: &Tensor, eps: &Tensor) -> ElboTerms {
        let (mu, logvar) = self.forward(x);
        let z = &mu + (&logvar * 0.5).exp() * eps;
        let logits = decoder.logits(&z);
        let target = (x.flatten(1, -1) + 1.0) / 2.0;
        let n = x.size()[0] as f64;
        let reconstruction = match self.reconstruction {
            Reconstruction::Bce => logits.binary_cross_entropy_with_logits::<Tensor>(&target, None, None, Reduction::Sum) / n,
            Reconstruction::Mse => (logits.sigmoid() - &target).square().sum(Kind::Float) / n,
        };
        let kl = (&logvar + 1.0 - mu.square() - logvar.exp()).sum(Kind::Float) * (-0.5 / n);
        ElboTerms { loss: &reconstruction + &kl, reconstruction, kl }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    #[test]
    fn elbo_terms_by_hand() {
        // One 1x1x1 "image", latent 1, no hidden layers: the encoder is mu = a x + b,
        // logvar = c x + d; the decoder is l = e z + f.
        let cfg = VaeConfig { latent_dim: 1, encoder_hidden: vec![], decoder_hidden: vec![], leaky_slope: 0.2, reconstruction: Reconstruction::Bce };
        let image = ImageShape { channels: 1, height: 1, width: 1 };
        let vs = nn::VarStore::new(Device::Cpu);
        let enc = cfg.encoder(&(vs.root() / "e"), image);
        let dec = cfg.decoder(&(vs.root() / "d"), image);
        let mut v = vs.variables();
        let mut set = |name: &str, values: &[f32]| {
            let t = v.get_mut(name).unwrap();
            let shape = t.size();
            tch::no_grad(|| t.copy_(&Tensor::from_slice(values).view(shape.as_slice())));
        };
        set("e.net.0.weight", &[0.5, -1.0]);
        set("e.net.0.bias", &[0.1, 0.2]);
        set("d.net.0.weight", &[2.0]);
        set("d.net.0.bias", &[-0.3]);
        let x = Tensor::from_slice(&[0.6f32]).view([1, 1, 1, 1]);
        let eps = Tensor::from_slice(&[0.7f32]).view([1, 1]);
        let t = enc.elbo(&dec, &x, &eps);
        // mu = 0.4, logvar = -0.4, z = 0.4 + exp(-0.2) * 0.7, l = 2 z - 0.3, p = 0.8.
        let (mu, logvar) = (0.4f64, -0.4f64);
        let z = mu + (-0.2f64).exp() * 0.7;
        let l = 2.0 * z - 0.3;
        let bce = -(0.8 * (1.0 / (1.0 + (-l).exp())).ln() + 0.2 * (1.0 - 1.0 / (1.0 + (-l).exp())).ln());
        let kl = -0.5 * (1.0 + logvar - mu * mu - logvar.exp());
        assert!((t.reconstruction.double_value(&[]) - bce).abs() < 1e-5);
        assert!((t.kl.double_value(&[]) - kl).abs() < 1e-6);
        assert!((t.loss.double_value(&[]) - bce - kl).abs() < 1e-5);
        // The decoder's images are 2 sigmoid(l) - 1.
        let img = dec.forward_t(&Tensor::from_slice(&[z as f32]).view([1, 1]), None, false);
        assert!((img.double_value(&[0, 0, 0, 0]) - (2.0 / (1.0 + (-l).exp()) - 1.0)).abs() < 1e-5);
    }
}
