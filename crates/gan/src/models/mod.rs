//! Generator and discriminator networks, built from a serde-tagged [`ModelConfig`].

pub mod condition;
pub mod dcgan;
pub mod mlp;
pub mod pack;
pub mod vae;

use serde::{Deserialize, Serialize};
use tch::{nn, Device, Tensor};

pub use dcgan::{DcganConfig, Norm};
pub use mlp::MlpConfig;
pub use vae::VaeConfig;

/// Shape of one image, channels first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub channels: i64,
    pub height: i64,
    pub width: i64,
}

impl ImageShape {
    pub fn numel(&self) -> i64 {
        self.channels * self.height * self.width
    }
}

/// Maps a latent batch `[B, latent_dim]` to images `[B, C, H, W]` in `[-1, 1]`.
pub trait Generator: Send {
    fn latent_dim(&self) -> i64;
    /// Number of classes it is conditioned on; 0 for an unconditional generator.
    fn classes(&self) -> i64;
    /// `y`: one-hot classes `[B, classes]`, exactly when the generator is conditional.
    /// `train` selects batch statistics (and updates running ones) in BatchNorm layers;
    /// sampling uses `false`.
    fn forward_t(&self, z: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor;
}

/// Maps images `[B, C, H, W]` (with one-hot classes `y` when conditional) to one logit
/// per image, `[B]`.
pub trait Discriminator: Send {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor;
    /// True when each image's logit depends on that image alone (no batch statistics), so
    /// batches may be concatenated.
    fn per_sample(&self) -> bool;
}

/// The `[model]` table.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModelConfig {
    /// Fully connected networks of the 2014 GAN.
    Mlp(MlpConfig),
    /// Convolutional networks of DCGAN (and the WGAN critics built like them).
    Dcgan(DcganConfig),
    /// The VAE baseline: an MLP decoder (the generator) and encoder, trained by the ELBO.
    Vae(VaeConfig),
}

impl<'de> Deserialize<'de> for ModelConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        crate::tagged::deserialize_tagged(d, &["mlp", "dcgan", "vae"], |kind, v| {
            Ok(match kind {
                "mlp" => ModelConfig::Mlp(v.try_into()?),
                "vae" => ModelConfig::Vae(v.try_into()?),
                _ => ModelConfig::Dcgan(v.try_into()?),
            })
        })
    }
}

impl Default for ModelConfig {
    fn default() -> Self {
        ModelConfig::Mlp(MlpConfig::default())
    }
}

/// What trains the generator: a discriminator (GANs) or an encoder (the VAE).
pub enum Partner {
    Discriminator(Box<dyn Discriminator>),
    Encoder(vae::Encoder, vae::Decoder),
}

/// A generator and its partner with the variable stores that own their weights (`d_vs`
/// holds the discriminator's, or the VAE encoder's).
pub struct Nets {
    pub g_vs: nn::VarStore,
    pub d_vs: nn::VarStore,
    pub g: Box<dyn Generator>,
    pub partner: Partner,
}

impl Nets {
    pub fn discriminator(&self) -> Option<&dyn Discriminator> {
        match &self.partner {
            Partner::Discriminator(d) => Some(d.as_ref()),
            Partner::Encoder(..) => None,
        }
    }
}

impl ModelConfig {
    pub fn problems(&self) -> Vec<String> {
        match self {
            ModelConfig::Mlp(c) => c.problems(),
            ModelConfig::Dcgan(c) => c.problems(),
            ModelConfig::Vae(c) => c.problems(),
        }
    }

    /// Whether these networks can take images of this shape.
    pub fn check_image(&self, image: ImageShape) -> std::result::Result<(), String> {
        match self {
            ModelConfig::Mlp(_) | ModelConfig::Vae(_) => Ok(()),
            ModelConfig::Dcgan(_) => dcgan::geometry(image).map(|_| ()),
        }
    }

    /// True when the discriminator normalises over the batch (BatchNorm), so that one
    /// sample's score depends on the others.
    pub fn d_mixes_batch(&self) -> bool {
        matches!(self, ModelConfig::Dcgan(c) if c.d_norm == Norm::Batch)
    }

    /// `gan` for adversarial pairs, `vae` for the VAE baseline.
    pub fn family(&self) -> &'static str {
        match self {
            ModelConfig::Vae(_) => "vae",
            _ => "gan",
        }
    }

    pub fn latent_dim(&self) -> i64 {
        match self {
            ModelConfig::Mlp(c) => c.latent_dim,
            ModelConfig::Dcgan(c) => c.latent_dim,
            ModelConfig::Vae(c) => c.latent_dim,
        }
    }

    /// Builds the generator alone (for sampling), conditioned on `classes` classes (0:
    /// unconditional), weights initialised from the current libtorch seed.
    pub fn build_generator(&self, vs: &nn::VarStore, image: ImageShape, classes: i64) -> Box<dyn Generator> {
        match self {
            ModelConfig::Mlp(c) => Box::new(c.generator(&vs.root(), image, classes)),
            ModelConfig::Dcgan(c) => Box::new(c.generator(&vs.root(), image, classes)),
            ModelConfig::Vae(c) => Box::new(c.decoder(&vs.root(), image)),
        }
    }

    /// The discriminator of an adversarial pair (`None` for the VAE).
    pub fn build_discriminator(&self, vs: &nn::VarStore, image: ImageShape, classes: i64) -> Option<Box<dyn Discriminator>> {
        match self {
            ModelConfig::Mlp(c) => Some(Box::new(c.discriminator(&vs.root(), image, classes))),
            ModelConfig::Dcgan(c) => Some(Box::new(c.discriminator(&vs.root(), image, classes))),
            ModelConfig::Vae(_) => None,
        }
    }

    /// Builds both networks on `device`: generator first, then discriminator, so that a
    /// seed fixes both. With `pack = m > 1` the discriminator judges packs of `m` samples
    /// (PacGAN, see [`pack`]).
    pub fn build(&self, image: ImageShape, classes: i64, pack: i64, device: Device) -> Nets {
        let g_vs = nn::VarStore::new(device);
        let d_vs = nn::VarStore::new(device);
        if let ModelConfig::Vae(c) = self {
            // The generator and the ELBO's decoder share one set of weights.
            let decoder = c.decoder(&g_vs.root(), image);
            let g = Box::new(decoder.share());
            return Nets { g, partner: Partner::Encoder(c.encoder(&d_vs.root(), image), decoder), g_vs, d_vs };
        }
        let g = self.build_generator(&g_vs, image, classes);
        let wide = ImageShape { channels: image.channels * pack.max(1), ..image };
        let inner = self.build_discriminator(&d_vs, wide, classes).expect("adversarial pair");
        let d: Box<dyn Discriminator> = if pack > 1 { Box::new(pack::Packed { inner, m: pack }) } else { inner };
        Nets { g_vs, d_vs, g, partner: Partner::Discriminator(d) }
    }
}

/// LeakyReLU with slope `slope` (a one-element tensor: tch has no `leaky_relu` with a slope
/// argument, so it is `prelu` with a constant weight), in the input's precision.
fn leaky_relu(x: &Tensor, slope: &Tensor) -> Tensor {
    if slope.kind() == x.kind() {
        x.prelu(slope)
    } else {
        x.prelu(&slope.to_kind(x.kind()))
    }
}

/// Number of scalar parameters in a variable store.
pub fn param_count(vs: &nn::VarStore) -> i64 {
    vs.trainable_variables().iter().map(|t| t.numel() as i64).sum()
}
