//! StyleGAN2's networks against stylegan2-ada-pytorch's restated in PyTorch
//! (`stylegan2_reference.py`, which computes the modulated convolution in the reference's
//! fused form where ours is unfused): the same seeded weights give the same `w`, the same
//! truncated and style-mixed images, the same discriminator logits, the same tracked `w_avg`,
//! and the same path length and R1 regularisers (values and weight gradients, as loss.py's
//! `Gpl` and `Dr1` phases compute them).

mod common;

use std::collections::HashMap;

use gan::models::stylegan2::mapping::W_AVG;
use gan::models::stylegan2::synthesis::Noise;
use gan::models::stylegan2::{Stylegan2Config, Stylegan2Generator};
use gan::models::ImageShape;
use tch::{nn, Device, Kind, Tensor};

fn relative(got: &Tensor, want: &Tensor) -> f64 {
    assert_eq!(got.size(), want.size(), "shapes");
    ((got - want).abs().max() / want.abs().max().clamp_min(1e-6)).double_value(&[])
}

/// Every variable drawn from N(0, 1) (biases, noise strengths and `w_avg` too, so that they
/// count), the mapping network's weights from N(0, 1 / 0.01^2) as it initialises them; in
/// name order, so that the seed fixes them.
fn randomise(vs: &nn::VarStore) {
    tch::no_grad(|| {
        for (name, mut v) in common::sorted_variables(vs) {
            let scale = if name.starts_with("mapping.fc") && name.ends_with("weight") { 100.0 } else { 1.0 };
            v.copy_(&(Tensor::randn(v.size(), (Kind::Float, Device::Cpu)) * scale));
        }
    });
}

