//! Reading the Inception weights a user has. pytorch-fid's `pt_inception-2015-12-05-*.pth` is a
//! pickled PyTorch state dict, which libtorch's C++ API cannot open; it is read once through
//! a Python with `torch` (the `torch.load(weights_only=True)` of [`CONVERT`], writing
//! safetensors with the standard library only) and the copy is cached as
//! `CACHE/inception/<sha256 of the .pth, 16 digits>.safetensors`. A `.safetensors` file is
//! read directly. Either way every tensor is checked by name, shape and finiteness.

use std::path::{Path, PathBuf};
use std::process::Command;

use tch::Device;

use super::Inception;
use crate::error::{GanError, Result};

/// Where to cache the converted copy and which Python converts it.
#[derive(Debug, Clone, Default)]
pub struct WeightsOptions<'a> {
    /// The cache folder (`inception/` is made in it); none: a temporary copy, removed after.
    pub cache_dir: Option<&'a Path>,
    /// A Python with `torch` (default `python3`).
    pub python: Option<&'a Path>,
}

/// `python CONVERT SRC DST`: a state dict's floating-point tensors as float32 safetensors.
pub const CONVERT: &str = r#"
import ctypes, json, os, struct, sys
import torch
src, dst = sys.argv[1], sys.argv[2]
try:
    sd = torch.load(src, map_location="cpu", weights_only=True)
except Exception as e:
    sys.exit(f"not a PyTorch state dict ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})")
if isinstance(sd, dict) and isinstance(sd.get("state_dict"), dict):
    sd = sd["state_dict"]
if not isinstance(sd, dict):
    sys.exit(f"holds a {type(sd).__name__}, not a state dict")
header, blobs, off = {}, [], 0
for name, t in sd.items():
    if not torch.is_tensor(t) or not t.is_floating_point():
        continue
    t = t.detach().to(torch.float32).contiguous()
    n = t.numel() * 4
    blobs.append(ctypes.string_at(t.data_ptr(), n) if n else b"")
    header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + n]}
    off += n
if not header:
    sys.exit("holds no floating-point tensors")
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
tmp = dst + ".tmp"
with open(tmp, "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    for b in blobs:
        f.write(b)
os.replace(tmp, dst)
"#;

/// Builds the network from the weights file at `path`.
pub fn load(path: &Path, opts: &WeightsOptions<'_>, device: Device) -> Result<Inception> {
    let bytes = std::fs::read(path).map_err(GanError::io(path))?;
    let sha256 = crate::eval::cache::sha256_hex(&bytes);
    drop(bytes);
    let is_safetensors = path.extension().is_some_and(|e| e == "safetensors");
    let (tensors_file, temporary) = if is_safetensors {
        (path.to_path_buf(), false)
    } else {
        let (dst, temporary) = match opts.cache_dir {
            Some(dir) => (dir.join("inception").join(format!("{}.safetensors", &sha256[..16])), false),
            None => (std::env::temp_dir().join(format!("gan-inception-{}-{}.safetensors", &sha256[..16], std::process::id())), true),
        };
        if !dst.is_file() {
            convert(path, &dst, opts.python)?;
        }
        (dst, temporary)
    };
    let filled = fill(&tensors_file, path, device);
    if temporary {
        let _ = std::fs::remove_file(&tensors_file);
    }
    let mut net = filled?;
    net.sha256 = sha256;
    net.source = path.display().to_string();
    Ok(net)
}

/// Runs [`CONVERT`] on `src`, writing `dst` (its folder is made).
fn convert(src: &Path, dst: &Path, python: Option<&Path>) -> Result<()> {
    let dir = dst.parent().expect("the copy lives in a folder");
    std::fs::create_dir_all(dir).map_err(GanError::io(dir))?;
    let python: PathBuf = python.map_or_else(|| "python3".into(), Path::to_path_buf);
    let out = Command::new(&python).arg("-c").arg(CONVERT).arg(src).arg(dst).output().map_err(|e| {
        GanError::Invalid(format!(
            "{}: reading a PyTorch .pth file needs a Python with torch, and {} cannot be started ({e}); set GAN_PYTHON, or give a .safetensors copy",
            src.display(),
            python.display()
        ))
    })?;
    if out.status.success() {
        return Ok(());
    }
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("no message").trim();
    let why = if last.contains("No module named 'torch'") {
        format!("{} has no torch package (set GAN_PYTHON to one that has)", python.display())
    } else {
        last.to_string()
    };
    Err(GanError::Checkpoint { path: src.into(), reason: format!("cannot be read as Inception weights: {why}") })
}

/// The network with every parameter from `file` (named as `source` in errors when they
/// differ); BatchNorm's `num_batches_tracked` counters are the only tensors it may skip.
fn fill(file: &Path, source: &Path, device: Device) -> Result<Inception> {
    let named = |e: GanError| match e {
        GanError::Checkpoint { reason, .. } if file != source => {
            GanError::Checkpoint { path: source.into(), reason: format!("(converted copy {}) {reason}", file.display()) }
        }
        e => e,
    };
    let src = crate::tensors::read(file).map_err(named)?;
    let net = Inception::empty(device);
    let mut vars = net.vs.variables();
    let mut names: Vec<String> = vars.keys().cloned().collect();
    names.sort();
    for name in &names {
        let Some(t) = src.get(name) else {
            return Err(named(GanError::Checkpoint {
                path: file.into(),
                reason: format!("has no tensor {name}: not the FID Inception-v3 (pytorch-fid's pt_inception-2015-12-05 layout)"),
            }));
        };
        crate::tensors::copy_checked(file, name, vars.get_mut(name).expect("listed"), &t.to_device(device)).map_err(named)?;
    }
    let mut extra: Vec<&String> = src.keys().filter(|k| !vars.contains_key(*k) && !k.ends_with("num_batches_tracked")).collect();
    extra.sort();
    if let Some(first) = extra.first() {
        return Err(named(GanError::Checkpoint {
            path: file.into(),
            reason: format!(
                "holds {} tensors the FID Inception-v3 does not have, first {first} (torchvision's Inception-v3 is not the FID network)",
                extra.len()
            ),
        }));
    }
    Ok(net)
}
