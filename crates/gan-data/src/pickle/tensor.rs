//! Storages (typed byte buffers) and the tensors that view them, read out as `f32`.

use std::cell::RefCell;
use std::rc::Rc;

use super::{fail, Result};

/// The element types a storage may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    F32,
    F64,
    F16,
    Bf16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

impl Dtype {
    /// The dtype of a storage class (`torch.FloatStorage`) or dtype (`torch.float32`).
    pub fn of(global: &str) -> Option<Self> {
        let name = global.strip_prefix("torch.")?;
        Some(match name {
            "FloatStorage" | "float32" | "float" => Dtype::F32,
            "DoubleStorage" | "float64" | "double" => Dtype::F64,
            "HalfStorage" | "float16" | "half" => Dtype::F16,
            "BFloat16Storage" | "bfloat16" => Dtype::Bf16,
            "LongStorage" | "int64" | "long" => Dtype::I64,
            "IntStorage" | "int32" | "int" => Dtype::I32,
            "ShortStorage" | "int16" | "short" => Dtype::I16,
            "CharStorage" | "int8" => Dtype::I8,
            "ByteStorage" | "uint8" => Dtype::U8,
            "BoolStorage" | "bool" => Dtype::Bool,
            _ => return None,
        })
    }

    pub fn size(self) -> usize {
        match self {
            Dtype::F64 | Dtype::I64 => 8,
            Dtype::F32 | Dtype::I32 => 4,
            Dtype::F16 | Dtype::Bf16 | Dtype::I16 => 2,
            Dtype::I8 | Dtype::U8 | Dtype::Bool => 1,
        }
    }

    /// Element `i` of little-endian `bytes`, as `f32`.
    fn read(self, bytes: &[u8], i: usize) -> f32 {
        let b = &bytes[i * self.size()..(i + 1) * self.size()];
        match self {
            Dtype::F32 => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            Dtype::F64 => f64::from_le_bytes(b.try_into().expect("8 bytes")) as f32,
            Dtype::F16 => half_to_f32(u16::from_le_bytes([b[0], b[1]])),
            Dtype::Bf16 => f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16),
            Dtype::I64 => i64::from_le_bytes(b.try_into().expect("8 bytes")) as f32,
            Dtype::I32 => i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f32,
            Dtype::I16 => f32::from(i16::from_le_bytes([b[0], b[1]])),
            Dtype::I8 => f32::from(b[0] as i8),
            Dtype::U8 | Dtype::Bool => f32::from(b[0]),
        }
    }
}

/// IEEE half precision to single.
fn half_to_f32(h: u16) -> f32 {
    let (sign, exp, frac) = ((h >> 15) as u32, ((h >> 10) & 0x1f) as u32, (h & 0x3ff) as u32);
    let bits = match exp {
        0 if frac == 0 => sign << 31,
        0 => {
            // Subnormal: normalise.
            let shift = frac.leading_zeros() - 21;
            (sign << 31) | ((127 - 15 + 1 - shift) << 23) | (((frac << shift) & 0x3ff) << 13)
        }
        31 => (sign << 31) | (0xff << 23) | (frac << 13),
        _ => (sign << 31) | ((exp + 127 - 15) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

/// A storage named by a persistent id: its dtype, key and bytes (filled when the file's
/// data records are read).
#[derive(Debug)]
pub struct Storage {
    pub dtype: Dtype,
    pub key: String,
    pub numel: usize,
    pub bytes: RefCell<Option<Rc<[u8]>>>,
}

/// A tensor as `_rebuild_tensor_v2` describes it: a strided view of a storage.
#[derive(Debug, Clone)]
pub struct RawTensor {
    pub storage: Rc<Storage>,
    pub offset: usize,
    pub shape: Vec<usize>,
    pub stride: Vec<usize>,
}

impl RawTensor {
    pub fn numel(&self) -> usize {
        self.shape.iter().product()
    }

    /// The elements in row-major order, as `f32`.
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        let bytes = self.storage.bytes.borrow().clone();
        let Some(bytes) = bytes else { return fail(format!("storage {} has no data in the file", self.storage.key)) };
        let held = bytes.len() / self.storage.dtype.size();
        let last = self.offset + self.shape.iter().zip(&self.stride).map(|(&n, &s)| n.saturating_sub(1) * s).sum::<usize>();
        if self.numel() > 0 && last >= held {
            return fail(format!("a tensor of shape {:?} reaches element {last} of storage {}, which holds {held}", self.shape, self.storage.key));
        }
        let mut out = Vec::with_capacity(self.numel());
        let mut index = vec![0usize; self.shape.len()];
        for _ in 0..self.numel() {
            let at = self.offset + index.iter().zip(&self.stride).map(|(i, s)| i * s).sum::<usize>();
            out.push(self.storage.dtype.read(&bytes, at));
            for d in (0..index.len()).rev() {
                index[d] += 1;
                if index[d] < self.shape[d] {
                    break;
                }
                index[d] = 0;
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_and_strided_views_read_back() {
        for (h, f) in [(0x3c00u16, 1.0f32), (0xc000, -2.0), (0x3555, 0.333_251_95), (0x0001, 5.960_464_5e-8), (0x7bff, 65504.0), (0, 0.0)] {
            assert_eq!(half_to_f32(h), f, "{h:#x}");
        }
        let bytes: Vec<u8> = (0..6).flat_map(|i| (i as f32).to_le_bytes()).collect();
        let storage = Rc::new(Storage { dtype: Dtype::F32, key: "0".into(), numel: 6, bytes: RefCell::new(Some(bytes.into())) });
        // The transpose of a 2x3 matrix [[0 1 2] [3 4 5]].
        let t = RawTensor { storage: storage.clone(), offset: 0, shape: vec![3, 2], stride: vec![1, 3] };
        assert_eq!(t.to_f32().unwrap(), vec![0.0, 3.0, 1.0, 4.0, 2.0, 5.0]);
        let past = RawTensor { storage, offset: 1, shape: vec![6], stride: vec![1] };
        assert!(past.to_f32().unwrap_err().0.contains("reaches element 6"));
    }
}
