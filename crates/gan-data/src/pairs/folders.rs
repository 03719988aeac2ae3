//! Image-to-image data in folders, as the pix2pix and CycleGAN repositories lay them out:
//! - side by side: each file holds the input on its left half and the target on its right
//!   (pix2pix's `A|B` images, e.g. `facades/train/1.jpg`);
//! - two folders: `A/` and `B/` under one folder, partners sharing a file name;
//! - unpaired: `A/` and `B/` (CycleGAN's `trainA/` and `trainB/`), any names and counts.
//!
//! Every image becomes `3 x size x size` (shorter side resized to `size`, centre-cropped).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::folder::{decode_rgb, square_chw, walk};

fn decode(path: &Path, size: u32) -> Result<image::RgbImage> {
    let bytes = std::fs::read(path).map_err(|source| DataError::Read { path: path.into(), source })?;
    // Transparent pixels over white, as image folders read them.
    decode_rgb(&bytes, size, crate::alpha::Background::default().rgb()).map_err(|reason| DataError::Image { path: path.into(), reason })
}

fn images_under(dir: &Path) -> Result<Vec<PathBuf>> {
    if !dir.is_dir() {
        return Err(DataError::MissingDir(dir.into()));
    }
    let mut files = Vec::new();
    walk(dir, &mut files)?;
    if files.is_empty() {
        return Err(DataError::NoImages(dir.into()));
    }
    files.sort();
    Ok(files)
}

fn dataset(name: String, size: u32, pixels: Vec<u8>) -> Dataset {
    Dataset { name, channels: 3, height: size as usize, width: size as usize, pixels, labels: None }
}

/// Side-by-side pairs: every image under `dir` is `2w x h`, input left, target right.
pub fn side_by_side(dir: &Path, size: u32) -> Result<(Dataset, Dataset)> {
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for path in images_under(dir)? {
        let img = decode(&path, size)?;
        let (w, h) = img.dimensions();
        if w % 2 != 0 || w < 2 {
            return Err(DataError::Image { path, reason: format!("{w}x{h}: a side-by-side pair needs an even width (input left, target right)") });
        }
        let half = |x0| image::imageops::crop_imm(&img, x0, 0, w / 2, h).to_image();
        a.extend(square_chw(&half(0), size));
        b.extend(square_chw(&half(w / 2), size));
    }
    let name = dir.display().to_string();
    Ok((dataset(format!("{name} (inputs)"), size, a), dataset(format!("{name} (targets)"), size, b)))
}

/// The files under `dir` by their path relative to it.
fn by_name(dir: &Path) -> Result<BTreeMap<PathBuf, PathBuf>> {
    Ok(images_under(dir)?.into_iter().map(|p| (p.strip_prefix(dir).expect("found under dir").to_path_buf(), p)).collect())
}

