//! `gan data fetch` against a local HTTP server (127.0.0.1) serving files made here,
//! training on CIFAR-10's binary batches with the cifar10 presets, and `gan data render`'s
//! elastic distortion and its bad settings.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::*;

/// Serves `body` for every path.
fn serve(body: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 && line != "\r\n" {
                line.clear();
            }
            let _ = stream.write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).as_bytes());
            let _ = stream.write_all(body);
        }
    });
    base
}

#[test]
fn a_corrupted_download_and_no_network_are_one_line_errors_and_leave_nothing() {
    let t = tempfile::tempdir().unwrap();
    let base = serve(b"not the MNIST training images");
    let o = run(&["data", "fetch", "mnist", "--dir", "m", "--mirror", &base, "--attempts", "1", "--retry-delay", "0"], t.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    assert!(
        e.contains("train-images-idx3-ubyte.gz") && e.contains("440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609") && e.contains("deleted"),
        "{e}"
    );
    assert_eq!(std::fs::read_dir(t.path().join("m")).unwrap().count(), 0, "nothing kept");

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mirror = format!("http://127.0.0.1:{port}/");
    let o = run(&["data", "fetch", "cifar10", "--dir", "c", "--mirror", &mirror, "--attempts", "2", "--retry-delay", "0"], t.path());
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("cifar-10-binary.tar.gz") && e.contains("after 2 tries") && e.contains("offline"), "{e}");
    let o = run(&["data", "fetch", "mnist", "--attempts", "0"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--attempts"));
}

#[test]
fn the_cifar10_presets_train_on_the_binary_batches() {
    let t = tempfile::tempdir().unwrap();
    let b = t.path().join("cifar/cifar-10-batches-bin");
    std::fs::create_dir_all(&b).unwrap();
    for i in 1..=5 {
        std::fs::write(b.join(format!("data_batch_{i}.bin")), gan_data::cifar::encode_records(8)).unwrap();
    }
    std::fs::write(t.path().join("tiny.toml"), "steps = 2\nbatch_size = 8\nlog_every = 1\n[model]\ng_base = 4\nd_base = 4\n").unwrap();
    for preset in ["cifar10-dcgan", "cifar10-cgan", "cifar10-wgan-gp"] {
        let o = run(&["--threads", "1", "train", "--preset", preset, "--config", "tiny.toml", "--data", "cifar", "--out", preset, "--no-progress"], t.path());
        assert!(o.status.success(), "{preset}: {}", stderr(&o));
        let config = std::fs::read_to_string(t.path().join(preset).join("config.toml")).unwrap();
        assert!(config.contains("kind = \"cifar10\""), "{config}");
        let grid = image::open(t.path().join(preset).join("samples/step-00000002.png")).unwrap();
        assert_eq!(grid.color(), image::ColorType::Rgb8, "{preset}: colour samples");
    }
    // Conditional samples go by CIFAR-10's class names.
    let o = run(&["sample", "--run", "cifar10-cgan", "--prompt", "horse", "--n", "2", "--out", "h.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    // Without the data: where to get it.
    let o = run(&["train", "--preset", "cifar10-dcgan", "--out", "none", "--no-progress"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("gan data fetch cifar10"), "{}", stderr(&o));
}

#[test]
fn data_render_bends_the_digits_when_asked_and_names_a_bad_flag() {
    let t = tempfile::tempdir().unwrap();
    let images = |dir: &str| gan_data::idx::read_images(&t.path().join(dir).join("train-images-idx3-ubyte.gz")).unwrap().pixels;
    for (dir, extra) in [("plain", &[][..]), ("bent", &["--elastic", "34"][..])] {
        let o = run(&[&["data", "render", "--out", dir, "--n", "30", "--seed", "2"][..], extra].concat(), t.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let (plain, bent) = (images("plain"), images("bent"));
    assert_eq!(plain.len(), bent.len());
    assert_ne!(plain, bent, "--elastic changed nothing");
    for (args, flag) in [(&["--elastic", "500"][..], "--elastic "), (&["--elastic", "34", "--elastic-sigma", "0.1"][..], "--elastic-sigma")] {
        let o = run(&[&["data", "render", "--out", "bad", "--n", "30"][..], args].concat(), t.path());
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        assert!(e.trim().lines().count() == 1 && e.contains(flag), "{e}");
        assert!(!t.path().join("bad").exists(), "a refused render wrote files");
    }
}
