//! Simulated digits for SimGAN (Shrivastava et al., "Learning from Simulated and Unsupervised
//! Images through Adversarial Training", CVPR 2017): 28x28 grey digits rendered from the
//! DejaVu Sans fonts (regular and bold, `data/fonts/`; or handwriting-style fonts, `fonts`,
//! see [`crate::digit_fonts`]), labelled by construction, each with
//! seeded random rotation, size, shear, stroke weight, position and blur, and optionally an
//! elastic distortion of the strokes (`elastic`, Simard et al. 2003) -- a simulator whose
//! output looks like MNIST in layout (white on black, about 20 px tall, centred) but not in
//! handwriting, which is the gap a refiner learns to close.
//!
//! Image `i` is a pure function of `(seed, i)`: its class is `i mod 10` (balanced), and its
//! draws come from its own stream. Each digit is drawn at 4x (112x112) from the glyph's
//! outline, thickened or thinned there, mapped by the affine transform with bilinear sampling,
//! elastically distorted when asked, averaged down to 28x28, and blurred.

use ab_glyph::{Font, FontRef, Glyph, PxScale};
use serde::{Deserialize, Serialize};

pub use crate::digit_fonts::DigitFonts;

use crate::dataset::Dataset;
use crate::elastic::Elastic;
use crate::error::{DataError, Result};
use crate::rng::{mix, SplitMix64};

/// The side of the images and the supersampling factor.
pub const SIDE: usize = 28;
pub(crate) const UP: usize = 4;
pub(crate) const BIG: usize = SIDE * UP;

/// The renderer's settings (`[data] kind = "rendered-digits"`); ranges are uniform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenderSettings {
    /// Images rendered.
    #[serde(default = "default_images")]
    pub images: usize,
    #[serde(default)]
    pub seed: u64,
    /// The largest rotation either way, in degrees.
    #[serde(default = "default_rotation")]
    pub rotation: f64,
    /// The digit's height as a fraction of the image's side.
    #[serde(default = "default_height")]
    pub height: [f64; 2],
    /// The largest horizontal shear either way (x += shear * y).
    #[serde(default = "default_shear")]
    pub shear: f64,
    /// Stroke change in output pixels: thickened (> 0) or thinned (< 0) by this radius.
    #[serde(default = "default_stroke")]
    pub stroke: [f64; 2],
    /// The largest offset of the digit's centre from the image's, in pixels, each axis.
    #[serde(default = "default_shift")]
    pub shift: f64,
    /// The Gaussian blur's standard deviation, in pixels.
    #[serde(default = "default_blur")]
    pub blur: [f64; 2],
    /// An elastic distortion of the strokes (none by default).
    #[serde(default)]
    pub elastic: Option<Elastic>,
    /// The fonts drawn from (DejaVu Sans by default).
    #[serde(default)]
    pub fonts: DigitFonts,
}

fn default_images() -> usize {
    60_000
}
fn default_rotation() -> f64 {
    12.0
}
fn default_height() -> [f64; 2] {
    [0.6, 0.72]
}
fn default_shear() -> f64 {
    0.25
}
fn default_stroke() -> [f64; 2] {
    [-0.3, 0.8]
}
fn default_shift() -> f64 {
    1.0
}
fn default_blur() -> [f64; 2] {
    [0.0, 0.8]
}

impl Default for RenderSettings {
    fn default() -> Self {
        toml::from_str("").expect("every field has a default")
    }
}

