//! Animated GIFs (training progress, latent walks), looping forever, written atomically.

use std::path::Path;

use image::codecs::gif::{GifEncoder, Repeat};
use image::{Delay, DynamicImage, Frame};

use crate::error::{GanError, Result};

/// Writes `frames` (all the same size) as a looping GIF showing each for `delay_ms`.
pub fn save_gif(frames: &[DynamicImage], delay_ms: u32, path: &Path) -> Result<()> {
    let Some(first) = frames.first() else {
        return Err(GanError::Invalid(format!("{}: a GIF needs at least one frame", path.display())));
    };
    if let Some(f) = frames.iter().find(|f| (f.width(), f.height()) != (first.width(), first.height())) {
        return Err(GanError::Invalid(format!(
            "{}: frames differ in size ({}x{} and {}x{})",
            path.display(),
            first.width(),
            first.height(),
            f.width(),
            f.height()
        )));
    }
    let tmp = path.with_extension("gif.tmp");
    let io_err = |e: image::ImageError| GanError::Io { path: tmp.clone(), source: std::io::Error::other(e) };
    let file = std::fs::File::create(&tmp).map_err(GanError::io(&tmp))?;
    {
        let mut enc = GifEncoder::new_with_speed(std::io::BufWriter::new(file), 10);
        enc.set_repeat(Repeat::Infinite).map_err(io_err)?;
        let delay = Delay::from_numer_denom_ms(delay_ms, 1);
        enc.encode_frames(frames.iter().map(|f| Frame::from_parts(f.to_rgba8(), 0, 0, delay))).map_err(io_err)?;
    }
    std::fs::rename(&tmp, path).map_err(GanError::io(path))
}

/// Reads images (for example a run's sample grids) as frames, enlarged `scale` times.
pub fn open_frames(paths: &[std::path::PathBuf], scale: u32) -> Result<Vec<DynamicImage>> {
    paths
        .iter()
        .map(|p| {
            let img = image::open(p).map_err(|e| GanError::Invalid(format!("{}: cannot read image: {e}", p.display())))?;
            Ok(upscale(&img, scale))
        })
        .collect()
}

/// Enlarges an image `scale` times with nearest-neighbour sampling (keeps pixels sharp).
pub fn upscale(img: &DynamicImage, scale: u32) -> DynamicImage {
    if scale <= 1 {
        return img.clone();
    }
    img.resize_exact(img.width() * scale, img.height() * scale, image::imageops::FilterType::Nearest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::AnimationDecoder;

    #[test]
    fn frames_round_trip_with_delays() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.gif");
        let frames: Vec<DynamicImage> =
            [0u8, 128, 255].iter().map(|&v| DynamicImage::ImageLuma8(image::GrayImage::from_pixel(6, 4, image::Luma([v])))).collect();
        save_gif(&frames, 250, &p).unwrap();
        let dec = image::codecs::gif::GifDecoder::new(std::io::BufReader::new(std::fs::File::open(&p).unwrap())).unwrap();
        let got: Vec<Frame> = dec.into_frames().collect::<std::result::Result<_, _>>().unwrap();
        assert_eq!(got.len(), 3);
        for (f, v) in got.iter().zip([0u8, 128, 255]) {
            assert_eq!(f.buffer().dimensions(), (6, 4));
            assert_eq!(f.delay().numer_denom_ms(), (250, 1));
            assert!((f.buffer().get_pixel(2, 2).0[0] as i32 - v as i32).abs() <= 2);
        }
        assert!(save_gif(&[], 100, &p).is_err());
        let other = DynamicImage::ImageLuma8(image::GrayImage::new(3, 3));
        assert!(save_gif(&[frames[0].clone(), other], 100, &p).unwrap_err().to_string().contains("differ in size"));
        assert_eq!(upscale(&frames[0], 3).width(), 18);
    }
}
