//! What a metadata row's fields mean to a selection: whether a value passes a `filter`
//! entry, a row's label and caption, and the classes of the labels.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::{err, Match, Row, Scalar};
use crate::error::Result;

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

pub(super) fn matches(v: &Value, m: &Match) -> bool {
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

/// A row's class: the one distinct value of its label field (a list of equal values counts
/// as that value), or why it has none.
pub(super) fn label_of(r: &Row, field: &str) -> std::result::Result<String, String> {
    let v = r.fields.get(field).ok_or_else(|| format!("no `{field}` field (the label)"))?;
    let single = match v {
        Value::Array(items) => {
            let distinct: BTreeSet<String> = items.iter().map(|x| x.to_string()).collect();
            match distinct.len() {
                1 => &items[0],
                n => {
                    return Err(format!(
                        "label field `{field}` holds {n} distinct values; a label needs exactly one (filter the rows, or unlabelled = \"skip\")"
                    ))
                }
            }
        }
        other => other,
    };
    text(single).filter(|t| !t.is_empty()).ok_or_else(|| format!("label field `{field}` is {v}, not a text or number"))
}

pub(super) fn caption_of(r: &Row, field: &str) -> Result<String> {
    let v = r.fields.get(field).ok_or_else(|| err(&r.source, r.line, format!("no `{field}` field (the caption)")))?;
    let words = match v {
        Value::Array(items) => items.iter().map(text).collect::<Option<Vec<_>>>().map(|w| w.join(" ")),
        other => text(other),
    };
    words.ok_or_else(|| err(&r.source, r.line, format!("caption field `{field}` is {v}, not text")))
}

/// Class indices and names: the distinct values sorted (as numbers when all are numbers).
pub(super) fn classes(values: Vec<String>) -> (Option<Vec<u32>>, Vec<String>) {
    let mut names: Vec<String> = values.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    if names.iter().all(|n| n.parse::<f64>().is_ok()) {
        names.sort_by(|a, b| a.parse::<f64>().unwrap().total_cmp(&b.parse::<f64>().unwrap()));
    }
    let index: HashMap<&str, u32> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i as u32)).collect();
    (Some(values.iter().map(|v| index[v.as_str()]).collect()), names)
}
