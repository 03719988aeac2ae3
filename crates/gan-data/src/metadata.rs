//! Image folders with metadata, in the Hugging Face `ImageFolder` convention
//! (<https://huggingface.co/docs/datasets/image_dataset#imagefolder>): a `metadata.jsonl` (one
//! JSON object a line) or `metadata.csv` (a header row) beside the images, each row naming its
//! image by `file_name` (relative to the folder) and carrying any other fields: a class
//! (`label = FIELD`), a caption (`caption = FIELD`), fields to select rows by (`filter`).
//!
//! Every problem names the metadata file and its line: invalid UTF-8 or JSON, a row without
//! `file_name`, a duplicate or missing image, a field that no row has, a label absent from a
//! selected row.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{DataError, Result};

/// The metadata file names looked for, in this order.
pub const FILES: [&str; 2] = ["metadata.jsonl", "metadata.csv"];

/// One row: its line in the file (from 1), its image and its other fields.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub file_name: String,
    pub fields: Map<String, Value>,
}

/// A folder's metadata file, read whole.
#[derive(Debug, Clone)]
pub struct Metadata {
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
}

static NO_FILTER: BTreeMap<String, Match> = BTreeMap::new();

impl Default for Selection<'_> {
    /// Every row, no label, no caption.
    fn default() -> Self {
        Self { filter: &NO_FILTER, limit: None, label: None, caption: None }
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

fn err(path: &Path, line: usize, reason: impl Into<String>) -> DataError {
    DataError::Metadata { path: path.into(), line, reason: reason.into() }
}

impl Metadata {
    /// The metadata of the folder `dir`, if it has a metadata file (both kinds: an error).
    pub fn find(dir: &Path) -> Result<Option<Self>> {
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
        let rows = if path.extension().is_some_and(|e| e == "csv") { csv_rows(path, &text)? } else { jsonl_rows(path, &text)? };
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
        let rows: Vec<&Row> = self.rows.iter().filter(|r| sel.filter.iter().all(|(k, m)| r.fields.get(k).is_some_and(|v| matches(v, m)))).take(limit).collect();
        if rows.is_empty() {
            return Err(err(&self.path, 0, "no row passes the filter"));
        }
        let mut out = Selected::default();
        for r in &rows {
            let file = dir.join(&r.file_name);
            if !file.is_file() {
                return Err(err(&self.path, r.line, format!("image {} does not exist", file.display())));
            }
            out.files.push(file);
        }
        if let Some(field) = sel.label {
            let values = rows.iter().map(|r| label_of(&self.path, r, field)).collect::<Result<Vec<_>>>()?;
            (out.labels, out.class_names) = classes(values);
        }
        if let Some(field) = sel.caption {
            out.captions = Some(rows.iter().map(|r| caption_of(&self.path, r, field)).collect::<Result<_>>()?);
        }
        Ok(out)
    }
}

fn jsonl_rows(path: &Path, text: &str) -> Result<Vec<Row>> {
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

fn csv_rows(path: &Path, text: &str) -> Result<Vec<Row>> {
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

fn row(path: &Path, line: usize, mut fields: Map<String, Value>) -> Result<Row> {
    let file_name = match fields.remove("file_name") {
        Some(Value::String(s)) if !s.is_empty() => s,
        Some(other) => return Err(err(path, line, format!("file_name must be a non-empty string, got {other}"))),
        None => return Err(err(path, line, "no file_name")),
    };
    if Path::new(&file_name).is_absolute() || Path::new(&file_name).components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err(err(path, line, format!("file_name {file_name:?} must be a path inside the folder")));
    }
    Ok(Row { line, file_name, fields })
}

fn scalar_eq(v: &Value, s: &Scalar) -> bool {
    match (v, s) {
        (Value::String(a), Scalar::Text(b)) => a == b,
        (Value::Number(a), Scalar::Int(b)) => a.as_i64() == Some(*b) || a.as_f64() == Some(*b as f64),
        (Value::Number(a), Scalar::Float(b)) => a.as_f64() == Some(*b),
        (Value::Bool(a), Scalar::Bool(b)) => a == b,
        // CSV fields are text: compare their spelling.
        (Value::String(a), Scalar::Int(b)) => a.trim() == b.to_string(),
        (Value::String(a), Scalar::Float(b)) => a.trim().parse::<f64>().ok() == Some(*b),
        (Value::String(a), Scalar::Bool(b)) => a.trim() == b.to_string(),
        _ => false,
    }
}

fn matches(v: &Value, m: &Match) -> bool {
    let one = |s: &Scalar| match v {
        Value::Array(items) => items.iter().any(|x| scalar_eq(x, s)),
        _ => scalar_eq(v, s),
    };
    match m {
        Match::One(s) => one(s),
        Match::Any(list) => list.iter().any(one),
    }
}

/// A scalar's text (strings unquoted).
fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn label_of(path: &Path, r: &Row, field: &str) -> Result<String> {
    let v = r.fields.get(field).ok_or_else(|| err(path, r.line, format!("no `{field}` field (the label)")))?;
    let single = match v {
        Value::Array(items) if items.len() == 1 => &items[0],
        Value::Array(items) => {
            return Err(err(path, r.line, format!("label field `{field}` holds {} values; a label needs exactly one (filter the rows)", items.len())))
        }
        other => other,
    };
    text(single).filter(|t| !t.is_empty()).ok_or_else(|| err(path, r.line, format!("label field `{field}` is {v}, not a text or number")))
}

fn caption_of(path: &Path, r: &Row, field: &str) -> Result<String> {
    let v = r.fields.get(field).ok_or_else(|| err(path, r.line, format!("no `{field}` field (the caption)")))?;
    let words = match v {
        Value::Array(items) => items.iter().map(text).collect::<Option<Vec<_>>>().map(|w| w.join(" ")),
        other => text(other),
    };
    words.ok_or_else(|| err(path, r.line, format!("caption field `{field}` is {v}, not text")))
}

/// Class indices and names: the distinct values sorted (as numbers when all are numbers).
fn classes(values: Vec<String>) -> (Option<Vec<u32>>, Vec<String>) {
    let mut names: Vec<String> = values.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    if names.iter().all(|n| n.parse::<f64>().is_ok()) {
        names.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse::<f64>().unwrap()));
    }
    let index: HashMap<&str, u32> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
    (Some(values.iter().map(|v| index[v.as_str()]).collect()), names)
}
