//! `torch.save`'s legacy format (`_use_new_zipfile_serialization=False`), which a storage
//! pickled inside a plain pickle uses (`torch.storage._load_from_bytes`): a magic number,
//! the protocol version and system information, each pickled; the object, pickled with
//! storages as persistent ids `('storage', type, key, location, numel, view)`; the list of
//! storage keys; then each storage's element count (int64) and bytes, in that order.

use std::collections::HashMap;
use std::rc::Rc;

use super::value::Value;
use super::vm::Unpickler;
use super::{fail, Result};

/// The legacy format's magic number, 0x1950a86a20f9469cfc6c, as its little-endian bytes.
const MAGIC: [u8; 10] = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

fn no_ids(pid: Value) -> Result<Value> {
    fail(format!("a persistent id ({}) outside the object's pickle", pid.kind()))
}

/// Whether `bytes` open with the legacy format's magic number.
pub fn is_legacy(bytes: &[u8]) -> bool {
    matches!(Unpickler::new(bytes, 0).load(&mut no_ids), Ok(Value::Bytes(b)) if *b == MAGIC)
}

/// The object a legacy `torch.save` wrote.
pub fn load(bytes: &[u8]) -> Result<Value> {
    let mut none = no_ids;
    let mut u = Unpickler::new(bytes, 0);
    let magic = u.load(&mut none)?;
    if !matches!(&magic, Value::Bytes(b) if **b == MAGIC) {
        return fail("not a legacy torch.save file (its magic number is missing)");
    }
    let mut rest = Unpickler::new(bytes, u.position());
    rest.load(&mut none)?; // protocol version
    let mut rest = Unpickler::new(bytes, rest.position());
    rest.load(&mut none)?; // system information
    let mut storages = HashMap::new();
    let mut body = Unpickler::new(bytes, rest.position());
    let value = body.load(&mut |pid| super::torchfile::storage_id(pid, &mut storages))?;
    let mut keys_u = Unpickler::new(bytes, body.position());
    let keys = keys_u.load(&mut none)?.items().map_or_else(|| fail("the legacy storage key list is missing"), Ok)?;
    let mut at = keys_u.position();
    for key in keys {
        let key = key.as_str().map(String::from).map_or_else(|| fail("a legacy storage key is not a string"), Ok)?;
        let Some(storage) = storages.get(&key) else { return fail(format!("legacy storage {key} is listed but never used")) };
        let count = bytes.get(at..at + 8).map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")));
        let Some(count) = count.and_then(|c| usize::try_from(c).ok()) else { return fail(format!("legacy storage {key}: truncated size")) };
        let end = count.checked_mul(storage.dtype.size()).and_then(|n| n.checked_add(at + 8));
        let Some(data) = end.and_then(|end| bytes.get(at + 8..end)) else { return fail(format!("legacy storage {key}: truncated data")) };
        *storage.bytes.borrow_mut() = Some(Rc::from(data));
        at += 8 + data.len();
    }
    Ok(value)
}
