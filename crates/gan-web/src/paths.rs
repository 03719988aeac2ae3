//! Turning URL parts into paths inside the runs directory, and nothing else: a run name is
//! one plain path component, a file path is plain components only (no `..`, no root, no
//! hidden names), and the resolved file must still lie inside the runs directory after
//! symbolic links are followed.

use std::path::{Component, Path, PathBuf};

use crate::error::WebError;

/// True for one plain, visible file or directory name.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0'])
        && matches!(Path::new(name).components().next(), Some(Component::Normal(_)))
        && Path::new(name).components().count() == 1
}

/// The directory of run `name` under `root` (which must exist).
pub fn run_dir(root: &Path, name: &str) -> Result<PathBuf, WebError> {
    if !plain(name) {
        return Err(WebError::BadPath(name.to_string()));
    }
    let dir = root.join(name);
    if !dir.is_dir() {
        return Err(WebError::NoRun(name.to_string()));
    }
    inside(root, &dir)
}

/// The file `rel` (slash-separated) inside run `name`.
pub fn run_file(root: &Path, name: &str, rel: &str) -> Result<PathBuf, WebError> {
    let dir = run_dir(root, name)?;
    if rel.is_empty() || !rel.split('/').all(plain) {
        return Err(WebError::BadPath(rel.to_string()));
    }
    let path = dir.join(rel);
    if !path.is_file() {
        return Err(WebError::NoFile(format!("{name}/{rel}")));
    }
    inside(root, &path)
}

/// `path`, if it resolves to a place inside `root`.
fn inside(root: &Path, path: &Path) -> Result<PathBuf, WebError> {
    let bad = || WebError::BadPath(path.display().to_string());
    let root = root.canonicalize().map_err(|_| bad())?;
    let real = path.canonicalize().map_err(|_| bad())?;
    if real.starts_with(&root) {
        Ok(real)
    } else {
        Err(bad())
    }
}

/// The content type of a file served from a run.
pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "png" => "image/png",
        "gif" => "image/gif",
        "json" => "application/json",
        "jsonl" => "application/x-ndjson",
        "csv" => "text/csv; charset=utf-8",
        "toml" | "txt" | "log" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traversal_and_hidden_names_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("runs");
        std::fs::create_dir_all(root.join("a/samples")).unwrap();
        std::fs::write(root.join("a/samples/s.png"), b"x").unwrap();
        std::fs::write(tmp.path().join("secret"), b"x").unwrap();
        assert!(run_file(&root, "a", "samples/s.png").is_ok());
        for (run, rel) in [
            ("..", "secret"),
            ("a", "../../secret"),
            ("a", "samples/../../../secret"),
            ("a", "/etc/passwd"),
            ("a", ".hidden"),
            ("a", "samples//s.png"),
            ("a", "samples\\..\\x"),
            ("a/..", "secret"),
        ] {
            assert!(matches!(run_file(&root, run, rel), Err(WebError::BadPath(_))), "{run} {rel}");
        }
        assert!(matches!(run_file(&root, "a", "missing.png"), Err(WebError::NoFile(_))));
        assert!(matches!(run_dir(&root, "b"), Err(WebError::NoRun(_))));
    }

    #[cfg(unix)]
    #[test]
    fn a_link_out_of_the_runs_directory_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("runs");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(tmp.path().join("secret"), b"x").unwrap();
        std::os::unix::fs::symlink(tmp.path().join("secret"), root.join("a/link.png")).unwrap();
        assert!(matches!(run_file(&root, "a", "link.png"), Err(WebError::BadPath(_))));
    }
}
