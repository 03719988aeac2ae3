//! Conditional GANs end to end: a short run on data whose two classes differ visibly must
//! draw each class on request (`--class`, `--prompt`), morph between them, and refuse class
//! choices it cannot honour with one-line errors.

mod common;

use std::path::Path;

use common::*;
use gan_data::idx::{decode_maybe_gz, encode_images, encode_labels, parse_images, write_maybe_gz, IdxImages};

/// 8x8 images: class 0 bright on the left half, class 1 bright on the right, with noise.
fn write_halves(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut s = 7u32;
    let mut pixels = Vec::with_capacity(n * 64);
    for i in 0..n {
        for _row in 0..8 {
            for col in 0..8 {
                s = s.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let noise = (s >> 16) as u8 % 40;
                let bright = (col < 4) == (i % 2 == 0);
                pixels.push(if bright { 215 + noise } else { noise });
            }
        }
    }
    write_maybe_gz(&dir.join("train-images-idx3-ubyte.gz"), &encode_images(&IdxImages { count: n, rows: 8, cols: 8, pixels })).unwrap();
    let labels: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
    write_maybe_gz(&dir.join("train-labels-idx1-ubyte.gz"), &encode_labels(&labels)).unwrap();
}

const CGAN: &str = r#"
steps = 2000
batch_size = 32
conditional = true
log_every = 100
sample_every = 1000
checkpoint_every = 2000

[model]
kind = "mlp"
latent_dim = 8
g_hidden = [32, 64]
d_hidden = [64, 32]
d_dropout = 0.0
ema_half_life = 0

[loss.lipschitz]
kind = "none"

[optim.g]
kind = "adam"
lr = 0.001
betas = [0.5, 0.999]
eps = 1e-8

[optim.d]
kind = "adam"
lr = 0.001
betas = [0.5, 0.999]
eps = 1e-8
"#;

fn train(root: &Path, extra: &[&str]) {
    write_halves(&root.join("data"), 256);
    std::fs::write(root.join("cgan.toml"), CGAN).unwrap();
    let mut args = vec!["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "cgan.toml", "--data", "data", "--out", "run"];
    args.extend(extra);
    let o = run(&args, root);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("conditioned on 2 classes"), "{}", stderr(&o));
}

/// Fraction of images (IDX file) brighter on the left half than on the right.
fn left_bright_fraction(path: &Path) -> f64 {
    let imgs = parse_images(&decode_maybe_gz(std::fs::read(path).unwrap(), path).unwrap(), path).unwrap();
    let left = (0..imgs.count)
        .filter(|&i| {
            let img = &imgs.pixels[i * 64..(i + 1) * 64];
            let side = |l: bool| img.iter().enumerate().filter(|(j, _)| (j % 8 < 4) == l).map(|(_, &p)| p as u32).sum::<u32>();
            side(true) > side(false)
        })
        .count();
    left as f64 / imgs.count as f64
}

#[test]
fn a_short_conditional_run_draws_the_class_asked_for() {
    let t = tempfile::tempdir().unwrap();
    train(t.path(), &[]);
    let sample = |class: &str, out: &str| {
        let o = run(&["sample", "--run", "run", "--class", class, "--n", "100", "--seed", "4", "--format", "idx", "--out", out], t.path());
        assert!(o.status.success(), "{}", stderr(&o));
        left_bright_fraction(&t.path().join(out))
    };
    // A generator that ignored its label would draw one half for both classes, or each half
    // about half the time (300 steps of this recipe do the former).
    let (zero, one) = (sample("0", "c0.idx"), sample("1", "c1.idx"));
    assert!(zero >= 0.9 && one <= 0.1, "class 0 left-bright {zero}, class 1 left-bright {one}");
    // The training grid has one column per class.
    let grid = image::open(t.path().join("run/samples/step-00002000.png")).unwrap();
    assert_eq!((grid.width(), grid.height()), (2 * 10 + 2, 8 * 10 + 2));
}

