//! Folders of PNG/JPEG images (CelebA style, flat or nested), read as RGB, resized so the
//! shorter side is `size` and centre-cropped to `size x size` (torchvision's
//! `Resize(size)` + `CenterCrop(size)`, with a triangle filter).
//!
//! A folder is never loaded whole: [`Prefetcher`] decodes the batches a run will ask for next
//! on a background thread, each batch's images in parallel on `workers` threads, and hands
//! them over through a bounded queue of `depth` batches, so decoding runs ahead of training
//! without holding the data set in memory.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver};
use std::sync::Arc;
use std::thread::JoinHandle;

use image::imageops::FilterType;
use serde::{Deserialize, Serialize};

use crate::error::{DataError, Result};
use crate::sampler::BatchSampler;

mod source;

pub use source::{FolderSource, Unlabelled};

/// What to do with a file that cannot be decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OnError {
    /// Stop training with an error naming the file.
    #[default]
    Stop,
    /// Leave the image out of its batch and count it.
    Skip,
}

/// The images of one folder: every file under it in sorted order, or the rows its metadata
/// selects (see [`FolderSource`]).
#[derive(Debug)]
pub struct ImageFolder {
    pub root: PathBuf,
    pub files: Vec<PathBuf>,
    /// Side of the square images produced.
    pub size: u32,
    /// The colour under transparent pixels.
    pub background: [u8; 3],
    /// Each file's class (with `label = FIELD`), an index into `class_names`.
    pub labels: Option<Vec<u32>>,
    pub class_names: Vec<String>,
    /// Each file's caption (with `caption = FIELD`).
    pub captions: Option<Vec<String>>,
}

fn is_image(p: &Path) -> bool {
    p.extension().and_then(|e| e.to_str()).is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "png" | "jpg" | "jpeg"))
}

/// Appends every `.png`, `.jpg` and `.jpeg` file under `dir` (recursively) to `out`.
pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| DataError::Read { path: dir.into(), source })?;
    for entry in entries {
        let entry = entry.map_err(|source| DataError::Read { path: dir.into(), source })?;
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_image(&path) {
            out.push(path);
        }
    }
    Ok(())
}

