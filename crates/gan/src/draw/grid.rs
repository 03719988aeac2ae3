//! Sample grids like torchvision's `make_grid` + `save_image`: images laid out `nrow` per
//! row with a 2-pixel black border around each, values mapped from `[-1, 1]` to bytes as
//! `clamp((x + 1) / 2 * 255 + 0.5, 0, 255)` truncated (torchvision's rounding).

use std::path::Path;

use image::{DynamicImage, GrayImage, RgbImage};
use tch::{Device, Kind, Tensor};

use crate::error::{GanError, Result};

/// Converts images in `[-1, 1]` to bytes, `[B, C, H, W]` layout kept.
pub fn to_bytes(images: &Tensor) -> Vec<u8> {
    let t = ((images.to_device(Device::Cpu).to_kind(Kind::Float) + 1.0) * 127.5 + 0.5).clamp(0.0, 255.0).to_kind(Kind::Uint8);
    Vec::<u8>::try_from(&t.contiguous().view([-1])).expect("uint8 tensor converts")
}

/// Lays out `images` (`[B, C, H, W]`, C = 1 or 3, values in `[-1, 1]`) `nrow` per row.
pub fn make_grid(images: &Tensor, nrow: usize, padding: usize) -> Result<DynamicImage> {
    let size = images.size();
    let [b, c, h, w] = size[..] else {
        return Err(GanError::Invalid(format!("make_grid: expected [B, C, H, W] images, got shape {size:?}")));
    };
    let (b, c, h, w) = (b as usize, c as usize, h as usize, w as usize);
    if c != 1 && c != 3 {
        return Err(GanError::Invalid(format!("make_grid: images need 1 or 3 channels, got {c}")));
    }
    let bytes = to_bytes(images);
    let ncol = nrow.min(b).max(1);
    let nrows = b.div_ceil(ncol);
    let (gw, gh) = (ncol * (w + padding) + padding, nrows * (h + padding) + padding);
    let mut out = vec![0u8; gw * gh * c];
    for i in 0..b {
        let (x0, y0) = (padding + (i % ncol) * (w + padding), padding + (i / ncol) * (h + padding));
        for y in 0..h {
            for x in 0..w {
                for ch in 0..c {
                    out[((y0 + y) * gw + x0 + x) * c + ch] = bytes[((i * c + ch) * h + y) * w + x];
                }
            }
        }
    }
    let (gw, gh) = (gw as u32, gh as u32);
    Ok(if c == 1 {
        DynamicImage::ImageLuma8(GrayImage::from_raw(gw, gh, out).expect("sizes agree"))
    } else {
        DynamicImage::ImageRgb8(RgbImage::from_raw(gw, gh, out).expect("sizes agree"))
    })
}

/// The images of a grid PNG that [`save_grid`] wrote (2-pixel padding, `ncol` per row), as
/// `[B, C, h, w]` in `[-1, 1]`; `C` is 1 for a grey PNG, 3 otherwise. Each tile is read back
/// to within the byte rounding.
pub fn read_grid(path: &Path, ncol: usize) -> Result<Tensor> {
    let bad = |reason: String| GanError::Invalid(format!("{}: {reason}", path.display()));
    let img = image::open(path).map_err(|e| bad(format!("is not a readable image ({e})")))?;
    let (gw, gh) = (img.width() as usize, img.height() as usize);
    let (c, bytes) = match img {
        DynamicImage::ImageLuma8(g) => (1, g.into_raw()),
        other => (3, other.into_rgb8().into_raw()),
    };
    let w = (gw.saturating_sub(2) / ncol.max(1)).saturating_sub(2);
    let rows = gh.saturating_sub(2) / (w + 2);
    if w == 0 || rows == 0 || ncol * (w + 2) + 2 != gw || rows * (w + 2) + 2 != gh {
        return Err(bad(format!("a {gw}x{gh} image is not a grid of {ncol} square tiles per row with 2-pixel borders")));
    }
    let t = Tensor::from_slice(&bytes).view([gh as i64, gw as i64, c as i64]).permute([2, 0, 1]);
    let mut tiles = Vec::with_capacity(rows * ncol);
    for r in 0..rows {
        for k in 0..ncol {
            let (y0, x0) = ((2 + r * (w + 2)) as i64, (2 + k * (w + 2)) as i64);
            tiles.push(t.narrow(1, y0, w as i64).narrow(2, x0, w as i64));
        }
    }
    Ok(Tensor::stack(&tiles, 0).to_kind(Kind::Float) / 127.5 - 1.0)
}