impl RenderSettings {
    /// What is wrong with the settings, each naming its field (under `data.`).
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(1..=1_000_000).contains(&self.images) {
            p.push(format!("data.images must be between 1 and 1000000, got {}", self.images));
        }
        let check = |p: &mut Vec<String>, name: &str, v: f64, lo: f64, hi: f64| {
            if !(v.is_finite() && (lo..=hi).contains(&v)) {
                p.push(format!("data.{name} must be between {lo} and {hi}, got {v}"));
            }
        };
        check(&mut p, "rotation", self.rotation, 0.0, 180.0);
        check(&mut p, "shear", self.shear, 0.0, 1.0);
        check(&mut p, "shift", self.shift, 0.0, 8.0);
        for (name, [lo, hi], (min, max)) in [("height", self.height, (0.2, 1.0)), ("stroke", self.stroke, (-1.5, 3.0)), ("blur", self.blur, (0.0, 3.0))] {
            check(&mut p, &format!("{name}[0]"), lo, min, max);
            check(&mut p, &format!("{name}[1]"), hi, min, max);
            if lo > hi {
                p.push(format!("data.{name} = [{lo}, {hi}]: the first bound must not exceed the second"));
            }
        }
        p.extend(self.elastic.iter().flat_map(Elastic::problems));
        p
    }

    pub fn describe(&self) -> String {
        let elastic = self.elastic.map(|e| format!(", elastic alpha {} sigma {}", e.alpha, e.sigma)).unwrap_or_default();
        format!("{} digits rendered from {} (seed {}{elastic})", self.images, self.fonts.describe(), self.seed)
    }

    /// Renders the set: `[images, 1, 28, 28]` bytes with labels 0-9.
    pub fn render(&self) -> Result<Dataset> {
        let problems = self.problems();
        if !problems.is_empty() {
            return Err(DataError::Invalid { name: "rendered digits".into(), reason: problems.join("; ") });
        }
        let reference = relative_width(&crate::digit_fonts::reference());
        let fonts: Vec<(FontRef<'static>, f64)> = self
            .fonts
            .load()
            .into_iter()
            .map(|f| {
                let deficit = (reference - relative_width(&f)).max(0.0);
                (f, deficit)
            })
            .collect();
        let mut pixels = Vec::with_capacity(self.images * SIDE * SIDE);
        let mut labels = Vec::with_capacity(self.images);
        for i in 0..self.images {
            let digit = (i % 10) as u8;
            let mut rng = SplitMix64::new(mix(&[self.seed, i as u64]));
            pixels.extend(self.draw(&fonts, digit, &mut rng));
            labels.push(digit);
        }
        Ok(Dataset { name: self.describe(), channels: 1, height: SIDE, width: SIDE, pixels, labels: Some(labels) })
    }

    /// Digit `digit` from one of `fonts`, each with how much thinner than DejaVu Sans its
    /// strokes are (a fraction of the height, 0 for DejaVu Sans and bolder fonts).
    fn draw(&self, fonts: &[(FontRef<'static>, f64)], digit: u8, rng: &mut SplitMix64) -> Vec<u8> {
        let mut range = |[lo, hi]: [f64; 2]| lo + (hi - lo) * rng.uniform();
        let height = range(self.height) * BIG as f64;
        let stroke = range(self.stroke) * UP as f64;
        let blur = range(self.blur);
        let (font, deficit) = &fonts[rng.below(fonts.len() as u64) as usize];
        let angle = (2.0 * rng.uniform() - 1.0) * self.rotation.to_radians();
        let shear = (2.0 * rng.uniform() - 1.0) * self.shear;
        let shift = [(2.0 * rng.uniform() - 1.0) * self.shift * UP as f64, (2.0 * rng.uniform() - 1.0) * self.shift * UP as f64];
        let (glyph, w, h) = glyph_bitmap(font, digit, height);
        // A font drawn thinner than DejaVu Sans is first thickened to its weight.
        let glyph = thicken(&glyph, w, h, stroke + deficit * height / 2.0);
        let mut big = transform(&glyph, (w, h), angle, shear, shift);
        if let Some(elastic) = &self.elastic {
            big = elastic.distort(&big, rng);
        }
        let small = downsample(&big);
        let blurred = gaussian_blur(&small, blur);
        blurred.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0).round() as u8).collect()
    }
}

/// A font's stroke width as a fraction of its digits' height. A stroke's width is estimated as
/// twice the ink's area over its outline's length (a stroke `w` wide and `l` long: area `w l`,
/// outline about `2 l`), averaged over the ten digits drawn 100 pixels tall.
fn relative_width(font: &FontRef<'static>) -> f64 {
    (0..10u8).map(|d| stroke_width(font, d)).sum::<f64>() / 10.0 / 100.0
}

