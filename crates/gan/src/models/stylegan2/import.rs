//! Pretrained StyleGAN2 generators from the two files people have, read by the safe pickle
//! reader of `gan_data::pickle` (no pickled code runs):
//! - rosinality/stylegan2-pytorch's `.pt` (`torch.save` of a dict whose `g_ema` is the
//!   generator's state dict: `style.N` (mapping, N from 1), `input.input`, `conv1`,
//!   `to_rgb1`, `convs.N`, `to_rgbs.N`, `noises.noise_N`; and `latent_avg`);
//! - NVlabs/stylegan2-ada-pytorch's `.pkl` (pickled persistent modules `G`, `D`, `G_ema`
//!   whose names are this crate's, with the constructor's `_init_kwargs`).
//!
//! rosinality scales a modulated convolution's weight by `1/sqrt(fan_in)` before modulating
//! and demodulating; the reference (and this crate) does not, so that factor is folded into
//! the imported weight, which keeps the demodulation's epsilon in the same place.

use std::collections::BTreeMap;

use gan_data::pickle::torchfile;
use gan_data::pickle::Value;
use tch::{nn, Device, Kind, Tensor};

use super::import_names as names;
use super::mapping::W_AVG;
use super::Stylegan2Config;
use crate::models::ImageShape;

/// Which file a generator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Rosinality,
    Nvlabs,
}

impl Source {
    pub fn describe(self) -> &'static str {
        match self {
            Source::Rosinality => "rosinality/stylegan2-pytorch checkpoint (g_ema)",
            Source::Nvlabs => "NVlabs/stylegan2-ada-pytorch pickle (G_ema)",
        }
    }
}

/// An imported generator: its sizes, image shape and weights under this crate's names.
pub struct Imported {
    pub source: Source,
    pub config: Stylegan2Config,
    pub image: ImageShape,
    pub tensors: BTreeMap<String, Tensor>,
    /// Keys understood but not needed (fixed resampling filters, the discriminator, ...).
    pub skipped: Vec<String>,
    /// Keys this importer does not know.
    pub not_understood: Vec<String>,
    /// Whether the file had the tracked average `w` (truncation needs it).
    pub has_w_avg: bool,
}

/// Reads a generator from the bytes of a `.pt` or `.pkl` file.
pub fn read(bytes: &[u8]) -> Result<Imported, String> {
    let value = torchfile::load(bytes).map_err(|e| e.0)?;
    let (source, flat, kwargs, mut skipped) = if let Some(g) = value.get("g_ema") {
        let mut flat = torchfile::tensors(&g);
        flat.extend(value.get("latent_avg").iter().flat_map(torchfile::tensors).map(|(_, t)| ("latent_avg".to_string(), t)));
        let others: Vec<String> = top_keys(&value).into_iter().filter(|k| k != "g_ema" && k != "latent_avg").collect();
        (Source::Rosinality, flat, None, others)
    } else if let Some(g) = value.get("G_ema") {
        let others = top_keys(&value).into_iter().filter(|k| k != "G_ema").collect();
        (Source::Nvlabs, torchfile::tensors(&g), g.get("_init_kwargs"), others)
    } else {
        return Err(format!("neither a rosinality checkpoint (a g_ema key) nor an NVlabs pickle (a G_ema key); the file holds {}", describe_keys(&value)));
    };
    let mut tensors = BTreeMap::new();
    let mut not_understood = Vec::new();
    for (name, raw) in flat {
        let data = raw.to_f32().map_err(|e| format!("{name}: {}", e.0))?;
        let shape: Vec<i64> = raw.shape.iter().map(|&d| d as i64).collect();
        let t = Tensor::from_slice(&data).reshape(&shape);
        let mapped = match source {
            Source::Rosinality => names::rosinality(&name, t),
            Source::Nvlabs => names::nvlabs(&name, t),
        };
        match mapped {
            names::Mapped::To(ours, t) => {
                tensors.insert(ours, t);
            }
            names::Mapped::Skip => skipped.push(name),
            names::Mapped::Unknown => not_understood.push(name),
        }
    }
    let (config, image) = infer(&tensors, kwargs.as_ref())?;
    let has_w_avg = tensors.contains_key(W_AVG);
    check_shapes(&config, image, &mut tensors)?;
    Ok(Imported { source, config, image, tensors, skipped, not_understood, has_w_avg })
}

