//! What an image folder's `[data]` table holds: the folder and size, which rows of its
//! metadata to train on (`filter`, `limit`), their classes (`label`) and captions (`caption`),
//! and the colour under transparent pixels (`background`). See [`crate::metadata`].

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::alpha::Background;
use crate::error::{DataError, Result};
use crate::metadata::{Match, Metadata, Selection};

use super::{ImageFolder, OnError};

/// `[data] kind = "folder"`: PNG/JPEG files anywhere under `dir`, as `size x size` RGB,
/// streamed batch by batch; the rows of its metadata when it has some.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FolderSource {
    pub dir: PathBuf,
    pub size: u32,
    #[serde(default)]
    pub on_error: OnError,
    /// The metadata field that gives each image its class (class-conditional training).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Rows without exactly one value of the label field: an error (default) or passed over
    /// (`"skip"`: e.g. `label = "skin_tone"` on the people with one tone).
    #[serde(default, skip_serializing_if = "Unlabelled::is_default")]
    pub unlabelled: Unlabelled,
    /// The metadata field that gives each image its caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Rows to keep, by field: `split = "train"`, `group = ["people & body", ...]`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub filter: BTreeMap<String, Match>,
    /// Keep the first this many images (after the filter).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<usize>,
    /// The colour under transparent pixels (white unless set).
    #[serde(default, skip_serializing_if = "Background::is_default")]
    pub background: Background,
}

/// What to do with a row that has no single label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unlabelled {
    #[default]
    Error,
    Skip,
}

impl Unlabelled {
    fn is_default(&self) -> bool {
        *self == Self::Error
    }
}

impl FolderSource {
    /// Every image under `dir` at `size x size`, stopping at a file that does not decode.
    pub fn new(dir: impl Into<PathBuf>, size: u32) -> Self {
        Self { dir: dir.into(), size, ..Self::default() }
    }

    /// The folder, and the rows its filter keeps: `DIR` or `DIR (split = "test")`.
    pub fn describe_rows(&self) -> String {
        if self.filter.is_empty() {
            return self.dir.display().to_string();
        }
        let terms: Vec<String> = self.filter.iter().map(|(k, m)| format!("{k} = {}", serde_json::to_string(m).expect("a filter serialises"))).collect();
        format!("{} ({})", self.dir.display(), terms.join(", "))
    }

    fn uses_metadata(&self) -> bool {
        self.label.is_some() || self.caption.is_some() || !self.filter.is_empty()
    }

    /// Problems visible without touching the disk.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        if !(4..=1024).contains(&self.size) {
            p.push(format!("size must be between 4 and 1024, got {}", self.size));
        }
        if self.limit == Some(0) {
            p.push("limit must be at least 1".into());
        }
        p
    }

    /// The folder: the rows its `metadata.jsonl`/`.csv` selects when it has one, or every
    /// image under it; `limit` keeps the first rows (or files).
    pub fn open(&self) -> Result<ImageFolder> {
        let dir = self.dir.as_path();
        let mut folder = ImageFolder::scan(dir, self.size)?;
        folder.background = self.background.rgb();
        match Metadata::find(dir)? {
            Some(meta) => {
                let sel = Selection {
                    filter: &self.filter,
                    limit: self.limit,
                    label: self.label.as_deref(),
                    caption: self.caption.as_deref(),
                    skip_unlabelled: self.unlabelled == Unlabelled::Skip,
                };
                let chosen = meta.select(dir, sel)?;
                folder.files = chosen.files;
                (folder.labels, folder.class_names, folder.captions) = (chosen.labels, chosen.class_names, chosen.captions);
            }
            None if self.uses_metadata() => {
                return Err(DataError::Invalid {
                    name: dir.display().to_string(),
                    reason: "label, caption and filter read the folder's metadata.jsonl or metadata.csv, and it has neither".into(),
                })
            }
            None => folder.files.truncate(self.limit.unwrap_or(usize::MAX)),
        }
        Ok(folder)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_labelled_folder_serves_its_labels_with_each_batch_and_composites_alpha() {
        let d = tempfile::tempdir().unwrap();
        for (i, name) in ["a.png", "b.png", "c.png"].iter().enumerate() {
            // Transparent except one opaque red pixel per image.
            let img = image::RgbaImage::from_fn(4, 4, |x, y| image::Rgba(if (x, y) == (0, 0) { [200, 0, i as u8, 255] } else { [0, 0, 0, 0] }));
            img.save(d.path().join(name)).unwrap();
        }
        let meta =
            "{\"file_name\": \"a.png\", \"kind\": \"cat\"}\n{\"file_name\": \"b.png\", \"kind\": \"dog\"}\n{\"file_name\": \"c.png\", \"kind\": \"cat\"}\n";
        std::fs::write(d.path().join("metadata.jsonl"), meta).unwrap();
        let f = FolderSource { label: Some("kind".into()), ..FolderSource::new(d.path(), 4) }.open().unwrap();
        assert_eq!((f.labels.clone().unwrap(), f.class_names.clone()), (vec![0, 1, 0], vec!["cat".to_string(), "dog".to_string()]));
        let px = f.load(1).unwrap();
        // Channels first: red plane, then green, then blue; (0, 0) opaque, the rest white.
        assert_eq!((px[0], px[16], px[32]), (200, 0, 1));
        assert!(px[1..16].iter().all(|&v| v == 255));
        let sampler = crate::sampler::BatchSampler::new(3, 3, 7).unwrap();
        let order: Vec<u32> = sampler.clone().batch(0).iter().map(|&i| [0, 1, 0][i as usize]).collect();
        let mut p = super::super::Prefetcher::start(std::sync::Arc::new(f), sampler, 0, 2, 1, super::super::OnError::Stop);
        assert_eq!(p.next_batch().unwrap().labels.unwrap(), order);
        let black =
            FolderSource { background: Background::Named(crate::alpha::Named::Black), limit: Some(2), ..FolderSource::new(d.path(), 4) }.open().unwrap();
        assert_eq!((black.len(), black.load(0).unwrap()[1]), (2, 0));
        // Without metadata, a label is refused.
        std::fs::remove_file(d.path().join("metadata.jsonl")).unwrap();
        let e = FolderSource { label: Some("kind".into()), ..FolderSource::new(d.path(), 4) }.open().unwrap_err().to_string();
        assert!(e.contains("metadata.jsonl"), "{e}");
    }
}
