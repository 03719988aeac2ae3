//! Text to image, end to end on a tiny captioned folder: `gan matcher train` learns its
//! captions and keyword lists, a `[text]` run trains on the matcher's sentence vectors,
//! `gan sample --prompt / --keywords` draws designs (`--held-out`: the unseen captions beside
//! their real images), `gan eval` reports R-precision on the training and held-out captions,
//! and bad prompts are refused in one line.

mod common;

use std::path::Path;

use common::*;
use gan::eval::matcher::Matcher;
use tch::Device;

const COLOURS: [(&str, [u8; 3]); 4] = [("red", [220, 30, 30]), ("blue", [30, 30, 220]), ("green", [30, 200, 30]), ("black", [10, 10, 10])];
const SHAPES: [&str; 3] = ["square", "bar", "dot"];

/// Two "vendors" of 16x16 drawings: each colour in each shape ("red square", keywords "red
/// box"), one vendor with a frame; the dots are the held-out split (`split = test`).
fn write_captioned(root: &Path) {
    for (vendor, framed) in [("flat", false), ("framed", true)] {
        let dir = root.join(vendor);
        std::fs::create_dir_all(&dir).unwrap();
        let mut meta = String::new();
        for (name, rgb) in COLOURS {
            for shape in SHAPES {
                let inside = |x: u32, y: u32| match shape {
                    "square" => (4..12).contains(&x) && (4..12).contains(&y),
                    "bar" => (2..14).contains(&x) && (6..10).contains(&y),
                    _ => (x as i32 - 8).pow(2) + (y as i32 - 8).pow(2) < 12,
                };
                let img = image::RgbaImage::from_fn(16, 16, |x, y| {
                    let edge = x.min(y).min(15 - x).min(15 - y);
                    image::Rgba(if framed && edge < 1 {
                        [90, 90, 90, 255]
                    } else if inside(x, y) {
                        [rgb[0], rgb[1], rgb[2], 255]
                    } else {
                        [0, 0, 0, 0]
                    })
                });
                let file = format!("{name}-{shape}.png");
                img.save(dir.join(&file)).unwrap();
                let split = if shape == "dot" { "test" } else { "train" };
                let box_word = if shape == "square" { "box" } else { "line" };
                meta.push_str(&format!(
                    "{{\"file_name\": \"{file}\", \"text\": \"{name} {shape}\", \"keywords\": [\"{name}\", \"{box_word}\"], \"group\": \"{shape}s\", \"split\": \"{split}\"}}\n"
                ));
            }
        }
        std::fs::write(dir.join("metadata.jsonl"), meta).unwrap();
    }
}

/// A tiny text run's configuration: the folder's train split at 16x16, labelled by caption.
fn text_config(matcher: &str) -> String {
    format!(
        "steps = 2\nbatch_size = 4\nconditional = true\nlog_every = 1\nsample_every = 2\ncheckpoint_every = 2\n\
         [text]\nmatcher = \"{matcher}\"\nkeyword_share = 0.5\n\
         [data]\nkind = \"folder\"\ndir = \"d\"\nsize = 16\nlabel = \"text\"\n[data.filter]\nsplit = \"train\"\n\
         [model]\nkind = \"dcgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nd_norm = \"none\"\nprojection = true\n\
         [model.augment_condition]\ndim = 6\nkl_weight = 2.0\n"
    )
}

