//! Reading named tensors from safetensors files strictly: a checkpoint's file either fills
//! every tensor it must with a finite value of the right shape and dtype, or the load fails
//! naming the file and the tensor. (`tch`'s own `VarStore::load` converts dtypes silently,
//! ignores extra tensors and reports shape mismatches as broadcasting errors.)

use std::collections::HashMap;
use std::path::Path;

use tch::{Kind, Tensor};

use crate::error::{GanError, Result};

fn bad(file: &Path, reason: String) -> GanError {
    GanError::Checkpoint { path: file.into(), reason }
}

/// Writes every variable of `vs` to a safetensors file, by name, in the row-major layout the
/// format stores (a channels-last weight is written as the same numbers NCHW would hold;
/// `tch`'s own `VarStore::save` refuses such a tensor).
pub fn save_vars(vs: &tch::nn::VarStore, file: &Path) -> std::result::Result<(), tch::TchError> {
    write_row_major(&vs.variables().into_iter().collect::<Vec<_>>(), file)
}

/// `Tensor::write_safetensors` of tensors in any layout (each is written row-major).
pub fn write_row_major(named: &[(String, Tensor)], file: &Path) -> std::result::Result<(), tch::TchError> {
    let named: Vec<(&str, Tensor)> = named.iter().map(|(name, t)| (name.as_str(), t.contiguous())).collect();
    Tensor::write_safetensors(&named, file)
}

/// Every tensor of a safetensors file, by name.
pub fn read(file: &Path) -> Result<HashMap<String, Tensor>> {
    if !file.is_file() {
        return Err(bad(file, "is missing".into()));
    }
    let tensors = Tensor::read_safetensors(file).map_err(|e| {
        // tch says "safetensors error PATH: Kind"; keep the kind, the path is already named.
        let msg = e.to_string();
        let kind = msg.rsplit(": ").next().unwrap_or(&msg).trim().to_string();
        bad(file, format!("is not a readable safetensors file ({kind})"))
    })?;
    Ok(tensors.into_iter().collect())
}

/// The dtype's name as safetensors writes it.
pub fn dtype_name(kind: Kind) -> String {
    match kind {
        Kind::Float => "F32".into(),
        Kind::Double => "F64".into(),
        Kind::Half => "F16".into(),
        Kind::BFloat16 => "BF16".into(),
        Kind::Int64 => "I64".into(),
        Kind::Int => "I32".into(),
        Kind::Int16 => "I16".into(),
        Kind::Int8 => "I8".into(),
        Kind::Uint8 => "U8".into(),
        Kind::Bool => "BOOL".into(),
        other => format!("{other:?}"),
    }
}

/// Checks that `src` (tensor `name` of `file`) has `dst`'s shape and dtype and only finite
/// values, then copies it into `dst`.
pub fn copy_checked(file: &Path, name: &str, dst: &mut Tensor, src: &Tensor) -> Result<()> {
    if src.size() != dst.size() || src.kind() != dst.kind() {
        return Err(bad(file, format!("tensor {name} is {} {:?}, expected {} {:?}", dtype_name(src.kind()), src.size(), dtype_name(dst.kind()), dst.size())));
    }
    if src.is_floating_point() && src.numel() > 0 && src.isfinite().all().int64_value(&[]) == 0 {
        return Err(bad(file, format!("tensor {name} holds NaN or infinite values")));
    }
    tch::no_grad(|| dst.copy_(src));
    Ok(())
}

/// Fills every tensor of `dst` from the file's tensors of the same names; the file may hold
/// no other tensor.
pub fn load_into(file: &Path, dst: &mut HashMap<String, Tensor>) -> Result<()> {
    fill(file, &read(file)?, dst)
}

