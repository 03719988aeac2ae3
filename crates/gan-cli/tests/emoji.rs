//! Colour images with names, end to end: the attribute classifier trained from a metadata
//! folder's fields (`gan classifier train --heads`), the shipped emoji classifier measured
//! again on the held-out emojis, emoji runs scored in its space (`--features auto`), with
//! the groups drawn against the data's and held-out real images as the floor, and steered
//! toward one of its classes; the shipped text-image matcher measured again likewise.

mod common;

use std::path::Path;

use common::*;
use gan::eval::attributes::{self, AttributeNet};
use tch::Device;

/// Two "vendors" (subfolders), each drawing `n` 16x16 squares: red or blue (`colour`), flat
/// or with a dark border (the vendor); every fourth in the test split.
fn write_two_vendors(root: &Path, n: usize) {
    for (vendor, border) in [("flat", false), ("framed", true)] {
        let dir = root.join(vendor);
        std::fs::create_dir_all(&dir).unwrap();
        let mut meta = String::new();
        for i in 0..n {
            let colour = if i % 2 == 0 { [220, 30, 30, 255] } else { [30, 30, 220, 255] };
            let img = image::RgbaImage::from_fn(16, 16, |x, y| {
                let edge = x.min(y).min(15 - x).min(15 - y);
                image::Rgba(if border && edge < 2 {
                    [0, 0, 0, 255]
                } else if (4..12).contains(&x) && (4..12).contains(&y) {
                    colour
                } else {
                    [0, 0, 0, 0]
                })
            });
            img.save(dir.join(format!("{i:03}.png"))).unwrap();
            let (name, split) = (if i % 2 == 0 { "red" } else { "blue" }, if i % 4 == 3 { "test" } else { "train" });
            meta.push_str(&format!("{{\"file_name\": \"{i:03}.png\", \"colour\": \"{name}\", \"tone\": [{}], \"split\": \"{split}\"}}\n", i % 3));
        }
        std::fs::write(dir.join("metadata.jsonl"), meta).unwrap();
    }
}

#[test]
fn an_attribute_classifier_learns_a_folders_fields_and_round_trips() {
    let t = tempfile::tempdir().unwrap();
    write_two_vendors(&t.path().join("d"), 48);
    let args = ["classifier", "train", "--data", "d", "--heads", "colour,folder,tone", "--out", "a.safetensors", "--epochs", "4", "--batch-size", "8"];
    let o = run(&args, t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let net = AttributeNet::load(&t.path().join("a.safetensors"), Device::Cpu).unwrap();
    let card = &net.card;
    assert_eq!((card.train_images, card.held_out_images, card.epochs), (72, 24, 4));
    let heads: Vec<(&str, Vec<&str>)> = card.heads.iter().map(|h| (h.field.as_str(), h.classes.iter().map(String::as_str).collect())).collect();
    assert_eq!(heads, [("colour", vec!["blue", "red"]), ("folder", vec!["flat", "framed"]), ("tone", vec!["0", "1", "2"])]);
    assert!(card.heads[0].accuracy > 0.95 && card.heads[1].accuracy > 0.95, "colour and border are easy: {card:?}");
    assert!(card.held_out.contains("split = test") && card.command.starts_with("gan classifier train"), "{card:?}");
    // The saved network measures what its card says.
    let data = attributes::data::read(&t.path().join("d"), &["colour".into(), "folder".into(), "tone".into()], ("split", "test")).unwrap();
    let again = attributes::train::held_out_accuracies(&net, &data);
    let said: Vec<f64> = card.heads.iter().map(|h| h.accuracy).collect();
    assert_eq!(again, said);
}

#[test]
fn bad_attribute_arguments_are_refused_in_one_line() {
    let t = tempfile::tempdir().unwrap();
    write_two_vendors(&t.path().join("d"), 8);
    std::fs::create_dir(t.path().join("plain")).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (&["classifier", "train", "--heads", "colour", "--out", "a.safetensors"], "--heads reads the metadata of an image folder"),
        (
            &["classifier", "train", "--data", "d", "--heads", "shape", "--out", "a.safetensors"],
            "no row has the field `shape` (fields: colour, folder, split, tone)",
        ),
        (&["classifier", "train", "--data", "d", "--heads", "colour", "--held-out", "split", "--out", "a.safetensors"], "expected FIELD=VALUE"),
        (&["classifier", "train", "--data", "plain", "--heads", "colour", "--out", "a.safetensors"], "no metadata.jsonl or metadata.csv"),
    ];
    for (args, needle) in cases {
        let o = run(args, t.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle) && stderr(&o).trim().lines().count() == 1, "{args:?}: {}", stderr(&o));
    }
}

