//! The Wasserstein family and image-folder data end to end: a conv WGAN-GP run on a folder
//! of PNG and JPEG shapes (nested), exact resume of a streamed run, the faces128 preset's
//! 128x128 RGB grids, unreadable files (stop or skip), weight clipping actually applied,
//! and incompatible configurations refused.

mod common;

use std::path::Path;

use common::*;

/// A small conv WGAN-GP (InstanceNorm critic) on 16x16 crops of an image folder.
const TINY_WGAN_GP: &str = r#"
steps = 4
batch_size = 6
d_steps = 2
log_every = 2
sample_every = 2
checkpoint_every = 2
keep_checkpoints = 5

[data]
kind = "folder"
dir = "shapes"
size = 16

[model]
kind = "dcgan"
latent_dim = 8
g_base = 4
d_base = 4
d_norm = "instance"

[loss]
kind = "wasserstein"

[loss.lipschitz]
kind = "gradient-penalty"
weight = 10.0

[optim.g]
kind = "adam"
lr = 1e-4
betas = [0.0, 0.9]

[optim.d]
kind = "adam"
lr = 1e-4
betas = [0.0, 0.9]
"#;

fn setup(root: &Path, config: &str) -> String {
    write_shapes(&root.join("shapes"), 20);
    std::fs::write(root.join("cfg.toml"), config).unwrap();
    "cfg.toml".into()
}

fn ok(args: &[&str], cwd: &Path) -> String {
    let o = run(args, cwd);
    assert!(o.status.success(), "gan {args:?} failed: {}", stderr(&o));
    stderr(&o)
}

#[test]
fn wgan_gp_on_an_image_folder_resumes_exactly() {
    let t = tempfile::tempdir().unwrap();
    let cfg = setup(t.path(), TINY_WGAN_GP);
    ok(&["train", "--preset", "mnist-mlp", "--config", &cfg, "--out", "full", "--no-progress"], t.path());
    let full = t.path().join("full");
    let metrics = gan::run::metrics::read_metrics(&full.join("metrics.jsonl")).unwrap();
    assert_eq!(metrics.len(), 2);
    for m in &metrics {
        let (w, p) = (m.get("wasserstein").expect("critic estimate recorded"), m.get("penalty").expect("penalty recorded"));
        assert!(w.is_finite() && p.is_finite() && p >= 0.0, "{m:?}");
        assert!((w - (m.get("d_real").unwrap() - m.get("d_fake").unwrap())).abs() < 1e-4, "W is mean C(x) - mean C(G(z)): {m:?}");
    }
    let grid = image::open(full.join("samples/step-00000004.png")).unwrap();
    assert_eq!((grid.width(), grid.height(), grid.color().channel_count()), (8 * 18 + 2, 8 * 18 + 2, 3));
    // Stop at step 2, resume to 4: the streamed batches continue where they left off.
    ok(&["train", "--preset", "mnist-mlp", "--config", &cfg, "--steps", "2", "--out", "part", "--no-progress"], t.path());
    ok(&["train", "--resume", "part", "--steps", "4", "--no-progress"], t.path());
    for f in ["generator.safetensors", "discriminator.safetensors", "optimizer.safetensors"] {
        let a = std::fs::read(full.join("checkpoints/step-00000004").join(f)).unwrap();
        let b = std::fs::read(t.path().join("part/checkpoints/step-00000004").join(f)).unwrap();
        assert!(a == b, "{f} differs after resume");
    }
}

