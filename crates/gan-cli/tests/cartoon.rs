//! CartoonGAN on the emoji set's two styles (`emoji-cartoongan`, shrunk): the initialisation
//! phase trains by the content loss alone, then the edge-promoting discriminator joins (its
//! score of edge-smoothed drawings logged; none without the edge term); a run stopped and
//! resumed ends equal bit for bit; `gan eval` scores it Noto -> Twemoji beside the identity
//! baseline.

mod common;

use std::path::Path;

use common::*;

/// A constant learning rate, so that a 2-step run resumed to 4 steps trains as a 4-step run.
const TINY: &str = "steps = 4\nbatch_size = 4\nlog_every = 1\nsample_every = 4\ncheckpoint_every = 2\nschedule = \"constant\"\n\
[model.generator]\nbase = 4\nblocks = 1\n[model.discriminator]\nbase = 2\n";

/// Trains `out` for `steps`, with `model` lines added to the `[model]` table.
fn train(t: &Path, emoji: &Path, out: &str, model: &str, steps: &str) {
    std::fs::write(t.join(format!("{out}.toml")), format!("{TINY}[model]\ninit_steps = 1\n{model}")).unwrap();
    let cfg = format!("{out}.toml");
    let args = [
        "--threads",
        "1",
        "train",
        "--preset",
        "emoji-cartoongan",
        "--config",
        &cfg,
        "--data",
        emoji.to_str().unwrap(),
        "--out",
        out,
        "--steps",
        steps,
        "--no-progress",
    ];
    let o = run(&args, t);
    assert!(o.status.success(), "{}", stderr(&o));
}

fn metrics(run: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(run.join("metrics.jsonl")).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn cartoongan_initialises_then_trains_against_edges_resumes_and_is_scored() {
    let Some(emoji) = emoji_dir() else { return };
    let t = tempfile::tempdir().unwrap();
    train(t.path(), &emoji, "c", "", "4");
    let m = metrics(&t.path().join("c"));
    assert_eq!(m.len(), 4, "{m:?}");
    for (i, row) in m.iter().enumerate() {
        let t = &row["translation"];
        assert!(t["content"].as_f64().unwrap() > 0.0, "{row}");
        // Step 0 is the initialisation phase: no discriminator.
        assert_eq!(row.get("d_loss").is_some(), i >= 1, "{row}");
        assert_eq!(t.get("d_edge").is_some(), i >= 1, "{row}");
    }
    // Stopped at step 2 and resumed to 4: the same weights.
    train(t.path(), &emoji, "r", "", "2");
    let o = run(&["--threads", "1", "train", "--resume", "r", "--steps", "4", "--no-progress"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let weights = |run: &str| std::fs::read(t.path().join(run).join("checkpoints/step-00000004/generator.safetensors")).unwrap();
    assert_eq!(weights("c"), weights("r"), "a resumed CartoonGAN run ends as the uninterrupted one");
    // The ablation: no edge term, so no edge score; otherwise the same run.
    train(t.path(), &emoji, "plain", "edge_promoting = false\n", "4");
    let m = metrics(&t.path().join("plain"));
    assert!(m.iter().all(|row| row["translation"].get("d_edge").is_none()) && m[3].get("d_loss").is_some(), "{m:?}");
    assert_ne!(weights("c"), weights("plain"), "the edge term changes training");
    let o = run(&["--threads", "1", "eval", "--run", "c", "--n", "50"], t.path());
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("as target style") && out.contains("identity baseline (the inputs as outputs), a2b"), "{out}");
}
