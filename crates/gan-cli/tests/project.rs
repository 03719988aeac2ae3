//! `gan project` (iGAN's projection onto a trained generator): from a sketch it writes the
//! sketch beside the best results, the optimisation path as a GIF and the losses, and the
//! optimisation lowers the loss it reports; bad masks and sizes are refused.

mod common;

use common::*;

#[test]
fn projection_lowers_the_loss_and_writes_its_files() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = digits_setup(t.path(), 48, TINY);
    let o = run(
        &["--threads", "1", "train", "--preset", "mnist-mlp", "--config", &cfg, "--data", &data, "--out", "run", "--no-progress", "--steps", "1"],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    // The sketch: an image the generator itself draws (from another seed), so that a good
    // projection can match it almost exactly.
    let o = run(&["sample", "--run", "run", "--n", "1", "--nrow", "1", "--seed", "5", "--out", "s.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    image::open(t.path().join("s.png")).unwrap().crop_imm(2, 2, 28, 28).save(t.path().join("sketch.png")).unwrap();
    let args = [
        "--threads",
        "1",
        "project",
        "--run",
        "run",
        "--image",
        "sketch.png",
        "--out",
        "proj",
        "--steps",
        "100",
        "--starts",
        "4",
        "--keep",
        "3",
        "--prior",
        "0",
    ];
    let o = run(&args, t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("proj/projection.json")).unwrap()).unwrap();
    let losses: Vec<f64> = report["losses"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(losses.len(), 4);
    assert!(losses.windows(2).all(|w| w[0] <= w[1]), "sorted best first: {losses:?}");
    let start = report["start_loss"].as_f64().unwrap();
    assert!(losses[0] < 0.5 * start, "the projection improved the fit: {start} -> {}", losses[0]);
    let best = image::open(t.path().join("proj/best.png")).unwrap();
    assert_eq!((best.width(), best.height()), (2 + 4 * 30, 32), "sketch + 3 results in one row");
    assert!(std::fs::metadata(t.path().join("proj/path.gif")).unwrap().len() > 100);
    // A mask with nothing drawn is refused in one line.
    image::GrayImage::new(28, 28).save(t.path().join("empty.png")).unwrap();
    let o = run(&["project", "--run", "run", "--image", "sketch.png", "--mask", "empty.png", "--out", "p2"], t.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("mask"), "{}", stderr(&o));
}
