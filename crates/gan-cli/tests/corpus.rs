//! The bad-input corpus (tests/corpus, written by tests/corpus/generate.py): every damaged IDX
//! file, image, configuration and checkpoint there must make `gan` exit with code 1 and one line
//! on stderr naming the file and the field or shape, with no panic and nothing written: the
//! case's files are compared byte for byte before and after. The controls (`expect = "ok"`)
//! must succeed. `GAN_CORPUS_FILTER=PREFIX` runs the cases whose name starts with PREFIX.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// Long enough for any refusal; a case that trains instead of failing is stopped here.
const TIMEOUT: Duration = Duration::from_secs(120);

#[derive(Deserialize)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    args: Vec<String>,
    needles: Vec<String>,
    expect: Expect,
    /// For image controls: the colour the odd file decodes to.
    #[serde(default)]
    rgb: Option<[u8; 3]>,
}

#[derive(Deserialize, PartialEq, Clone, Copy, Debug)]
#[serde(rename_all = "kebab-case")]
enum Expect {
    Error,
    Ok,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

fn manifest() -> Manifest {
    let path = corpus().join("cases.toml");
    toml::from_str(&std::fs::read_to_string(&path).expect("cases.toml")).expect("cases.toml parses")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Every file and folder under `root` with its bytes (`None` for folders).
fn snapshot(root: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_path_buf();
            if p.is_dir() {
                out.insert(rel, None);
                stack.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn changes(before: &BTreeMap<PathBuf, Option<Vec<u8>>>, after: &BTreeMap<PathBuf, Option<Vec<u8>>>) -> Vec<String> {
    let mut c = Vec::new();
    for (p, v) in after {
        match before.get(p) {
            None => c.push(format!("created {}", p.display())),
            Some(old) if old != v => c.push(format!("changed {}", p.display())),
            _ => {}
        }
    }
    c.extend(before.keys().filter(|p| !after.contains_key(*p)).map(|p| format!("removed {}", p.display())));
    c
}

/// Runs one case in a fresh directory; `Err` says what went wrong.
fn run_case(c: &Case) -> Result<(), String> {
    let work = tempfile::tempdir().unwrap();
    let cwd = work.path().join("cwd");
    copy_tree(&corpus().join("cases/shared"), &cwd.join("shared"));
    copy_tree(&corpus().join("cases").join(&c.name), &cwd.join("case"));
    let before = snapshot(&cwd);
    let (out, err) = (work.path().join("stdout"), work.path().join("stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_gan"))
        .args(["--threads", "1"])
        .args(&c.args)
        .current_dir(&cwd)
        .env_remove("GAN_FAULT_ABORT_IN_CHECKPOINT")
        .env_remove("RUST_BACKTRACE")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("gan starts");
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("still running after {TIMEOUT:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let one_line = stderr.trim();
    match c.expect {
        Expect::Ok => {
            if !status.success() {
                return Err(format!("exit {:?}, expected success: {one_line}", status.code()));
            }
        }
        Expect::Error => {
            if status.code() != Some(1) {
                return Err(format!("exit {:?}, expected 1: {one_line}", status.code()));
            }
            if one_line.lines().count() != 1 || one_line.contains("panicked") {
                return Err(format!("not one line: {stderr:?}"));
            }
            let missing: Vec<&String> = c.needles.iter().filter(|n| !one_line.contains(n.as_str())).collect();
            if !missing.is_empty() {
                return Err(format!("{missing:?} not in {one_line:?}"));
            }
            let changed = changes(&before, &snapshot(&cwd));
            if !changed.is_empty() {
                return Err(format!("wrote to disk ({}): {one_line}", changed.join(", ")));
            }
        }
    }
    Ok(())
}

#[test]
fn every_corpus_entry_fails_cleanly_and_every_control_loads() {
    let m = manifest();
    let filter = std::env::var("GAN_CORPUS_FILTER").unwrap_or_default();
    let cases: Vec<&Case> = m.case.iter().filter(|c| c.name.starts_with(&filter)).collect();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    // Each case runs one single-threaded process; two at a time keep both cores busy.
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                while let Some(c) = cases.get(next.fetch_add(1, Ordering::Relaxed)) {
                    if let Err(e) = run_case(c) {
                        failures.lock().unwrap().push(format!("{}: gan {}: {e}", c.name, c.args.join(" ")));
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    let errors = cases.iter().filter(|c| c.expect == Expect::Error).count();
    eprintln!("corpus: {} cases ({errors} bad inputs, {} controls), {} failed", cases.len(), cases.len() - errors, failures.len());
    assert!(failures.is_empty(), "{} of {} corpus cases failed:\n{}", failures.len(), cases.len(), failures.join("\n"));
    if filter.is_empty() {
        assert!(errors >= 400, "the corpus shrank to {errors} bad inputs");
    }
}

/// Every directory under cases/ belongs to a case of the manifest (none is left stale) and
/// every case has its directory.
#[test]
fn the_manifest_and_the_case_directories_agree() {
    let names: std::collections::BTreeSet<String> = manifest().case.iter().map(|c| c.name.clone()).collect();
    let root = corpus().join("cases");
    let mut dirs = std::collections::BTreeSet::new();
    for group in std::fs::read_dir(&root).unwrap() {
        let group = group.unwrap();
        if group.file_name() == "shared" {
            continue;
        }
        for entry in std::fs::read_dir(group.path()).unwrap() {
            dirs.insert(format!("{}/{}", group.file_name().to_string_lossy(), entry.unwrap().file_name().to_string_lossy()));
        }
    }
    assert_eq!(names, dirs);
}

/// The image controls decode to the colours their writer (Pillow, or hand-made 16-bit PNGs)
/// put in them.
#[test]
fn odd_but_valid_images_decode_to_their_colours() {
    let m = manifest();
    let controls: Vec<&Case> = m.case.iter().filter(|c| c.rgb.is_some()).collect();
    assert!(controls.len() >= 5);
    for c in controls {
        let dir = corpus().join("cases").join(&c.name).join("data");
        let folder = gan_data::folder::ImageFolder::scan(&dir, 8).unwrap();
        let i = folder.files.iter().position(|f| f.file_stem().unwrap() == "odd").expect("odd.* in the case");
        let px = folder.load(i).unwrap_or_else(|e| panic!("{}: {e}", c.name));
        let want = c.rgb.unwrap();
        // Centre pixel, channels first.
        let got = [px[4 * 8 + 4], px[64 + 4 * 8 + 4], px[128 + 4 * 8 + 4]];
        for ch in 0..3 {
            assert!((got[ch] as i32 - want[ch] as i32).abs() <= 3, "{}: decoded {got:?}, written {want:?}", c.name);
        }
    }
}
