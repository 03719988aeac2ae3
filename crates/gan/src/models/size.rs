//! How many weights a configuration's networks will have, worked out before any is built, so
//! that an absurd configuration (a 10^9-wide layer, a 30,000-channel critic) is refused with
//! its count instead of exhausting memory while libtorch allocates it.

use super::dcgan::{geometry, DcganConfig};
use super::{ImageShape, NetConfig};

/// The most weights one network may have: 500 million floats are 2 GB, and training holds
/// four to five copies (weights, gradients, optimiser moments, the moving average).
pub const MAX_WEIGHTS: u128 = 500_000_000;

/// The largest sizes a field may set (checked before any arithmetic on them).
pub const MAX_WIDTH: i64 = 100_000;
pub const MAX_CHANNELS: i64 = 4096;

/// `log2` of the side of square images of 4 to 1024 pixels a side, a power of 2 (what
/// networks that double from 4x4 draw); otherwise the error names `family` and the shape.
pub fn pow2_side(image: ImageShape, family: &str) -> Result<i64, String> {
    let s = image.height;
    if image.width != s || !(4..=1024).contains(&s) || s & (s - 1) != 0 {
        return Err(format!("{family} needs square images of 4, 8, ..., 1024 pixels a side, got {image}"));
    }
    Ok(s.trailing_zeros() as i64)
}

/// Weights and biases of fully connected layers between consecutive `sizes`.
fn linear(sizes: &[i64]) -> u128 {
    sizes.windows(2).map(|w| w[0] as u128 * w[1] as u128 + w[1] as u128).sum()
}

fn chain(first: i64, hidden: &[i64], last: i64) -> Vec<i64> {
    std::iter::once(first).chain(hidden.iter().copied()).chain([last]).collect()
}

/// Convolution weights of the DCGAN pair (norm parameters are a rounding error beside them).
fn dcgan(c: &DcganConfig, image: ImageShape) -> Option<(u128, u128)> {
    let (b, n) = geometry(image).ok()?;
    let (b, n) = (b as u128, n as usize);
    let (g_base, d_base) = (c.g_base as u128, c.d_base as u128);
    let mut g = 0u128;
    let mut cin = c.latent_dim as u128;
    for stage in 0..=n {
        let cout = if stage == n { image.channels as u128 } else { g_base << (n - 1 - stage) };
        let k = if stage == 0 { b } else { 4 };
        g += cin * cout * k * k;
        cin = cout;
    }
    let mut d = 0u128;
    let mut cin = image.channels as u128;
    for stage in 0..n {
        let cout = d_base << stage;
        d += cin * cout * 16;
        cin = cout;
    }
    Some((g, d + cin * b * b))
}

/// `(generator, partner)` weight counts for images of `image` (`None` when the networks
/// cannot take that shape; [`super::ModelConfig::check_image`] says why).
pub fn weights(net: &NetConfig, image: ImageShape) -> Option<(u128, u128)> {
    let pixels = image.numel();
    match net {
        NetConfig::Mlp(c) => Some((linear(&chain(c.latent_dim, &c.g_hidden, pixels)), linear(&chain(pixels, &c.d_hidden, 1)))),
        NetConfig::Vae(c) => Some((linear(&chain(c.latent_dim, &c.decoder_hidden, pixels)), linear(&chain(pixels, &c.encoder_hidden, 2 * c.latent_dim)))),
        NetConfig::Dcgan(c) => dcgan(c, image),
        NetConfig::Progan(c) => c.weights(image),
        NetConfig::Stylegan2(c) => c.weights(image),
        // Conditioned on the matchers' 128-d sentence vectors.
        NetConfig::Stackgan(c) => c.weights(image, 128),
    }
}

/// The problem with networks too large to train, if they are.
pub fn too_large(net: &NetConfig, image: ImageShape) -> Option<String> {
    let (g, d) = weights(net, image)?;
    let partner = if matches!(net, NetConfig::Vae(_)) { "encoder" } else { "discriminator" };
    [("generator", g), (partner, d)]
        .into_iter()
        .find(|(_, w)| *w > MAX_WEIGHTS)
        .map(|(name, w)| format!("the {name} would have {w} parameters for {image} images ({:.1} GB of weights); at most {MAX_WEIGHTS}", w as f64 * 4e-9))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{param_count, ModelConfig};
    use tch::Device;

    /// The estimate matches the networks built (to the norm layers' few parameters).
    #[test]
    fn estimates_match_the_built_networks() {
        let image = ImageShape { channels: 1, height: 28, width: 28 };
        for toml in [
            "kind = \"mlp\"\nlatent_dim = 10\ng_hidden = [32, 64]\nd_hidden = [64, 32]\nd_dropout = 0.0\nleaky_slope = 0.2\ng_output = \"tanh\"\n",
            "kind = \"dcgan\"\nlatent_dim = 10\ng_base = 8\nd_base = 8\nd_norm = \"none\"\n",
            "kind = \"vae\"\nlatent_dim = 5\nencoder_hidden = [40]\ndecoder_hidden = [30, 20]\nleaky_slope = 0.2\n",
        ] {
            let m: ModelConfig = toml::from_str(toml).unwrap();
            let nets = m.build(image, 0, 1, Device::Cpu);
            let (g, d) = weights(&m.net, image).unwrap();
            let (bg, bd) = (param_count(&nets.g_vs) as u128, param_count(&nets.d_vs) as u128);
            assert!(g <= bg && bg - g <= bg / 50, "{toml}: G estimated {g}, built {bg}");
            assert!(d <= bd && bd - d <= bd / 50, "{toml}: D estimated {d}, built {bd}");
        }
        let wide: ModelConfig = toml::from_str("kind = \"dcgan\"\nlatent_dim = 100\ng_base = 64\nd_base = 30000\nd_norm = \"none\"\n").unwrap();
        assert!(too_large(&wide.net, image).unwrap().contains("the discriminator would have"));
    }
}
