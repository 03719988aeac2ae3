//! The emoji set's two drawing styles as a translation task with ground truth
//! (`emoji-styles-pix2pix`, `emoji-styles-cyclegan`): tiny runs of both presets train on the
//! real set and `gan eval` scores them on the held-out pairs with the attribute classifier
//! (FID, the share read as the target style, the subgroup kept) beside the identity baseline,
//! whose pixel scores are checked against the pairs read independently.

mod common;

use std::path::Path;

use common::*;
use gan_data::pairs::{PairSource, Pairing};
use gan_data::Split;

/// A preset shrunk to train two steps in seconds (at the classifier's 64x64: at 16x16 its
/// vendor head no longer tells the styles apart).
const TINY: &str = "steps = 2\nbatch_size = 4\nlog_every = 1\nsample_every = 2\ncheckpoint_every = 2\n";

/// Held-out pairs scored (of 350).
const PAIRS: usize = 100;

fn train_and_eval(t: &Path, emoji: &Path, preset: &str, model: &str) -> serde_json::Value {
    std::fs::write(t.join(format!("{preset}.toml")), format!("{TINY}{model}")).unwrap();
    let cfg = format!("{preset}.toml");
    let o = run(&["--threads", "1", "train", "--preset", preset, "--config", &cfg, "--data", emoji.to_str().unwrap(), "--out", preset, "--no-progress"], t);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["--threads", "1", "eval", "--run", preset, "--n", &PAIRS.to_string()], t);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    for needle in [
        "attribute classifier emoji",
        &format!("{PAIRS} held-out pairs"),
        "as target style",
        "(the true drawings: ",
        "subgroup kept",
        "identity baseline (the inputs as outputs), a2b",
    ] {
        assert!(out.contains(needle), "{needle}: {out}");
    }
    serde_json::from_str(&std::fs::read_to_string(t.join(preset).join("eval.json")).unwrap()).unwrap()
}

#[test]
fn style_translation_runs_are_scored_against_the_true_drawings_and_the_identity_baseline() {
    let Some(emoji) = emoji_dir() else { return };
    let t = tempfile::tempdir().unwrap();
    let pix = train_and_eval(t.path(), &emoji, "emoji-styles-pix2pix", "[model.generator]\ndepth = 4\nbase = 4\n[model.discriminator]\nbase = 4\n");
    // The identity baseline's pixel scores are the held-out pairs' own, read here through the data crate.
    let pairs = PairSource::Styles { dir: emoji.clone(), a: "google".into(), b: "twitter".into(), size: 64, split: Split::Test, pairing: Pairing::Paired }
        .open()
        .unwrap();
    let bytes = PAIRS * 3 * 64 * 64;
    let l1 = pairs.a.pixels[..bytes].iter().zip(&pairs.b.pixels[..bytes]).map(|(x, y)| (*x as f64 - *y as f64).abs() / 255.0).sum::<f64>() / bytes as f64;
    let identity = &pix["identity"][0];
    assert!((identity["l1"].as_f64().unwrap() - l1).abs() < 1e-6, "{identity} vs L1 {l1}");
    for s in [identity, &pix["scores"][0]] {
        for share in ["target_style", "subgroup_kept"] {
            assert!((0.0..=1.0).contains(&s[share].as_f64().unwrap()), "{s}");
        }
        assert!(s["fid"].as_f64().unwrap().is_finite(), "{s}");
    }
    // The inputs are Noto's drawings: the vendor head reads few of them as Twemoji's.
    assert!(identity["target_style"].as_f64().unwrap() < 0.5, "{identity}");
    // The ceiling: the true Twemoji drawings themselves, read as Twemoji's mostly (the same
    // targets in both rows).
    let ceiling = pix["scores"][0]["targets_style"].as_f64().unwrap();
    assert!(ceiling > 0.5 && ceiling == identity["targets_style"].as_f64().unwrap(), "{pix}");
    // CycleGAN is scored both ways, each with its identity baseline.
    let cyc =
        train_and_eval(t.path(), &emoji, "emoji-styles-cyclegan", "[model.generator]\nbase = 4\nblocks = 1\n[model.discriminator]\nbase = 4\nlayers = 2\n");
    let dirs = |k: &str| cyc[k].as_array().unwrap().iter().map(|s| s["direction"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!((dirs("scores"), dirs("identity")), (vec!["a2b".to_string(), "b2a".into()], vec!["a2b".to_string(), "b2a".into()]));
    // Both identity directions compare the same pairs: the same L1.
    assert!((cyc["identity"][0]["l1"].as_f64().unwrap() - cyc["identity"][1]["l1"].as_f64().unwrap()).abs() < 1e-12);
}
