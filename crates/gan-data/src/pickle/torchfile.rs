//! Files written by `torch.save` (the zip format: `ARCHIVE/data.pkl` with storages as
//! persistent ids `('storage', type, key, location, numel)` whose bytes are the entries
//! `ARCHIVE/data/KEY`; or the legacy format) and plain pickles that hold tensors (as
//! stylegan2-ada-pytorch's `.pkl` files do).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::tensor::{Dtype, Storage};
use super::value::Value;
use super::vm::Unpickler;
use super::{fail, legacy, zip, Result};

/// The storage a persistent id names (made once per key).
pub fn storage_id(pid: Value, storages: &mut HashMap<String, Rc<Storage>>) -> Result<Value> {
    let items = pid.items().map_or_else(|| fail(format!("a persistent id that is {}", pid.kind())), Ok)?;
    if items.first().and_then(Value::as_str) != Some("storage") || items.len() < 5 {
        return fail("a persistent id that is not ('storage', type, key, location, numel)");
    }
    let dtype = match &items[1] {
        Value::Global(g) => Dtype::of(g).map_or_else(|| fail(format!("storage type {g} is not read")), Ok)?,
        other => return fail(format!("a storage type that is {}", other.kind())),
    };
    let key = match &items[2] {
        Value::Str(s) => s.to_string(),
        Value::Int(i) => i.to_string(),
        other => return fail(format!("a storage key that is {}", other.kind())),
    };
    let numel = items[4].as_int().and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
    let s = storages.entry(key.clone()).or_insert_with(|| Rc::new(Storage { dtype, key, numel, bytes: RefCell::new(None) }));
    Ok(Value::Storage(s.clone()))
}

/// What a file holds: a `torch.save` zip, a legacy `torch.save`, or a plain pickle.
pub fn load(bytes: &[u8]) -> Result<Value> {
    if zip::is_zip(bytes) {
        return load_zip(bytes);
    }
    if legacy::is_legacy(bytes) {
        return legacy::load(bytes);
    }
    let mut none = |pid: Value| fail(format!("a persistent id ({}) in a plain pickle", pid.kind()));
    Unpickler::new(bytes, 0).load(&mut none)
}

fn load_zip(bytes: &[u8]) -> Result<Value> {
    let entries = zip::entries(bytes)?;
    let Some((pkl, data)) = entries.iter().find(|(n, _)| n.ends_with("/data.pkl") || n == "data.pkl") else {
        return fail("a zip archive without data.pkl: not a torch.save file");
    };
    let prefix = &pkl[..pkl.len() - "data.pkl".len()];
    if let Some((_, order)) = entries.iter().find(|(n, _)| *n == format!("{prefix}byteorder")) {
        if *order != b"little" {
            return fail(format!("byteorder {:?}: only little-endian files are read", String::from_utf8_lossy(order)));
        }
    }
    let mut storages = HashMap::new();
    let value = Unpickler::new(data, 0).load(&mut |pid| storage_id(pid, &mut storages))?;
    let records: HashMap<&str, &[u8]> = entries.iter().map(|(n, d)| (n.as_str(), *d)).collect();
    for (key, s) in &storages {
        let name = format!("{prefix}data/{key}");
        let Some(d) = records.get(name.as_str()) else { return fail(format!("storage {key}: the archive has no {name}")) };
        if d.len() < s.numel * s.dtype.size() {
            return fail(format!("storage {key}: {name} holds {} bytes, {} elements need {}", d.len(), s.numel, s.numel * s.dtype.size()));
        }
        *s.bytes.borrow_mut() = Some(Rc::from(*d));
    }
    Ok(value)
}

/// Every tensor under `value`, by its dotted path: dict keys, and for module objects (a
/// recorded `nn.Module`, or stylegan2-ada-pytorch's persistent one) the names of their
/// `_parameters`, `_buffers` and `_modules`, as `state_dict()` names them.
pub fn tensors(value: &Value) -> Vec<(String, Rc<super::RawTensor>)> {
    let mut out = Vec::new();
    walk(value, String::new(), &mut out, 0);
    out
}

fn walk(v: &Value, path: String, out: &mut Vec<(String, Rc<super::RawTensor>)>, depth: usize) {
    if depth > 64 {
        return;
    }
    let join = |k: &str| if path.is_empty() { k.to_string() } else { format!("{path}.{k}") };
    match v {
        Value::Tensor(t) => out.push((path, t.clone())),
        Value::Object(_) if v.get("_parameters").is_some() => {
            for part in ["_parameters", "_buffers", "_modules"] {
                for (k, child) in v.get(part).and_then(|p| p.pairs()).unwrap_or_default() {
                    if let Some(k) = k.as_str() {
                        walk(&child, join(k), out, depth + 1);
                    }
                }
            }
        }
        Value::Dict(_) | Value::Object(_) => {
            for (k, child) in v.pairs().unwrap_or_default() {
                let k = match &k {
                    Value::Str(s) => s.to_string(),
                    Value::Int(i) => i.to_string(),
                    _ => continue,
                };
                walk(&child, join(&k), out, depth + 1);
            }
        }
        _ => {}
    }
}