#[test]
fn bench_times_the_folder_decoder() {
    let t = tempfile::tempdir().unwrap();
    write_shapes(&t.path().join("shapes"), 8);
    let o = run(&["bench", "--folder", "shapes", "--size", "16", "--batch-size", "4", "--steps", "3", "--warmup", "1", "--json"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["model"], "folder-decode");
    assert!(v["images_per_sec"].as_f64().unwrap() > 0.0, "{v}");
    let o = run(&["bench", "--folder", "nowhere"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("nowhere"), "{}", stderr(&o));
}

#[test]
fn faces128_preset_writes_128px_rgb_grids() {
    let t = tempfile::tempdir().unwrap();
    write_shapes(&t.path().join("faces"), 6);
    let err = ok(&["train", "--preset", "faces128-wgan-gp", "--data", "faces", "--steps", "1", "--batch-size", "3", "--out", "r", "--no-progress"], t.path());
    assert!(err.contains("images at 128x128"), "{err}");
    let grid = image::open(t.path().join("r/samples/step-00000001.png")).unwrap();
    // 64 fixed-z samples, 8 per row, 128 px each with 2 px borders.
    assert_eq!((grid.width(), grid.height()), (8 * 130 + 2, 8 * 130 + 2));
    assert_eq!(grid.color().channel_count(), 3);
    let saved = gan::TrainConfig::load(&t.path().join("r/config.toml")).unwrap();
    assert_eq!(saved.model.latent_dim(), 200);
    // Without --data the preset says what it needs.
    let o = run(&["train", "--preset", "faces128-wgan-gp", "--steps", "1", "--out", "r2"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("--data DIR"), "{}", stderr(&o));
}

#[test]
fn unreadable_images_stop_by_default_or_are_skipped_and_counted() {
    let t = tempfile::tempdir().unwrap();
    let cfg = setup(t.path(), TINY_WGAN_GP);
    std::fs::write(t.path().join("shapes/png/broken.png"), b"\x89PNG but not really").unwrap();
    let o = run(&["train", "--preset", "mnist-mlp", "--config", &cfg, "--out", "a", "--no-progress"], t.path());
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken.png") && stderr(&o).contains("cannot decode"), "{}", stderr(&o));
    std::fs::write(t.path().join("skip.toml"), TINY_WGAN_GP.replace("size = 16", "size = 16\non_error = \"skip\"")).unwrap();
    let err = ok(&["train", "--preset", "mnist-mlp", "--config", "skip.toml", "--steps", "8", "--out", "b", "--no-progress"], t.path());
    assert!(err.contains("warning: skipped") && err.contains("broken.png"), "{err}");
    assert!(err.contains("unreadable image files were skipped"), "{err}");
    // PacGAN packs of 2 over a batch that a skipped image shortened to 5: the odd image is
    // dropped (this was an assertion failure in the packed discriminator).
    std::fs::write(t.path().join("pack.toml"), format!("pack = 2\n{}", TINY_WGAN_GP.replace("size = 16", "size = 16\non_error = \"skip\""))).unwrap();
    let err = ok(&["train", "--preset", "mnist-mlp", "--config", "pack.toml", "--steps", "8", "--out", "p", "--no-progress"], t.path());
    assert!(err.contains("broken.png") && err.contains("finished at step 8"), "{err}");
}

#[test]
fn weight_clipping_bounds_every_critic_weight() {
    let t = tempfile::tempdir().unwrap();
    let (data, _) = tiny_setup(t.path());
    let cfg = "steps = 3\nbatch_size = 8\nd_steps = 2\n[model]\nkind = \"mlp\"\nlatent_dim = 8\ng_hidden = [16]\nd_hidden = [16]\n\
               [loss]\nkind = \"wasserstein\"\n[loss.lipschitz]\nkind = \"clip\"\nclip = 0.003\n\
               [optim.d]\nkind = \"rmsprop\"\nlr = 0.01\n[optim.g]\nkind = \"rmsprop\"\nlr = 5e-5\n";
    std::fs::write(t.path().join("clip.toml"), cfg).unwrap();
    ok(&["train", "--preset", "mnist-mlp", "--config", "clip.toml", "--data", data.to_str().unwrap(), "--out", "c", "--no-progress"], t.path());
    let d = tch::Tensor::read_safetensors(t.path().join("c/checkpoints/step-00000003/discriminator.safetensors")).unwrap();
    // lr 0.01 moves weights far past 0.003 in one step; clipping must bring every one back,
    // and the initial weights (up to 1/sqrt(64) = 0.125) must be gone.
    let max = d.iter().map(|(_, w)| w.abs().max().double_value(&[])).fold(0.0, f64::max);
    assert!(max <= 0.003 + 1e-9 && max > 0.002, "largest critic weight {max}");
}

#[test]
fn incompatible_parts_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let cases = [
        ("[loss]\nkind = \"bce\"\n[loss.lipschitz]\nkind = \"clip\"\nclip = 0.01\n", "sigmoid/BCE"),
        ("[loss]\nkind = \"wasserstein\"\n", "1-Lipschitz"),
        ("[model]\nkind = \"dcgan\"\nlatent_dim = 8\ng_base = 4\nd_base = 4\nd_norm = \"batch\"\n[loss]\nkind = \"wasserstein\"\n[loss.lipschitz]\nkind = \"gradient-penalty\"\nweight = 10.0\n", "per sample"),
    ];
    for (i, (cfg, needle)) in cases.iter().enumerate() {
        let name = format!("bad{i}.toml");
        std::fs::write(t.path().join(&name), cfg).unwrap();
        let o = run(&["train", "--preset", "mnist-mlp", "--config", &name, "--steps", "1", "--out", "x"], t.path());
        assert_eq!(o.status.code(), Some(1), "{cfg}");
        assert!(stderr(&o).contains(needle) && stderr(&o).contains(&name), "{needle}: {}", stderr(&o));
        assert!(!t.path().join("x").exists(), "nothing is created for a refused config");
    }
    // A DCGAN on images it cannot take: named with the size.
    write_shapes(&t.path().join("shapes"), 2);
    std::fs::write(t.path().join("odd.toml"), "[data]\nkind = \"folder\"\ndir = \"shapes\"\nsize = 30\n").unwrap();
    let o = run(&["train", "--preset", "mnist-dcgan", "--config", "odd.toml", "--batch-size", "2", "--steps", "1", "--out", "y"], t.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("30x30") && stderr(&o).contains("4*2^n"), "{}", stderr(&o));
}
