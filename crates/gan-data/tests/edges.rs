//! CartoonGAN's edge promoting against OpenCV (`edges_reference.py`, the training reference's
//! `edge_promoting.py` restated): on held-out Twemoji drawings, the same Canny edges and the
//! same smoothed bytes, exactly.

mod common;

use gan_data::edges::{canny, edge_smooth, grey};
use gan_data::pairs::{PairSource, Pairing};
use gan_data::Split;

#[test]
fn edge_promoting_equals_opencv_on_emoji_drawings() {
    let Some((shared, _)) = common::emoji("twitter") else { return };
    let source =
        PairSource::Styles { dir: shared.join("emoji"), a: "google".into(), b: "twitter".into(), size: 64, split: Split::Test, pairing: Pairing::Paired };
    let set = source.open().unwrap();
    let (n, h, w) = (60usize, 64usize, 64usize);
    let per = 3 * h * w;
    let images = &set.b.pixels[..n * per];
    let dir = tempfile::tempdir().unwrap();
    let (inp, out) = (dir.path().join("in.bin"), dir.path().join("out.bin"));
    std::fs::write(&inp, images).unwrap();
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edges_reference.py");
    let o = std::process::Command::new(&python).arg(&script).arg(&inp).arg(&out).args([n, h, w].map(|v| v.to_string())).output().expect("run python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want = std::fs::read(&out).unwrap();
    let (want_maps, want_smoothed) = want.split_at(n * h * w);
    let mut edge_pixels = 0;
    for i in 0..n {
        let image = &images[i * per..(i + 1) * per];
        let edges = canny(&grey(image, 3, h, w), h, w, 100, 200);
        let theirs: Vec<bool> = want_maps[i * h * w..(i + 1) * h * w].iter().map(|&v| v != 0).collect();
        let differ: Vec<(usize, usize, bool)> = (0..h * w).filter(|&j| edges[j] != theirs[j]).map(|j| (j / w, j % w, edges[j])).collect();
        assert!(differ.is_empty(), "Canny's edges of image {i} differ at (y, x, ours): {differ:?}");
        edge_pixels += edges.iter().filter(|&&e| e).count();
        let ours = edge_smooth(image, 3, h, w);
        let differ = ours.iter().zip(&want_smoothed[i * per..(i + 1) * per]).filter(|(a, b)| a != b).count();
        assert_eq!(differ, 0, "smoothed image {i}: {differ} bytes differ");
    }
    assert!(edge_pixels > n * 100, "the drawings have edges to compare: {edge_pixels}");
}