/// Two folders `dir/A` and `dir/B` whose files pair by name (relative path); a file without
/// its partner, or partners of different sizes, is an error naming the file.
pub fn two_folders(dir: &Path, size: u32) -> Result<(Dataset, Dataset)> {
    let (a_files, b_files) = (by_name(&dir.join("A"))?, by_name(&dir.join("B"))?);
    if let Some((name, path)) = b_files.iter().find(|(n, _)| !a_files.contains_key(*n)) {
        return Err(DataError::Image { path: path.clone(), reason: format!("no partner {} in {}", name.display(), dir.join("A").display()) });
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for (name, a_path) in &a_files {
        let b_path = b_files
            .get(name)
            .ok_or_else(|| DataError::Image { path: a_path.clone(), reason: format!("no partner {} in {}", name.display(), dir.join("B").display()) })?;
        let (ia, ib) = (decode(a_path, size)?, decode(b_path, size)?);
        if ia.dimensions() != ib.dimensions() {
            let ((aw, ah), (bw, bh)) = (ia.dimensions(), ib.dimensions());
            return Err(DataError::Image { path: b_path.clone(), reason: format!("{bw}x{bh}, but its partner {} is {aw}x{ah}", a_path.display()) });
        }
        a.extend(square_chw(&ia, size));
        b.extend(square_chw(&ib, size));
    }
    Ok((dataset(dir.join("A").display().to_string(), size, a), dataset(dir.join("B").display().to_string(), size, b)))
}

/// The images `files` as one RGB data set named `name`.
pub(super) fn dataset_of(name: &str, files: &[PathBuf], size: u32) -> Result<Dataset> {
    let mut pixels = Vec::new();
    for path in files {
        pixels.extend(square_chw(&decode(path, size)?, size));
    }
    Ok(dataset(name.into(), size, pixels))
}

/// Two unpaired folders `dir/A` and `dir/B`.
pub fn unpaired(dir: &Path, size: u32) -> Result<(Dataset, Dataset)> {
    let load = |d: PathBuf| -> Result<Dataset> { dataset_of(&d.display().to_string(), &images_under(&d)?, size) };
    Ok((load(dir.join("A"))?, load(dir.join("B"))?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(path: &Path, w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb(f(x, y))).save(path).unwrap();
    }

    #[test]
    fn side_by_side_splits_halves() {
        let t = tempfile::tempdir().unwrap();
        png(&t.path().join("1.png"), 8, 4, |x, _| if x < 4 { [10, 20, 30] } else { [200, 210, 220] });
        let (a, b) = side_by_side(t.path(), 4).unwrap();
        assert_eq!((a.len(), a.channels, a.height), (1, 3, 4));
        assert_eq!((a.pixels[0], a.pixels[16], b.pixels[0], b.pixels[32]), (10, 20, 200, 220));
        png(&t.path().join("2.png"), 7, 4, |_, _| [0, 0, 0]);
        let e = side_by_side(t.path(), 4).unwrap_err().to_string();
        assert!(e.contains("2.png") && e.contains("even width"), "{e}");
    }

    #[test]
    fn two_folders_pair_by_name_and_name_the_bad_file() {
        let t = tempfile::tempdir().unwrap();
        png(&t.path().join("A/x.png"), 4, 4, |_, _| [1, 1, 1]);
        png(&t.path().join("B/x.png"), 4, 4, |_, _| [2, 2, 2]);
        let (a, b) = two_folders(t.path(), 4).unwrap();
        assert_eq!((a.pixels[0], b.pixels[0]), (1, 2));
        png(&t.path().join("B/y.png"), 8, 8, |_, _| [2, 2, 2]);
        let e = two_folders(t.path(), 4).unwrap_err().to_string();
        assert!(e.contains("B/y.png") && e.contains("no partner"), "{e}");
        png(&t.path().join("A/y.png"), 4, 4, |_, _| [2, 2, 2]);
        let e = two_folders(t.path(), 4).unwrap_err().to_string();
        assert!(e.contains("B/y.png") && e.contains("8x8") && e.contains("4x4"), "{e}");
        std::fs::remove_file(t.path().join("B/y.png")).unwrap();
        let e = two_folders(t.path(), 4).unwrap_err().to_string();
        assert!(e.contains("A/y.png") && e.contains("no partner"), "{e}");
    }

    #[test]
    fn unpaired_takes_any_counts() {
        let t = tempfile::tempdir().unwrap();
        png(&t.path().join("A/1.png"), 4, 4, |_, _| [1, 1, 1]);
        png(&t.path().join("B/1.png"), 4, 4, |_, _| [2, 2, 2]);
        png(&t.path().join("B/2.png"), 4, 4, |_, _| [3, 3, 3]);
        let (a, b) = unpaired(t.path(), 4).unwrap();
        assert_eq!((a.len(), b.len()), (1, 2));
        let e = unpaired(&t.path().join("A"), 4).unwrap_err().to_string();
        assert!(e.contains("does not exist"), "{e}");
    }

    /// Transparent pixels read as white, as in image folders (an emoji's surroundings must
    /// not turn black).
    #[test]
    fn transparent_pixels_of_a_pair_read_as_white() {
        let t = tempfile::tempdir().unwrap();
        for side in ["A", "B"] {
            std::fs::create_dir_all(t.path().join(side)).unwrap();
            image::RgbaImage::from_fn(4, 4, |x, _| image::Rgba(if x == 0 { [9, 9, 9, 255] } else { [0, 0, 0, 0] }))
                .save(t.path().join(side).join("e.png"))
                .unwrap();
        }
        let (a, _) = two_folders(t.path(), 4).unwrap();
        assert_eq!((a.pixels[0], a.pixels[1]), (9, 255));
    }
}
