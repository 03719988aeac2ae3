//! The IDX file format of the original MNIST distribution (LeCun, Bottou, Bengio, Haffner,
//! "Gradient-based learning applied to document recognition", 1998; format described at
//! yann.lecun.com/exdb/mnist).
//!
//! A file is a big-endian header, `0x00 0x00 <type> <ndims>` then `ndims` u32 dimensions,
//! followed by the data. Unsigned-byte image files have magic 2051 (`0x0803`, three
//! dimensions: count, rows, cols); label files have magic 2049 (`0x0801`, one dimension).
//! Files may be gzip-compressed; compression is detected from the content, not the name.

use std::io::{Read, Write};
use std::path::Path;

use flate2::read::GzDecoder;
use flate2::write::GzEncoder;

use crate::error::{DataError, Result};

/// Magic number of an unsigned-byte, three-dimensional IDX file (images).
pub const IMAGES_MAGIC: u32 = 2051;
/// Magic number of an unsigned-byte, one-dimensional IDX file (labels).
pub const LABELS_MAGIC: u32 = 2049;

/// A stack of grey images as stored in an IDX file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdxImages {
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    /// `count * rows * cols` bytes, row-major.
    pub pixels: Vec<u8>,
}

/// Reads a whole file, gunzipping it when it starts with the gzip magic bytes.
pub fn read_maybe_gz(path: &Path) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|source| DataError::Read { path: path.into(), source })?;
    decode_maybe_gz(raw, path)
}

/// Gunzips `raw` when it starts with the gzip magic bytes; `path` is only for errors.
pub fn decode_maybe_gz(raw: Vec<u8>, path: &Path) -> Result<Vec<u8>> {
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(raw.len() * 4);
        GzDecoder::new(raw.as_slice()).read_to_end(&mut out).map_err(|source| DataError::Gzip { path: path.into(), source })?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

fn header(bytes: &[u8], path: &Path, kind: &'static str, magic: u32) -> Result<Vec<usize>> {
    let ndims = (magic & 0xff) as usize;
    let needed = 4 + 4 * ndims;
    if bytes.len() < 4 {
        return Err(DataError::TruncatedHeader { path: path.into(), needed, found: bytes.len() });
    }
    let found = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    if found != magic {
        return Err(DataError::BadMagic { path: path.into(), kind, found, expected: magic });
    }
    if bytes.len() < needed {
        return Err(DataError::TruncatedHeader { path: path.into(), needed, found: bytes.len() });
    }
    Ok((0..ndims)
        .map(|i| {
            let o = 4 + 4 * i;
            u32::from_be_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]) as usize
        })
        .collect())
}

fn check_len(bytes: &[u8], path: &Path, dims: &[usize]) -> Result<()> {
    let shape = dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join("x");
    let expected = dims.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d)).ok_or_else(|| DataError::BadDims {
        path: path.into(),
        shape: shape.clone(),
        reason: "too large",
    })?;
    let found = bytes.len() - (4 + 4 * dims.len());
    if found < expected {
        return Err(DataError::Truncated { path: path.into(), shape, expected, found });
    }
    if found > expected {
        return Err(DataError::TrailingBytes { path: path.into(), shape, extra: found - expected });
    }
    Ok(())
}

/// Parses an image file already in memory (`path` names it in errors).
pub fn parse_images(bytes: &[u8], path: &Path) -> Result<IdxImages> {
    let dims = header(bytes, path, "image", IMAGES_MAGIC)?;
    let (count, rows, cols) = (dims[0], dims[1], dims[2]);
    if rows == 0 || cols == 0 {
        let shape = format!("{count}x{rows}x{cols}");
        return Err(DataError::BadDims { path: path.into(), shape, reason: "images must have at least one row and column" });
    }
    check_len(bytes, path, &dims)?;
    Ok(IdxImages { count, rows, cols, pixels: bytes[16..].to_vec() })
}

/// Parses a label file already in memory (`path` names it in errors).
pub fn parse_labels(bytes: &[u8], path: &Path) -> Result<Vec<u8>> {
    let dims = header(bytes, path, "label", LABELS_MAGIC)?;
    check_len(bytes, path, &dims)?;
    Ok(bytes[8..].to_vec())
}

/// Reads an IDX image file, `.gz` or raw.
pub fn read_images(path: &Path) -> Result<IdxImages> {
    parse_images(&read_bounded(path, IMAGES_MAGIC)?, path)
}

/// Reads an IDX label file, `.gz` or raw.
pub fn read_labels(path: &Path) -> Result<Vec<u8>> {
    parse_labels(&read_bounded(path, LABELS_MAGIC)?, path)
}

