//! Loading a trained generator from a run directory and drawing samples from it.

use std::path::{Path, PathBuf};

use tch::{nn, Device, Kind, Tensor};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::condition::one_hot;
use crate::models::{Generator, ImageShape};
use crate::run::checkpoint::{self, CheckpointChoice, GENERATOR_EMA_FILE, GENERATOR_FILE};
use crate::run::dir::RunDir;
use gan_data::vocab::Vocabulary;

/// Latents a generator runs at once in [`TrainedGenerator::generate`].
pub const GENERATE_CHUNK: i64 = 1024;

/// Which of a run's generators to load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WeightsChoice {
    /// The moving average when the run keeps one, else the trained weights.
    #[default]
    Best,
    /// The trained weights, even when the run keeps a moving average.
    Raw,
}

impl WeightsChoice {
    /// `--raw` given or not.
    pub fn raw_if(raw: bool) -> Self {
        if raw {
            WeightsChoice::Raw
        } else {
            WeightsChoice::Best
        }
    }

    /// The weights this choice loads from a run whose generator average is `ema`.
    pub fn weights(self, ema: &crate::models::EmaConfig) -> Weights {
        match self {
            WeightsChoice::Best if ema.enabled() => Weights::Ema,
            _ => Weights::Raw,
        }
    }
}

/// Which weights a loaded generator has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weights {
    /// The trained generator's own weights.
    #[default]
    Raw,
    /// The exponential moving average of them (`generator_ema.safetensors`).
    Ema,
}

impl Weights {
    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    /// The checkpoint file that holds these weights.
    pub fn file(self) -> &'static str {
        match self {
            Weights::Raw => GENERATOR_FILE,
            Weights::Ema => GENERATOR_EMA_FILE,
        }
    }
}

/// A generator restored from a checkpoint of a run (normally the newest).
pub struct TrainedGenerator {
    pub config: TrainConfig,
    pub image: ImageShape,
    /// Classes of a conditional generator; 0 when unconditional.
    pub classes: i64,
    pub step: u64,
    pub checkpoint: PathBuf,
    /// The moving average or the trained weights.
    pub weights: Weights,
    _vs: nn::VarStore,
    g: Box<dyn Generator>,
    device: Device,
    /// A text run's captions' conditions `[K, E]` (the sentence vectors its checkpoints keep
    /// as [`TEXT_CAPTIONS`]), or why they could not be read.
    text: Option<std::result::Result<Tensor, String>>,
    /// Truncation in W (StyleGAN2 runs), set by [`TrainedGenerator::truncate_in_w`].
    psi: Option<f64>,
}

/// The name of a text run's captions' conditions among its checkpoints' family tensors.
pub const TEXT_CAPTIONS: &str = "text.captions";

/// The captions' conditions a text run's checkpoint `dir` keeps, on `device`.
fn saved_captions(dir: &Path, device: Device) -> std::result::Result<Tensor, String> {
    let state = checkpoint::read_family_state(dir).map_err(|e| e.to_string())?;
    match state.tensors.into_iter().find(|(n, _)| n == TEXT_CAPTIONS) {
        Some((_, t)) => Ok(t.to_device(device)),
        None => Err(format!("{} has no {TEXT_CAPTIONS} (the captions' sentence vectors a text run saves with each checkpoint)", dir.display())),
    }
}

impl TrainedGenerator {
    /// The generator of the chosen checkpoint (normally the newest), with the weights chosen.
    pub fn load(run: &Path, checkpoint: &CheckpointChoice, choice: WeightsChoice, device: Device) -> Result<Self> {
        if !run.is_dir() {
            return Err(GanError::Invalid(format!("run directory {} does not exist", run.display())));
        }
        let rd = RunDir::new(run);
        let config = TrainConfig::load(&rd.config())?;
        let mut attempts = 0;
        loop {
            let dir = checkpoint::resolve(&rd, checkpoint)?
                .ok_or_else(|| GanError::Invalid(format!("{} has no checkpoint yet (checkpoints/latest is missing)", run.display())))?;
            match Self::load_from(config.clone(), dir.clone(), choice, device) {
                // The run is training and pruned this checkpoint between our reading `latest`
                // and opening its files: take the newer one.
                Err(_) if !dir.is_dir() && attempts < 3 && *checkpoint == CheckpointChoice::Latest => attempts += 1,
                Err(_) if !dir.is_dir() => {
                    return Err(GanError::Checkpoint {
                        path: dir,
                        reason: "was replaced by a newer checkpoint while it was read (the run is training quickly); retry".into(),
                    })
                }
                other => return other,
            }
        }
    }