fn reference(input: &[(String, Tensor)]) -> HashMap<String, Tensor> {
    let dir = tempfile::tempdir().unwrap();
    let (inp, out) = (dir.path().join("in.safetensors"), dir.path().join("out.safetensors"));
    Tensor::write_safetensors(input, &inp).unwrap();
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stylegan2_reference.py");
    let o = std::process::Command::new(&python).arg(&script).arg(&inp).arg(&out).output().expect("run python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    Tensor::read_safetensors(&out).unwrap().into_iter().collect()
}

#[test]
fn the_networks_match_the_reference_with_truncation_and_style_mixing() {
    let cfg = Stylegan2Config { latent_dim: 16, w_dim: 24, mapping_layers: 3, channel_base: 256, channel_max: 32, mbstd_channels: 2, ..Default::default() };
    let image = ImageShape { channels: 3, height: 32, width: 32 };
    tch::manual_seed(7);
    let (g_vs, d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
    let g = cfg.generator(&g_vs.root(), image);
    let d = cfg.discriminator(&d_vs.root(), image);
    randomise(&g_vs);
    randomise(&d_vs);
    assert_eq!(g.num_ws(), 8);
    let z = Tensor::randn([8, 16], (Kind::Float, Device::Cpu));
    let z2 = Tensor::randn([8, 16], (Kind::Float, Device::Cpu));
    let x = Tensor::rand([8, 3, 32, 32], (Kind::Float, Device::Cpu)) * 2.0 - 1.0;
    let (psi, cut) = (0.7, 3i64);
    let mut input: Vec<(String, Tensor)> = Vec::new();
    for (prefix, vs) in [("g.", &g_vs), ("d.", &d_vs)] {
        input.extend(vs.variables().into_iter().map(|(n, v)| (format!("{prefix}{n}"), v.detach().copy())));
    }
    let cfg_values = Tensor::from_slice(&[16.0f64, 24.0, 3.0, 256.0, 32.0, 3.0, 5.0, 4.0, 2.0, 256.0]);
    input.extend([("cfg".into(), cfg_values), ("z".into(), z.copy()), ("z2".into(), z2.copy()), ("x".into(), x.copy())]);
    input.extend([("psi".into(), Tensor::from(psi)), ("cut".into(), Tensor::from(cut))]);
    let pl_y = Tensor::randn([8, 3, 32, 32], (Kind::Float, Device::Cpu)) / 32.0;
    input.extend([("pl_y".into(), pl_y.copy()), ("pl_mean0".into(), Tensor::from(0.5f32))]);
    let want = reference(&input);

    let (ws, img, mixed, img_mixed, logits) = tch::no_grad(|| {
        let ws = g.ws(&z, psi, false);
        let mixed = Stylegan2Generator::mix(&ws, &g.ws(&z2, psi, false), cut);
        (ws.shallow_clone(), g.images(&ws, Noise::Const), mixed.shallow_clone(), g.images(&mixed, Noise::Const), d.logits(&x))
    });
    for (what, got) in [("ws", &ws), ("ws_mixed", &mixed), ("img", &img), ("img_mixed", &img_mixed), ("logits", &logits)] {
        let r = relative(got, &want[what]);
        assert!(r < 1e-4, "{what}: relative difference {r}");
    }
    assert!(relative(&img_mixed, &img) > 1e-3, "mixing changed the image");
    check_regularisers(&g_vs, &d_vs, (&g, &d), (&z, &x, &pl_y), &want);
    // One tracked mapping moves w_avg toward the batch's mean by 0.5%.
    let _ = tch::no_grad(|| g.mapping.forward(&z, true));
    let r = relative(&g_vs.variables()[W_AVG], &want["w_avg_after"]);
    assert!(r < 1e-5, "w_avg after tracking: relative difference {r}");
}

/// Grads of `loss` with respect to the trainable variables of `vs`, by name.
fn grads_of(loss: &Tensor, vs: &nn::VarStore) -> Vec<(String, Tensor)> {
    let vars: Vec<(String, Tensor)> = vs.variables().into_iter().filter(|(_, v)| v.requires_grad()).collect();
    let grads = Tensor::run_backward(&[loss], &vars.iter().map(|(_, v)| v.shallow_clone()).collect::<Vec<_>>(), true, false);
    vars.into_iter().map(|(n, _)| n).zip(grads).collect()
}

/// The path length penalty (lengths, running mean, weighted loss, the generator's weight
/// gradients) and R1 (loss and the discriminator's weight gradients) against loss.py's.
fn check_regularisers(
    g_vs: &nn::VarStore,
    d_vs: &nn::VarStore,
    (g, d): (&Stylegan2Generator, &gan::models::stylegan2::Stylegan2Discriminator),
    (z, x, pl_y): (&Tensor, &Tensor, &Tensor),
    want: &HashMap<String, Tensor>,
) {
    use gan::losses::path_length::{path_lengths, path_penalty};
    let ws = g.ws(z, 1.0, false);
    let img = g.images(&ws, Noise::Const);
    let lengths = path_lengths(&img, &ws, pl_y);
    let mut mean = Tensor::from(0.5f32);
    let loss = (path_penalty(&lengths, &mut mean, 0.01) * 2.0).mean(None);
    let mut compared = 0;
    for (what, got) in [("pl_lengths", &lengths), ("pl_mean", &mean), ("pl_loss", &loss.view([1]))] {
        let r = relative(got, &want[what]);
        assert!(r < 1e-4, "{what}: relative difference {r}");
    }
    for (name, grad) in grads_of(&loss, g_vs) {
        if let Some(w) = want.get(&format!("grad.pl.g.{name}")) {
            let r = relative(&grad, w);
            assert!(r < 1e-3, "path length gradient of {name}: relative difference {r}");
            compared += 1;
        }
    }
    assert!(compared >= 20, "compared {compared} generator gradients");
    let real = x.detach().set_requires_grad(true);
    let r1 = gan::losses::penalty::r1_penalty(&d.logits(&real), &real) * 0.5;
    let r = relative(&r1.view([1]), &want["r1_loss"]);
    assert!(r < 1e-4, "R1: relative difference {r}");
    compared = 0;
    for (name, grad) in grads_of(&r1, d_vs) {
        match want.get(&format!("grad.r1.d.{name}")) {
            Some(w) => {
                let r = relative(&grad, w);
                assert!(r < 1e-3, "R1 gradient of {name}: relative difference {r}");
                compared += 1;
            }
            // What the input gradient does not depend on (the logit's bias) gets none.
            None => assert!(!grad.defined() || grad.abs().max().double_value(&[]) == 0.0, "R1 moves {name}"),
        }
    }
    assert!(compared >= 10, "compared {compared} discriminator gradients");
}

/// Mixing the fine styles (the top resolution's) changes each row's image less than mixing
/// the coarse ones (4x4 to 8x8, which every later layer builds on), measured as the mean
/// absolute pixel change over a 4 x 4 grid of a freshly initialised 32x32 generator.
#[test]
fn mixing_the_fine_styles_changes_the_images_less_than_mixing_the_coarse() {
    use gan::explore::style_mix::{mixing_grid, Band};
    let cfg = Stylegan2Config { latent_dim: 16, w_dim: 16, channel_base: 256, channel_max: 16, ..Default::default() };
    tch::manual_seed(3);
    let vs = nn::VarStore::new(Device::Cpu);
    let g = cfg.generator(&vs.root(), ImageShape { channels: 3, height: 32, width: 32 });
    let (rows, cols) = (Tensor::randn([4, 16], (Kind::Float, Device::Cpu)), Tensor::randn([4, 16], (Kind::Float, Device::Cpu)));
    let change = |band: Band| {
        let grid = mixing_grid(&g, &rows, &cols, band.layers(g.num_ws()), 1.0).view([5, 5, 3, 32, 32]);
        let row_images = grid.narrow(0, 1, 4).narrow(1, 0, 1);
        let cells = grid.narrow(0, 1, 4).narrow(1, 1, 4);
        (cells - row_images).abs().mean(Kind::Float).double_value(&[])
    };
    let (coarse, middle, fine) = (change(Band::Coarse), change(Band::Middle), change(Band::Fine));
    assert!(fine > 0.0 && fine < middle && middle < coarse, "coarse {coarse}, middle {middle}, fine {fine}");
}
