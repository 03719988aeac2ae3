//! Two drawing styles of the same things as an image-to-image task with ground truth: an
//! image folder whose style subfolders (`a/` and `b/`, say the emoji set's `google/`, Noto's
//! shaded drawings, and `twitter/`, Twemoji's flat ones) each hold a metadata file in the
//! ImageFolder convention, the same thing drawn under the same `file_name` in both.
//!
//! Rows are chosen by their `split` field (`train` or `test`, when the metadata has one) and
//! paired by file name. `pairing = "halves"` makes the task truly unpaired: the things are
//! dealt by their `base` field when the rows have one (the emoji set's base emoji, so that
//! the skin-tone variants of one emoji fall on one side), else by file name, the first half
//! (in sorted order) drawn in style A only and the second half in style B only.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::folders::dataset_of;
use super::{PairSet, Pairing};
use crate::dataset::Split;
use crate::error::{DataError, Result};
use crate::metadata::{Metadata, Row};

/// The field that names the split a row belongs to.
pub const SPLIT_FIELD: &str = "split";
/// The field that names what a row draws, across its variants (halves deal by it).
pub const BASE_FIELD: &str = "base";

/// The style subfolder `dir/style`'s rows in `split`, by file name.
fn rows(dir: &Path, style: &str, split: Split) -> Result<BTreeMap<String, Row>> {
    let sub = dir.join(style);
    if !sub.is_dir() {
        return Err(DataError::MissingDir(sub));
    }
    let meta = Metadata::find(&sub)?.ok_or_else(|| DataError::Invalid {
        name: sub.display().to_string(),
        reason: "a style folder needs a metadata.jsonl or metadata.csv naming its images by file_name".into(),
    })?;
    let want = match split {
        Split::Train => "train",
        Split::Test => "test",
    };
    let in_split = |r: &Row| r.fields.get(SPLIT_FIELD).is_none_or(|v| v.as_str() == Some(want));
    Ok(meta.rows.into_iter().filter(in_split).map(|r| (r.file_name.clone(), r)).collect())
}

/// What a row draws: its `base` field, else its file name.
fn base_of(r: &Row) -> String {
    match r.fields.get(BASE_FIELD) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => r.file_name.clone(),
    }
}

/// The pairs of styles `a` and `b` under `dir` (see the module's notes), as `size x size` RGB.
pub fn styles(dir: &Path, (a, b): (&str, &str), size: u32, split: Split, pairing: Pairing) -> Result<PairSet> {
    let (ra, rb) = (rows(dir, a, split)?, rows(dir, b, split)?);
    let shared: Vec<&String> = ra.keys().filter(|k| rb.contains_key(*k)).collect();
    if shared.is_empty() {
        return Err(DataError::Invalid {
            name: dir.display().to_string(),
            reason: format!("styles `{a}` and `{b}` share no file name in the {} split: nothing to pair", if split == Split::Train { "train" } else { "test" }),
        });
    }
    let (names_a, names_b): (Vec<&String>, Vec<&String>) = match pairing {
        Pairing::Paired => (shared.clone(), shared),
        Pairing::Halves => {
            let bases: BTreeSet<String> = shared.iter().map(|k| base_of(&ra[*k])).collect();
            let first: BTreeSet<&String> = bases.iter().take(bases.len() / 2).collect();
            shared.into_iter().partition(|k| first.contains(&base_of(&ra[*k])))
        }
    };
    if names_a.is_empty() || names_b.is_empty() {
        return Err(DataError::Invalid { name: dir.display().to_string(), reason: "too few things drawn in both styles to split into halves".into() });
    }
    let read = |style: &str, names: &[&String]| {
        let files: Vec<_> = names.iter().map(|n| dir.join(style).join(n)).collect();
        dataset_of(&format!("{} ({style})", dir.display()), &files, size)
    };
    Ok(PairSet { a: read(a, &names_a)?, b: read(b, &names_b)?, paired: pairing == Pairing::Paired })
}
