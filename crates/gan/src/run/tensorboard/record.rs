//! TFRecord framing, as TensorFlow's `RecordWriter` writes event files: each record is its
//! length (u64, little-endian), the masked CRC-32C of those 8 bytes (u32), the data, and the
//! masked CRC-32C of the data. Masking (`crc32c.h`): rotate right by 15, add 0xa282ead8.

/// TensorFlow's masked CRC-32C (Castagnoli) of `data`.
pub fn masked_crc(data: &[u8]) -> u32 {
    let crc = crc32c::crc32c(data);
    crc.rotate_right(15).wrapping_add(0xa282_ead8)
}

/// One framed record.
pub fn frame(data: &[u8]) -> Vec<u8> {
    let len = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&len);
    out.extend_from_slice(&masked_crc(&len).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc(data).to_le_bytes());
    out
}

/// The records of a file written by [`frame`], checking both checksums of each; a torn last
/// record (a killed writer) ends the list.
pub fn unframe(mut bytes: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    while bytes.len() >= 12 {
        let (head, rest) = bytes.split_at(12);
        let len_bytes: [u8; 8] = head[..8].try_into().expect("8 bytes");
        if masked_crc(&len_bytes) != u32::from_le_bytes(head[8..12].try_into().expect("4 bytes")) {
            return Err(format!("record {}: bad length checksum", out.len()));
        }
        let len = u64::from_le_bytes(len_bytes) as usize;
        if rest.len() < len + 4 {
            break;
        }
        let (data, tail) = rest.split_at(len);
        if masked_crc(data) != u32::from_le_bytes(tail[..4].try_into().expect("4 bytes")) {
            return Err(format!("record {}: bad data checksum", out.len()));
        }
        out.push(data.to_vec());
        bytes = &tail[4..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CRC-32C's check value (RFC 3720, appendix B.4: "123456789" -> 0xE3069283), and its
    /// masking worked by hand: 0xE3069283 rotated right by 15 is 0x2507c60d, plus 0xa282ead8
    /// is 0xc78ab0e5.
    #[test]
    fn crc_and_mask_by_hand() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(0xE306_9283u32.rotate_right(15), 0x2507_c60d);
        assert_eq!(masked_crc(b"123456789"), 0xc78a_b0e5);
    }

    #[test]
    fn frames_round_trip_and_damage_is_named() {
        let mut file = frame(b"first");
        file.extend(frame(b""));
        file.extend(frame(&[7u8; 300]));
        let records = unframe(&file).unwrap();
        assert_eq!(records, vec![b"first".to_vec(), Vec::new(), vec![7u8; 300]]);
        // A torn tail is dropped, a flipped byte is an error.
        assert_eq!(unframe(&file[..file.len() - 3]).unwrap().len(), 2);
        file[14] ^= 1;
        assert!(unframe(&file).unwrap_err().contains("record 0"));
    }
}
