//! The names (and layouts) of an imported generator's weights in this crate's networks,
//! which follow stylegan2-ada-pytorch's `G_ema.state_dict()`.

use tch::Tensor;

use super::mapping::W_AVG;

/// Where one weight of a file goes.
pub enum Mapped {
    To(String, Tensor),
    /// Understood and not needed: fixed resampling filters.
    Skip,
    Unknown,
}

/// An NVlabs name: the same, but for the fixed `[1, 3, 3, 1]` filters (rebuilt here).
pub fn nvlabs(name: &str, t: Tensor) -> Mapped {
    if name.ends_with("resample_filter") {
        return Mapped::Skip;
    }
    let known = name.starts_with("mapping.fc") || name == W_AVG || (name.starts_with("synthesis.b") && !name.contains(".fromrgb"));
    if known {
        Mapped::To(name.to_string(), t)
    } else {
        Mapped::Unknown
    }
}

/// A rosinality name, with the layout changes: modulated weights lose their leading 1 and
/// take the `1/sqrt(fan_in)` that rosinality applies at run time (demodulated layers),
/// noise strengths and ToRGB biases lose their singleton dimensions, noise maps theirs.
pub fn rosinality(name: &str, t: Tensor) -> Mapped {
    let parts: Vec<&str> = name.split('.').collect();
    match parts.as_slice() {
        ["latent_avg"] => Mapped::To(W_AVG.into(), t.reshape([-1])),
        ["style", i, p @ ("weight" | "bias")] => match i.parse::<i64>() {
            Ok(i) if i >= 1 => Mapped::To(format!("mapping.fc{}.{p}", i - 1), t),
            _ => Mapped::Unknown,
        },
        ["input", "input"] => Mapped::To("synthesis.b4.const".into(), t.squeeze_dim(0)),
        ["conv1", rest @ ..] => layer("synthesis.b4.conv1", rest, t),
        ["to_rgb1", rest @ ..] => to_rgb("synthesis.b4.torgb", rest, t),
        ["convs", i, rest @ ..] => match i.parse::<i64>() {
            Ok(i) => layer(&format!("synthesis.b{}.conv{}", 8 << (i / 2), i % 2), rest, t),
            Err(_) => Mapped::Unknown,
        },
        ["to_rgbs", i, rest @ ..] => match i.parse::<i64>() {
            Ok(i) => to_rgb(&format!("synthesis.b{}.torgb", 8 << i), rest, t),
            Err(_) => Mapped::Unknown,
        },
        ["noises", n] => match n.strip_prefix("noise_").and_then(|n| n.parse::<i64>().ok()) {
            Some(0) => Mapped::To("synthesis.b4.conv1.noise_const".into(), t.reshape([4, 4])),
            Some(n) => {
                let side = t.size().last().copied().unwrap_or(0);
                Mapped::To(format!("synthesis.b{}.conv{}.noise_const", 8 << ((n - 1) / 2), (n - 1) % 2), t.reshape([side, side]))
            }
            None => Mapped::Unknown,
        },
        _ => Mapped::Unknown,
    }
}

/// `StyledConv`: `conv.weight` `[1, out, in, k, k]`, `conv.modulation`, `noise.weight`,
/// `activate.bias`, and the fixed `conv.blur.kernel`.
fn layer(ours: &str, rest: &[&str], t: Tensor) -> Mapped {
    match rest {
        ["conv", "weight"] => {
            let w = t.squeeze_dim(0);
            let fan_in = w.size()[1] * w.size()[2] * w.size()[3];
            Mapped::To(format!("{ours}.weight"), w / (fan_in as f64).sqrt())
        }
        ["conv", "modulation", p @ ("weight" | "bias")] => Mapped::To(format!("{ours}.affine.{p}"), t),
        ["noise", "weight"] => Mapped::To(format!("{ours}.noise_strength"), t.reshape([] as [i64; 0])),
        ["activate", "bias"] => Mapped::To(format!("{ours}.bias"), t),
        ["conv", "blur", "kernel"] => Mapped::Skip,
        _ => Mapped::Unknown,
    }
}

/// `ToRGB`: `conv.weight` `[1, c, in, 1, 1]` (not demodulated: the reference scales the
/// styles instead, so the weight maps as it is), `conv.modulation`, `bias` `[1, c, 1, 1]`.
fn to_rgb(ours: &str, rest: &[&str], t: Tensor) -> Mapped {
    match rest {
        ["conv", "weight"] => Mapped::To(format!("{ours}.weight"), t.squeeze_dim(0)),
        ["conv", "modulation", p @ ("weight" | "bias")] => Mapped::To(format!("{ours}.affine.{p}"), t),
        ["bias"] => Mapped::To(format!("{ours}.bias"), t.reshape([-1])),
        ["upsample", "kernel"] => Mapped::Skip,
        _ => Mapped::Unknown,
    }
}
