//! Image folders with metadata, in the Hugging Face `ImageFolder` convention
//! (<https://huggingface.co/docs/datasets/image_dataset#imagefolder>): a `metadata.jsonl` (one
//! JSON object a line) or `metadata.csv` (a header row) beside the images, each row naming its
//! image by `file_name` (relative to the folder) and carrying any other fields: a class
//! (`label = FIELD`), a caption (`caption = FIELD`), fields to select rows by (`filter`).
//!
//! A folder without a metadata file of its own takes those of its subfolders (one level down,
//! as `emoji/` takes `twitter/metadata.jsonl` and `google/metadata.jsonl`): their rows are
//! joined, each `file_name` read relative to its own subfolder, and each row gains the field
//! `folder` (the subfolder's name) unless it has one.
//!
//! Every problem names the metadata file and its line: invalid UTF-8 or JSON, a row without
//! `file_name`, a duplicate or missing image, a field that no row has, a label absent from a
//! selected row.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

mod fields;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{DataError, Result};

/// The metadata file names looked for, in this order.
pub const FILES: [&str; 2] = ["metadata.jsonl", "metadata.csv"];

/// The field that names a row's subfolder when the metadata comes from subfolders.
pub const FOLDER_FIELD: &str = "folder";

/// One row: its metadata file, its line there (from 1), its image (relative to the folder
/// read) and its other fields.
#[derive(Debug, Clone)]
pub struct Row {
    pub source: Arc<Path>,
    pub line: usize,
    pub file_name: String,
    pub fields: Map<String, Value>,
}

/// A folder's metadata, read whole: its file, or its subfolders' files joined.
#[derive(Debug, Clone)]
pub struct Metadata {
    /// The file, or the folder whose subfolders' files were joined.
    pub path: PathBuf,
    pub rows: Vec<Row>,
}

/// A value a `filter` entry accepts: one or any of several. A row matches when its field
/// equals the value, or, for a list field (`keywords`, `skin_tone`), contains it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Match {
    One(Scalar),
    Any(Vec<Scalar>),
}

/// A TOML scalar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// Which rows to take and what to keep of them.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    pub filter: &'a BTreeMap<String, Match>,
    pub limit: Option<usize>,
    pub label: Option<&'a str>,
    pub caption: Option<&'a str>,
    /// Pass over rows without exactly one label value (else: an error naming the row).
    pub skip_unlabelled: bool,
}

static NO_FILTER: BTreeMap<String, Match> = BTreeMap::new();

impl Default for Selection<'_> {
    /// Every row, no label, no caption.
    fn default() -> Self {
        Self { filter: &NO_FILTER, limit: None, label: None, caption: None, skip_unlabelled: false }
    }
}

/// The chosen rows: their images, and their classes and captions when asked for.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selected {
    pub files: Vec<PathBuf>,
    /// Class of each image (an index into `class_names`).
    pub labels: Option<Vec<u32>>,
    /// The label field's values, sorted (numerically when every one is a number).
    pub class_names: Vec<String>,
    pub captions: Option<Vec<String>>,
}

pub(crate) fn err(path: &Path, line: usize, reason: impl Into<String>) -> DataError {
    DataError::Metadata { path: path.into(), line, reason: reason.into() }
}