impl ImageFolder {
    /// Lists every `.png`, `.jpg` and `.jpeg` file under `dir` (recursively).
    pub fn scan(dir: &Path, size: u32) -> Result<Self> {
        if !dir.is_dir() {
            return Err(DataError::MissingDir(dir.into()));
        }
        if size == 0 {
            return Err(DataError::Invalid { name: dir.display().to_string(), reason: "image size must be at least 1".into() });
        }
        let mut files = Vec::new();
        walk(dir, &mut files)?;
        if files.is_empty() {
            return Err(DataError::NoImages(dir.into()));
        }
        files.sort();
        Ok(Self { root: dir.into(), files, size, background: [255; 3], labels: None, class_names: Vec::new(), captions: None })
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Bytes per decoded image (`3 x size x size`).
    pub fn image_bytes(&self) -> usize {
        3 * self.size as usize * self.size as usize
    }

    /// Decodes image `i` to `3 x size x size` bytes, channels first.
    pub fn load(&self, i: usize) -> Result<Vec<u8>> {
        let path = &self.files[i];
        let bytes = std::fs::read(path).map_err(|source| DataError::Read { path: path.clone(), source })?;
        let img = decode_rgb(&bytes, self.size, self.background).map_err(|reason| DataError::Image { path: path.clone(), reason })?;
        Ok(square_chw(&img, self.size))
    }
}

/// `img` resized so that its shorter side is `s` (the longer keeps the aspect ratio,
/// truncated), centre-cropped to `s x s`, as `3 x s x s` bytes, channels first.
pub(crate) fn square_chw(img: &image::RgbImage, s: u32) -> Vec<u8> {
    let (w, h) = img.dimensions();
    let (rw, rh) = if w <= h { (s, (s as u64 * h as u64 / w as u64) as u32) } else { ((s as u64 * w as u64 / h as u64) as u32, s) };
    let resized = if (rw, rh) == (w, h) { img.clone() } else { image::imageops::resize(img, rw, rh, FilterType::Triangle) };
    let (x0, y0) = ((rw - s) / 2, (rh - s) / 2);
    let n = (s * s) as usize;
    let mut out = vec![0u8; 3 * n];
    for y in 0..s {
        for x in 0..s {
            let p = resized.get_pixel(x0 + x, y0 + y).0;
            let j = (y * s + x) as usize;
            for c in 0..3 {
                out[c * n + j] = p[c];
            }
        }
    }
    out
}

/// The largest image decoded, in pixels (a PNG header can claim any size).
pub const MAX_PIXELS: u64 = 100_000_000;
/// How much an image may be enlarged to reach the training size.
pub const MAX_UPSCALE: u32 = 8;

/// Decodes a still PNG or JPEG whose shorter side is at least `size / MAX_UPSCALE`; says why
/// not otherwise. The content decides the format, whatever the file is named.
pub(crate) fn decode_still(bytes: &[u8], size: u32) -> std::result::Result<image::DynamicImage, String> {
    use image::ImageFormat;
    let format = image::guess_format(bytes).map_err(|_| "not a PNG or JPEG file (unrecognised content)".to_string())?;
    if !matches!(format, ImageFormat::Png | ImageFormat::Jpeg) {
        return Err(format!("{} content, not PNG or JPEG", format.extensions_str().first().unwrap_or(&"other").to_uppercase()));
    }
    let reader = || image::ImageReader::with_format(std::io::Cursor::new(bytes), format);
    let (w, h) = reader().into_dimensions().map_err(|e| e.to_string())?;
    if w as u64 * h as u64 > MAX_PIXELS {
        return Err(format!("{w}x{h} is larger than the {MAX_PIXELS} pixels this tool decodes"));
    }
    if w.min(h).saturating_mul(MAX_UPSCALE) < size {
        return Err(format!("{w}x{h} is too small for training at {size}x{size} (images are enlarged at most {MAX_UPSCALE}x)"));
    }
    // A JPEG cut short decodes without complaint (the missing rows come out grey); its end
    // of image marker must follow the last scan.
    let last = |marker: [u8; 2]| bytes.windows(2).rposition(|w| w == marker);
    if format == ImageFormat::Jpeg && last([0xFF, 0xD9]) < last([0xFF, 0xDA]).or(Some(0)) {
        return Err("truncated JPEG: no end-of-image marker after the last scan".into());
    }
    if format == ImageFormat::Png {
        let png = image::codecs::png::PngDecoder::new(std::io::Cursor::new(bytes)).map_err(|e| e.to_string())?;
        if png.is_apng().map_err(|e| e.to_string())? {
            return Err("an animated PNG; training reads still images only".into());
        }
    }
    reader().decode().map_err(|e| e.to_string())
}

/// [`decode_still`] as RGB, transparent pixels over `background` (see [`crate::alpha`]).
pub(crate) fn decode_rgb(bytes: &[u8], size: u32, background: [u8; 3]) -> std::result::Result<image::RgbImage, String> {
    Ok(crate::alpha::flatten(decode_still(bytes, size)?, background))
}

/// One decoded batch.
#[derive(Debug)]
pub struct FolderBatch {
    pub index: u64,
    /// `count x 3 x size x size` bytes.
    pub pixels: Vec<u8>,
    pub count: usize,
    /// The decoded images' classes, when the folder has labels.
    pub labels: Option<Vec<u32>>,
    /// Files left out of this batch (with `OnError::Skip`) and why.
    pub skipped: Vec<DataError>,
}

/// Decodes batches `start, start + 1, ...` ahead of their use.
pub struct Prefetcher {
    rx: Option<Receiver<Result<FolderBatch>>>,
    /// The first batch, once [`Prefetcher::first`] has waited for it.
    ready: Option<FolderBatch>,
    thread: Option<JoinHandle<()>>,
    decoded: Arc<AtomicU64>,
}

impl Prefetcher {
    pub fn start(folder: Arc<ImageFolder>, mut sampler: BatchSampler, start: u64, workers: usize, depth: usize, on_error: OnError) -> Self {
        let (tx, rx) = sync_channel(depth.max(1));
        let workers = workers.max(1);
        let decoded = Arc::new(AtomicU64::new(0));
        let counter = decoded.clone();
        let thread = std::thread::spawn(move || {
            for index in start.. {
                let ids: Vec<usize> = sampler.batch(index).iter().map(|&i| i as usize).collect();
                let batch = decode_batch(&folder, index, &ids, workers, on_error);
                counter.fetch_add(1, Ordering::Relaxed);
                let failed = batch.is_err();
                if tx.send(batch).is_err() || failed {
                    return;
                }
            }
        });
        Self { rx: Some(rx), ready: None, thread: Some(thread), decoded }
    }

