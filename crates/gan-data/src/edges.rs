//! CartoonGAN's edge-promoting preprocessing (Chen et al., "CartoonGAN: Generative
//! Adversarial Networks for Photo Cartoonization", CVPR 2018, section 3.2; the training
//! reference `znxlwm/pytorch-CartoonGAN`, `edge_promoting.py`): find a cartoon's edges with
//! Canny (thresholds 100 and 200 on the BT.601 grey image), dilate them with a 5x5 square, and
//! replace every pixel of the dilated edges by the 5x5 Gaussian average of its neighbourhood
//! (OpenCV's `getGaussianKernel(5, 0)`, i.e. `[1 4 6 4 1] / 16` in each direction, over the
//! image mirrored at its borders). The discriminator learns to call such images fake: clear
//! edges are what makes a cartoon.
//!
//! Canny follows OpenCV's `cv::Canny` with aperture 3 and the L1 gradient: Sobel derivatives
//! (borders replicated), non-maximum suppression in four directions (tan 22.5 degrees as
//! OpenCV's 15-bit fixed point), and hysteresis over 8-connected neighbours. Images are planar
//! (`C x H x W` bytes, C = 1 or 3).

/// OpenCV's `cvtColor(RGB2GRAY)` for bytes (as OpenCV 5 computes it): BT.601 weights in
/// 15-bit fixed point, rounded.
pub fn grey(image: &[u8], channels: usize, height: usize, width: usize) -> Vec<u8> {
    let n = height * width;
    if channels == 1 {
        return image[..n].to_vec();
    }
    (0..n)
        .map(|i| {
            let (r, g, b) = (image[i] as u32, image[n + i] as u32, image[2 * n + i] as u32);
            ((r * 9798 + g * 19235 + b * 3735 + (1 << 14)) >> 15) as u8
        })
        .collect()
}

/// Sobel derivatives `(dx, dy)` with aperture 3 and replicated borders.
fn sobel(grey: &[u8], height: usize, width: usize) -> (Vec<i32>, Vec<i32>) {
    let at = |y: isize, x: isize| {
        let (y, x) = (y.clamp(0, height as isize - 1) as usize, x.clamp(0, width as isize - 1) as usize);
        grey[y * width + x] as i32
    };
    let mut dx = vec![0; height * width];
    let mut dy = vec![0; height * width];
    for y in 0..height as isize {
        for x in 0..width as isize {
            let i = y as usize * width + x as usize;
            dx[i] = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1);
            dy[i] = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1) - at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1);
        }
    }
    (dx, dy)
}

/// The L1 gradient magnitude `|dx| + |dy|` of a grey image (Sobel, aperture 3).
pub fn gradient_magnitude(grey: &[u8], height: usize, width: usize) -> Vec<i32> {
    let (dx, dy) = sobel(grey, height, width);
    dx.iter().zip(&dy).map(|(a, b)| a.abs() + b.abs()).collect()
}

/// Canny's edge map of a grey image (`true` on edges), as `cv::Canny(grey, low, high)`.
pub fn canny(grey: &[u8], height: usize, width: usize, low: i32, high: i32) -> Vec<bool> {
    canny_with_magnitude(grey, height, width, low, high).0
}

/// [`canny`]'s edge map with the gradient magnitudes it was found from
/// ([`gradient_magnitude`]'s, computed once).
pub fn canny_with_magnitude(grey: &[u8], height: usize, width: usize, low: i32, high: i32) -> (Vec<bool>, Vec<i32>) {
    const SHIFT: i64 = 15;
    const TG22: i64 = 13573; // tan(22.5 degrees) * 2^15, rounded
    let (dx, dy) = sobel(grey, height, width);
    let mag: Vec<i32> = dx.iter().zip(&dy).map(|(a, b)| a.abs() + b.abs()).collect();
    // Magnitudes outside the image are 0.
    let m = |y: isize, x: isize| if y < 0 || x < 0 || y >= height as isize || x >= width as isize { 0 } else { mag[y as usize * width + x as usize] };
    let mut candidate = vec![false; height * width];
    let mut strong = Vec::new();
    for y in 0..height as isize {
        for x in 0..width as isize {
            let i = y as usize * width + x as usize;
            let v = mag[i];
            if v <= low {
                continue;
            }
            let (xs, ys) = (dx[i] as i64, dy[i] as i64);
            let (ax, ay) = (xs.abs(), ys.abs() << SHIFT);
            let tg22x = ax * TG22;
            let maximal = if ay < tg22x {
                v > m(y, x - 1) && v >= m(y, x + 1)
            } else if ay > tg22x + (ax << (SHIFT + 1)) {
                v > m(y - 1, x) && v >= m(y + 1, x)
            } else {
                let s = if (xs ^ ys) < 0 { -1 } else { 1 };
                v > m(y - 1, x - s) && v > m(y + 1, x + s)
            };
            if maximal {
                candidate[i] = true;
                if v > high {
                    strong.push(i);
                }
            }
        }
    }
    (hysteresis(&candidate, strong, height, width), mag)
}

