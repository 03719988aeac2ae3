//! CIFAR-10 (Krizhevsky 2009, "Learning Multiple Layers of Features from Tiny Images"), its
//! binary version: `cifar-10-batches-bin/data_batch_{1..5}.bin` (training) and
//! `test_batch.bin`, each a run of 3,073-byte records: the label (0-9), then the 32x32 red,
//! green and blue planes row by row (the channel-first layout training uses).

use std::path::{Path, PathBuf};

use crate::dataset::{Dataset, Split};
use crate::error::{DataError, Result};

pub const SIDE: usize = 32;
const RECORD: usize = 1 + 3 * SIDE * SIDE;
/// The folder the archive unpacks to.
pub const BATCHES_DIR: &str = "cifar-10-batches-bin";
const TRAIN: [&str; 5] = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
const TEST: [&str; 1] = ["test_batch.bin"];

/// The class names, in label order (`batches.meta.txt`).
pub const CLASSES: [&str; 10] = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

fn files(split: Split) -> &'static [&'static str] {
    match split {
        Split::Train => &TRAIN,
        Split::Test => &TEST,
    }
}

/// The batches folder of `dir`: `dir` itself when it holds the batch files, else
/// `dir/cifar-10-batches-bin`.
pub fn batches_dir(dir: &Path) -> PathBuf {
    if dir.join(TEST[0]).is_file() || dir.join(TRAIN[0]).is_file() {
        dir.into()
    } else {
        dir.join(BATCHES_DIR)
    }
}

/// Reads one split of CIFAR-10 from `dir` (the batches folder or the folder holding it).
pub fn load(dir: &Path, split: Split) -> Result<Dataset> {
    if !dir.is_dir() {
        return Err(DataError::MissingDir(dir.into()));
    }
    let batches = batches_dir(dir);
    let mut pixels = Vec::new();
    let mut labels = Vec::new();
    for name in files(split) {
        let path = batches.join(name);
        if !path.is_file() {
            return Err(DataError::MissingFile { dir: batches.clone(), name: (*name).into() });
        }
        let bytes = std::fs::read(&path).map_err(|source| DataError::Read { path: path.clone(), source })?;
        if bytes.is_empty() || bytes.len() % RECORD != 0 {
            return Err(DataError::Invalid {
                name: path.display().to_string(),
                reason: format!("{} bytes is not a whole number of {RECORD}-byte CIFAR-10 records (a label and a 3x32x32 image)", bytes.len()),
            });
        }
        for (i, record) in bytes.chunks_exact(RECORD).enumerate() {
            if record[0] as usize >= CLASSES.len() {
                return Err(DataError::Invalid {
                    name: path.display().to_string(),
                    reason: format!("record {i} has label {}, CIFAR-10's go from 0 to 9", record[0]),
                });
            }
            labels.push(record[0]);
            pixels.extend_from_slice(&record[1..]);
        }
    }
    Ok(Dataset { name: batches.display().to_string(), channels: 3, height: SIDE, width: SIDE, pixels, labels: Some(labels) })
}

/// Unpacks the batch files of the official archive into `dir/cifar-10-batches-bin` (by way
/// of a temporary folder renamed into place, so a half-unpacked set is never seen), unless
/// they are already there. Returns the batches folder.
pub fn unpack(archive: &Path, dir: &Path) -> Result<PathBuf> {
    let target = dir.join(BATCHES_DIR);
    let whole =
        |d: &Path| TRAIN.iter().chain(&TEST).all(|n| std::fs::metadata(d.join(n)).is_ok_and(|m| m.len() > 0 && (m.len() as usize).is_multiple_of(RECORD)));
    if whole(&target) {
        return Ok(target);
    }
    let temp = dir.join(format!(".{BATCHES_DIR}.unpacking"));
    let _ = std::fs::remove_dir_all(&temp);
    std::fs::create_dir_all(&temp).map_err(|source| DataError::Write { path: temp.clone(), source })?;
    let read_err = |source| DataError::Read { path: archive.into(), source };
    let file = std::fs::File::open(archive).map_err(read_err)?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    for entry in tar.entries().map_err(read_err)? {
        let mut entry = entry.map_err(read_err)?;
        let path = entry.path().map_err(read_err)?.into_owned();
        // Only the archive's own files, by their plain names (never a path out of `dir`).
        let inside = path.parent().is_some_and(|p| p == Path::new(BATCHES_DIR));
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        if let (true, Some(name)) = (inside, name) {
            if entry.header().entry_type().is_file() {
                let out = temp.join(&name);
                let mut f = std::fs::File::create(&out).map_err(|source| DataError::Write { path: out.clone(), source })?;
                std::io::copy(&mut entry, &mut f).map_err(read_err)?;
            }
        }
    }
    if !whole(&temp) {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(DataError::Invalid {
            name: archive.display().to_string(),
            reason: format!("does not hold the six batch files of {BATCHES_DIR}/ (data_batch_1-5.bin, test_batch.bin)"),
        });
    }
    let _ = std::fs::remove_dir_all(&target);
    std::fs::rename(&temp, &target).map_err(|source| DataError::Write { path: target.clone(), source })?;
    Ok(target)
}