/// Trains a tiny 16x16 DCGAN for 2 steps on the emoji set's train split (`top`: more
/// top-level settings; `filter`: more `[data.filter]` entries; a conditional run labels by
/// skin tone) in `t/r`, then `gan eval`s 100 samples.
fn tiny_run_and_eval(t: &Path, dir: &Path, top: &str, filter: &str) -> std::process::Output {
    let label = if top.contains("conditional") { "label = \"skin_tone\"\nunlabelled = \"skip\"\n" } else { "" };
    let config = format!(
        "steps = 2\nbatch_size = 8\n{top}log_every = 1\nsample_every = 2\ncheckpoint_every = 2\n[data]\nkind = \"folder\"\ndir = \"{}\"\nsize = 16\n{label}[data.filter]\nsplit = \"train\"\n{filter}[model]\nkind = \"dcgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nd_norm = \"none\"\n",
        dir.display()
    );
    std::fs::write(t.join("c.toml"), config).unwrap();
    let o = run(&["train", "--config", "c.toml", "--out", "r"], t);
    assert!(o.status.success(), "{}", stderr(&o));
    run(&["eval", "--run", "r", "--n", "100", "--no-cache"], t)
}

/// The compiled-in emoji classifier scores what its card says on the 700 held-out emojis
/// (base emojis it never saw, both vendors), and at least the floors README states.
#[test]
fn the_shipped_emoji_classifier_scores_its_card_on_the_held_out_emojis() {
    let net = attributes::shipped::emoji(Device::Cpu).unwrap();
    let fields: Vec<String> = net.card.heads.iter().map(|h| h.field.clone()).collect();
    assert_eq!(fields, ["group", "subgroup", "skin_tone", "folder"]);
    let Some(dir) = emoji_dir() else { return };
    let data = attributes::data::read(&dir, &fields, ("split", "test")).unwrap();
    assert_eq!(data.held_out.iter().filter(|&&h| h).count(), 700);
    let measured = attributes::train::held_out_accuracies(&net, &data);
    for (h, m) in net.card.heads.iter().zip(&measured) {
        assert!((h.accuracy - m).abs() <= 1.5 / 700.0, "{}: the card says {}, measured {m}", h.field, h.accuracy);
    }
    let floors = [0.78, 0.6, 0.9, 0.9];
    for ((h, m), floor) in net.card.heads.iter().zip(&measured).zip(floors) {
        assert!(*m >= floor, "{}: {m} below {floor}", h.field);
    }
}

/// The compiled-in emoji matcher ranks the 700 held-out emojis' names as its card says
/// (R-precision, top-1 among 100 names, seed 0), well above chance (1%), and it was trained on
/// this data's 6,872 training images.
#[test]
fn the_shipped_emoji_matcher_scores_its_card_on_the_held_out_emojis() {
    let m = gan::eval::matcher::shipped::emoji(Device::Cpu).unwrap();
    let Some(dir) = emoji_dir() else { return };
    let data = gan::eval::matcher::data::read(&dir).unwrap();
    let rows = data.rows(true);
    assert_eq!((rows.len(), data.rows(false).len()), (m.card.held_out_images, m.card.train_images));
    let (pool, truth) = gan::eval::matcher::train::caption_pool(&data, &rows);
    let measured = gan::eval::matcher::train::pool_r_precision(&m, &data.images_pm1(&rows), &pool, &truth, m.card.seed).unwrap();
    assert!((measured - m.card.held_out_r_precision).abs() <= 1.5 / 700.0, "the card says {}, measured {measured}", m.card.held_out_r_precision);
    assert!(measured >= 0.3, "{measured}");
}