#[test]
fn a_matcher_and_a_text_run_draw_and_score_prompts() {
    let t = tempfile::tempdir().unwrap();
    write_captioned(&t.path().join("d"));
    let args = ["matcher", "train", "--data", "d", "--out", "m.safetensors", "--steps", "40", "--batch-size", "8", "--eval-every", "20"];
    let o = run(&args, t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("step 40/40") && stderr(&o).contains("held-out real R-precision"), "{}", stderr(&o));
    let m = Matcher::load(&t.path().join("m.safetensors"), Device::Cpu).unwrap();
    assert_eq!((m.card.train_images, m.card.held_out_images, m.card.steps), (16, 8, 40));
    for w in ["red", "square", "box", "line", "bar"] {
        assert!(m.card.vocabulary.index(w).is_some(), "{w} missing from {:?}", m.card.vocabulary.words);
    }
    // Held-out captions ("dot") are not words of the training vocabulary.
    assert!(m.card.vocabulary.index("dot").is_none());
    assert!(m.card.command.starts_with("gan matcher train --data d"));

    std::fs::write(t.path().join("c.toml"), text_config("m.safetensors")).unwrap();
    let o = run(&["train", "--config", "c.toml", "--out", "r"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["sample", "--run", "r", "--prompt", "red square", "--n", "4", "--out", "p.png"], t.path());
    assert!(o.status.success() && stderr(&o).contains("4 designs of \"red square\""), "{}", stderr(&o));
    let o = run(&["sample", "--run", "r", "--keywords", "blue,box", "--n", "2", "--format", "safetensors", "--out", "k.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let drawn = tch::Tensor::read_safetensors(t.path().join("k.safetensors")).unwrap();
    let shape = |name: &str| drawn.iter().find(|(n, _)| n == name).unwrap().1.size();
    assert_eq!((shape("images"), shape("condition")), (vec![2, 3, 16, 16], vec![1, 128]));
    // Different prompts give different designs from the same latents.
    let o = run(&["sample", "--run", "r", "--keywords", "green,line", "--n", "2", "--format", "safetensors", "--out", "k2.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let other = tch::Tensor::read_safetensors(t.path().join("k2.safetensors")).unwrap();
    let images = |v: &[(String, tch::Tensor)]| v.iter().find(|(n, _)| n == "images").unwrap().1.shallow_clone();
    assert!(!images(&drawn).equal(&images(&other)));

    // One design morphing into another: the sentence vector slides between the prompts.
    let o = run(&["interpolate", "--run", "r", "--from-prompt", "red square", "--to-prompt", "blue bar", "--frames", "4", "--out", "morph.png"], t.path());
    assert!(o.status.success() && stderr(&o).contains("\"red square\" -> \"blue bar\""), "{}", stderr(&o));
    assert!(t.path().join("morph.png").is_file() && t.path().join("morph.gif").is_file());

    // The held-out captions beside their real images: both vendors' dots, then 3 designs.
    let o = run(&["sample", "--run", "r", "--held-out", "2", "--n", "3", "--out", "held.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let listed: Vec<String> = String::from_utf8_lossy(&o.stdout).lines().map(String::from).collect();
    assert!(listed.len() == 2 && listed.iter().all(|l| l.ends_with(" dot\t2 real, 3 designs")), "{listed:?}");
    let held = image::open(t.path().join("held.png")).unwrap();
    // Two blocks of one row of 5 tiles of 16 pixels with 2-pixel borders, captions to the left.
    assert!(held.height() == 2 * 20 && held.width() > 5 * 18 + 2, "{}x{}", held.width(), held.height());
    // Truncated latents draw other designs beside the same real images.
    let o = run(&["sample", "--run", "r", "--held-out", "2", "--n", "3", "--truncation", "0.3", "--out", "held-t.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let truncated = image::open(t.path().join("held-t.png")).unwrap();
    assert!(truncated.width() == held.width() && truncated.as_bytes() != held.as_bytes());

    let o = run(&["eval", "--run", "r", "--n", "16", "--no-cache", "--features", "attributes"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("R-precision, train captions") && out.contains("R-precision, held-out captions") && out.contains("  dots"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("r/eval.json")).unwrap()).unwrap();
    let text = &report["text"];
    assert_eq!((text["train"]["captions"].as_u64(), text["held_out"]["captions"].as_u64()), (Some(8), Some(4)), "{report}");
    for pool in ["train", "held_out"] {
        for who in ["generated", "real"] {
            assert!((0.0..=1.0).contains(&text[pool][who].as_f64().unwrap()), "{report}");
        }
    }
}

#[test]
fn bad_prompts_are_refused_in_one_line() {
    let t = tempfile::tempdir().unwrap();
    write_captioned(&t.path().join("d"));
    let o = run(&["matcher", "train", "--data", "d", "--out", "m.safetensors", "--steps", "2", "--batch-size", "4", "--eval-every", "2"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(t.path().join("c.toml"), text_config("m.safetensors")).unwrap();
    assert!(run(&["train", "--config", "c.toml", "--out", "r"], t.path()).status.success());
    let (data, config) = tiny_setup(t.path());
    let o = run(
        &["train", "--preset", "mnist-mlp", "--config", config.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "plain", "--steps", "1"],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let cases: [(&[&str], &str); 10] = [
        (&["--run", "r", "--prompt", "purpel sqare"], "no word of the prompt \"purpel sqare\" is in the run's vocabulary"),
        (&["--run", "r", "--prompt", "  "], "--prompt: the prompt is empty"),
        (&["--run", "r", "--keywords", ","], "--keywords: the prompt is empty"),
        (&["--run", "r"], "draws from text: give --prompt"),
        (&["--run", "r", "--prompt", "red", "--keywords", "red"], "not both"),
        (&["--run", "plain", "--prompt", "red square"], "was trained without class labels"),
        (&["--run", "plain", "--keywords", "red"], "was not trained on captions"),
        (&["--run", "plain", "--held-out", "2"], "--held-out: "),
        (&["--run", "r", "--held-out", "2", "--n", "17"], "1 to 16 designs each"),
        (&["--run", "r", "--held-out", "2", "--nrow", "2"], "without --format, --nrow"),
    ];
    for (args, needle) in cases {
        let mut all = vec!["sample"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", "x.png"]);
        let o = run(&all, t.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle) && stderr(&o).trim().lines().count() == 1, "{args:?}: {}", stderr(&o));
        assert!(!t.path().join("x.png").exists());
    }
    for (args, needle) in [
        (["--run", "r", "--from-prompt", "red", "--to-prompt", "qqq"], "--to-prompt: no word of the prompt \"qqq\""),
        (["--run", "plain", "--from-prompt", "red", "--to-prompt", "blue"], "was not trained on captions, so --from-prompt/--to-prompt"),
    ] {
        let mut all = vec!["interpolate"];
        all.extend_from_slice(&args);
        all.extend_from_slice(&["--out", "x.png"]);
        let o = run(&all, t.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle) && stderr(&o).trim().lines().count() == 1, "{args:?}: {}", stderr(&o));
    }
    // The unknown words point to the nearest known ones.
    let o = run(&["sample", "--run", "r", "--prompt", "purpel sqare", "--out", "x.png"], t.path());
    assert!(stderr(&o).contains("nearest known: square"), "{}", stderr(&o));
    // A [text] table without captions as classes is a configuration error.
    std::fs::write(t.path().join("bad.toml"), text_config("m.safetensors").replace("label = \"text\"\n", "")).unwrap();
    let o = run(&["train", "--config", "bad.toml", "--out", "r2"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("[text] needs `conditional = true` and the caption as the class"), "{}", stderr(&o));
}

/// A tiny StackGAN run's configuration: as [`text_config`], Stage-I for 2 steps of 4.
fn stackgan_config(matcher: &str) -> String {
    let model = "[model]\nkind = \"stackgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nresidual_blocks = 1\nstage1_steps = 2\n\
                 [model.augment_condition]\ndim = 6\nkl_weight = 2.0\n[loss]\nkind = \"bce\"\nmatching_aware = true\n";
    let c = text_config(matcher).replace("steps = 2\n", "steps = 4\nkeep_checkpoints = 5\n");
    format!("{}{model}", &c[..c.find("[model]").unwrap()])
}

/// The tensors of a checkpoint's network file whose names start with `prefix`.
fn tensors(run: &Path, step: u64, file: &str, prefix: &str) -> Vec<(String, tch::Tensor)> {
    let path = run.join(format!("checkpoints/step-{step:08}/{file}.safetensors"));
    let mut v: Vec<_> = tch::Tensor::read_safetensors(path).unwrap().into_iter().filter(|(n, _)| n.starts_with(prefix)).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!v.is_empty(), "no {prefix} tensors in {file}");
    v
}

fn same(a: &[(String, tch::Tensor)], b: &[(String, tch::Tensor)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|((n, x), (m, y))| n == m && x.equal(y))
}

/// StackGAN in one run directory: Stage-I for 2 steps, then Stage-II with Stage-I frozen (its
/// generator and discriminator weights byte-equal between the checkpoints at the switch and at
/// the end, Stage-II's moved); a run stopped at the switch and resumed ends as the
/// uninterrupted one; prompts draw from Stage-II.
#[test]
fn stackgan_trains_stage_one_then_stage_two_with_stage_one_frozen() {
    let t = tempfile::tempdir().unwrap();
    write_captioned(&t.path().join("d"));
    let o = run(&["matcher", "train", "--data", "d", "--out", "m.safetensors", "--steps", "2", "--batch-size", "4", "--eval-every", "2"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    std::fs::write(t.path().join("s.toml"), stackgan_config("m.safetensors")).unwrap();
    let o = run(&["train", "--config", "s.toml", "--out", "a"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let a = t.path().join("a");
    let stages: Vec<f64> = gan::run::metrics::read_metrics(&a.join("metrics.jsonl")).unwrap().iter().map(|m| m.get("stackgan.stage").unwrap()).collect();
    assert_eq!(stages, [1.0, 1.0, 2.0, 2.0]);
    for file in ["generator", "discriminator"] {
        assert!(same(&tensors(&a, 2, file, "stage1."), &tensors(&a, 4, file, "stage1.")), "{file}: Stage-I moved in Stage-II");
        assert!(!same(&tensors(&a, 2, file, "stage2."), &tensors(&a, 4, file, "stage2.")), "{file}: Stage-II did not train");
    }
    let family: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(a.join("checkpoints/step-00000004/family.json")).unwrap()).unwrap();
    assert_eq!(family["stackgan"]["stage"], 2, "{family}");

    // Stopped at the switch and resumed: the same run.
    let o = run(&["train", "--config", "s.toml", "--steps", "2", "--out", "b"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["train", "--resume", "b", "--steps", "4"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    for file in ["generator", "discriminator"] {
        let (x, y) = (tensors(&a, 4, file, ""), tensors(&t.path().join("b"), 4, file, ""));
        assert!(x.iter().zip(&y).all(|((n, x), (_, y))| x.allclose(y, 1e-5, 1e-6, false) || panic!("{file} {n} differs after resuming")));
    }

    let o = run(&["sample", "--run", "a", "--prompt", "red square", "--n", "4", "--out", "p.png"], t.path());
    assert!(o.status.success() && stderr(&o).contains("4 designs of \"red square\""), "{}", stderr(&o));
    // StackGAN draws from text only.
    std::fs::write(t.path().join("bad.toml"), stackgan_config("m.safetensors").replace("[text]\nmatcher = \"m.safetensors\"\nkeyword_share = 0.5\n", ""))
        .unwrap();
    let o = run(&["train", "--config", "bad.toml", "--out", "r2"], t.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("model.kind = \"stackgan\" draws from text: it needs a [text] table"), "{}", stderr(&o));
}
