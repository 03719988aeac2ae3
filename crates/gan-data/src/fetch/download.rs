//! One checksummed, resumable download: `TARGET.part` grows across tries (HTTP `Range`), is
//! verified against its SHA-256 and renamed onto `TARGET` only when it matches.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

use crate::error::{DataError, Result};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct DownloadOptions {
    /// Tries per file (each resuming where the last one stopped), over all mirrors.
    pub attempts: u32,
    /// Pause between tries.
    pub retry_delay: Duration,
    /// Connection and read time-out.
    pub timeout: Duration,
}

impl Default for DownloadOptions {
    fn default() -> Self {
        Self { attempts: 5, retry_delay: Duration::from_secs(2), timeout: Duration::from_secs(30) }
    }
}

/// Where a download stands, for a progress bar.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// Already in place with the right checksum.
    Kept { file: String },
    /// Bytes so far of `total` (when the server says), from `url`; `resumed_from` bytes
    /// came from earlier tries.
    Bytes { file: String, url: String, done: u64, total: Option<u64>, resumed_from: u64 },
    /// The connection broke; the next try resumes at `at` bytes.
    Retrying { file: String, at: u64, reason: String },
    /// Verified and in place.
    Done { file: String, bytes: u64 },
}

fn sha256_of(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|source| DataError::Read { path: path.into(), source })?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).map_err(|source| DataError::Read { path: path.into(), source })?;
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

fn invalid(target: &Path, reason: String) -> DataError {
    DataError::Invalid { name: target.display().to_string(), reason }
}

/// What one try ended with.
enum Try {
    /// The body arrived whole (or the server said there was nothing left to send).
    Complete,
    /// The server could not be reached or answered with an error: try the next mirror.
    Unreachable(String),
    /// The connection broke mid-body: resume.
    Broken(String),
}

/// Downloads `target` from the first of `urls` that serves it, checking `sha256`.
pub fn download(urls: &[String], target: &Path, sha256: &str, options: &DownloadOptions, on_progress: &mut dyn FnMut(&Progress)) -> Result<()> {
    let file = target.file_name().map_or_else(|| target.display().to_string(), |n| n.to_string_lossy().into_owned());
    if target.exists() {
        let found = sha256_of(target)?;
        if found != sha256 {
            return Err(invalid(target, format!("is already there but its SHA-256 is {found}, not the published {sha256}; move it away to fetch it again")));
        }
        on_progress(&Progress::Kept { file });
        return Ok(());
    }
    let part = PathBuf::from(format!("{}.part", target.display()));
    let agent = ureq::AgentBuilder::new().timeout_connect(options.timeout).timeout_read(options.timeout).build();
    let mut last = String::from("no address to fetch from");
    let mut from = None;
    'tries: for attempt in 0..options.attempts.max(1) {
        if attempt > 0 {
            std::thread::sleep(options.retry_delay);
        }
        for url in urls {
            match one_try(&agent, url, &part, &file, on_progress)? {
                Try::Complete => {
                    from = Some(url.clone());
                    break 'tries;
                }
                Try::Unreachable(why) => last = why,
                Try::Broken(why) => {
                    let at = std::fs::metadata(&part).map_or(0, |m| m.len());
                    on_progress(&Progress::Retrying { file: file.clone(), at, reason: why.clone() });
                    last = format!("{url}: {why}");
                    continue 'tries;
                }
            }
        }
    }
    let Some(url) = from else {
        let kept = if part.exists() { format!(" ({} kept to resume from)", part.display()) } else { String::new() };
        let tries = match options.attempts.max(1) {
            1 => "1 try".to_string(),
            n => format!("{n} tries"),
        };
        return Err(invalid(target, format!("cannot download {file} after {tries} (offline? last error: {last}){kept}")));
    };
    let found = sha256_of(&part)?;
    if found != sha256 {
        let _ = std::fs::remove_file(&part);
        return Err(invalid(target, format!("the download from {url} has SHA-256 {found}, not the published {sha256}; it was deleted")));
    }
    let bytes = std::fs::metadata(&part).map_or(0, |m| m.len());
    std::fs::rename(&part, target).map_err(|source| DataError::Write { path: target.into(), source })?;
    on_progress(&Progress::Done { file, bytes });
    Ok(())
}

fn one_try(agent: &ureq::Agent, url: &str, part: &Path, file: &str, on_progress: &mut dyn FnMut(&Progress)) -> Result<Try> {
    let have = std::fs::metadata(part).map_or(0, |m| m.len());
    let mut request = agent.get(url);
    if have > 0 {
        request = request.set("Range", &format!("bytes={have}-"));
    }
    let response = match request.call() {
        Ok(r) => r,
        // Nothing left to send: the part file is whole (its checksum decides).
        Err(ureq::Error::Status(416, _)) if have > 0 => return Ok(Try::Complete),
        Err(ureq::Error::Status(code, r)) => return Ok(Try::Unreachable(format!("{url}: HTTP {code} {}", r.status_text()))),
        // ureq names the address itself.
        Err(ureq::Error::Transport(t)) => return Ok(Try::Unreachable(t.to_string())),
    };
    // 206: the rest, appended; 200: the whole file (the server ignored the range).
    let resumed_from = if response.status() == 206 { have } else { 0 };
    let length = response.header("Content-Length").and_then(|v| v.parse::<u64>().ok());
    let total = length.map(|l| l + resumed_from);
    let write_err = |source| DataError::Write { path: part.into(), source };
    let mut out = std::fs::OpenOptions::new().create(true).write(true).append(resumed_from > 0).truncate(resumed_from == 0).open(part).map_err(write_err)?;
    let mut body = response.into_reader();
    let mut buf = vec![0u8; 1 << 16];
    let mut done = resumed_from;
    loop {
        let n = match body.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                out.flush().map_err(write_err)?;
                return Ok(Try::Broken(format!("connection lost after {done} bytes: {e}")));
            }
        };
        out.write_all(&buf[..n]).map_err(write_err)?;
        done += n as u64;
        on_progress(&Progress::Bytes { file: file.into(), url: url.into(), done, total, resumed_from });
    }
    out.sync_all().map_err(write_err)?;
    match total {
        Some(t) if done < t => Ok(Try::Broken(format!("connection closed after {done} of {t} bytes"))),
        _ => Ok(Try::Complete),
    }
}
