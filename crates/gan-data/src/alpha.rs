//! Transparent images on a background. Emoji and icon sets are RGBA with transparent
//! surroundings whose hidden colour is usually black (0, 0, 0, 0): dropping the alpha channel
//! would paint every background black. Each pixel is composited over the background colour
//! instead, `out = alpha * colour + (1 - alpha) * background`, rounded to the nearest byte.

use serde::{Deserialize, Serialize};

/// `[data] background` of an image folder: the colour under transparent pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Background {
    /// `"white"` (the default) or `"black"`.
    Named(Named),
    /// `[r, g, b]`, 0-255.
    Rgb([u8; 3]),
}

impl Default for Background {
    fn default() -> Self {
        Background::Named(Named::White)
    }
}

/// A background by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Named {
    White,
    Black,
}

impl Background {
    pub fn rgb(self) -> [u8; 3] {
        match self {
            Background::Named(Named::White) => [255; 3],
            Background::Named(Named::Black) => [0; 3],
            Background::Rgb(c) => c,
        }
    }

    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

/// `img` as RGB, its transparent parts over `background`.
pub fn flatten(img: image::DynamicImage, background: [u8; 3]) -> image::RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    image::RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
        let [r, g, b, a] = rgba.get_pixel(x, y).0;
        let mix = |c: u8, bg: u8| ((c as u32 * a as u32 + bg as u32 * (255 - a as u32) + 127) / 255) as u8;
        image::Rgb([mix(r, background[0]), mix(g, background[1]), mix(b, background[2])])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// By hand: a transparent black pixel becomes the background; an opaque one keeps its
    /// colour; half alpha (128) over white: (200 * 128 + 255 * 127 + 127) / 255 = 227.
    #[test]
    fn transparent_pixels_take_the_background() {
        let img = image::RgbaImage::from_fn(3, 1, |x, _| {
            image::Rgba(match x {
                0 => [0, 0, 0, 0],
                1 => [10, 20, 30, 255],
                _ => [200, 0, 0, 128],
            })
        });
        let out = flatten(image::DynamicImage::ImageRgba8(img), Background::default().rgb());
        assert_eq!(out.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(out.get_pixel(1, 0).0, [10, 20, 30]);
        assert_eq!(out.get_pixel(2, 0).0, [227, 127, 127]);
    }

    #[test]
    fn backgrounds_read_by_name_or_colour() {
        let read = |t: &str| toml::from_str::<std::collections::BTreeMap<String, Background>>(&format!("b = {t}")).map(|m| m["b"]);
        assert_eq!(read("\"black\"").unwrap().rgb(), [0; 3]);
        assert_eq!(read("\"white\"").unwrap().rgb(), [255; 3]);
        assert_eq!(read("[1, 2, 3]").unwrap().rgb(), [1, 2, 3]);
        assert!(read("\"grey\"").is_err() && read("[1, 2, 300]").is_err());
    }
}