/// `n` records of the binary format (label `i % 10`, pixel `(i + j) % 256`), for tests.
pub fn encode_records(n: usize) -> Vec<u8> {
    (0..n).flat_map(|i| std::iter::once((i % 10) as u8).chain((0..RECORD - 1).map(move |j| ((i + j) % 256) as u8))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_channel_first_with_labels_and_bad_files_are_named() {
        let d = tempfile::tempdir().unwrap();
        let b = d.path().join(BATCHES_DIR);
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(b.join("test_batch.bin"), encode_records(3)).unwrap();
        let ds = load(d.path(), Split::Test).unwrap();
        assert_eq!((ds.len(), ds.channels, ds.height, ds.width), (3, 3, 32, 32));
        assert_eq!(ds.labels.as_deref(), Some(&[0u8, 1, 2][..]));
        // Image 1's green plane starts 1024 bytes in: pixel (1 + 1024) % 256.
        assert_eq!(ds.pixels[3072 + 1024], ((1 + 1024) % 256) as u8);
        assert_eq!(load(&b, Split::Test).unwrap().pixels, ds.pixels, "the batches folder itself");
        let e = load(d.path(), Split::Train).unwrap_err().to_string();
        assert!(e.contains("data_batch_1.bin"), "{e}");
        std::fs::write(b.join("test_batch.bin"), &encode_records(2)[..5000]).unwrap();
        let e = load(d.path(), Split::Test).unwrap_err().to_string();
        assert!(e.contains("test_batch.bin") && e.contains("3073-byte"), "{e}");
        let mut bad = encode_records(1);
        bad[0] = 10;
        std::fs::write(b.join("test_batch.bin"), bad).unwrap();
        assert!(load(d.path(), Split::Test).unwrap_err().to_string().contains("label 10"));
    }

    fn archive(path: &Path, names: &[&str]) {
        let gz = flate2::write::GzEncoder::new(std::fs::File::create(path).unwrap(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (i, name) in names.iter().enumerate() {
            let data = encode_records(i + 1);
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            tar.append_data(&mut header, name, data.as_slice()).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap();
    }

    #[test]
    fn the_archive_unpacks_whole_or_not_at_all() {
        let d = tempfile::tempdir().unwrap();
        let names: Vec<String> = TRAIN
            .iter()
            .chain(&TEST)
            .map(|n| format!("{BATCHES_DIR}/{n}"))
            .chain([format!("{BATCHES_DIR}/batches.meta.txt"), "elsewhere/x.bin".into()])
            .collect();
        let a = d.path().join("cifar-10-binary.tar.gz");
        archive(&a, &names.iter().map(String::as_str).collect::<Vec<_>>());
        let out = unpack(&a, d.path()).unwrap();
        assert_eq!(out, d.path().join(BATCHES_DIR));
        assert_eq!(load(d.path(), Split::Train).unwrap().len(), 1 + 2 + 3 + 4 + 5);
        assert_eq!(load(d.path(), Split::Test).unwrap().len(), 6);
        assert!(!d.path().join("elsewhere").exists(), "only the batches folder is unpacked");
        // An archive without the test batch leaves nothing behind.
        let e2 = tempfile::tempdir().unwrap();
        let b = e2.path().join("bad.tar.gz");
        archive(&b, &names[..5].iter().map(String::as_str).collect::<Vec<_>>());
        let e = unpack(&b, e2.path()).unwrap_err().to_string();
        assert!(e.contains("bad.tar.gz") && e.contains("test_batch.bin"), "{e}");
        assert_eq!(std::fs::read_dir(e2.path()).unwrap().count(), 1, "only the archive is left");
    }
}
