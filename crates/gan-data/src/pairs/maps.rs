//! The pixel maps that turn one real data set into an image-to-image task whose answer is
//! known: Sobel edge maps (the pix2pix paper's edges2shoes, on garments) and grey-scale
//! dilation (thin digits to thick ones).

/// The threshold on the Sobel gradient magnitude (of pixels scaled to `[0, 1]`) above which
/// a pixel is an edge: a quarter of the response to a full black-to-white step (4).
pub const EDGE_THRESHOLD: f32 = 1.0;

/// The edge map of one grey `h x w` image: 255 where the Sobel gradient magnitude
/// `sqrt(gx^2 + gy^2)` of the `[0, 1]`-scaled pixels reaches [`EDGE_THRESHOLD`], 0
/// elsewhere; pixels outside the image count as 0 (the black background of MNIST-style
/// data).
pub fn sobel_edges(pixels: &[u8], h: usize, w: usize) -> Vec<u8> {
    let at = |y: isize, x: isize| -> f32 {
        if y < 0 || x < 0 || y >= h as isize || x >= w as isize {
            0.0
        } else {
            pixels[y as usize * w + x as usize] as f32 / 255.0
        }
    };
    let mut out = vec![0u8; h * w];
    for y in 0..h as isize {
        for x in 0..w as isize {
            let gx = (at(y - 1, x + 1) + 2.0 * at(y, x + 1) + at(y + 1, x + 1)) - (at(y - 1, x - 1) + 2.0 * at(y, x - 1) + at(y + 1, x - 1));
            let gy = (at(y + 1, x - 1) + 2.0 * at(y + 1, x) + at(y + 1, x + 1)) - (at(y - 1, x - 1) + 2.0 * at(y - 1, x) + at(y - 1, x + 1));
            if (gx * gx + gy * gy).sqrt() >= EDGE_THRESHOLD {
                out[y as usize * w + x as usize] = 255;
            }
        }
    }
    out
}

/// Grey-scale dilation of one `h x w` image by a 3x3 square: each pixel becomes the largest
/// of its neighbourhood (inside the image).
pub fn dilate(pixels: &[u8], h: usize, w: usize) -> Vec<u8> {
    let mut out = vec![0u8; h * w];
    for y in 0..h {
        for x in 0..w {
            let mut m = 0u8;
            for yy in y.saturating_sub(1)..(y + 2).min(h) {
                for xx in x.saturating_sub(1)..(x + 2).min(w) {
                    m = m.max(pixels[yy * w + xx]);
                }
            }
            out[y * w + x] = m;
        }
    }
    out
}

/// Applies a per-image map to every `h x w` image of a packed buffer.
pub fn map_images(pixels: &[u8], h: usize, w: usize, f: fn(&[u8], usize, usize) -> Vec<u8>) -> Vec<u8> {
    pixels.chunks(h * w).flat_map(|img| f(img, h, w)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A white 2x2 square at rows and columns 2-3 of a black 6x6 image, worked by hand:
    /// above the square's side, at (1, 2), gy = 0 + 2 + 1 = 3; at the diagonal neighbour
    /// (1, 1) of its corner gx = gy = 1, magnitude sqrt(2); on the square, at (2, 2), gx =
    /// gy = 3. So the square and the one-pixel ring around it are edges (>= 1); pixels two
    /// away see none of it (0).
    #[test]
    fn sobel_on_a_square_by_hand() {
        let (h, w) = (6, 6);
        let mut img = vec![0u8; 36];
        for (y, x) in [(2, 2), (2, 3), (3, 2), (3, 3)] {
            img[y * w + x] = 255;
        }
        let e = sobel_edges(&img, h, w);
        for y in 0..h {
            for x in 0..w {
                let ring = (1..=4).contains(&y) && (1..=4).contains(&x);
                assert_eq!(e[y * w + x] == 255, ring, "({y}, {x})");
            }
        }
        // A flat image has no edges away from its border (whose outside counts as black).
        let flat = sobel_edges(&[200u8; 36], h, w);
        for y in 0..h {
            for x in 0..w {
                let inner = (1..=4).contains(&y) && (1..=4).contains(&x);
                assert_eq!(flat[y * w + x] == 0, inner, "flat ({y}, {x})");
            }
        }
    }

    #[test]
    fn dilation_grows_a_point_to_a_3x3_square() {
        let mut img = vec![0u8; 25];
        img[12] = 90;
        img[0] = 10;
        let d = dilate(&img, 5, 5);
        let want: Vec<u8> = (0..25)
            .map(|i| {
                if (1..=3).contains(&(i / 5)) && (1..=3).contains(&(i % 5)) {
                    90
                } else if i / 5 <= 1 && i % 5 <= 1 {
                    10
                } else {
                    0
                }
            })
            .collect();
        assert_eq!(d, want);
    }
}
