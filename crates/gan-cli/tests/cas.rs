//! `gan eval --cas`: a conditional run's labelled samples train the LeNet classifier, which is
//! then tested on real labelled images (RUN/cas.json); a generator that learnt its classes
//! scores high, and what cannot be scored is refused in one line.

mod common;

use common::*;

/// mnist-cgan's conditional DCGAN pair made tiny, on 28x28 images whose bright band of rows
/// is the class (0-2).
const CGAN: &str = r#"
steps = 300
batch_size = 32
log_every = 100
sample_every = 300
checkpoint_every = 300

[model]
kind = "dcgan"
latent_dim = 16
g_base = 8
d_base = 8
d_norm = "batch"
"#;

#[test]
fn cas_trains_on_labelled_samples_and_tests_on_real_images() {
    let t = tempfile::tempdir().unwrap();
    let (data, cfg) = digits_setup(t.path(), 300, CGAN);
    let o = run(&["--threads", "1", "train", "--preset", "mnist-cgan", "--config", &cfg, "--data", &data, "--out", "run", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["--threads", "1", "eval", "--run", "run", "--cas", "--cas-test", &data, "--n", "600", "--cas-epochs", "2"], t.path());
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("classification accuracy score") && out.contains("600 samples of run"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("run/cas.json")).unwrap()).unwrap();
    assert_eq!((report["train_images"].as_u64(), report["test_images"].as_u64()), (Some(600), Some(300)), "{report}");
    assert_eq!(report["per_class"].as_array().unwrap().len(), 3);
    // The bands are easy: a generator that draws each class where its label says scores high
    // (100% on this machine; a tiny conditional MLP pair that collapses scores about 30%).
    assert!(report["accuracy"].as_f64().unwrap() > 0.9, "{report}");
    // Samples drawn at a truncation are said to be, in the report.
    let o = run(&["--threads", "1", "eval", "--run", "run", "--cas", "--cas-test", &data, "--n", "600", "--cas-epochs", "2", "--truncation", "0.5"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("run/cas.json")).unwrap()).unwrap();
    assert!(report["train"].as_str().unwrap().contains("latents truncated at 0.5"), "{report}");
    let o = run(&["eval", "--run", "run", "--cas", "--cas-test", "nowhere"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("--cas-test nowhere") && stderr(&o).trim().lines().count() == 1, "{}", stderr(&o));
    // The run's own data (IDX without a t10k split) gives no test images.
    let o = run(&["eval", "--run", "run", "--cas"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("no t10k split"), "{}", stderr(&o));
    // An unconditional run has no labels to train on.
    let plain = format!("conditional = false\n{}", CGAN.replace("steps = 300", "steps = 2"));
    std::fs::write(t.path().join("plain.toml"), plain).unwrap();
    let o = run(&["--threads", "1", "train", "--preset", "mnist-cgan", "--config", "plain.toml", "--data", &data, "--out", "plain", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["eval", "--run", "plain", "--cas", "--cas-test", &data], t.path());
    assert!(!o.status.success() && stderr(&o).contains("not conditional"), "{}", stderr(&o));
}

/// `gan data render` writes labelled IDX digits; a classifier trained on one seed's digits
/// reads another seed's (the labels are the digits drawn), and real MNIST digits far above
/// chance; a data set's score needs its test images.
#[test]
fn rendered_digits_are_written_as_idx_and_scored_as_a_training_set() {
    let t = tempfile::tempdir().unwrap();
    for (dir, seed) in [("r0", "0"), ("r1", "1")] {
        let o = run(&["data", "render", "--out", dir, "--n", "1000", "--seed", seed], t.path());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    let cas = |test: &str| {
        let o = run(&["--threads", "1", "eval", "--cas", "--cas-train", "r0", "--cas-test", test, "--cas-epochs", "2"], t.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        let line = out.lines().next().unwrap().to_string();
        line.trim_start_matches("classification accuracy score: ").trim_end_matches('%').parse::<f64>().unwrap()
    };
    let same = cas("r1");
    assert!(same > 85.0, "rendered -> rendered {same}%");
    let mnist = gan_data::builtin::Builtin::Mnist10k.load().unwrap();
    let real = t.path().join("mnist");
    std::fs::create_dir_all(&real).unwrap();
    let images = gan_data::idx::IdxImages { count: 2000, rows: 28, cols: 28, pixels: mnist.pixels[..2000 * 784].to_vec() };
    gan_data::idx::write_maybe_gz(&real.join("train-images-idx3-ubyte.gz"), &gan_data::idx::encode_images(&images)).unwrap();
    gan_data::idx::write_maybe_gz(&real.join("train-labels-idx1-ubyte.gz"), &gan_data::idx::encode_labels(&mnist.labels.unwrap()[..2000])).unwrap();
    let to_real = cas("mnist");
    // 41% on this machine (10,000 rendered digits and 3 epochs reach 60%; real digits 98%).
    assert!(to_real > 25.0, "rendered -> MNIST {to_real}%");
    let o = run(&["eval", "--cas", "--cas-train", "r0"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("--cas-test"), "{}", stderr(&o));
    // A data set draws no latents to truncate.
    let o = run(&["eval", "--cas", "--cas-train", "r0", "--cas-test", "r1", "--truncation", "0.5"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("--cas-train r0 draws no latents") && stderr(&o).trim().lines().count() == 1, "{}", stderr(&o));
}