/// The candidates 8-connected to a strong pixel.
fn hysteresis(candidate: &[bool], mut stack: Vec<usize>, height: usize, width: usize) -> Vec<bool> {
    let mut edge = vec![false; height * width];
    for &i in &stack {
        edge[i] = true;
    }
    while let Some(i) = stack.pop() {
        let (y, x) = ((i / width) as isize, (i % width) as isize);
        for (oy, ox) in [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)] {
            let (ny, nx) = (y + oy, x + ox);
            if ny < 0 || nx < 0 || ny >= height as isize || nx >= width as isize {
                continue;
            }
            let j = ny as usize * width + nx as usize;
            if candidate[j] && !edge[j] {
                edge[j] = true;
                stack.push(j);
            }
        }
    }
    edge
}

/// `mask` dilated by a `k x k` square (the image's border adds nothing).
pub fn dilate(mask: &[bool], height: usize, width: usize, k: usize) -> Vec<bool> {
    let r = (k / 2) as isize;
    let mut out = vec![false; height * width];
    for y in 0..height as isize {
        for x in 0..width as isize {
            out[y as usize * width + x as usize] = (-r..=r).any(|oy| {
                (-r..=r).any(|ox| {
                    let (ny, nx) = (y + oy, x + ox);
                    ny >= 0 && nx >= 0 && ny < height as isize && nx < width as isize && mask[ny as usize * width + nx as usize]
                })
            });
        }
    }
    out
}

/// numpy's `reflect` padding: the index mirrored about the first and last pixel.
fn reflect(i: isize, n: usize) -> usize {
    let n = n as isize;
    let mut i = i;
    while i < 0 || i >= n {
        i = if i < 0 { -i } else { 2 * (n - 1) - i };
    }
    i as usize
}

/// The edge-promoted image: every pixel on the dilated Canny edges replaced, in each channel,
/// by the 5x5 Gaussian average of its (mirrored) neighbourhood, rounded down as the
/// reference's float-to-byte assignment does (the weights are multiples of 1/256, so the
/// integer sum here is exact).
pub fn edge_smooth(image: &[u8], channels: usize, height: usize, width: usize) -> Vec<u8> {
    const TAPS: [u32; 5] = [1, 4, 6, 4, 1];
    let g = grey(image, channels, height, width);
    let edges = dilate(&canny(&g, height, width, 100, 200), height, width, 5);
    let mut out = image.to_vec();
    let n = height * width;
    for (i, _) in edges.iter().enumerate().filter(|(_, e)| **e) {
        let (y, x) = ((i / width) as isize, (i % width) as isize);
        for c in 0..channels {
            let plane = &image[c * n..(c + 1) * n];
            let mut sum = 0u32;
            for (a, wy) in TAPS.iter().enumerate() {
                let row = reflect(y + a as isize - 2, height) * width;
                for (b, wx) in TAPS.iter().enumerate() {
                    sum += wy * wx * plane[row + reflect(x + b as isize - 2, width)] as u32;
                }
            }
            out[c * n + i] = (sum >> 8) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: a 6x6 grey image, black left half and white right half, has vertical
    /// edges at the step (|dx| = 4 * 255 = 1020 on both columns beside it); non-maximum
    /// suppression keeps the left one (`v > left && v >= right`).
    #[test]
    fn a_step_has_one_edge_column() {
        let img: Vec<u8> = (0..36).map(|i| if i % 6 >= 3 { 255 } else { 0 }).collect();
        let e = canny(&img, 6, 6, 100, 200);
        for y in 0..6 {
            let row: Vec<bool> = (0..6).map(|x| e[y * 6 + x]).collect();
            assert_eq!(row, [false, false, true, false, false, false], "row {y}");
        }
        assert_eq!(gradient_magnitude(&img, 6, 6)[2], 1020);
    }

    #[test]
    fn flat_images_are_left_alone_and_reflection_mirrors() {
        let img = vec![90u8; 3 * 8 * 8];
        assert_eq!(edge_smooth(&img, 3, 8, 8), img);
        assert_eq!([reflect(-1, 5), reflect(-2, 5), reflect(5, 5), reflect(6, 5), reflect(2, 5)], [1, 2, 3, 2, 2]);
        assert_eq!(grey(&[255, 0, 0], 3, 1, 1), [76]);
    }

    /// The Gaussian average at a dilated edge pixel, worked by hand: a column of 255 at x = 4
    /// in a 9x9 black image; at (4, 4) the row weights are 6/16 for the column, so the average
    /// is floor(255 * 6 / 16) = 95.
    #[test]
    fn edge_pixels_take_the_gaussian_average() {
        let img: Vec<u8> = (0..81).map(|i| if i % 9 == 4 { 255 } else { 0 }).collect();
        let out = edge_smooth(&img, 1, 9, 9);
        assert_eq!(out[4 * 9 + 4], 95);
        assert_eq!(out[4 * 9 + 3], (255 * 4 / 16) as u8);
    }
}