/// Every tensor of a safetensors file held in memory (a network compiled into the binary),
/// by name; `origin` names it in errors.
pub fn read_bytes(origin: &Path, bytes: &[u8]) -> Result<HashMap<String, Tensor>> {
    let st = safetensors::SafeTensors::deserialize(bytes).map_err(|e| bad(origin, e.to_string()))?;
    let mut out = HashMap::new();
    for (name, view) in st.tensors() {
        if view.dtype() != safetensors::Dtype::F32 {
            return Err(bad(origin, format!("tensor {name} is {:?}; compiled-in networks are F32", view.dtype())));
        }
        let shape: Vec<i64> = view.shape().iter().map(|&d| d as i64).collect();
        let t = Tensor::f_from_data_size(view.data(), &shape, Kind::Float).map_err(|e| bad(origin, format!("{name}: {e}")))?;
        out.insert(name, t);
    }
    Ok(out)
}

/// Fills every tensor of `dst` from `src` (the tensors of `file`); `src` may hold no other.
pub fn fill(file: &Path, src: &HashMap<String, Tensor>, dst: &mut HashMap<String, Tensor>) -> Result<()> {
    let mut names: Vec<&String> = dst.keys().collect();
    names.sort();
    if let Some(missing) = names.iter().find(|n| !src.contains_key(n.as_str())) {
        return Err(bad(file, format!("has no tensor {missing} (it holds {} tensors)", src.len())));
    }
    let mut extra: Vec<&String> = src.keys().filter(|n| !dst.contains_key(n.as_str())).collect();
    extra.sort();
    if let Some(first) = extra.first() {
        return Err(bad(file, format!("holds tensor {first}, which this network does not have ({} unexpected)", extra.len())));
    }
    for (name, t) in dst.iter_mut() {
        copy_checked(file, name, t, &src[name])?;
    }
    Ok(())
}

/// Copies into `to` every variable of `from` with the same name and shape (a network that
/// grew keeps the weights that remain); returns how many were copied.
pub fn copy_matching(from: &tch::nn::VarStore, to: &mut tch::nn::VarStore) -> usize {
    let src = from.variables();
    let mut n = 0;
    tch::no_grad(|| {
        for (name, mut dst) in to.variables() {
            if let Some(t) = src.get(&name).filter(|t| t.size() == dst.size()) {
                dst.copy_(t);
                n += 1;
            }
        }
    });
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_loading_names_the_tensor_and_the_problem() {
        let d = tempfile::tempdir().unwrap();
        let f = d.path().join("w.safetensors");
        let good = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0]).reshape([2, 2]);
        let mut dst = HashMap::from([("a".to_string(), Tensor::zeros([2, 2], (Kind::Float, tch::Device::Cpu)))]);
        Tensor::write_safetensors(&[("a", &good)], &f).unwrap();
        load_into(&f, &mut dst).unwrap();
        assert_eq!(Vec::<f32>::try_from(dst["a"].flatten(0, -1)).unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
        let cases: Vec<(Vec<(&str, Tensor)>, &str)> = vec![
            (vec![("b", good.shallow_clone())], "has no tensor a"),
            (vec![("a", good.shallow_clone()), ("z", good.shallow_clone())], "holds tensor z"),
            (vec![("a", good.reshape([4]))], "tensor a is F32 [4], expected F32 [2, 2]"),
            (vec![("a", good.to_kind(Kind::Double))], "tensor a is F64 [2, 2], expected F32 [2, 2]"),
            (vec![("a", good.where_scalarother(&good.ne(3.0), f64::NAN))], "tensor a holds NaN"),
        ];
        for (tensors, needle) in cases {
            let named: Vec<(&str, &Tensor)> = tensors.iter().map(|(n, t)| (*n, t)).collect();
            Tensor::write_safetensors(&named, &f).unwrap();
            let e = load_into(&f, &mut dst).unwrap_err().to_string();
            assert!(e.contains(needle) && e.contains("w.safetensors"), "{e}");
        }
        std::fs::write(&f, b"12345").unwrap();
        assert!(load_into(&f, &mut dst).unwrap_err().to_string().contains("not a readable safetensors file"));
        std::fs::remove_file(&f).unwrap();
        assert!(load_into(&f, &mut dst).unwrap_err().to_string().contains("is missing"));
    }
}