/// Saves a grid as PNG.
pub fn save_grid(images: &Tensor, nrow: usize, path: &Path) -> Result<()> {
    save_png(&make_grid(images, nrow, 2)?, path)
}

/// Writes a PNG under a temporary name, then renames it into place, so readers (and a
/// killed process) never leave a half-written image at `path`.
/// Writes `img` to `path` atomically (a temporary file renamed into place); on failure the
/// temporary file is removed, and a full disk is said so.
pub fn save_png(img: &DynamicImage, path: &Path) -> Result<()> {
    let tmp = path.with_extension("png.tmp");
    let written = img
        .save_with_format(&tmp, image::ImageFormat::Png)
        .map_err(|e| match e {
            image::ImageError::IoError(io) => GanError::Io { path: tmp.clone(), source: io },
            other => GanError::Io { path: tmp.clone(), source: std::io::Error::other(other) },
        })
        .and_then(|()| std::fs::rename(&tmp, path).map_err(GanError::io(path)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.map_err(|e| e.disk_full_as(|| path.display().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG that cannot be put in place (here the target is a folder) leaves no temporary
    /// file behind.
    #[test]
    fn a_failed_save_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("loss.png");
        std::fs::create_dir_all(target.join("x")).unwrap();
        let img = DynamicImage::ImageLuma8(image::GrayImage::new(4, 4));
        assert!(save_png(&img, &target).is_err());
        assert!(!dir.path().join("loss.png.tmp").exists());
    }

    #[test]
    fn layout_and_values_by_hand() {
        // Two 1x2x2 images: all -1 and all +1; one row of 2 with padding 2.
        let imgs = Tensor::cat(&[Tensor::full([1, 1, 2, 2], -1.0, (Kind::Float, Device::Cpu)), Tensor::ones([1, 1, 2, 2], (Kind::Float, Device::Cpu))], 0);
        let g = make_grid(&imgs, 8, 2).unwrap().into_luma8();
        assert_eq!(g.dimensions(), (2 * 4 + 2, 6));
        assert_eq!(g.get_pixel(2, 2).0[0], 0); // first image: -1 -> 0
        assert_eq!(g.get_pixel(6, 3).0[0], 255); // second image: +1 -> 255
        assert_eq!(g.get_pixel(5, 3).0[0], 0); // padding between
        assert_eq!(to_bytes(&Tensor::from_slice(&[0.0f32])), vec![128]); // 127.5 + 0.5
    }

    #[test]
    fn a_saved_grid_reads_back_tile_by_tile() {
        let dir = tempfile::tempdir().unwrap();
        for c in [1, 3] {
            let imgs = Tensor::rand([6, c, 5, 5], (Kind::Float, Device::Cpu)) * 2.0 - 1.0;
            let path = dir.path().join(format!("g{c}.png"));
            save_grid(&imgs, 3, &path).unwrap();
            let back = read_grid(&path, 3).unwrap();
            assert_eq!(back.size(), [6, c, 5, 5]);
            // One byte step is 2/255 in [-1, 1]; rounding moves a value by at most half of it.
            assert!((back - &imgs).abs().max().double_value(&[]) <= 1.0 / 255.0 + 1e-6);
            let err = read_grid(&path, 4).unwrap_err().to_string();
            assert!(err.contains("is not a grid of 4 square tiles per row"), "{err}");
        }
    }

    #[test]
    fn eight_by_eight_grid_of_28px_is_242px() {
        let imgs = Tensor::zeros([64, 1, 28, 28], (Kind::Float, Device::Cpu));
        assert_eq!(make_grid(&imgs, 8, 2).unwrap().into_luma8().dimensions(), (242, 242));
        assert!(make_grid(&Tensor::zeros([2, 2, 3, 3], (Kind::Float, Device::Cpu)), 8, 2).is_err());
    }
}
