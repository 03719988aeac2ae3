//! Reading image files into tensors of a run's shape and writing tensors as PNG files
//! (`gan translate`, `gan project`).

use std::path::Path;

use image::{DynamicImage, GrayImage, RgbImage};
use tch::{Kind, Tensor};

use crate::exit::user;

/// One image as `[1, C, H, W]` in `[-1, 1]`.
pub fn read_image(path: &Path, channels: i64, h: u32, w: u32) -> anyhow::Result<Tensor> {
    let img = image::open(path).map_err(|e| user(format!("{}: cannot decode image: {e}", path.display())))?;
    let (iw, ih) = (img.width(), img.height());
    let scale = (w as f64 / iw as f64).max(h as f64 / ih as f64);
    let (rw, rh) = (((iw as f64 * scale).round() as u32).max(w), ((ih as f64 * scale).round() as u32).max(h));
    let img = img.resize_exact(rw, rh, image::imageops::FilterType::Triangle).crop_imm((rw - w) / 2, (rh - h) / 2, w, h);
    let bytes: Vec<u8> = match channels {
        1 => img.to_luma8().into_raw(),
        _ => {
            let rgb = img.to_rgb8();
            let n = (w * h) as usize;
            let raw = rgb.as_raw();
            (0..3).flat_map(|c| (0..n).map(move |i| raw[i * 3 + c])).collect()
        }
    };
    Ok(Tensor::from_slice(&bytes).reshape([1, channels, h as i64, w as i64]).to_kind(Kind::Float) / 127.5 - 1.0)
}

pub fn write_image(y: &Tensor, path: &Path) -> anyhow::Result<()> {
    let (_, c, h, w) = y.size4()?;
    let bytes = gan::draw::grid::to_bytes(y);
    let (h, w) = (h as u32, w as u32);
    let img = if c == 1 {
        DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, bytes).expect("sized"))
    } else {
        let n = (w * h) as usize;
        let interleaved: Vec<u8> = (0..n).flat_map(|i| (0..3).map(move |ch| (i, ch))).map(|(i, ch)| bytes[ch * n + i]).collect();
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, interleaved).expect("sized"))
    };
    gan::draw::grid::save_png(&img, path)?;
    Ok(())
}
