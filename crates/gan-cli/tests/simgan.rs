//! SimGAN (`mnist-simgan`, shrunk) on rendered digits against the built-in MNIST digits: the
//! refiner's and then the discriminator's initialisation phases log only their own terms; a
//! run stopped and resumed (history of refined images included) ends equal bit for bit;
//! `gan refine` writes labelled IDX digits and a preview, the same for the same seed; the
//! classification accuracy score reads them and tests on the held-out real digits (`gan eval
//! --run R --cas` in one command); and bad requests are refused in one line. With CyCADA's
//! task consistency the refiner phases log its term, the checkpoint keeps the classifier and
//! a resumed run still ends equal bit for bit.

mod common;

use std::path::Path;

use common::*;
use gan_data::pairs::PairSource;
use gan_data::rendered::RenderSettings;

/// A constant learning rate (large, so that the tiny refiner soon depends on its input), so that a 3-step run resumed to 6 steps trains as a 6-step run:
/// 2 refiner steps, 1 discriminator step, then 3 steps of both (2 refiner updates each).
const TINY: &str = "steps = 6\nbatch_size = 4\nlog_every = 1\nsample_every = 6\ncheckpoint_every = 3\nschedule = \"constant\"\n\
[optim]\nlr = 0.01\n\
[data.render]\nimages = 40\n\
[model]\nhistory = 8\nrefiner_init_steps = 2\ndiscriminator_init_steps = 1\nrefiner_updates = 2\n\
[model.refiner]\nbase = 4\nblocks = 1\n[model.discriminator]\nbase = 2\n";

fn train(t: &Path, out: &str, steps: &str) {
    train_with(t, out, steps, "");
}

