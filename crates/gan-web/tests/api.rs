//! The HTTP API over a hand-made runs directory: listing, details, files, the live metrics
//! stream, path traversal, and the lab's settings errors. Requests go over raw TCP so that
//! `..` reaches the server exactly as written.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use gan::lab::{LabConfig, LabData, LabLoss};
use gan_data::toy::ToyDist;
use gan_web::{ServeOptions, Server};

fn fixture(root: &Path) {
    let run = root.join("toy");
    std::fs::create_dir_all(run.join("samples")).unwrap();
    std::fs::write(run.join("config.toml"), "seed = 0\n").unwrap();
    std::fs::write(run.join("metrics.jsonl"), "{\"step\":50,\"epoch\":0.1,\"d_loss\":1.2,\"g_loss\":0.8,\"steps_per_sec\":10.0}\n").unwrap();
    std::fs::write(run.join("samples/step-00000000.png"), b"\x89PNG fake").unwrap();
    std::fs::write(root.parent().unwrap().join("secret.txt"), "top secret").unwrap();
}

/// Starts a server on a free port in a background runtime; returns its address.
fn start(root: &Path) -> std::net::SocketAddr {
    let lab = LabConfig::recommended(LabData::Toy { dist: ToyDist::Ring8 }, LabLoss::NonSaturating);
    let options = ServeOptions { runs: root.to_path_buf(), addr: "127.0.0.1:0".parse().unwrap(), lab };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        rt.block_on(async move {
            let server = Server::bind(options).await.unwrap();
            tx.send(server.local_addr()).unwrap();
            server.serve().await.unwrap();
        });
    });
    rx.recv().unwrap()
}

/// `(status, body)` of one request.
fn request(addr: std::net::SocketAddr, method: &str, path: &str, body: &str) -> (u16, String) {
    request_as(addr, &addr.to_string(), method, path, body)
}

/// `(status, body)` of one request with the given `Host` header.
fn request_as(addr: std::net::SocketAddr, host: &str, method: &str, path: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    // A response that never ends (a stream where none was expected) fails instead of hanging.
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let out = String::from_utf8_lossy(&raw).into_owned();
    let status = out[9..12].parse().unwrap();
    (status, out.split_once("\r\n\r\n").map_or(String::new(), |(_, b)| b.to_string()))
}

#[test]
fn runs_files_and_traversal() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    fixture(&root);
    let addr = start(&root);
    let (status, body) = request(addr, "GET", "/api/runs", "");
    assert_eq!(status, 200);
    assert!(body.contains("\"name\":\"toy\"") && body.contains("\"step\":50"), "{body}");
    let (status, body) = request(addr, "GET", "/api/runs/toy", "");
    assert_eq!(status, 200);
    assert!(body.contains("samples/step-00000000.png") && body.contains("\"d_loss\":1.2"), "{body}");
    assert_eq!(request(addr, "GET", "/runs/toy/samples/step-00000000.png", "").0, 200);
    for path in [
        "/runs/toy/../secret.txt",
        "/runs/toy/../../secret.txt",
        "/runs/../secret.txt",
        "/runs/toy/..%2F..%2Fsecret.txt",
        "/runs/%2E%2E/secret.txt",
        "/api/runs/..",
        "/runs/toy/%2Fetc%2Fpasswd",
        "/assets/..%2Fsrc%2Flib.rs",
        "/../../etc/passwd",
    ] {
        let (status, body) = request(addr, "GET", path, "");
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("top secret"), "{path}");
    }
    assert_eq!(request(addr, "GET", "/api/runs/nothing", "").0, 404);
}

#[test]
fn the_event_stream_sends_appended_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    fixture(&root);
    let addr = start(&root);
    let offset = std::fs::metadata(root.join("toy/metrics.jsonl")).unwrap().len();
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    write!(s, "GET /api/runs/toy/events?from={offset} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut f = std::fs::OpenOptions::new().append(true).open(root.join("toy/metrics.jsonl")).unwrap();
    // Half a line first: nothing is sent for it until the line is complete.
    write!(f, "{{\"step\":100,\"epoch\":0.2,").unwrap();
    let mut seen = String::new();
    let start = Instant::now();
    let mut completed = false;
    while start.elapsed() < Duration::from_secs(10) {
        let mut buf = [0u8; 4096];
        if let Ok(n) = s.read(&mut buf) {
            seen.push_str(&String::from_utf8_lossy(&buf[..n]));
        }
        if !completed && start.elapsed() > Duration::from_millis(600) {
            assert!(!seen.contains("event: metrics"), "a partial line was sent: {seen}");
            writeln!(f, "\"d_loss\":1.1,\"steps_per_sec\":10.0}}").unwrap();
            completed = true;
        }
        if seen.contains("\"step\":100") {
            break;
        }
    }
    assert!(seen.contains("event: samples"), "{seen}");
    assert!(seen.contains("event: metrics") && seen.contains("\"step\":100"), "{seen}");
    assert!(!seen.contains("\"step\":50"), "records before ?from= are not resent: {seen}");
}