    fn load_from(config: TrainConfig, dir: PathBuf, choice: WeightsChoice, device: Device) -> Result<Self> {
        let state = checkpoint::read_state(&dir)?;
        let mut vs = nn::VarStore::new(device);
        if config.conditional != (state.classes > 0) {
            return Err(GanError::Checkpoint {
                path: dir.clone(),
                reason: format!("state.json says {} classes but config.toml has conditional = {}", state.classes, config.conditional),
            });
        }
        let weights = choice.weights(&config.model.ema);
        config
            .model
            .check_image(state.image)
            .map_err(|reason| GanError::Checkpoint { path: dir.join(checkpoint::STATE_FILE), reason: format!("image {}: {reason}", state.image) })?;
        let g = config.model.build_generator(&vs, state.image, state.classes);
        checkpoint::load_weights(&mut vs, &dir.join(weights.file()))?;
        let text = config.text.is_some().then(|| saved_captions(&dir, device));
        Ok(Self { config, image: state.image, classes: state.classes, step: state.step, checkpoint: dir, weights, _vs: vs, g, device, text, psi: None })
    }

    /// A text run's captions' conditions `[K, E]`.
    fn captions(&self) -> Result<Option<&Tensor>> {
        match &self.text {
            None => Ok(None),
            Some(Ok(t)) => Ok(Some(t)),
            Some(Err(e)) => Err(GanError::Invalid(format!("{}: the captions of this text run cannot be read: {e}", self.checkpoint.display()))),
        }
    }

    /// Number of labels a conditional run draws for: its classes, or a text run's captions.
    fn label_count(&self) -> Result<i64> {
        Ok(self.captions()?.map_or(self.classes, |t| t.size()[0]))
    }

    /// The device the generator runs on.
    pub fn device(&self) -> Device {
        self.device
    }

    pub fn latent_dim(&self) -> i64 {
        self.g.latent_dim()
    }

    /// The names of the classes of a conditional run's data.
    pub fn vocabulary(&self) -> Result<Vocabulary> {
        if self.classes == 0 {
            return Err(GanError::Invalid(format!("{} is not conditional: it was trained without class labels", self.checkpoint.display())));
        }
        Ok(self.config.data.vocabulary(self.classes as usize)?)
    }

    /// Integer class labels `[n]` checked against this run: `None` for an unconditional
    /// run; for a conditional one, `classes` or (when `None`) the classes in turn.
    pub fn labels(&self, n: i64, classes: Option<&[i64]>) -> Result<Option<Tensor>> {
        match (self.classes, classes) {
            (0, None) => Ok(None),
            (0, Some(_)) => Err(GanError::Invalid(format!(
                "{} is not conditional, so classes cannot be chosen; train with conditional = true (presets mnist-cgan, fashion-cgan) or use `gan steer`",
                self.checkpoint.display()
            ))),
            (_, Some(c)) => {
                let k = self.label_count()?;
                if let Some(&bad) = c.iter().find(|&&c| !(0..k).contains(&c)) {
                    return Err(GanError::Invalid(format!("class {bad} is out of range: this run has classes 0..={}", k - 1)));
                }
                Ok(Some(Tensor::from_slice(c)))
            }
            (_, None) => Ok(Some(Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(self.label_count()?))),
        }
    }

