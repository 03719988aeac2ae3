//! Generator and discriminator networks, built from a serde-tagged [`ModelConfig`].

pub mod condition;
pub mod dcgan;
pub mod diffaugment;
pub mod ema;
pub mod flops;
pub mod latent;
pub mod mlp;
pub mod norm;
pub mod pack;
pub mod precision;
pub mod progan;
pub mod size;
pub mod stackgan;
pub mod stylegan2;
pub mod translation;
pub mod vae;
pub mod vgg;

use serde::{Deserialize, Serialize};
use tch::{nn, Device, Tensor};

pub use dcgan::DcganConfig;
pub use ema::EmaConfig;
pub use mlp::MlpConfig;
pub use norm::Norm;
pub use vae::VaeConfig;

/// Shape of one image, channels first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub channels: i64,
    pub height: i64,
    pub width: i64,
}

/// `CxHxW`, as error messages show it.
impl std::fmt::Display for ImageShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}x{}x{}", self.channels, self.height, self.width)
    }
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
    /// A term the generator adds to its own loss for conditions `y` (conditioning
    /// augmentation's KL); `None` by default.
    fn regularizer(&self, _y: Option<&Tensor>) -> Option<Tensor> {
        None
    }
    /// The generator as its own type, for a family that trains it through more than
    /// `forward_t` (StyleGAN2's style mixing and path lengths); `None` by default.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

/// Maps images `[B, C, H, W]` (with one-hot classes `y` when conditional) to one logit
/// per image, `[B]`.
pub trait Discriminator: Send {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor;
    /// True when each image's logit depends on that image alone (no batch statistics), so
    /// batches may be concatenated.
    fn per_sample(&self) -> bool;
}

gan_data::kind_tagged! {
    /// The networks of the `[model]` table, chosen by its `kind`.
    #[derive(Debug, Clone, PartialEq)]
    pub enum NetConfig {
        /// Fully connected networks of the 2014 GAN.
        Mlp(MlpConfig),
        /// Convolutional networks of DCGAN (and the WGAN critics built like them).
        Dcgan(DcganConfig),
        /// The VAE baseline: an MLP decoder (the generator) and encoder, trained by the ELBO.
        Vae(VaeConfig),
        /// ProGAN's pair (Karras et al. 2018), trained growing by the ProGAN family.
        Progan(progan::ProganConfig),
        /// StyleGAN2's pair (Karras et al. 2020).
        Stylegan2(stylegan2::Stylegan2Config),
        /// StackGAN's two stages (Zhang et al. 2017), conditioned on text, trained stage by
        /// stage by the StackGAN family.
        Stackgan(stackgan::StackganConfig),
    }
}

/// The `[model]` table: the networks (by `kind`) and the generator's moving average
/// (`ema_half_life`, `ema_rampup`), which any kind may have.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ModelConfig {
    #[serde(flatten)]
    pub net: NetConfig,
    #[serde(flatten)]
    pub ema: EmaConfig,
}

impl<'de> Deserialize<'de> for ModelConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error;
        let mut table = toml::Table::deserialize(d)?;
        let ema = EmaConfig::take_from(&mut table).map_err(D::Error::custom)?;
        let net = NetConfig::deserialize(toml::Value::Table(table)).map_err(D::Error::custom)?;
        Ok(Self { net, ema })
    }
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig::Mlp(MlpConfig::default())
    }
}

impl From<MlpConfig> for ModelConfig {
    fn from(c: MlpConfig) -> Self {
        Self { net: NetConfig::Mlp(c), ema: EmaConfig::default() }
    }
}

impl From<DcganConfig> for ModelConfig {
    fn from(c: DcganConfig) -> Self {
        Self { net: NetConfig::Dcgan(c), ema: EmaConfig::default() }
    }
}