#[test]
fn lab_settings_are_checked_and_steps_counted() {
    let tmp = tempfile::tempdir().unwrap();
    let addr = start(tmp.path());
    let mut bad = LabConfig::recommended(LabData::Toy { dist: ToyDist::Grid25 }, LabLoss::WganGp);
    bad.g_hidden = vec![0];
    let (status, body) = request(addr, "POST", "/api/lab/config", &serde_json::to_string(&bad).unwrap());
    assert_eq!(status, 400);
    assert!(body.contains("g_hidden"), "{body}");
    let (status, _) = request(addr, "POST", "/api/lab/config", "{\"loss\": \"wgan-gp\"}");
    assert!(status == 400 || status == 422, "{status}");
    let good = LabConfig { g_hidden: vec![16], ..bad };
    assert_eq!(request(addr, "POST", "/api/lab/config", &serde_json::to_string(&good).unwrap()).0, 200);
    assert_eq!(request(addr, "POST", "/api/lab/control", "{\"action\": \"step\"}").0, 200);
    assert_eq!(request(addr, "POST", "/api/lab/control", "{\"action\": \"jump\"}").0, 422);
    let start = Instant::now();
    loop {
        let (_, body) = request(addr, "GET", "/api/lab/frame", "");
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        if v["frame"]["d_updates"] == 5 && v["frame"]["g_updates"] == 1 {
            assert_eq!(v["config"]["data"]["dist"], "grid25");
            assert_eq!(v["frame"]["modes"]["modes"], 25);
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(10), "{body}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, csv) = request(addr, "GET", "/api/lab/curves.csv", "");
    assert_eq!(status, 200);
    assert!(csv.contains("\n5,1,"), "{csv}");
}

/// The status line's code of a response whose body may never end (an event stream).
fn open_stream(addr: std::net::SocketAddr, path: &str) -> (TcpStream, u16) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") && s.read(&mut byte).unwrap() == 1 {
        head.push(byte[0]);
    }
    let status = String::from_utf8_lossy(&head)[9..12].parse().unwrap();
    (s, status)
}

#[test]
fn foreign_hosts_large_bodies_and_too_many_streams_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("runs");
    fixture(&root);
    let addr = start(&root);
    let port = addr.port();
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own name.
    let (status, body) = request_as(addr, &format!("evil.example:{port}"), "GET", "/api/runs", "");
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("evil.example"), "{body}");
    for host in [format!("localhost:{port}"), format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        assert_eq!(request_as(addr, &host, "GET", "/api/runs", "").0, 200, "{host}");
    }
    // A body over the limit never reaches the handler.
    let big = format!("{{\"pad\": \"{}\"}}", "x".repeat(gan_web::MAX_BODY + 1));
    assert_eq!(request(addr, "POST", "/api/lab/config", &big).0, 413);
    // The stream cap, across both kinds of stream.
    let mut open = Vec::new();
    for i in 0..gan_web::MAX_STREAMS {
        let path = if i % 2 == 0 { "/api/runs/toy/events" } else { "/api/lab/stream" };
        let (s, status) = open_stream(addr, path);
        assert_eq!(status, 200, "stream {i}");
        open.push(s);
    }
    let (_, status) = open_stream(addr, "/api/runs/toy/events");
    assert_eq!(status, 503);
    let (status, body) = request(addr, "GET", "/api/lab/stream", "");
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("too many event streams"), "{body}");
    // Plain requests still work.
    assert_eq!(request(addr, "GET", "/api/runs", "").0, 200);
}

/// A lab step that panics answers 500 with what failed, and the lab goes on: later steps
/// work on a fresh session (`GAN_FAULT_LAB_PANIC` makes the worker panic once, at `step-d`).
#[test]
fn a_panicking_lab_step_answers_500_and_later_requests_still_work() {
    // SAFETY: set before the server (and any other thread of this test process) starts.
    unsafe { std::env::set_var("GAN_FAULT_LAB_PANIC", "step-d") };
    let tmp = tempfile::tempdir().unwrap();
    let addr = start(tmp.path());
    assert_eq!(request(addr, "POST", "/api/lab/control", "{\"action\": \"step-g\"}").0, 200);
    let (status, body) = request(addr, "POST", "/api/lab/control", "{\"action\": \"step-d\"}");
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("injected lab fault in step-d") && body.contains("restarted"), "{body}");
    let (_, frame) = request(addr, "GET", "/api/lab/frame", "");
    let v: serde_json::Value = serde_json::from_str(&frame).unwrap();
    assert_eq!((v["session"].as_u64(), v["frame"]["g_updates"].as_u64()), (Some(2), Some(0)), "a fresh session: {frame}");
    assert!(v["error"].as_str().is_some_and(|e| e.contains("step-d")), "{frame}");
    for action in ["step-d", "step"] {
        assert_eq!(request(addr, "POST", "/api/lab/control", &format!("{{\"action\": \"{action}\"}}")).0, 200, "{action}");
    }
    assert_eq!(request(addr, "GET", "/api/lab/curves.csv", "").0, 200);
}
