//! Sample grids with a caption per block: one block of images per class, its name written
//! to the left (white on the grid's black) with the built-in bitmap font.

use std::path::Path;

use image::{DynamicImage, GrayImage, RgbImage};
use tch::Tensor;

use crate::draw::font::{lit, GLYPH_H, GLYPH_W};
use crate::draw::grid::{make_grid, save_png};
use crate::error::{GanError, Result};

/// Pixels left and right of a caption.
const MARGIN: usize = 4;

/// Stacks one grid per `(caption, images)` block (images `[B, C, H, W]` in `[-1, 1]`, laid
/// out `nrow` per row), each with its caption to the left, vertically centred.
pub fn make_labelled_grid(blocks: &[(String, Tensor)], nrow: usize) -> Result<DynamicImage> {
    if blocks.is_empty() {
        return Err(GanError::Invalid("labelled grid: no blocks".into()));
    }
    let grids: Vec<DynamicImage> = blocks.iter().map(|(_, x)| make_grid(x, nrow, 2)).collect::<Result<_>>()?;
    let rgb = grids.iter().any(|g| matches!(g, DynamicImage::ImageRgb8(_)));
    let channels = if rgb { 3 } else { 1 };
    let caption_w = blocks.iter().map(|(c, _)| c.chars().count()).max().unwrap_or(0) * GLYPH_W + 2 * MARGIN;
    let width = caption_w + grids.iter().map(|g| g.width() as usize).max().unwrap_or(0);
    let height: usize = grids.iter().map(|g| (g.height() as usize).max(GLYPH_H + 2)).sum();
    let mut out = vec![0u8; width * height * channels];
    let mut y0 = 0;
    for ((caption, _), grid) in blocks.iter().zip(&grids) {
        let (gw, gh) = (grid.width() as usize, grid.height() as usize);
        let block_h = gh.max(GLYPH_H + 2);
        let bytes = if rgb { grid.to_rgb8().into_raw() } else { grid.to_luma8().into_raw() };
        for y in 0..gh {
            let (src, dst) = (y * gw * channels, ((y0 + y) * width + caption_w) * channels);
            out[dst..dst + gw * channels].copy_from_slice(&bytes[src..src + gw * channels]);
        }
        let text: Vec<char> = caption.chars().collect();
        let ty = y0 + (block_h - GLYPH_H) / 2;
        for y in 0..GLYPH_H {
            for x in 0..text.len() * GLYPH_W {
                if lit(&text, x, y) {
                    let at = ((ty + y) * width + MARGIN + x) * channels;
                    out[at..at + channels].fill(255);
                }
            }
        }
        y0 += block_h;
    }
    let (w, h) = (width as u32, height as u32);
    Ok(if rgb {
        DynamicImage::ImageRgb8(RgbImage::from_raw(w, h, out).expect("sizes agree"))
    } else {
        DynamicImage::ImageLuma8(GrayImage::from_raw(w, h, out).expect("sizes agree"))
    })
}

/// Saves a labelled grid as PNG (atomically).
pub fn save_labelled_grid(blocks: &[(String, Tensor)], nrow: usize, path: &Path) -> Result<()> {
    save_png(&make_labelled_grid(blocks, nrow)?, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn blocks_stack_under_their_captions() {
        let grey = |v: f64| Tensor::full([3, 1, 4, 4], v, (Kind::Float, Device::Cpu));
        let blocks = vec![("Bag".to_string(), grey(1.0)), ("T-shirt/top".to_string(), grey(0.0))];
        let g = make_labelled_grid(&blocks, 3).unwrap().into_luma8();
        let caption_w = 11 * GLYPH_W + 2 * MARGIN;
        // Each block: 3 images of 4 px with 2 px padding = 20 x 8, raised to the font's height.
        let block_h = (GLYPH_H + 2).max(8);
        assert_eq!(g.dimensions(), ((caption_w + 20) as u32, (2 * block_h) as u32));
        // The first image of each block: +1 -> 255, 0 -> 128.
        assert_eq!(g.get_pixel(caption_w as u32 + 2, 2).0[0], 255);
        assert_eq!(g.get_pixel(caption_w as u32 + 2, block_h as u32 + 2).0[0], 128);
        // Some caption pixels are lit in each block's caption column, none beyond the text.
        let lit_in = |y0: usize, x1: usize| (0..block_h).any(|y| (0..x1).any(|x| g.get_pixel(x as u32, (y0 + y) as u32).0[0] == 255));
        assert!(lit_in(0, MARGIN + 3 * GLYPH_W) && lit_in(block_h, caption_w));
        assert!(!(0..block_h).any(|y| (MARGIN + 3 * GLYPH_W..caption_w).any(|x| g.get_pixel(x as u32, y as u32).0[0] != 0)));
    }
}