fn top_keys(v: &Value) -> Vec<String> {
    v.pairs().unwrap_or_default().iter().filter_map(|(k, _)| k.as_str().map(String::from)).collect()
}

fn describe_keys(v: &Value) -> String {
    match v.pairs() {
        Some(p) if !p.is_empty() => format!("the keys {}", top_keys(v).join(", ")),
        _ => v.kind(),
    }
}

/// Sizes from the weights' shapes (and, for NVlabs, the clamp and mapping learning rate from
/// the constructor's arguments).
fn infer(t: &BTreeMap<String, Tensor>, kwargs: Option<&Value>) -> Result<(Stylegan2Config, ImageShape), String> {
    let size = |name: &str| t.get(name).map(Tensor::size).ok_or_else(|| format!("the generator has no {name}"));
    let fc0 = size("mapping.fc0.weight")?;
    let mapping_layers = (0..).take_while(|i| t.contains_key(&format!("mapping.fc{i}.weight"))).count() as i64;
    let log2 = (2..=10).take_while(|l| t.contains_key(&format!("synthesis.b{}.torgb.weight", 1 << l))).last().ok_or("the generator has no 4x4 block")?;
    let res = 1i64 << log2;
    let channels = size(&format!("synthesis.b{res}.torgb.weight"))?[0];
    let ch = |r: i64| size(&format!("synthesis.b{r}.conv1.weight")).map(|s| s[0]);
    let channel_max = ch(4)?;
    let mut channel_base = channel_max * res;
    for l in 2..=log2 {
        let c = ch(1 << l)?;
        if c < channel_max {
            channel_base = channel_base.min(c * (1 << l));
        }
    }
    let synthesis = kwargs.and_then(|k| k.get("synthesis_kwargs"));
    let conv_clamp = match synthesis.and_then(|s| s.get("conv_clamp")) {
        Some(Value::Int(c)) => Some(c as f64),
        Some(Value::Float(c)) => Some(c),
        _ => None,
    };
    let lr_mul = match kwargs.and_then(|k| k.get("mapping_kwargs")).and_then(|m| m.get("lr_multiplier")) {
        Some(Value::Float(l)) => l,
        _ => 0.01,
    };
    let config = Stylegan2Config {
        latent_dim: fc0[1],
        w_dim: size("synthesis.b4.conv1.affine.weight")?[1],
        mapping_layers,
        channel_base,
        channel_max,
        conv_clamp,
        mapping_lr_mul: lr_mul,
        ..Stylegan2Config::default()
    };
    Ok((config, ImageShape { channels, height: res, width: res }))
}

/// Every weight of the generator these sizes build is present with its shape; a missing
/// `w_avg` becomes zeros (filled later from mapped latents).
fn check_shapes(config: &Stylegan2Config, image: ImageShape, tensors: &mut BTreeMap<String, Tensor>) -> Result<(), String> {
    if let Some(p) = config.problems().first() {
        return Err(format!("the inferred sizes are not supported: {p}"));
    }
    let vs = nn::VarStore::new(Device::Cpu);
    let _g = config.generator(&vs.root(), image);
    for (name, v) in vs.variables() {
        match tensors.get(&name) {
            Some(t) if t.size() == v.size() => {}
            Some(t) => {
                return Err(format!(
                    "{name}: shape {:?}, but a generator with the inferred sizes has {:?} (channel counts that are not min(base / r, max)?)",
                    t.size(),
                    v.size()
                ))
            }
            None if name == W_AVG => {
                tensors.insert(name, Tensor::zeros(v.size(), (Kind::Float, Device::Cpu)));
            }
            None => return Err(format!("the file has no weight for {name}")),
        }
    }
    Ok(())
}
