//! The held-out captions drawn beside their real images: for a seeded choice of distinct
//! held-out (`split = test`) captions, the real images of each (every drawing style) and `n`
//! designs a text run draws from the caption's sentence vector, from the same `n` latents for
//! every caption, so that columns compare the captions and rows compare the latents. This is
//! the picture StackGAN's paper shows for unseen descriptions.

use gan_data::rng::{mix, permutation};
use tch::{Device, Tensor};

use super::data::CaptionedData;
use super::Matcher;
use crate::error::{GanError, Result};
use crate::models::latent::LatentDraw;
use crate::run::trained::TrainedGenerator;

/// One block per caption: the caption, then `[reals + n, 3, H, W]` in `[-1, 1]` (the real
/// images first). `k` captions at most (all held-out captions when fewer).
pub fn held_out_blocks(g: &TrainedGenerator, matcher: &Matcher, data: &CaptionedData, k: usize, n: i64, draw: LatentDraw) -> Result<Vec<(String, Tensor)>> {
    let seed = draw.seed;
    let rows = data.rows(true);
    let mut captions: Vec<&str> = Vec::new();
    for &r in &rows {
        if !captions.contains(&data.captions[r].as_str()) {
            captions.push(&data.captions[r]);
        }
    }
    if captions.is_empty() {
        return Err(GanError::Invalid("the data has no held-out captions (rows with split = test)".into()));
    }
    let chosen: Vec<&str> = permutation(captions.len(), mix(&[seed, 0x4E1D])).into_iter().take(k).map(|i| captions[i as usize]).collect();
    let z = draw.latents(n, g.latent_dim(), g.device());
    let _guard = tch::no_grad_guard();
    chosen
        .into_iter()
        .map(|caption| {
            let condition = matcher.encode_texts(&[caption.to_string()]).map_err(|e| GanError::Invalid(format!("caption {caption:?}: {e}")))?;
            let designs = g.generate_mixed(&z, Some(&condition.repeat([n, 1]))).to_device(Device::Cpu);
            let reals: Vec<usize> = rows.iter().copied().filter(|&r| data.captions[r] == caption).collect();
            let real = resize(&data.images_pm1(&reals), designs.size()[2]);
            Ok((caption.to_string(), Tensor::cat(&[real, designs], 0)))
        })
        .collect()
}

/// The real images at the generator's size (the data is read at 64x64): averaged down,
/// bilinear up.
fn resize(x: &Tensor, size: i64) -> Tensor {
    match x.size()[2] {
        s if s == size => x.shallow_clone(),
        s if s > size => x.adaptive_avg_pool2d([size, size]),
        _ => x.upsample_bilinear2d([size, size], false, None, None),
    }
}
