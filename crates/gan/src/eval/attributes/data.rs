//! A metadata folder read for the attribute classifier: every row's image at 64x64 (over
//! white, as training reads it), the class of each head's field, and whether the row is held
//! out. A field's class is its value; a list field's (`skin_tone`) is its one distinct value,
//! `none` when empty and `mixed` when it holds several; an absent field's is `none`.

use std::collections::BTreeSet;
use std::path::Path;

use gan_data::folder::FolderSource;
use gan_data::metadata::{Metadata, Row};
use serde_json::Value;
use tch::Tensor;

use super::net::SIDE;
use crate::error::{GanError, Result};

/// The images, classes and held-out rows of a folder.
pub struct AttributeData {
    /// `[N, 3, 64, 64]` bytes.
    pub images: Tensor,
    /// Per head: the class names (sorted) and each image's class.
    pub heads: Vec<(String, Vec<String>, Vec<i64>)>,
    /// Rows whose `held_out.0` field equals `held_out.1`.
    pub held_out: Vec<bool>,
}

/// The class of a row's field.
pub fn class_of(v: Option<&Value>) -> String {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match v {
        None | Some(Value::Null) => "none".into(),
        Some(Value::Array(items)) => {
            let distinct: BTreeSet<String> = items.iter().map(text).collect();
            match distinct.len() {
                0 => "none".into(),
                1 => distinct.into_iter().next().expect("one"),
                _ => "mixed".into(),
            }
        }
        Some(other) => text(other),
    }
}

/// Reads every row of the metadata of `dir` (its own file or its subfolders'), with the
/// classes of `fields` and the rows where `held_out.0 == held_out.1`.
pub fn read(dir: &Path, fields: &[String], held_out: (&str, &str)) -> Result<AttributeData> {
    let meta =
        Metadata::find(dir)?.ok_or_else(|| GanError::Invalid(format!("{}: no metadata.jsonl or metadata.csv (in it or its subfolders)", dir.display())))?;
    let known = meta.fields();
    for f in fields.iter().map(String::as_str).chain([held_out.0]) {
        if !known.contains(f) {
            let list: Vec<&str> = known.iter().copied().collect();
            return Err(GanError::Invalid(format!("{}: no row has the field `{f}` (fields: {})", meta.path.display(), list.join(", "))));
        }
    }
    let heads = fields
        .iter()
        .map(|f| {
            let values: Vec<String> = meta.rows.iter().map(|r| class_of(r.fields.get(f))).collect();
            let names: Vec<String> = values.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
            let index = values.iter().map(|v| names.binary_search(v).expect("a known class") as i64).collect();
            (f.clone(), names, index)
        })
        .collect();
    let out = |r: &Row| r.fields.get(held_out.0).is_some_and(|v| class_of(Some(v)) == held_out.1);
    let held_out: Vec<bool> = meta.rows.iter().map(out).collect();
    Ok(AttributeData { images: decode_all(dir)?, heads, held_out })
}

/// Every image of the folder's metadata, in row order, on every core.
pub(crate) fn decode_all(dir: &Path) -> Result<Tensor> {
    let folder = FolderSource::new(dir, SIDE as u32).open()?;
    let workers = std::thread::available_parallelism().map_or(1, |p| p.get()).min(16);
    let ids: Vec<usize> = (0..folder.len()).collect();
    let per = ids.len().div_ceil(workers).max(1);
    let parts: Vec<Result<Vec<u8>>> = std::thread::scope(|s| {
        let handles: Vec<_> = ids
            .chunks(per)
            .map(|part| {
                let folder = &folder;
                s.spawn(move || {
                    let mut bytes = Vec::with_capacity(part.len() * folder.image_bytes());
                    for &i in part {
                        bytes.extend(folder.load(i)?);
                    }
                    Ok(bytes)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("decoder thread")).collect()
    });
    let mut all = Vec::with_capacity(folder.len() * folder.image_bytes());
    for p in parts {
        all.extend(p?);
    }
    Ok(Tensor::from_slice(&all).view([folder.len() as i64, 3, SIDE, SIDE]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_fields_class_by_hand() {
        assert_eq!(class_of(Some(&json!("flags"))), "flags");
        assert_eq!(class_of(Some(&json!([]))), "none");
        assert_eq!(class_of(Some(&json!([4]))), "4");
        assert_eq!(class_of(Some(&json!([3, 3]))), "3");
        assert_eq!(class_of(Some(&json!([1, 4]))), "mixed");
        assert_eq!(class_of(Some(&json!(null))), "none");
        assert_eq!(class_of(None), "none");
        assert_eq!(class_of(Some(&json!(2))), "2");
    }
}
