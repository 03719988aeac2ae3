//! `gan steer` on a tiny generator trained on the built-in MNIST sample: outputs, that the
//! target's probability rises, and one-line errors.

mod common;

use std::path::Path;

use common::*;
use image::AnimationDecoder;

fn trained_28(root: &Path) {
    // TINY without --data: the built-in 28x28 MNIST sample.
    std::fs::write(root.join("tiny.toml"), TINY.replace("steps = 6", "steps = 2")).unwrap();
    let o = run(&["train", "--preset", "mnist-mlp", "--config", "tiny.toml", "--out", "run"], root);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn steering_raises_the_target_probability_and_writes_grid_gif_and_trace() {
    let t = tempfile::tempdir().unwrap();
    trained_28(t.path());
    let o = run(&["steer", "--run", "run", "--target", "Seven", "--n", "4", "--steps", "15", "--out", "s.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("towards 7"), "{}", stderr(&o));
    let grid = image::open(t.path().join("s.png")).unwrap();
    assert_eq!((grid.width(), grid.height()), (4 * 30 + 2, 2 * 30 + 2));
    let f = std::io::BufReader::new(std::fs::File::open(t.path().join("s.gif")).unwrap());
    assert_eq!(image::codecs::gif::GifDecoder::new(f).unwrap().into_frames().count(), 16);
    let trace: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("s.json")).unwrap()).unwrap();
    assert_eq!(trace["target"], 7);
    assert_eq!(trace["p_target_by_step"].as_array().unwrap().len(), 16);
    let mean = |k: &str| trace[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum::<f64>() / 4.0;
    assert!(mean("p_target_after") > mean("p_target_before"), "{trace}");
    let rows = trace["probs_after"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    let row_sum: f64 = rows[0].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum();
    assert!((row_sum - 1.0).abs() < 1e-4);
}

#[test]
fn bad_arguments_get_one_line_errors() {
    let t = tempfile::tempdir().unwrap();
    trained_28(t.path());
    let (data, cfg) = tiny_setup(t.path());
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "small"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let cases: [(&[&str], &str); 6] = [
        (&["steer", "--run", "run", "--target", "sevn", "--out", "x.png"], "unknown class `sevn`; nearest known: 7"),
        (&["steer", "--run", "run", "--target", "10", "--out", "x.png"], "class out of range"),
        (&["steer", "--run", "nope", "--target", "3", "--out", "x.png"], "nope"),
        (&["steer", "--run", "small", "--target", "3", "--out", "x.png"], "28x28"),
        (&["steer", "--run", "run", "--target", "3", "--classifier", "cifar", "--out", "x.png"], "--classifier cifar"),
        (&["steer", "--run", "run", "--target", "3", "--steps", "0", "--out", "x.png"], "at least 1"),
    ];
    for (args, needle) in cases {
        let o = run(args, t.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(needle) && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
}