#[test]
fn prompts_use_the_data_vocabulary_and_morphs_slide_between_classes() {
    let t = tempfile::tempdir().unwrap();
    // Name the two labels as Fashion-MNIST's first two classes.
    train(t.path(), &["--classes", "fashion-mnist", "--steps", "20"]);
    let o = run(&["sample", "--run", "run", "--prompt", "tees and trousers", "--n", "4", "--out", "p.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("of T-shirt/top, Trouser"), "{}", stderr(&o));
    // Two captioned blocks of 4 images (4 x 10 + 2 = 42 px wide after the caption column).
    let grid = image::open(t.path().join("p.png")).unwrap().into_luma8();
    assert_eq!(grid.height(), 2 * 14);
    assert!(grid.width() > 42 + 11 * 6);
    // Truncated latents: saved z within the threshold.
    let o = run(&["sample", "--run", "run", "--class", "1", "--n", "30", "--truncation", "0.7", "--format", "safetensors", "--out", "t.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let saved = tch::Tensor::read_safetensors(t.path().join("t.safetensors")).unwrap();
    let z = &saved.iter().find(|(n, _)| n == "z").unwrap().1;
    assert!(z.abs().max().double_value(&[]) <= 0.7);
    let labels = &saved.iter().find(|(n, _)| n == "labels").unwrap().1;
    assert_eq!(Vec::<i64>::try_from(labels).unwrap(), vec![1; 30]);
    let o = run(&["sample", "--run", "run", "--prompt", "trowsers", "--out", "x.png"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("unknown class `trowsers`; nearest known: Trouser"), "{}", stderr(&o));
    // Morph with z fixed: the first frame is the class-0 sample of seed 5, the last class 1's.
    let ok = |args: &[&str]| {
        let o = run(args, t.path());
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    };
    ok(&["interpolate", "--run", "run", "--from", "5", "--from-class", "tee", "--to-class", "1", "--frames", "4", "--out", "m.png"]);
    ok(&["sample", "--run", "run", "--seed", "5", "--n", "1", "--class", "0", "--out", "a.png"]);
    ok(&["sample", "--run", "run", "--seed", "5", "--n", "1", "--class", "trouser", "--out", "b.png"]);
    let strip = image::open(t.path().join("m.png")).unwrap().into_luma8();
    let (a, b) = (image::open(t.path().join("a.png")).unwrap().into_luma8(), image::open(t.path().join("b.png")).unwrap().into_luma8());
    let crop = |x0: u32| image::imageops::crop_imm(&strip, x0, 0, 12, 12).to_image();
    assert_eq!(crop(0).as_raw(), a.as_raw());
    assert_eq!(crop(30).as_raw(), b.as_raw());
}

#[test]
fn class_choices_that_cannot_be_honoured_are_one_line_errors() {
    let t = tempfile::tempdir().unwrap();
    train(t.path(), &["--steps", "3"]);
    let fails = |args: &[&str], needle: &str| {
        let o = run(args, t.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let e = stderr(&o);
        assert!(e.contains(needle) && e.trim().lines().count() == 1, "{args:?}: {e}");
    };
    fails(&["sample", "--run", "run", "--class", "2", "--out", "x.png"], "--class 2: class out of range; this run has classes 0..=1");
    fails(&["sample", "--run", "run", "--class", "seven", "--out", "x.png"], "unknown class `seven`");
    fails(&["interpolate", "--run", "run", "--from-class", "0", "--frames", "1", "--to-class", "1", "--out", "x.png"], "--frames must be at least 2");
    fails(&["interpolate", "--run", "run", "--from", "1", "--out", "x.png"], "nothing to interpolate");
    fails(&["sample", "--run", "run", "--truncation", "0", "--out", "x.png"], "--truncation must be a positive number");
    // Redrawing until every entry is within 1e-4 would never end.
    fails(&["sample", "--run", "run", "--truncation", "1e-4", "--out", "x.png"], "--truncation 0.0001 is below 0.1");
    // An unconditional run cannot take classes.
    let (data, cfg) = tiny_setup(t.path());
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "plain"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    fails(&["sample", "--run", "plain", "--prompt", "7", "--out", "x.png"], "trained without class labels");
    fails(&["interpolate", "--run", "plain", "--to-class", "1", "--out", "x.png"], "trained without class labels");
    // Conditioning needs labels: an image folder has none.
    std::fs::create_dir_all(t.path().join("pics")).unwrap();
    image::RgbImage::from_pixel(8, 8, image::Rgb([9, 9, 9])).save(t.path().join("pics/a.png")).unwrap();
    std::fs::write(t.path().join("folder.toml"), "steps = 1\nbatch_size = 1\nconditional = true\n[data]\nkind = \"folder\"\ndir = \"pics\"\nsize = 8\n")
        .unwrap();
    fails(&["train", "--preset", "mnist-mlp", "--config", "folder.toml", "--out", "f"], "conditional = true needs class labels");
}

/// A tiny conditional DCGAN (one-hot maps into D) for 28x28 images.
const CDCGAN: &str = r#"
steps = 300
batch_size = 32
conditional = true
log_every = 100
sample_every = 300
checkpoint_every = 300

[model]
kind = "dcgan"
latent_dim = 8
g_base = 8
d_base = 8
d_norm = "batch"

[loss.lipschitz]
kind = "none"
"#;

#[test]
fn the_classifier_agrees_with_the_classes_asked_for() {
    let t = tempfile::tempdir().unwrap();
    write_labelled_28(&t.path().join("d"), 300, true);
    let o = run(&["--threads", "1", "classifier", "train", "--data", "d", "--out", "c.safetensors", "--epochs", "3", "--batch-size", "16"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(t.path().join("cdcgan.toml"), CDCGAN).unwrap();
    let o =
        run(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "cdcgan.toml", "--data", "d", "--classes", "numbers", "--out", "run"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["classifier", "judge", "--run", "run", "--classifier", "c.safetensors", "--n", "200", "--out", "j.json"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let table = String::from_utf8_lossy(&o.stdout);
    assert!(table.contains("agreement") && table.contains("mean agreement"), "{table}");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("j.json")).unwrap()).unwrap();
    let judgements = report["judgements"].as_array().unwrap();
    assert_eq!(judgements.len(), 3);
    for (class, j) in judgements.iter().enumerate() {
        let shares: Vec<f64> = j["shares"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert!((shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let agreement = j["agreement"].as_f64().unwrap();
        assert_eq!(agreement, shares[class]);
        // An unconditional generator (or one ignoring its label) would agree about 1/3 of
        // the time on average, and never with every class at once.
        assert!(agreement >= 0.8, "class {class}: {table}");
    }
}

#[test]
fn conditioning_works_with_every_loss_and_both_architectures() {
    let t = tempfile::tempdir().unwrap();
    write_halves(&t.path().join("data"), 32);
    let losses = [
        "[loss]\nkind = \"bce\"\ngenerator = \"minimax\"\n[loss.lipschitz]\nkind = \"none\"\n",
        "[loss]\nkind = \"bce\"\ngenerator = \"non-saturating\"\n[loss.lipschitz]\nkind = \"none\"\n",
        "[loss]\nkind = \"least-squares\"\n[loss.lipschitz]\nkind = \"none\"\n",
        "[loss]\nkind = \"wasserstein\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n",
    ];
    let models = [
        "[model]\nkind = \"mlp\"\nlatent_dim = 4\ng_hidden = [8]\nd_hidden = [8]\nd_dropout = 0.0\n",
        "[model]\nkind = \"dcgan\"\nlatent_dim = 4\ng_base = 4\nd_base = 4\nd_norm = \"none\"\n",
    ];
    for (i, (model, loss)) in models.iter().flat_map(|m| losses.iter().map(move |l| (m, l))).enumerate() {
        let cfg = format!("steps = 2\nbatch_size = 8\nd_steps = 2\nconditional = true\nlog_every = 1\n{model}{loss}");
        std::fs::write(t.path().join("c.toml"), &cfg).unwrap();
        let out = format!("run{i}");
        let o = run(&["--threads", "1", "train", "--preset", "mnist-mlp", "--config", "c.toml", "--data", "data", "--out", &out], t.path());
        assert!(o.status.success(), "{cfg}: {}", stderr(&o));
        let m = gan::run::metrics::read_metrics(&t.path().join(&out).join("metrics.jsonl")).unwrap();
        assert!(m.iter().all(|m| m.get("d_loss").unwrap().is_finite() && m.get("g_loss").unwrap().is_finite()), "{cfg}: {m:?}");
        assert_eq!(m[0].get("penalty").is_some(), loss.contains("gradient-penalty"));
    }
}

#[test]
fn judging_an_unconditional_run_gives_its_class_histogram() {
    let t = tempfile::tempdir().unwrap();
    // TINY without --data: the built-in 28x28 MNIST sample, judged by the shipped classifier.
    std::fs::write(t.path().join("tiny.toml"), TINY.replace("steps = 6", "steps = 2")).unwrap();
    let o = run(&["train", "--preset", "mnist-mlp", "--config", "tiny.toml", "--out", "run"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["classifier", "judge", "--run", "run", "--n", "50", "--out", "j.json"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(t.path().join("j.json")).unwrap()).unwrap();
    let j = &report["judgements"].as_array().unwrap()[0];
    assert!(j["requested"].is_null() && j["agreement"].is_null());
    let shares: Vec<f64> = j["shares"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() * 50.0).collect();
    assert_eq!(shares.len(), 10);
    assert!(shares.iter().all(|s| (s - s.round()).abs() < 1e-9) && shares.iter().sum::<f64>().round() == 50.0, "{shares:?}");
    assert_eq!(report["class_names"][7], "7");
    // 8x8 images cannot be judged; --n 0 is refused.
    let (data, cfg) = tiny_setup(t.path());
    let o = run(&["train", "--preset", "mnist-mlp", "--config", cfg.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "small"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for (args, needle) in [(["--run", "small", "--n", "5"], "28x28"), (["--run", "run", "--n", "0"], "--n must be at least 1")] {
        let o = run(&[&["classifier", "judge"][..], &args[..]].concat(), t.path());
        assert_eq!(o.status.code(), Some(1));
        assert!(stderr(&o).contains(needle) && stderr(&o).trim().lines().count() == 1, "{}", stderr(&o));
    }
}