    /// Batches decoded so far (handed over or waiting in the queue).
    pub fn decoded(&self) -> u64 {
        self.decoded.load(Ordering::Relaxed)
    }

    /// Waits for the first batch and keeps it for [`Prefetcher::next_batch`]: a file that
    /// fails to decode there stops a run before it has written anything.
    pub fn first(&mut self) -> Result<()> {
        if self.ready.is_none() {
            self.ready = Some(self.next_batch()?);
        }
        Ok(())
    }

    /// The next batch in order.
    pub fn next_batch(&mut self) -> Result<FolderBatch> {
        if let Some(b) = self.ready.take() {
            return Ok(b);
        }
        let rx = self.rx.as_ref().expect("receiver lives until drop");
        rx.recv().unwrap_or_else(|_| Err(DataError::Invalid { name: "image folder".into(), reason: "the decoding thread stopped".into() }))
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        // Closing the queue makes the decoding thread's next send fail, so it exits.
        drop(self.rx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn decode_batch(folder: &ImageFolder, index: u64, ids: &[usize], workers: usize, on_error: OnError) -> Result<FolderBatch> {
    let chunk = ids.len().div_ceil(workers).max(1);
    let decoded: Vec<Result<Vec<u8>>> = std::thread::scope(|s| {
        let handles: Vec<_> = ids.chunks(chunk).map(|part| s.spawn(move || part.iter().map(|&i| folder.load(i)).collect::<Vec<_>>())).collect();
        handles.into_iter().flat_map(|h| h.join().expect("decoder thread")).collect()
    });
    let labels = folder.labels.as_ref().map(|_| Vec::with_capacity(ids.len()));
    let mut batch = FolderBatch { index, pixels: Vec::with_capacity(ids.len() * folder.image_bytes()), count: 0, labels, skipped: Vec::new() };
    for (r, &i) in decoded.into_iter().zip(ids) {
        match (r, on_error) {
            (Ok(px), _) => {
                batch.pixels.extend_from_slice(&px);
                batch.count += 1;
                if let (Some(out), Some(all)) = (batch.labels.as_mut(), folder.labels.as_ref()) {
                    out.push(all[i]);
                }
            }
            (Err(e), OnError::Stop) => return Err(e),
            (Err(e), OnError::Skip) => batch.skipped.push(e),
        }
    }
    if batch.count == 0 {
        return Err(DataError::Invalid {
            name: folder.root.display().to_string(),
            reason: format!("every image of batch {index} failed to decode (first: {})", batch.skipped[0]),
        });
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_png(path: &Path, w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 3]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        image::RgbImage::from_fn(w, h, |x, y| image::Rgb(f(x, y))).save(path).unwrap();
    }

    #[test]
    fn scan_is_recursive_sorted_and_filters_extensions() {
        let d = tempfile::tempdir().unwrap();
        write_png(&d.path().join("b/2.png"), 4, 4, |_, _| [0, 0, 0]);
        write_png(&d.path().join("a.PNG"), 4, 4, |_, _| [0, 0, 0]);
        std::fs::write(d.path().join("notes.txt"), "x").unwrap();
        let f = ImageFolder::scan(d.path(), 4).unwrap();
        let names: Vec<String> = f.files.iter().map(|p| p.strip_prefix(d.path()).unwrap().display().to_string()).collect();
        assert_eq!(names, vec!["a.PNG", "b/2.png"]);
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(ImageFolder::scan(empty.path(), 4), Err(DataError::NoImages(_))));
        assert!(matches!(ImageFolder::scan(&d.path().join("nope"), 4), Err(DataError::MissingDir(_))));
    }

    /// An 8x4 image with a red band in columns 2..6 and blue elsewhere.
    #[test]
    fn resize_shorter_side_then_centre_crop_channels_first() {
        let d = tempfile::tempdir().unwrap();
        write_png(&d.path().join("x.png"), 8, 4, |x, _| if (2..6).contains(&x) { [200, 10, 0] } else { [0, 0, 255] });
        let f = ImageFolder::scan(d.path(), 4).unwrap();
        let px = f.load(0).unwrap();
        assert_eq!(px.len(), 3 * 16);
        // 8x4 -> shorter side already 4: crop columns 2..6, the red band, exactly.
        assert!(px[..16].iter().all(|&v| v == 200) && px[16..32].iter().all(|&v| v == 10) && px[32..].iter().all(|&v| v == 0));
        let f2 = ImageFolder::scan(d.path(), 2).unwrap();
        // 8x4 -> 4x2 (triangle filter), crop the middle 2 columns: mostly red.
        let px2 = f2.load(0).unwrap();
        assert_eq!(px2.len(), 12);
        assert!(px2[..4].iter().all(|&v| v > 100), "{px2:?}");
    }

    #[test]
    fn prefetcher_yields_sampler_order_and_reports_bad_files() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..6u8 {
            write_png(&d.path().join(format!("{i}.png")), 2, 2, |_, _| [i * 10, 0, 0]);
        }
        std::fs::write(d.path().join("6.png"), b"not a png").unwrap();
        let folder = Arc::new(ImageFolder::scan(d.path(), 2).unwrap());
        let sampler = BatchSampler::new(7, 7, 3).unwrap();
        // Skip: the broken file is counted, the other six arrive in sampler order.
        let mut p = Prefetcher::start(folder.clone(), sampler.clone(), 0, 2, 2, OnError::Skip);
        let b = p.next_batch().unwrap();
        assert_eq!((b.index, b.count, b.skipped.len()), (0, 6, 1));
        assert!(b.skipped[0].to_string().contains("6.png"));
        let mut s = sampler.clone();
        let want: Vec<u8> = s.batch(0).iter().filter(|&&i| i != 6).map(|&i| i as u8 * 10).collect();
        let got: Vec<u8> = b.pixels.chunks(12).map(|c| c[0]).collect();
        assert_eq!(got, want);
        drop(p);
        // Stop: the error names the file.
        let mut p = Prefetcher::start(folder, sampler, 0, 2, 2, OnError::Stop);
        let e = p.next_batch().unwrap_err().to_string();
        assert!(e.contains("6.png") && e.contains("cannot decode"), "{e}");
    }

    #[test]
    fn decoding_runs_ahead_by_at_most_the_queue_depth() {
        let d = tempfile::tempdir().unwrap();
        for i in 0..8u8 {
            write_png(&d.path().join(format!("{i}.png")), 2, 2, |_, _| [i, 0, 0]);
        }
        let folder = Arc::new(ImageFolder::scan(d.path(), 2).unwrap());
        let p = Prefetcher::start(folder, BatchSampler::new(8, 2, 0).unwrap(), 0, 1, 3, OnError::Stop);
        // Give the decoder time to fill the queue; it can never exceed depth + the one batch
        // blocked on handing over, however long it runs.
        std::thread::sleep(std::time::Duration::from_millis(300));
        assert!(p.decoded() <= 4, "{} batches decoded with a queue of 3", p.decoded());
        let mut p = p;
        for i in 0..10 {
            assert_eq!(p.next_batch().unwrap().index, i);
            assert!(p.decoded() <= i + 1 + 4);
        }
    }
}