fn stroke_width(font: &FontRef<'static>, digit: u8) -> f64 {
    let (g, w, h) = glyph_bitmap(font, digit, 100.0);
    let ink = |x: usize, y: usize| g[y * w + x] > 0.5;
    let area = (0..w * h).filter(|&i| ink(i % w, i / w)).count() as f64;
    let horizontal = (0..h).flat_map(|y| (1..w).map(move |x| (x, y))).filter(|&(x, y)| ink(x, y) != ink(x - 1, y)).count();
    let vertical = (1..h).flat_map(|y| (0..w).map(move |x| (x, y))).filter(|&(x, y)| ink(x, y) != ink(x, y - 1)).count();
    2.0 * area / (horizontal + vertical).max(1) as f64
}

/// The digit's coverage, `w x h`, its ink `height` pixels tall, with a margin for the stroke.
fn glyph_bitmap(font: &FontRef<'static>, digit: u8, height: f64) -> (Vec<f32>, usize, usize) {
    let id = font.glyph_id(char::from(b'0' + digit));
    let probe = font.outline_glyph(Glyph { id, scale: PxScale::from(100.0), position: ab_glyph::point(0.0, 0.0) }).expect("digits have outlines");
    let ink = probe.px_bounds().height() as f64;
    let scale = PxScale::from((100.0 * height / ink) as f32);
    let outline = font.outline_glyph(Glyph { id, scale, position: ab_glyph::point(0.0, 0.0) }).expect("digits have outlines");
    let b = outline.px_bounds();
    const MARGIN: usize = 16;
    let (w, h) = (b.width().ceil() as usize + 2 * MARGIN, b.height().ceil() as usize + 2 * MARGIN);
    let mut out = vec![0f32; w * h];
    outline.draw(|x, y, c| {
        let (x, y) = (x as usize + MARGIN, y as usize + MARGIN);
        if x < w && y < h {
            out[y * w + x] = c;
        }
    });
    (out, w, h)
}

/// Grey-level dilation (`r > 0`) or erosion (`r < 0`) by a disc of radius `|r|`.
fn thicken(img: &[f32], w: usize, h: usize, r: f64) -> Vec<f32> {
    let k = r.abs().round() as isize;
    if k == 0 {
        return img.to_vec();
    }
    let offsets: Vec<(isize, isize)> = (-k..=k).flat_map(|dy| (-k..=k).map(move |dx| (dy, dx))).filter(|(dy, dx)| dy * dy + dx * dx <= k * k).collect();
    let at = |x: isize, y: isize| if x < 0 || y < 0 || x >= w as isize || y >= h as isize { 0.0 } else { img[y as usize * w + x as usize] };
    (0..h * w)
        .map(|i| {
            let (y, x) = ((i / w) as isize, (i % w) as isize);
            let values = offsets.iter().map(|(dy, dx)| at(x + dx, y + dy));
            if r > 0.0 {
                values.fold(0.0, f32::max)
            } else {
                values.fold(1.0, f32::min)
            }
        })
        .collect()
}

/// The glyph (centred on its ink's centre of mass) placed on the 112x112 canvas: rotated,
/// sheared and shifted, sampled bilinearly.
fn transform(glyph: &[f32], (w, h): (usize, usize), angle: f64, shear: f64, shift: [f64; 2]) -> Vec<f32> {
    let mass: f64 = glyph.iter().map(|&v| v as f64).sum::<f64>().max(1e-9);
    let cx = glyph.iter().enumerate().map(|(i, &v)| (i % w) as f64 * v as f64).sum::<f64>() / mass;
    let cy = glyph.iter().enumerate().map(|(i, &v)| (i / w) as f64 * v as f64).sum::<f64>() / mass;
    let (s, c) = angle.sin_cos();
    let centre = BIG as f64 / 2.0;
    (0..BIG * BIG)
        .map(|i| {
            // Inverse map: canvas -> shifted -> unrotated -> unsheared -> glyph.
            let (px, py) = ((i % BIG) as f64 + 0.5 - centre - shift[0], (i / BIG) as f64 + 0.5 - centre - shift[1]);
            let (rx, ry) = (c * px + s * py, -s * px + c * py);
            let ux = rx - shear * ry;
            bilinear(glyph, (w, h), ux + cx - 0.5, ry + cy - 0.5, false) as f32
        })
        .collect()
}