/// An emoji run is scored in the emoji classifier's space without being told, with the groups
/// drawn against the data's; held-out real emojis score through --samples-filter.
#[test]
fn an_emoji_run_is_scored_in_the_emoji_space_with_its_groups() {
    let Some(dir) = emoji_dir() else { return };
    let t = tempfile::tempdir().unwrap();
    let o = tiny_run_and_eval(t.path(), &dir, "", "group = [\"smileys & emotion\", \"flags\"]\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("attribute classifier emoji") && out.contains("groups drawn") && out.contains("KL(groups || data's)"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("r/eval.json")).unwrap()).unwrap();
    assert_eq!(report["features"]["space"], "attributes");
    assert_eq!(report["classes"]["field"], "group");
    assert!(report["classes"]["kl_real"].as_f64().unwrap() >= 0.0);
    let test = dir.join("twitter");
    let o = run(&["eval", "--run", "r", "--n", "100", "--no-cache", "--samples", test.to_str().unwrap(), "--samples-filter", "split=test"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("100 images of") && out.contains("split = \"test\""), "{out}");
    let o = run(&["eval", "--run", "r", "--samples", test.to_str().unwrap(), "--samples-filter", "split"], t.path());
    assert!(stderr(&o).contains("--samples-filter split: expected FIELD=VALUE"), "{}", stderr(&o));
    // Steering the colour run with the classifier's skin-tone head raises p(tone 5), and the
    // trace says how often each other head changed its reading.
    let o = run(&["steer", "--run", "r", "--target", "skin_tone=5", "--n", "4", "--steps", "10", "--lr", "0.2", "--out", "s.png"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("other heads changed for: group"), "{}", stderr(&o));
    let trace: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("s.json")).unwrap()).unwrap();
    let mean = |k: &str| trace[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).sum::<f64>() / 4.0;
    assert!(mean("p_target_after") > mean("p_target_before"), "{trace}");
    let others: Vec<&str> = trace["other_heads_changed"].as_array().unwrap().iter().map(|m| m["field"].as_str().unwrap()).collect();
    assert_eq!(others, ["group", "subgroup", "folder"]);
    assert!(t.path().join("s.png").is_file() && t.path().join("s.gif").is_file());
    for (target, needle) in [
        ("tone=5", "no head `tone` (heads: group, subgroup, skin_tone, folder)"),
        ("skin_tone=9", "`9` is not a class of skin_tone"),
        ("5", "expected FIELD=VALUE"),
    ] {
        let o = run(&["steer", "--run", "r", "--target", target, "--out", "s2.png"], t.path());
        assert_eq!(o.status.code(), Some(1), "{target}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{target}: {}", stderr(&o));
    }
}

/// A run conditioned on skin tone is scored by the classifier's skin-tone head: `gan eval`
/// states how often the samples read as the tone asked for, overall and per tone, the overall
/// share the mean of the per-tone ones (the tones are asked for in turn, equally often), and
/// the tones those of the data.
#[test]
fn a_run_conditioned_on_skin_tone_reports_the_classifiers_agreement() {
    let Some(dir) = emoji_dir() else { return };
    let t = tempfile::tempdir().unwrap();
    let o = tiny_run_and_eval(t.path(), &dir, "conditional = true\n", "group = \"people & body\"\n");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(out.contains("skin_tone as requested") && out.contains("per class"), "{out}");
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(t.path().join("r/eval.json")).unwrap()).unwrap();
    let a = &report["agreement"];
    assert_eq!(a["field"], "skin_tone", "{report}");
    let per: Vec<(String, f64)> = a["per_class"].as_array().unwrap().iter().map(|p| (p[0].as_str().unwrap().to_string(), p[1].as_f64().unwrap())).collect();
    let tones: Vec<&str> = per.iter().map(|(c, _)| c.as_str()).collect();
    assert_eq!(tones, ["1", "2", "3", "4", "5"], "{report}");
    let mean = per.iter().map(|(_, s)| s).sum::<f64>() / per.len() as f64;
    let share = a["share"].as_f64().unwrap();
    assert!((share - mean).abs() < 1e-9 && (0.0..=1.0).contains(&share), "share {share}, per tone {per:?}");
    let shown = format!("{:.1}%", 100.0 * share);
    assert!(out.lines().any(|l| l.contains("skin_tone as requested") && l.contains(&shown)), "{shown}: {out}");
    // What each tone was read as: shares of one tone's samples, summing to 1, its own reading
    // among them at its agreement.
    for ((tone, readings), (_, agreed)) in a["read_as"].as_array().unwrap().iter().map(|r| (r[0].as_str().unwrap(), r[1].as_array().unwrap())).zip(&per) {
        let total: f64 = readings.iter().map(|r| r[1].as_f64().unwrap()).sum();
        assert!((total - 1.0).abs() < 1e-9, "{tone}: {readings:?}");
        let own = readings.iter().find(|r| r[0] == tone).map_or(0.0, |r| r[1].as_f64().unwrap());
        assert_eq!(own, *agreed, "{tone}");
    }
    // The ceiling: the classifier on the held-out real people, each tone among them.
    let real = &a["real"];
    assert!(real["rows"].as_str().unwrap().contains("\"test\""), "{real}");
    assert_eq!(real["images"].as_u64().unwrap(), held_out_people_with_one_tone(&dir), "{real}");
    assert!((0.0..=1.0).contains(&real["share"].as_f64().unwrap()), "{real}");
    assert_eq!(real["per_class"].as_array().unwrap().len(), 5, "{real}");
    assert!(out.contains("real held-out skin_tone") && out.contains("read as"), "{out}");
}

/// The held-out people with exactly one skin tone, counted from the vendors' metadata.
fn held_out_people_with_one_tone(dir: &std::path::Path) -> u64 {
    let mut n = 0;
    for vendor in ["google", "twitter"] {
        for line in std::fs::read_to_string(dir.join(vendor).join("metadata.jsonl")).unwrap().lines() {
            let r: serde_json::Value = serde_json::from_str(line).unwrap();
            let mut tones: Vec<i64> = match &r["skin_tone"] {
                serde_json::Value::Array(v) => v.iter().map(|t| t.as_i64().unwrap()).collect(),
                serde_json::Value::Number(t) => vec![t.as_i64().unwrap()],
                _ => vec![],
            };
            tones.sort();
            tones.dedup();
            n += u64::from(r["split"] == "test" && r["group"] == "people & body" && tones.len() == 1);
        }
    }
    n
}
