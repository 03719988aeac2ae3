//! `gan eval` of colour image-folder runs: without Inception weights in a rotation-prediction
//! network trained on the run's data (cached, the same numbers again), with pytorch-fid's
//! Inception (weights made by `inception_reference.py`: random, so labelled unofficial) from
//! `--weights` or GAN_INCEPTION_WEIGHTS; and the one-line errors for a space that cannot
//! read the run or weights that are missing; a folder of images scored in place of the
//! generator's samples (`--samples`).

mod common;

use std::path::Path;

use common::*;
use gan::eval::space::SpaceKind;
use gan::eval::EvalReport;

const TINY_FOLDER: &str = r#"
steps = 2
batch_size = 4
[data]
kind = "folder"
dir = "shapes"
size = 16
[model]
kind = "dcgan"
latent_dim = 8
g_base = 4
d_base = 4
"#;

fn train_folder_run(r: &Path) {
    write_shapes(&r.join("shapes"), 24);
    std::fs::write(r.join("cfg.toml"), TINY_FOLDER).unwrap();
    let o = run(&["--threads", "1", "train", "--config", "cfg.toml", "--out", "run", "--no-progress"], r);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn eval(r: &Path, extra: &[&str]) -> (std::process::Output, Option<EvalReport>) {
    let mut args = vec!["--threads", "1", "eval", "--run", "run", "--n", "12", "--cache", "cache"];
    args.extend_from_slice(extra);
    let o = gan().args(&args).current_dir(r).env_remove("GAN_INCEPTION_WEIGHTS").output().unwrap();
    let report = o.status.success().then(|| EvalReport::load(&r.join("run/eval.json")).unwrap());
    (o, report)
}

fn one_line_error(o: &std::process::Output, needles: &[&str]) {
    assert_eq!(o.status.code(), Some(1), "{}", stderr(o));
    let e = stderr(o);
    assert_eq!(e.trim().lines().count(), 1, "{e}");
    for n in needles {
        assert!(e.contains(n), "{n:?} not in {e}");
    }
}

#[test]
fn a_colour_folder_run_is_scored_in_a_network_learned_on_its_data() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    train_folder_run(r);
    let (o, report) = eval(r, &["--learned-steps", "30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = report.unwrap().features.expect("image runs get feature scores");
    assert_eq!(f.space, SpaceKind::Learned);
    assert!(f.network.contains("rotation-prediction") && f.network.contains("not with published FIDs"), "{}", f.network);
    assert!(f.fid.is_finite() && f.fid > 0.0 && f.real_images == 12 && f.classifier_score.is_none());
    assert!(String::from_utf8_lossy(&o.stdout).contains("rotation-prediction"));
    let learned: Vec<_> = std::fs::read_dir(r.join("cache/learned")).unwrap().collect();
    assert_eq!(learned.len(), 2, "the weights and their card are cached");
    // Read back from the cache: the same space, the same numbers.
    let (_, again) = eval(r, &["--learned-steps", "30"]);
    let g = again.unwrap().features.unwrap();
    assert_eq!(g.classifier_sha256, f.classifier_sha256);
    assert!((g.fid - f.fid).abs() <= 1e-5 * f.fid, "{} vs {}", g.fid, f.fid);

    let (o, _) = eval(r, &["--features", "classifier", "--classifier", "mnist"]);
    one_line_error(&o, &["28x28 grey", "3x16x16"]);
    let (o, _) = eval(r, &["--features", "inception"]);
    one_line_error(&o, &["--weights", "GAN_INCEPTION_WEIGHTS", "pt_inception-2015-12-05-6726825d.pth"]);
    let (o, _) = eval(r, &["--features", "inception", "--weights", "nowhere.pth"]);
    one_line_error(&o, &["nowhere.pth"]);
}

#[test]
fn a_folder_of_images_is_scored_in_place_of_the_samples() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    train_folder_run(r);
    let (o, before) = eval(r, &["--learned-steps", "30"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = before.unwrap();
    let written = std::fs::read(r.join("run/eval.json")).unwrap();
    // The run's own images: the same seeded choice of 12 as the real side, so the same
    // features (FID 0 up to rounding, every real image covered), in the same cached space.
    let (o, _) = eval(r, &["--learned-steps", "30", "--samples", "shapes"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("12 images of shapes") && out.contains("RUN/eval.json left as it was"), "{out}");
    assert_eq!(std::fs::read(r.join("run/eval.json")).unwrap(), written, "eval.json is the generator's");
    let value = |out: &str, row: &str| -> f64 { out.lines().find_map(|l| l.trim().strip_prefix(row)).unwrap().trim().parse().unwrap() };
    assert!(value(&out, "FID").abs() < 1e-2, "{out}");
    assert_eq!(value(&out, "coverage"), 1.0, "{out}");
    assert!(before.features.unwrap().fid > 1.0, "the generator's samples are farther than the real images themselves");
    // Other images are farther.
    let other = r.join("other");
    std::fs::create_dir_all(&other).unwrap();
    for i in 0..12u32 {
        image::RgbImage::from_fn(20, 20, |x, y| image::Rgb([(x * 12 + i) as u8, (y * 12) as u8, 128])).save(other.join(format!("{i}.png"))).unwrap();
    }
    let (o, _) = eval(r, &["--learned-steps", "30", "--samples", "other"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(value(&String::from_utf8_lossy(&o.stdout), "FID") > 1.0);
    let (o, _) = eval(r, &["--samples", "nowhere"]);
    one_line_error(&o, &["nowhere"]);
}

#[test]
fn inception_weights_from_the_flag_or_the_environment_score_the_run() {
    let t = tempfile::tempdir().unwrap();
    let r = t.path();
    train_folder_run(r);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../gan/tests/inception_reference.py");
    let o = std::process::Command::new(python()).arg(script).arg(r).arg("network").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (o, report) = eval(r, &["--features", "inception", "--weights", "weights.pth"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let f = report.unwrap().features.unwrap();
    assert_eq!(f.space, SpaceKind::Inception);
    assert!(f.network.contains("Inception-v3 pool3") && f.network.contains("not comparable with published FIDs"), "{}", f.network);
    let is = f.classifier_score.expect("the Inception Score comes from the 1008 logits");
    assert!(is.mean >= 1.0 && f.fid.is_finite());
    assert!(String::from_utf8_lossy(&o.stdout).contains("Inception Score"));
    // `auto` takes Inception when GAN_INCEPTION_WEIGHTS names the weights (now cached).
    let o = gan()
        .args(["--threads", "1", "eval", "--run", "run", "--n", "12", "--cache", "cache"])
        .env("GAN_INCEPTION_WEIGHTS", r.join("weights.pth"))
        .current_dir(r)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let g = EvalReport::load(&r.join("run/eval.json")).unwrap().features.unwrap();
    assert_eq!((g.space, g.classifier_sha256.as_str()), (SpaceKind::Inception, f.classifier_sha256.as_str()));
    assert!((g.fid - f.fid).abs() <= 1e-5 * f.fid, "{} vs {}", g.fid, f.fid);
}