impl Metadata {
    /// The metadata of the folder `dir`: its own file, else its subfolders' files joined, else
    /// none. A folder with both kinds of file is an error.
    pub fn find(dir: &Path) -> Result<Option<Self>> {
        if let Some(own) = Self::own(dir)? {
            return Ok(Some(own));
        }
        let mut subs: Vec<PathBuf> = match std::fs::read_dir(dir) {
            Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.is_dir()).collect(),
            Err(_) => return Ok(None),
        };
        subs.sort();
        let mut rows = Vec::new();
        for sub in subs {
            let Some(m) = Self::own(&sub)? else { continue };
            let name = sub.file_name().expect("a subfolder has a name").to_string_lossy().into_owned();
            rows.extend(m.rows.into_iter().map(|mut r| {
                r.file_name = format!("{name}/{}", r.file_name);
                r.fields.entry(FOLDER_FIELD).or_insert_with(|| Value::String(name.clone()));
                r
            }));
        }
        Ok((!rows.is_empty()).then(|| Self { path: dir.into(), rows }))
    }

    /// The metadata file of `dir` itself, if it has one.
    fn own(dir: &Path) -> Result<Option<Self>> {
        let present: Vec<PathBuf> = FILES.iter().map(|f| dir.join(f)).filter(|p| p.is_file()).collect();
        match present.as_slice() {
            [] => Ok(None),
            [one] => Self::read(one).map(Some),
            [a, _] => Err(err(a, 0, "the folder has both metadata.jsonl and metadata.csv; keep one")),
            _ => unreachable!("two names"),
        }
    }

    /// Reads `path` (`.jsonl` or `.csv`), checking each row's `file_name` and that no image
    /// is listed twice.
    pub fn read(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).map_err(|source| DataError::Read { path: path.into(), source })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
            err(path, line, "invalid UTF-8")
        })?;
        let source: Arc<Path> = path.into();
        let rows = if path.extension().is_some_and(|e| e == "csv") { csv_rows(&source, &text)? } else { jsonl_rows(&source, &text)? };
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for r in &rows {
            if let Some(first) = seen.insert(&r.file_name, r.line) {
                return Err(err(path, r.line, format!("duplicate file_name {:?} (first on line {first})", r.file_name)));
            }
        }
        if rows.is_empty() {
            return Err(err(path, 0, "no rows"));
        }
        Ok(Self { path: path.into(), rows })
    }

    /// Every field some row has, besides `file_name`.
    pub fn fields(&self) -> BTreeSet<&str> {
        self.rows.iter().flat_map(|r| r.fields.keys().map(String::as_str)).collect()
    }

    /// The rows `sel` chooses, in file order, with their images under `dir` (which must
    /// exist), labels and captions.
    pub fn select(&self, dir: &Path, sel: Selection) -> Result<Selected> {
        let known = self.fields();
        let asked = sel.filter.keys().map(|k| ("filter", k.as_str())).chain(sel.label.map(|l| ("label", l))).chain(sel.caption.map(|c| ("caption", c)));
        for (role, field) in asked {
            if !known.contains(field) {
                let list: Vec<&str> = known.iter().copied().collect();
                return Err(err(&self.path, 0, format!("{role} field `{field}` is in no row (fields: {})", list.join(", "))));
            }
        }
        let limit = sel.limit.unwrap_or(usize::MAX);
        let mut chosen: Vec<(&Row, Option<String>)> = Vec::new();
        for r in self.rows.iter().filter(|r| sel.filter.iter().all(|(k, m)| r.fields.get(k).is_some_and(|v| fields::matches(v, m)))) {
            if chosen.len() == limit {
                break;
            }
            match sel.label.map(|field| fields::label_of(r, field)).transpose() {
                Ok(label) => chosen.push((r, label)),
                Err(_) if sel.skip_unlabelled => {}
                Err(reason) => return Err(err(&r.source, r.line, reason)),
            }
        }
        if chosen.is_empty() {
            return Err(DataError::NoRows { path: self.path.to_path_buf(), labelled: sel.skip_unlabelled });
        }
        let mut out = Selected::default();
        for (r, _) in &chosen {
            let file = dir.join(&r.file_name);
            if !file.is_file() {
                return Err(err(&r.source, r.line, format!("image {} does not exist", file.display())));
            }
            out.files.push(file);
        }
        if sel.label.is_some() {
            (out.labels, out.class_names) = fields::classes(chosen.iter().map(|(_, l)| l.clone().expect("labelled")).collect());
        }
        if let Some(field) = sel.caption {
            out.captions = Some(chosen.iter().map(|(r, _)| fields::caption_of(r, field)).collect::<Result<_>>()?);
        }
        Ok(out)
    }
}

fn jsonl_rows(path: &Arc<Path>, text: &str) -> Result<Vec<Row>> {
    let mut rows = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).map_err(|e| err(path, i + 1, format!("invalid JSON: {e}")))?;
        let Value::Object(fields) = value else {
            return Err(err(path, i + 1, "not a JSON object"));
        };
        rows.push(row(path, i + 1, fields)?);
    }
    Ok(rows)
}

fn csv_rows(path: &Arc<Path>, text: &str) -> Result<Vec<Row>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header: Vec<String> = reader.headers().map_err(|e| err(path, 1, format!("invalid CSV header: {e}")))?.iter().map(str::to_string).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| err(path, e.position().map_or(0, |p| p.line() as usize), format!("invalid CSV: {e}")))?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        let fields = header.iter().cloned().zip(record.iter().map(|v| Value::String(v.into()))).collect();
        rows.push(row(path, line, fields)?);
    }
    Ok(rows)
}

fn row(path: &Arc<Path>, line: usize, mut fields: Map<String, Value>) -> Result<Row> {
    let file_name = match fields.remove("file_name") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(other) => return Err(err(path, line, format!("file_name must be a non-empty string, got {other}"))),
        None => return Err(err(path, line, "no file_name")),
    };
    if Path::new(&file_name).is_absolute() || Path::new(&file_name).components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err(err(path, line, format!("file_name {file_name:?} must be a path inside the folder")));
    }
    Ok(Row { source: path.clone(), line, file_name, fields })
}
