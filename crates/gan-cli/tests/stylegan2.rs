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
    eval_truncated_in_w(t.path());
    for layers in ["coarse", "middle", "fine", "0-1"] {
        let out = format!("mix-{layers}.png");
        let o = run(&["mix", "--run", "r", "--rows", "0,1", "--cols", "2,3,4", "--layers", layers, "--out", &out], t.path());
        assert!(o.status.success(), "{layers}: {}", stderr(&o));
        let img = image::open(t.path().join(&out)).unwrap();
        assert!(img.width() > img.height(), "4 columns and 3 rows of 32x32 tiles: {}x{}", img.width(), img.height());
    }
    let o = run(&["mix", "--run", "r", "--layers", "5-2", "--out", "m.png"], t.path());
    assert!(!o.status.success() && stderr(&o).contains("--layers 5-2"), "{}", stderr(&o));
    // A path in w and one in z share their ends (w of the same seeds) but not their middles.
    let strip = |space: &str| {
        let out = format!("{space}.png");
        let o = run(&["interpolate", "--run", "r", "--from", "0", "--to", "1", "--frames", "5", "--space", space, "--mode", "lerp", "--out", &out], t.path());
        assert!(o.status.success(), "{space}: {}", stderr(&o));
        image::open(t.path().join(&out)).unwrap().to_rgb8()
    };
    let (w, z) = (strip("w"), strip("z"));
    let frame = |img: &image::RgbImage, i: u32| image::imageops::crop_imm(img, i * (img.width() / 5), 0, img.width() / 5 - 2, img.height()).to_image();
    assert_eq!(frame(&w, 0), frame(&z, 0));
    assert_eq!(frame(&w, 4), frame(&z, 4));
    assert_ne!(frame(&w, 2), frame(&z, 2));
    project_into_w(t.path());
}

/// `gan eval --truncation-psi` scores images truncated in W and says so: psi 1 is the plain
/// generator, psi 0.5 other images.
fn eval_truncated_in_w(dir: &std::path::Path) {
    let fid = |extra: &[&str]| {
        let o = run(&[&["--threads", "1", "eval", "--run", "r", "--n", "12", "--learned-steps", "10", "--cache", "cache"], extra].concat(), dir);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        let report: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("r/eval.json")).unwrap()).unwrap();
        (String::from_utf8_lossy(&o.stdout).into_owned(), report["truncation_psi"].as_f64(), report["features"]["fid"].as_f64().unwrap())
    };
    let (_, none, plain) = fid(&[]);
    let (_, one, same) = fid(&["--truncation-psi", "1"]);
    let (said, half, other) = fid(&["--truncation-psi", "0.5"]);
    assert_eq!((none, one, half), (None, Some(1.0), Some(0.5)));
    assert!(said.lines().next().unwrap().contains("truncated in W at psi 0.5"), "{said}");
    assert!((plain - same).abs() <= 1e-9 * plain && (plain - other).abs() > 1e-6 * plain, "{plain} {same} {other}");
}

/// The projector brings a generated image closer in W and in W+ (one w per layer).
fn project_into_w(dir: &std::path::Path) {
    let o = run(&["sample", "--run", "r", "--n", "1", "--seed", "3", "--out", "target.png"], dir);
    assert!(o.status.success(), "{}", stderr(&o));
    for space in ["w", "w+"] {
        let out = format!("p{space}");
        let o = run(&["project", "--run", "r", "--image", "target.png", "--space", space, "--steps", "40", "--out", &out], dir);
        assert!(o.status.success(), "{space}: {}", stderr(&o));
        assert!(String::from_utf8_lossy(&o.stdout).contains("pixel MSE only"), "{}", String::from_utf8_lossy(&o.stdout));
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join(&out).join("projection.json")).unwrap()).unwrap();
        let losses: Vec<f64> = json["losses"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        assert!(losses.len() == 40 && losses[39] < losses[0] * 0.8, "{space}: {losses:?}");
        let ws = tch::Tensor::read_safetensors(dir.join(&out).join("ws.safetensors")).unwrap().remove(0).1;
        assert_eq!(ws.size(), [1, 8, 8]);
        let spread = (&ws - ws.narrow(1, 0, 1)).abs().max().double_value(&[]);
        assert_eq!(spread > 0.0, space == "w+", "{space}: layers differ by {spread}");
        assert!(dir.join(&out).join("best.png").is_file() && dir.join(&out).join("path.gif").is_file());
    }
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
    for args in [
        vec!["mix", "--run", "r", "--out", "m.png"],
        vec!["sample", "--run", "r", "--truncation-psi", "0.7", "--out", "s.png"],
        vec!["eval", "--run", "r", "--truncation-psi", "0.7"],
        vec!["interpolate", "--run", "r", "--to", "1", "--space", "w", "--out", "i.png"],
        vec!["project", "--run", "r", "--image", "x.png", "--space", "w+", "--out", "p"],
    ] {
        let o = run(&args, t.path());
        let err = stderr(&o);
        assert!(!o.status.success() && err.contains("model.kind = \"stylegan2\"") && err.trim().lines().count() == 1, "{args:?}: {err}");
    }
}
