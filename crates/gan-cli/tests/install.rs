//! `make install`'s launcher (scripts/gan-launcher.sh): the installed `gan` finds libtorch
//! in the documented order (LIBTORCH, TORCH_HOME, the active Python's torch, the build's
//! venv), skips a torch of another version, and without any says what it looked at. The
//! installed binary's compiled-in library path is blanked first, so each case shows the
//! launcher supplying libtorch, as after the build's venv moved.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Installs the launcher and this build's binary under `prefix` with `make install-only`,
/// as if built against the venv `venv`.
fn install(prefix: &Path, venv: &Path) -> PathBuf {
    let o = Command::new("make")
        .args(["-s", "--no-print-directory", "install-only"])
        .arg(format!("PREFIX={}", prefix.display()))
        .arg(format!("GAN={}", env!("CARGO_BIN_EXE_gan")))
        .arg(format!("VENV={}", venv.display()))
        .current_dir(ROOT)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    prefix.join("bin/gan")
}

/// Blanks the build's library path compiled into the installed binary (its RUNPATH), so that
/// the binary finds libtorch only through the launcher, as after the venv moved.
fn forget_build_venv(prefix: &Path, torch: &Path) {
    let bin = prefix.join("libexec/gan/gan");
    let mut bytes = std::fs::read(&bin).unwrap();
    let path = torch.join("lib").display().to_string().into_bytes();
    let blank: Vec<u8> = std::iter::once(b'/').chain(std::iter::repeat_n(b'x', path.len() - 1)).collect();
    let mut hits = 0;
    let mut i = 0;
    while let Some(at) = bytes[i..].windows(path.len()).position(|w| w == path.as_slice()) {
        bytes[i + at..i + at + path.len()].copy_from_slice(&blank);
        i += at + path.len();
        hits += 1;
    }
    assert!(hits > 0, "{} is not the binary's RUNPATH", torch.display());
    std::fs::write(&bin, bytes).unwrap();
    let o = Command::new(&bin).arg("presets").env_clear().output().unwrap();
    assert!(!o.status.success(), "without the launcher the binary must not find libtorch now");
}

/// The torch package folder of the test venv's Python.
fn torch_dir() -> PathBuf {
    let o = Command::new(python()).args(["-c", "import importlib.util as u; print(u.find_spec('torch').submodule_search_locations[0])"]).output().unwrap();
    PathBuf::from(String::from_utf8(o.stdout).unwrap().trim())
}

/// Runs the installed `gan presets` with only `env` set and `path` as PATH.
fn presets(gan: &Path, path: &str, env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(gan);
    c.arg("presets").env_clear().env("PATH", path).env("HOME", "/nonexistent");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn the_installed_gan_finds_libtorch_in_the_documented_order() {
    let t = tempfile::tempdir().unwrap();
    let torch = torch_dir();
    assert!(torch.join("lib/libtorch_cpu.so").is_file(), "{}", torch.display());
    let venv = torch.ancestors().nth(4).unwrap().to_path_buf(); // VENV/lib/python3.X/site-packages/torch
    assert!(venv.join("bin/python").exists(), "{}", venv.display());
    // A PATH with only the tools the launcher uses, and one with a python3 that has torch.
    let bare = t.path().join("bare-bin");
    let with_python = t.path().join("python-bin");
    for dir in [&bare, &with_python] {
        std::fs::create_dir_all(dir).unwrap();
        for tool in ["dirname", "sed"] {
            let found = ["/usr/bin", "/bin"].iter().map(|d| Path::new(d).join(tool)).find(|p| p.exists()).unwrap();
            std::os::unix::fs::symlink(found, dir.join(tool)).unwrap();
        }
    }
    // (A script, not a link: a venv's Python knows its venv from the path it was run by.)
    let shim = with_python.join("python3");
    std::fs::write(&shim, format!("#!/bin/sh\nexec {} \"$@\"\n", venv.join("bin/python").display())).unwrap();
    std::fs::set_permissions(&shim, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let bare_path = bare.display().to_string();

    // Built against a venv that is gone: nothing to find.
    let gan = install(&t.path().join("moved"), &t.path().join("gone-venv"));
    forget_build_venv(&t.path().join("moved"), &torch);
    let o = presets(&gan, &bare_path, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    for want in ["cannot find libtorch 2.11.0", "LIBTORCH: not set", "TORCH_HOME: not set", "python3's torch", "gone-venv", "pip install torch==2.11.0"] {
        assert!(e.contains(want), "{want}: {e}");
    }
    // Each place in the order works on its own.
    for (what, path, env) in [
        ("LIBTORCH", bare_path.clone(), vec![("LIBTORCH", torch.as_path())]),
        ("TORCH_HOME", bare_path.clone(), vec![("TORCH_HOME", torch.as_path())]),
        ("the active Python", with_python.display().to_string(), vec![]),
    ] {
        let o = presets(&gan, &path, &env);
        assert!(o.status.success(), "{what}: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("mnist-rpgan"), "{what}");
    }
    // A torch of another version is passed over, and named.
    let old = t.path().join("torch-2.10");
    std::fs::create_dir_all(old.join("lib")).unwrap();
    std::fs::write(old.join("lib/libtorch_cpu.so"), b"").unwrap();
    std::fs::write(old.join("version.py"), "__version__ = '2.10.0+cpu'\n").unwrap();
    let o = presets(&gan, &bare_path, &[("LIBTORCH", &old)]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("torch 2.10.0; gan needs 2.11.0"), "{}", stderr(&o));
    let o = presets(&gan, &bare_path, &[("LIBTORCH", &old), ("TORCH_HOME", &torch)]);
    assert!(o.status.success(), "falls through to TORCH_HOME: {}", stderr(&o));

    // Installed from a build whose venv is still there: found with nothing set.
    let gan = install(&t.path().join("here"), &venv);
    forget_build_venv(&t.path().join("here"), &torch);
    let o = presets(&gan, &bare_path, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
}
