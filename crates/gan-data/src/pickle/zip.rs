//! The entries of a zip archive as `torch.save` writes them: stored, not compressed (the
//! central directory gives each entry's name, size and local header).

use super::{fail, Result};

fn u16_at(b: &[u8], i: usize) -> usize {
    u16::from_le_bytes([b[i], b[i + 1]]) as usize
}

fn u32_at(b: &[u8], i: usize) -> usize {
    u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize
}

/// Whether `bytes` start as a zip archive does.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// `(name, contents)` of every entry.
pub fn entries(bytes: &[u8]) -> Result<Vec<(String, &[u8])>> {
    let tail = bytes.len().saturating_sub(65_557);
    let Some(eocd) = (tail..bytes.len().saturating_sub(21)).rev().find(|&i| bytes[i..].starts_with(b"PK\x05\x06")) else {
        return fail("a zip archive without its end record (truncated?)");
    };
    let (count, mut at) = (u16_at(bytes, eocd + 10), u32_at(bytes, eocd + 16));
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        if at + 46 > bytes.len() || !bytes[at..].starts_with(b"PK\x01\x02") {
            return fail("a zip archive whose central directory is damaged");
        }
        let (method, size) = (u16_at(bytes, at + 10), u32_at(bytes, at + 20));
        let (name_len, extra, comment) = (u16_at(bytes, at + 28), u16_at(bytes, at + 30), u16_at(bytes, at + 32));
        let local = u32_at(bytes, at + 42);
        let name = String::from_utf8_lossy(bytes.get(at + 46..at + 46 + name_len).unwrap_or_default()).into_owned();
        if size == 0xffff_ffff || local == 0xffff_ffff {
            return fail(format!("zip entry {name}: zip64 archives (entries over 4 GB) are not read"));
        }
        if method != 0 {
            return fail(format!("zip entry {name}: compressed (method {method}); torch.save stores entries uncompressed"));
        }
        if local + 30 > bytes.len() || !bytes[local..].starts_with(b"PK\x03\x04") {
            return fail(format!("zip entry {name}: its local header is missing"));
        }
        let start = local + 30 + u16_at(bytes, local + 26) + u16_at(bytes, local + 28);
        let Some(data) = bytes.get(start..start + size) else { return fail(format!("zip entry {name}: truncated")) };
        out.push((name, data));
        at += 46 + name_len + extra + comment;
    }
    Ok(out)
}