/// The file's IDX bytes, never more than the file (raw) or its header (gzip) accounts for:
/// a compressed file whose header claims terabytes is read only as far as it really goes,
/// and bytes beyond the declared data are counted, not kept (the parser then reports them).
fn read_bounded(path: &Path, magic: u32) -> Result<Vec<u8>> {
    let raw = std::fs::read(path).map_err(|source| DataError::Read { path: path.into(), source })?;
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return Ok(raw);
    }
    let gzip = |source| DataError::Gzip { path: path.into(), source };
    let mut dec = GzDecoder::new(raw.as_slice());
    let header_len = 4 + 4 * (magic & 0xff) as u64;
    let mut out = Vec::new();
    (&mut dec).take(header_len).read_to_end(&mut out).map_err(gzip)?;
    let mut complete = false;
    if out.len() as u64 == header_len && out[..4] == magic.to_be_bytes() {
        let declared = out[4..].chunks(4).try_fold(1u64, |acc, d| acc.checked_mul(u32::from_be_bytes([d[0], d[1], d[2], d[3]]) as u64));
        if let Some(n) = declared {
            (&mut dec).take(n).read_to_end(&mut out).map_err(gzip)?;
            complete = out.len() as u64 == header_len + n;
        }
    }
    // The rest is read to the end, which also checks the stream's CRC; any of it is extra.
    let extra = std::io::copy(&mut dec, &mut std::io::sink()).map_err(gzip)?;
    if extra > 0 && complete {
        let shape = out[4..header_len as usize].chunks(4).map(|d| u32::from_be_bytes([d[0], d[1], d[2], d[3]]).to_string()).collect::<Vec<_>>().join("x");
        return Err(DataError::TrailingBytes { path: path.into(), shape, extra: extra as usize });
    }
    Ok(out)
}

/// Encodes images as IDX bytes (uncompressed).
pub fn encode_images(images: &IdxImages) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + images.pixels.len());
    for v in [IMAGES_MAGIC, images.count as u32, images.rows as u32, images.cols as u32] {
        out.extend_from_slice(&v.to_be_bytes());
    }
    out.extend_from_slice(&images.pixels);
    out
}

/// Encodes labels as IDX bytes (uncompressed).
pub fn encode_labels(labels: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 + labels.len());
    out.extend_from_slice(&LABELS_MAGIC.to_be_bytes());
    out.extend_from_slice(&(labels.len() as u32).to_be_bytes());
    out.extend_from_slice(labels);
    out
}

/// Writes bytes to `path`, gzip-compressed when the name ends in `.gz`.
pub fn write_maybe_gz(path: &Path, bytes: &[u8]) -> Result<()> {
    let err = |source| DataError::Write { path: path.into(), source };
    let data = if path.extension().is_some_and(|e| e == "gz") {
        let mut enc = GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(bytes).map_err(err)?;
        enc.finish().map_err(err)?
    } else {
        bytes.to_vec()
    };
    std::fs::write(path, data).map_err(err)
}

/// Writes a labelled set as `train-images-idx3-ubyte.gz` and `train-labels-idx1-ubyte.gz`
/// in `dir` (created if missing), the layout [`crate::dataset::load_idx_dir`] reads.
pub fn write_labelled_dir(dir: &Path, set: &crate::Dataset) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|source| DataError::Write { path: dir.into(), source })?;
    let images = IdxImages { count: set.len(), rows: set.height, cols: set.width, pixels: set.pixels.clone() };
    write_maybe_gz(&dir.join("train-images-idx3-ubyte.gz"), &encode_images(&images))?;
    write_maybe_gz(&dir.join("train-labels-idx1-ubyte.gz"), &encode_labels(set.labels.as_deref().unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> IdxImages {
        IdxImages { count: 2, rows: 2, cols: 3, pixels: (0..12).collect() }
    }

    #[test]
    fn hand_made_header_parses() {
        // 2 images of 2x3: magic 0x00000803, then 2, 2, 3, then 12 bytes.
        let mut b = vec![0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3];
        b.extend(0..12u8);
        assert_eq!(parse_images(&b, Path::new("x")).unwrap(), sample());
    }

    #[test]
    fn round_trip_raw_and_gz() {
        let dir = tempfile::tempdir().unwrap();
        for name in ["a-idx3-ubyte", "a-idx3-ubyte.gz"] {
            let p = dir.path().join(name);
            write_maybe_gz(&p, &encode_images(&sample())).unwrap();
            assert_eq!(read_images(&p).unwrap(), sample());
        }
        let p = dir.path().join("l.gz");
        write_maybe_gz(&p, &encode_labels(&[3, 1, 4])).unwrap();
        assert_eq!(read_labels(&p).unwrap(), vec![3, 1, 4]);
    }

    #[test]
    fn errors_name_the_problem() {
        let p = Path::new("f.idx");
        let good = encode_images(&sample());
        let e = parse_images(&good[..good.len() - 1], p).unwrap_err().to_string();
        assert!(e.contains("f.idx") && e.contains("truncated") && e.contains("2x2x3"), "{e}");
        let e = parse_images(&good[..10], p).unwrap_err().to_string();
        assert!(e.contains("truncated") && e.contains("header"), "{e}");
        let e = parse_labels(&good, p).unwrap_err().to_string();
        assert!(e.contains("magic number 2051 (expected 2049)"), "{e}");
        let mut long = good.clone();
        long.push(0);
        let e = parse_images(&long, p).unwrap_err().to_string();
        assert!(e.contains("1 unexpected bytes"), "{e}");
        let e = parse_images(&[], p).unwrap_err().to_string();
        assert!(e.contains("truncated"), "{e}");
    }

    #[test]
    fn truncated_gzip_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t.gz");
        write_maybe_gz(&p, &encode_images(&sample())).unwrap();
        let bytes = std::fs::read(&p).unwrap();
        std::fs::write(&p, &bytes[..bytes.len() / 2]).unwrap();
        let e = read_images(&p).unwrap_err().to_string();
        assert!(e.contains("t.gz") && e.contains("gzip"), "{e}");
    }
}
