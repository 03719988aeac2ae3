//! StyleGAN2 from the command line: a run of `[model] kind = "stylegan2"` trains, samples
//! with truncation in W (psi 0 draws the average image for every seed), draws style-mixing
//! grids, and the style commands refuse other runs and bad layers in one line.

mod common;

use common::*;

const CONFIG: &str = "steps = 4\nbatch_size = 4\nlog_every = 1\nsample_every = 4\ncheckpoint_every = 4\n\
[data]\nkind = \"folder\"\ndir = \"shapes\"\nsize = 32\n\
[model]\nkind = \"stylegan2\"\nlatent_dim = 8\nw_dim = 8\nmapping_layers = 2\nchannel_base = 64\nchannel_max = 8\nema_half_life = 100\n\
[model.training]\npl_every = 2\nr1_every = 2\n\
[loss]\nkind = \"bce\"\n[loss.lipschitz]\nkind = \"r1\"\nweight = 0.1\n";

#[test]
fn a_stylegan2_run_trains_samples_truncated_and_mixes_styles() {
    let t = tempfile::tempdir().unwrap();
    write_shapes(&t.path().join("shapes"), 12);
    std::fs::write(t.path().join("c.toml"), CONFIG).unwrap();
    let o = run(&["train", "--config", "c.toml", "--out", "r"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let metrics = std::fs::read_to_string(t.path().join("r/metrics.jsonl")).unwrap();
    assert!(metrics.contains("\"pl\":{\"penalty\""), "{metrics}");
    // psi 0: every seed's w is pulled all the way to w_avg, so the images are one image.
    let o = run(&["sample", "--run", "r", "--n", "3", "--truncation-psi", "0", "--format", "safetensors", "--out", "s.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let s = tch::Tensor::read_safetensors(t.path().join("s.safetensors")).unwrap();
    let images = &s.iter().find(|(n, _)| n == "images").unwrap().1;
    let spread = (images - images.get(0).unsqueeze(0)).abs().max().double_value(&[]);
    assert!(spread < 1e-6, "psi 0 images differ by {spread}");
    let o = run(&["sample", "--run", "r", "--n", "3", "--truncation-psi", "1", "--format", "safetensors", "--out", "f.safetensors"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let f = tch::Tensor::read_safetensors(t.path().join("f.safetensors")).unwrap();
    let images = &f.iter().find(|(n, _)| n == "images").unwrap().1;
    assert!((images - images.get(0).unsqueeze(0)).abs().max().double_value(&[]) > 1e-4, "psi 1 images vary");
    for layers in ["coarse", "middle", "fine", "0-1"] {
        let out = format!("mix-{layers}.png");
        let o = run(&["mix", "--run", "r", "--rows", "0,1", "--cols", "2,3,4", "--layers", layers, "--out", &out], t.path());
        assert!(o.status.success(), "{layers}: {}", stderr(&o));
        let img = image::open(t.path().join(&out)).unwrap();
        assert!(img.width() > img.height(), "4 columns and 3 rows of 32x32 tiles: {}x{}", img.width(), img.height());
    }
    let o = run(&["mix", "--run", "r", "--layers", "5-2", "--out", "m.png"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("--layers 5-2"), "{}", stderr(&o));
}

#[test]
fn style_commands_refuse_runs_without_styles() {
    let t = tempfile::tempdir().unwrap();
    let (data, config) = tiny_setup(t.path());
    let o = run(
        &["train", "--preset", "mnist-mlp", "--config", config.to_str().unwrap(), "--data", data.to_str().unwrap(), "--out", "r", "--steps", "1"],
        t.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for args in [vec!["mix", "--run", "r", "--out", "m.png"], vec!["sample", "--run", "r", "--truncation-psi", "0.7", "--out", "s.png"]] {
        let o = run(&args, t.path());
        let err = stderr(&o);
        assert!(!o.status.success() && err.contains("model.kind = \"stylegan2\"") && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
}