/// `img` (`w x h`) at `(x, y)`, bilinearly; outside it the nearest edge (`clamp`) or 0.
pub(crate) fn bilinear<T: Copy + Into<f64>>(img: &[T], (w, h): (usize, usize), x: f64, y: f64, clamp: bool) -> f64 {
    let (max_x, max_y) = ((w - 1) as f64, (h - 1) as f64);
    let (x, y) = if clamp { (x.clamp(0.0, max_x), y.clamp(0.0, max_y)) } else { (x, y) };
    let (x0, y0) = (x.floor(), y.floor());
    let (tx, ty) = (x - x0, y - y0);
    let at = |x: f64, y: f64| if x < 0.0 || y < 0.0 || x > max_x || y > max_y { 0.0 } else { img[y as usize * w + x as usize].into() };
    at(x0, y0) * (1.0 - tx) * (1.0 - ty) + at(x0 + 1.0, y0) * tx * (1.0 - ty) + at(x0, y0 + 1.0) * (1.0 - tx) * ty + at(x0 + 1.0, y0 + 1.0) * tx * ty
}

/// 4x4 box averages: 112x112 to 28x28.
fn downsample(big: &[f32]) -> Vec<f64> {
    (0..SIDE * SIDE)
        .map(|i| {
            let (y, x) = (i / SIDE, i % SIDE);
            let sum: f64 = (0..UP).flat_map(|dy| (0..UP).map(move |dx| big[(y * UP + dy) * BIG + x * UP + dx] as f64)).sum();
            sum / (UP * UP) as f64
        })
        .collect()
}

/// A separable Gaussian blur of a 28x28 image (zero outside); `sigma` below 0.05 leaves it.
pub(crate) fn gaussian_blur(img: &[f64], sigma: f64) -> Vec<f64> {
    if sigma < 0.05 {
        return img.to_vec();
    }
    let r = (3.0 * sigma).ceil() as isize;
    let k: Vec<f64> = (-r..=r).map(|d| (-((d * d) as f64) / (2.0 * sigma * sigma)).exp()).collect();
    let total: f64 = k.iter().sum();
    let pass = |src: &[f64], horizontal: bool| -> Vec<f64> {
        (0..SIDE * SIDE)
            .map(|i| {
                let (y, x) = ((i / SIDE) as isize, (i % SIDE) as isize);
                (-r..=r)
                    .map(|d| {
                        let (sx, sy) = if horizontal { (x + d, y) } else { (x, y + d) };
                        let v = if sx < 0 || sy < 0 || sx >= SIDE as isize || sy >= SIDE as isize { 0.0 } else { src[sy as usize * SIDE + sx as usize] };
                        v * k[(d + r) as usize]
                    })
                    .sum::<f64>()
                    / total
            })
            .collect()
    };
    pass(&pass(img, true), false)
}

#[cfg(test)]
mod tests {
    use super::bilinear;

    /// Worked by hand: the centre of four pixels 0, 1, 2, 3 is their mean 1.5; beyond the
    /// right edge the clamped read repeats the edge and the other reads zero.
    #[test]
    fn bilinear_reads_match_hand_values() {
        let img = [0.0, 1.0, 2.0, 3.0];
        assert!((bilinear(&img, (2, 2), 0.5, 0.5, false) - 1.5).abs() < 1e-12);
        assert!((bilinear(&img, (2, 2), 0.25, 0.0, false) - 0.25).abs() < 1e-12);
        assert!((bilinear(&img, (2, 2), 5.0, 1.0, true) - 3.0).abs() < 1e-12);
        assert_eq!(bilinear(&img, (2, 2), 5.0, 1.0, false), 0.0);
        assert!((bilinear(&[0.0f32, 1.0, 2.0, 3.0], (2, 2), 0.5, 0.5, false) - 1.5).abs() < 1e-12);
    }
}
