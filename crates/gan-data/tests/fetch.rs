//! Downloads against a local HTTP server (127.0.0.1) serving files made here: a whole
//! file, a connection dropped half-way (the next try resumes with a `Range` request), a
//! server that ignores ranges, a corrupted file (checksum error, nothing kept) and no
//! server at all.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use gan_data::fetch::{download, DownloadOptions, Progress};
use sha2::{Digest, Sha256};

/// How the server answers.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Honest,
    /// The first request gets the headers of the whole file but only half its body.
    DropFirst,
    /// Every request gets the whole file with 200, whatever its range.
    IgnoreRanges,
}

struct Server {
    base: String,
    /// The `Range` header of each request ("" for none).
    ranges: Arc<Mutex<Vec<String>>>,
}

fn serve(body: Vec<u8>, mode: Mode) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    let ranges = Arc::new(Mutex::new(Vec::new()));
    let seen = ranges.clone();
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { continue };
            answer(stream, &body, mode, i, &seen);
        }
    });
    Server { base, ranges }
}

fn answer(mut stream: TcpStream, body: &[u8], mode: Mode, i: usize, seen: &Mutex<Vec<String>>) {
    let mut range = String::new();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut path = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if path.is_empty() {
            path = line.split_whitespace().nth(1).unwrap_or("").to_string();
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
            range = v.trim().trim_end_matches('-').to_string();
        }
    }
    seen.lock().unwrap().push(range.clone());
    if !path.ends_with("/file.bin") {
        let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        return;
    }
    let start: usize = if mode == Mode::IgnoreRanges { 0 } else { range.parse().unwrap_or(0) };
    let rest = &body[start.min(body.len())..];
    let status = if start > 0 { "206 Partial Content" } else { "200 OK" };
    let head = format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", rest.len());
    let _ = stream.write_all(head.as_bytes());
    let send = if mode == Mode::DropFirst && i == 0 { &rest[..rest.len() / 2] } else { rest };
    let _ = stream.write_all(send);
    let _ = stream.flush();
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn body() -> Vec<u8> {
    (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect()
}

fn quick() -> DownloadOptions {
    DownloadOptions { attempts: 3, retry_delay: Duration::ZERO, timeout: Duration::from_secs(10) }
}

fn get(server: &Server, target: &Path, sum: &str) -> (gan_data::error::Result<()>, Vec<Progress>) {
    let mut seen = Vec::new();
    let r = download(&[format!("{}file.bin", server.base)], target, sum, &quick(), &mut |p| seen.push(p.clone()));
    (r, seen)
}

#[test]
fn a_whole_download_is_verified_and_renamed_into_place() {
    let d = tempfile::tempdir().unwrap();
    let data = body();
    let server = serve(data.clone(), Mode::Honest);
    let target = d.path().join("file.bin");
    let (r, seen) = get(&server, &target, &sha(&data));
    r.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert!(!d.path().join("file.bin.part").exists());
    assert!(matches!(seen.last(), Some(Progress::Done { bytes: 200_000, .. })), "{seen:?}");
    assert!(seen.iter().any(|p| matches!(p, Progress::Bytes { total: Some(200_000), .. })));
    // A second fetch verifies the file instead of downloading it.
    let (r, seen) = get(&server, &target, &sha(&data));
    r.unwrap();
    assert_eq!(seen, vec![Progress::Kept { file: "file.bin".into() }]);
    assert_eq!(server.ranges.lock().unwrap().len(), 1);
}

#[test]
fn a_dropped_connection_resumes_with_a_range_request() {
    let d = tempfile::tempdir().unwrap();
    let data = body();
    let server = serve(data.clone(), Mode::DropFirst);
    let target = d.path().join("file.bin");
    let (r, seen) = get(&server, &target, &sha(&data));
    r.unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
    assert_eq!(*server.ranges.lock().unwrap(), vec![String::new(), "100000".to_string()], "the second request asks for the rest");
    assert!(seen.iter().any(|p| matches!(p, Progress::Retrying { at: 100_000, .. })), "{seen:?}");
    assert!(seen.iter().any(|p| matches!(p, Progress::Bytes { resumed_from: 100_000, .. })), "{seen:?}");
    // A server that ignores the range sends the whole file again: it replaces the part.
    let d2 = tempfile::tempdir().unwrap();
    let part = d2.path().join("file.bin.part");
    std::fs::write(&part, &data[..5000]).unwrap();
    let server = serve(data.clone(), Mode::IgnoreRanges);
    let (r, _) = get(&server, &d2.path().join("file.bin"), &sha(&data));
    r.unwrap();
    assert_eq!(std::fs::read(d2.path().join("file.bin")).unwrap(), data);
}

#[test]
fn a_corrupted_file_is_refused_and_nothing_is_kept() {
    let d = tempfile::tempdir().unwrap();
    let data = body();
    let mut corrupted = data.clone();
    corrupted[777] ^= 0x55;
    let server = serve(corrupted, Mode::Honest);
    let target = d.path().join("file.bin");
    let (r, _) = get(&server, &target, &sha(&data));
    let e = r.unwrap_err().to_string();
    assert!(e.contains("file.bin") && e.contains(&sha(&data)) && e.contains("deleted"), "{e}");
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0, "neither the file nor its part is left");
    // A file already there with another checksum is left alone and named.
    std::fs::write(&target, b"mine").unwrap();
    let e = get(&server, &target, &sha(&data)).0.unwrap_err().to_string();
    assert!(e.contains("already there") && e.contains(&sha(b"mine")), "{e}");
    assert_eq!(std::fs::read(&target).unwrap(), b"mine");
}

#[test]
fn no_server_is_a_clear_error_after_the_tries() {
    let d = tempfile::tempdir().unwrap();
    // A port nobody listens on: bind one, note it, close it.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let target = d.path().join("file.bin");
    let e = download(&[format!("http://127.0.0.1:{port}/file.bin")], &target, &sha(b""), &quick(), &mut |_| {}).unwrap_err().to_string();
    assert!(e.contains("cannot download file.bin after 3 tries") && e.contains("offline") && e.contains(&port.to_string()), "{e}");
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 0);
    // A 404 from the first mirror falls through to the next.
    let data = body();
    let server = serve(data.clone(), Mode::Honest);
    let urls = [format!("{}missing/nothing.bin", server.base), format!("{}file.bin", server.base)];
    download(&urls, &target, &sha(&data), &quick(), &mut |_| {}).unwrap();
    assert_eq!(std::fs::read(&target).unwrap(), data);
}