/// `train` with `extra` appended to the tiny configuration.
fn train_with(t: &Path, out: &str, steps: &str, extra: &str) {
    std::fs::write(t.join("tiny.toml"), format!("{TINY}{extra}")).unwrap();
    let args = ["--threads", "1", "train", "--preset", "mnist-simgan", "--config", "tiny.toml", "--out", out, "--steps", steps, "--no-progress"];
    let o = run(&args, t);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The renderer a run's configuration names.
fn run_renderer(run: &Path) -> RenderSettings {
    let text = std::fs::read_to_string(run.join("config.toml")).unwrap();
    let config = gan::config::translation::TranslateConfig::from_toml_str(&text, "config.toml").unwrap();
    let PairSource::RenderedToMnist { render, .. } = config.data else { panic!("{text}") };
    render
}

fn metrics(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn ok(o: &std::process::Output) -> String {
    assert!(o.status.success(), "{}", stderr(o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn refused(o: &std::process::Output, needle: &str) {
    let e = stderr(o);
    assert!(!o.status.success() && e.contains(needle) && e.trim().lines().count() == 1, "{e}");
}

#[test]
fn simgan_trains_in_phases_resumes_and_refines_a_labelled_set() {
    let t = tempfile::tempdir().unwrap();
    train(t.path(), "s", "6");
    let m = metrics(&t.path().join("s"));
    assert_eq!(m.len(), 6, "{m:?}");
    for (i, row) in m.iter().enumerate() {
        assert_eq!(row["translation"].get("self_reg").is_some(), i != 2, "step {i}: {row}");
        assert_eq!(row.get("d_loss").is_some(), i >= 2, "step {i}: {row}");
        assert_eq!(row.get("g_loss").is_some(), i >= 3, "step {i}: {row}");
    }
    train(t.path(), "r", "3");
    ok(&run(&["--threads", "1", "train", "--resume", "r", "--steps", "6", "--no-progress"], t.path()));
    let files = ["generator.safetensors", "discriminator.safetensors", "family.safetensors"];
    let bytes = |run: &str| files.map(|f| std::fs::read(t.path().join(run).join("checkpoints/step-00000006").join(f)).unwrap());
    assert_eq!(bytes("s"), bytes("r"), "a resumed run ends as the uninterrupted one");

    let out = ok(&run(&["--threads", "1", "refine", "--run", "s", "--n", "30", "--out", "refined"], t.path()));
    assert!(out.contains("refined 30 digits") && out.contains("(step 6"), "{out}");
    let set = gan_data::dataset::load_idx_dir(&t.path().join("refined"), gan_data::Split::Train).unwrap();
    assert_eq!((set.len(), set.height, set.width), (30, 28, 28));
    assert_eq!(set.labels.as_deref().unwrap()[..12], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1], "the renderer's labels");
    let rendered = RenderSettings { images: 30, ..run_renderer(&t.path().join("s")) }.render().unwrap();
    assert!(set.pixels != rendered.pixels, "the digits are refined");
    assert!(t.path().join("refined/preview.png").is_file());
    ok(&run(&["--threads", "1", "refine", "--run", "s", "--n", "30", "--out", "again"], t.path()));
    let again = gan_data::dataset::load_idx_dir(&t.path().join("again"), gan_data::Split::Train).unwrap();
    assert!(set.pixels == again.pixels, "the same seed refines the same digits");
    ok(&run(&["--threads", "1", "refine", "--run", "s", "--n", "30", "--seed", "5", "--out", "other"], t.path()));
    let other = gan_data::dataset::load_idx_dir(&t.path().join("other"), gan_data::Split::Train).unwrap();
    assert!(set.pixels != other.pixels, "another seed renders other digits");

    // Scored on the real digits the refiner never saw (the last 2,000), as is real data.
    let mnist = gan_data::builtin::Builtin::Mnist10k.load().unwrap();
    gan_data::idx::write_labelled_dir(&t.path().join("mnist"), &mnist).unwrap();
    let cas = ["--threads", "1", "eval", "--cas", "--cas-test", "mnist", "--cas-held-out", "--cas-epochs", "1", "--cas-train"];
    let out = ok(&run(&[&cas[..], &["refined"]].concat(), t.path()));
    assert!(out.contains("tested on 2000 images of mnist (its last 2000 images)"), "{out}");
    let out = ok(&run(&[&cas[..], &["mnist"]].concat(), t.path()));
    assert!(out.contains("8000 images, less the held-out images"), "{out}");

    // One command: refine --n digits and test on the digits the run's data held out.
    let out = ok(&run(&["--threads", "1", "eval", "--run", "s", "--cas", "--n", "40", "--cas-epochs", "1"], t.path()));
    assert!(out.contains("tested on 2000 images of the built-in mnist-10k (the digits the run held out)"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("s/cas.json")).unwrap()).unwrap();
    assert_eq!((report["train_images"].as_u64(), report["per_class"].as_array().map(Vec::len)), (Some(40), Some(10)), "{report}");
    refused(&run(&["eval", "--run", "s", "--n", "10"], t.path()), "gan eval --run RUN --cas");
    refused(&run(&["refine", "--run", "s", "--n", "0", "--out", "x"], t.path()), "--n must be between 1 and 1000000");
    // Last, the run's data made another task's: refine has no renderer to draw from.
    let config = std::fs::read_to_string(t.path().join("s/config.toml")).unwrap();
    let mut in_data = false;
    let mut thick = String::new();
    for line in config.lines() {
        if line.starts_with('[') {
            in_data = line.starts_with("[data");
            if line == "[data]" {
                thick.push_str("[data]\nkind = \"mnist-thick\"\n");
            }
        }
        if !in_data {
            thick.push_str(line);
            thick.push('\n');
        }
    }
    std::fs::write(t.path().join("s/config.toml"), thick).unwrap();
    refused(&run(&["refine", "--run", "s", "--out", "x"], t.path()), "this run's data is mnist-thick");
    let fashion = t.path().join("fashion");
    gan_data::idx::write_labelled_dir(&fashion, &rendered).unwrap();
    std::fs::copy(fashion.join("train-images-idx3-ubyte.gz"), fashion.join("t10k-images-idx3-ubyte.gz")).unwrap();
    std::fs::copy(fashion.join("train-labels-idx1-ubyte.gz"), fashion.join("t10k-labels-idx1-ubyte.gz")).unwrap();
    refused(&run(&[&cas[..], &["refined"]].concat().iter().map(|a| if *a == "mnist" { "fashion" } else { a }).collect::<Vec<_>>(), t.path()), "has t10k files");
}

#[test]
fn task_consistency_is_logged_checkpointed_and_resumes_exactly() {
    let t = tempfile::tempdir().unwrap();
    let consistency = "[model.consistency]\nweight = 0.5\nepochs = 1\n";
    train_with(t.path(), "s", "6", consistency);
    for (i, row) in metrics(&t.path().join("s")).iter().enumerate() {
        assert_eq!(row["translation"].get("task").is_some(), i != 2, "the refiner's steps only: step {i}: {row}");
    }
    let config = std::fs::read_to_string(t.path().join("s/config.toml")).unwrap();
    assert!(config.contains("[model.consistency]\nweight = 0.5\nepochs = 1"), "{config}");
    train_with(t.path(), "r", "3", consistency);
    ok(&run(&["--threads", "1", "train", "--resume", "r", "--steps", "6", "--no-progress"], t.path()));
    let files = ["generator.safetensors", "discriminator.safetensors", "family.safetensors", "task.safetensors"];
    let bytes = |run: &str| files.map(|f| std::fs::read(t.path().join(run).join("checkpoints/step-00000006").join(f)).unwrap());
    assert_eq!(bytes("s"), bytes("r"), "a resumed run ends as the uninterrupted one, with the same classifier");
    std::fs::write(t.path().join("bad.toml"), format!("{TINY}[model.consistency]\nweight = -1.0\n")).unwrap();
    let args = ["train", "--preset", "mnist-simgan", "--config", "bad.toml", "--out", "bad", "--no-progress"];
    refused(&run(&args, t.path()), "model.consistency.weight must be a number >= 0, got -1");
}
