//! The library's folders are layers (lib.rs and ARCHITECTURE.md list them): a module may
//! name `crate::X` only when X sits in its own layer or a lower-numbered one. This test reads
//! every source file and fails on an import from a higher layer.

use std::path::{Path, PathBuf};

/// The layer of a top-level module.
fn layer(path: &str) -> Option<u32> {
    let top = path.split("::").next().unwrap_or(path);
    Some(match top {
        "error" | "device" | "dist" | "tensors" | "Result" | "GanError" | "DeviceChoice" => 1,
        "models" | "losses" | "optim" => 2,
        "config" | "presets" | "TrainConfig" | "Preset" => 3,
        "run" | "events" | "Event" => 4,
        "draw" => 5,
        "eval" => 6,
        "explore" | "doctor" => 7,
        "train" | "Trainer" => 8,
        "families" | "lab" => 9,
        _ => return None,
    })
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file relative to `src` (`run/dir.rs` -> `run::dir`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).filter(|c| c != "mod").collect::<Vec<_>>().join("::")
}

/// Every `crate::a::b` path named in `text`, expanding `crate::{a, b::c}` groups one level.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(inner.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()));
        } else {
            let end = rest.find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':')).unwrap_or(rest.len());
            out.push(rest[..end].trim_end_matches(':').to_string());
        }
    }
    out
}

#[test]
fn no_module_imports_from_a_higher_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    assert!(files.len() > 40, "found only {} source files under {}", files.len(), src.display());
    let mut problems = Vec::new();
    for f in &files {
        let module = module_of(&src, f);
        if module == "lib" {
            continue;
        }
        let own = layer(&module).unwrap_or_else(|| panic!("{module} is in no layer: add its folder to this test, lib.rs and ARCHITECTURE.md"));
        for p in crate_paths(&std::fs::read_to_string(f).unwrap()) {
            match layer(&p) {
                Some(l) if l > own => problems.push(format!("{module} (layer {own}) names crate::{p} (layer {l})")),
                Some(_) => {}
                None => problems.push(format!("{module} names crate::{p}, which is in no layer")),
            }
        }
    }
    assert!(problems.is_empty(), "imports from higher layers:\n{}", problems.join("\n"));
}

#[test]
fn the_scanner_finds_paths_and_groups() {
    let text = "use crate::run::dir::RunDir;\nuse crate::{device, draw::grid};\n/// [`crate::Trainer::train_step`]\nuse gan_crate::x;";
    assert_eq!(crate_paths(text), vec!["run::dir::RunDir", "device", "draw::grid", "Trainer::train_step"]);
    assert_eq!(layer("train::step"), Some(8));
    assert_eq!(layer("tensors::copy_matching"), Some(1));
    assert_eq!(layer("config::TrainConfig"), Some(3));
}