impl From<VaeConfig> for ModelConfig {
    fn from(c: VaeConfig) -> Self {
        Self { net: NetConfig::Vae(c), ema: EmaConfig::default() }
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
    /// The same networks with their forward passes under bf16 autocast (see [`precision`]).
    pub fn in_bf16(self, device: Device) -> Self {
        let Nets { g_vs, d_vs, g, partner } = self;
        let g: Box<dyn Generator> = Box::new(precision::Bf16Generator { inner: g, device });
        let partner = match partner {
            Partner::Discriminator(d) => Partner::Discriminator(Box::new(precision::Bf16Discriminator { inner: d, device })),
            other => other,
        };
        Nets { g_vs, d_vs, g, partner }
    }

    pub fn discriminator(&self) -> Option<&dyn Discriminator> {
        match &self.partner {
            Partner::Discriminator(d) => Some(d.as_ref()),
            Partner::Encoder(..) => None,
        }
    }
}

impl ModelConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = match &self.net {
            NetConfig::Mlp(c) => c.problems(),
            NetConfig::Dcgan(c) => c.problems(),
            NetConfig::Vae(c) => c.problems(),
            NetConfig::Progan(c) => c.problems(),
            NetConfig::Stylegan2(c) => c.problems(),
            NetConfig::Stackgan(c) => c.problems(),
        };
        p.extend(self.ema.problems());
        p
    }

    /// Whether these networks can take images of this shape.
    pub fn check_image(&self, image: ImageShape) -> std::result::Result<(), String> {
        match self.net {
            NetConfig::Dcgan(_) => drop(dcgan::geometry(image)?),
            NetConfig::Progan(_) => drop(progan::Levels::of(image)?),
            NetConfig::Stylegan2(_) => drop(stylegan2::log2_of(image)?),
            NetConfig::Stackgan(_) => drop(stackgan::stage1_doublings(image)?),
            NetConfig::Mlp(_) | NetConfig::Vae(_) => {}
        }
        size::too_large(&self.net, image).map_or(Ok(()), Err)
    }

    /// True when the discriminator normalises over the batch (BatchNorm), so that one
    /// sample's score depends on the others.
    pub fn d_mixes_batch(&self) -> bool {
        matches!(&self.net, NetConfig::Dcgan(c) if c.d_norm == Norm::Batch) || matches!(self.net, NetConfig::Stackgan(_))
    }

    /// `gan` for adversarial pairs, `vae` for the VAE baseline, `progan` for the growing pair,
    /// `stylegan2` for StyleGAN2's, `stackgan` for StackGAN's stages.
    pub fn family(&self) -> &'static str {
        match self.net {
            NetConfig::Vae(_) => "vae",
            NetConfig::Mlp(_) | NetConfig::Dcgan(_) => "gan",
            NetConfig::Stylegan2(_) => "stylegan2",
            NetConfig::Progan(_) => "progan",
            NetConfig::Stackgan(_) => "stackgan",
        }
    }

    pub fn latent_dim(&self) -> i64 {
        match &self.net {
            NetConfig::Mlp(c) => c.latent_dim,
            NetConfig::Dcgan(c) => c.latent_dim,
            NetConfig::Vae(c) => c.latent_dim,
            NetConfig::Progan(c) => c.latent_dim,
            NetConfig::Stylegan2(c) => c.latent_dim,
            NetConfig::Stackgan(c) => c.latent_dim,
        }
    }

    /// Builds the generator alone (for sampling), conditioned on `classes` classes (0:
    /// unconditional), weights initialised from the current libtorch seed.
    pub fn build_generator(&self, vs: &nn::VarStore, image: ImageShape, classes: i64) -> Box<dyn Generator> {
        let g: Box<dyn Generator> = match &self.net {
            NetConfig::Mlp(c) => Box::new(c.generator(&vs.root(), image, classes)),
            NetConfig::Dcgan(c) => Box::new(c.generator(&vs.root(), image, classes)),
            NetConfig::Vae(c) => Box::new(c.decoder(&vs.root(), image)),
            NetConfig::Progan(c) => Box::new(c.generator(&vs.root(), image)),
            NetConfig::Stylegan2(c) => Box::new(c.generator(&vs.root(), image)),
            NetConfig::Stackgan(c) => Box::new(c.generator(&vs.root(), image, classes)),
        };
        relayout(vs);
        g
    }

    /// The discriminator of an adversarial pair (`None` for the VAE).
    pub fn build_discriminator(&self, vs: &nn::VarStore, image: ImageShape, classes: i64) -> Option<Box<dyn Discriminator>> {
        match &self.net {
            NetConfig::Mlp(c) => Some(Box::new(c.discriminator(&vs.root(), image, classes))),
            NetConfig::Dcgan(c) => Some(Box::new(c.discriminator(&vs.root(), image, classes))),
            NetConfig::Progan(c) => Some(Box::new(c.discriminator(&vs.root(), image))),
            NetConfig::Stylegan2(c) => Some(Box::new(c.discriminator(&vs.root(), image))),
            NetConfig::Stackgan(c) => Some(Box::new(c.discriminator(&vs.root(), image, classes))),
            NetConfig::Vae(_) => None,
        }
    }

    /// Builds both networks on `device`: generator first, then discriminator, so that a
    /// seed fixes both. With `pack = m > 1` the discriminator judges packs of `m` samples
    /// (PacGAN, see [`pack`]).
    pub fn build(&self, image: ImageShape, classes: i64, pack: i64, device: Device) -> Nets {
        let g_vs = nn::VarStore::new(device);
        let d_vs = nn::VarStore::new(device);
        if let NetConfig::Vae(c) = &self.net {
            // The generator and the ELBO's decoder share one set of weights.
            let decoder = c.decoder(&g_vs.root(), image);
            let g = Box::new(decoder.share());
            relayout(&g_vs);
            relayout(&d_vs);
            return Nets { g, partner: Partner::Encoder(c.encoder(&d_vs.root(), image), decoder), g_vs, d_vs };
        }
        let g = self.build_generator(&g_vs, image, classes);
        let wide = ImageShape { channels: image.channels * pack.max(1), ..image };
        let inner = self.build_discriminator(&d_vs, wide, classes).expect("adversarial pair");
        relayout(&d_vs);
        let d: Box<dyn Discriminator> = if pack > 1 { Box::new(pack::Packed { inner, m: pack }) } else { inner };
        Nets { g_vs, d_vs, g, partner: Partner::Discriminator(d) }
    }
}

/// Lays the 4-d weights (convolution kernels) of `vs` out in the process's memory format
/// (see [`crate::device::MemoryFormatChoice`]), before anything (an optimiser's moments, a
/// moving average) copies their layout.
fn relayout(vs: &nn::VarStore) {
    let format = crate::device::MemoryFormatChoice::for_process().format();
    if format == gan_shim::MemoryFormat::Contiguous {
        return;
    }
    for t in vs.trainable_variables().iter().filter(|t| t.dim() == 4) {
        gan_shim::set_memory_format(t, format).expect("a 4-d weight takes either layout");
    }
}

/// LeakyReLU with slope `slope`, in the input's precision (through the shim: tch 0.24 only
/// has the default slope, and its stand-in, `prelu` with a constant weight, costs a reduction
/// for the weight's gradient on every backward pass).
pub(crate) fn leaky_relu(x: &Tensor, slope: f64) -> Tensor {
    gan_shim::leaky_relu(x, slope).expect("leaky_relu of a float tensor")
}

/// Number of scalar parameters in a variable store.
pub fn param_count(vs: &nn::VarStore) -> i64 {
    vs.trainable_variables().iter().map(|t| t.numel() as i64).sum()
}