    /// The StyleGAN2 generator of a `model.kind = "stylegan2"` run (for truncation in W and
    /// style mixing).
    pub fn stylegan2(&self) -> Result<&crate::models::stylegan2::Stylegan2Generator> {
        self.g.as_any().and_then(|a| a.downcast_ref()).ok_or_else(|| {
            GanError::Invalid(format!(
                "{} is a {} run: styles (truncation in W, style mixing) belong to model.kind = \"stylegan2\"",
                self.checkpoint.display(),
                self.config.model.family()
            ))
        })
    }

    /// Images of given `ws` (`[n, num_ws, w_dim]`, StyleGAN2 runs), with constant noise.
    pub fn generate_ws(&self, ws: &Tensor) -> Result<Tensor> {
        let g = self.stylegan2()?;
        let ws = ws.to_device(self.device);
        Ok(chunked(ws.size()[0], |s, len| g.images(&ws.narrow(0, s, len), crate::models::stylegan2::synthesis::Noise::Const)))
    }

    /// From now on, draws every image truncated in W by `psi`, `w_avg + psi (w - w_avg)`
    /// (StyleGAN2 runs; 1 changes nothing).
    pub fn truncate_in_w(&mut self, psi: f64) -> Result<()> {
        self.stylegan2()?;
        self.psi = Some(psi);
        Ok(())
    }

    /// The truncation in W images are drawn at, if any.
    pub fn truncation_psi(&self) -> Option<f64> {
        self.psi
    }

    /// Generates images `[n, C, H, W]` in `[-1, 1]` from `z` (`[n, latent_dim]`) and, for a
    /// conditional run, integer labels `[n]` (see [`labels`](Self::labels)).
    ///
    /// Runs [`GENERATE_CHUNK`] latents at a time, so memory holds the activations of that many
    /// samples plus the `n` output images, whatever `n` is (the generator runs in eval mode,
    /// so chunking changes values only by float rounding).
    pub fn generate(&self, z: &Tensor, labels: Option<&Tensor>) -> Tensor {
        chunked(z.size()[0], |s, len| self.forward(&z.narrow(0, s, len), labels.map(|l| l.narrow(0, s, len)).as_ref()))
    }

    /// As [`generate`](Self::generate) but recording the graph, so that gradients can flow
    /// back to `z` (steering).
    pub fn forward(&self, z: &Tensor, labels: Option<&Tensor>) -> Tensor {
        let table = self.text.as_ref().and_then(|t| t.as_ref().ok());
        let y = labels.map(|l| table.map_or_else(|| one_hot(l, self.classes), |t| t.index_select(0, &l.to_device(t.device()))));
        self.forward_mixed(z, y.as_ref())
    }

    /// Generates from `z` and class weights `y` (`[n, classes]`, rows summing to 1; one-hot
    /// rows are classes, mixtures lie between them: morphing).
    pub fn generate_mixed(&self, z: &Tensor, y: Option<&Tensor>) -> Tensor {
        tch::no_grad(|| self.forward_mixed(z, y))
    }

    /// As [`generate_mixed`](Self::generate_mixed) but recording the graph (projection
    /// optimises the class weights too).
    pub fn forward_mixed(&self, z: &Tensor, y: Option<&Tensor>) -> Tensor {
        let z = z.to_device(self.device);
        if let Some(psi) = self.psi {
            let g = self.stylegan2().expect("truncate_in_w checked the family");
            return g.images(&g.ws(&z, psi, false), crate::models::stylegan2::synthesis::Noise::Const);
        }
        let y = y.map(|y| y.to_device(self.device).to_kind(Kind::Float));
        self.g.forward_t(&z, y.as_ref(), false)
    }
}

/// `f(start, len)` over `n` rows, [`GENERATE_CHUNK`] at a time without recording the graph,
/// concatenated (one call when `n` fits in a chunk).
fn chunked(n: i64, f: impl Fn(i64, i64) -> Tensor) -> Tensor {
    if n <= GENERATE_CHUNK {
        return tch::no_grad(|| f(0, n));
    }
    let parts: Vec<Tensor> = (0..n).step_by(GENERATE_CHUNK as usize).map(|s| tch::no_grad(|| f(s, GENERATE_CHUNK.min(n - s)))).collect();
    Tensor::cat(&parts, 0)
}
