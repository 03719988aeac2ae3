//! ProGAN's networks against the paper's code restated in PyTorch (`progan_reference.py`,
//! networks.py's `G_paper` / `D_paper` in their recursive structure): the same weights give
//! the same images and scores at every level of detail (stable and fading), and the critic's
//! WGAN-GP loss with the drift term the same value and weight gradients.

mod common;

use std::collections::HashMap;

use gan::families::gan::step::{discriminator_terms, DiscriminatorInput};
use gan::losses::penalty::Lipschitz;
use gan::losses::LossConfig;
use gan::models::progan::{set_lod, ProganConfig, LOD_VAR};
use gan::models::{Discriminator, Generator, ImageShape};
use tch::{nn, Device, Kind, Tensor};

const LODS: [f64; 5] = [3.0, 2.5, 1.3, 0.7, 0.0];

fn relative(got: &Tensor, want: &Tensor) -> f64 {
    ((got - want).abs().max() / want.abs().max().clamp_min(1e-6)).double_value(&[])
}

/// Every variable but the level of detail drawn from N(0, 1) (biases too, so that they count),
/// in name order so that the seed fixes the weights (a var store's map has no order).
fn randomise(vs: &nn::VarStore) {
    tch::no_grad(|| {
        for (name, mut v) in common::sorted_variables(vs) {
            if name != LOD_VAR {
                v.copy_(&Tensor::randn(v.size(), (Kind::Float, Device::Cpu)));
            }
        }
    });
}

#[test]
fn the_networks_and_the_critic_loss_match_the_reference_at_every_level_of_detail() {
    let cfg = ProganConfig { latent_dim: 16, fmap_base: 64, fmap_max: 32, ..ProganConfig::default() };
    let image = ImageShape { channels: 3, height: 32, width: 32 };
    tch::manual_seed(5);
    let (g_vs, d_vs) = (nn::VarStore::new(Device::Cpu), nn::VarStore::new(Device::Cpu));
    let g = cfg.generator(&g_vs.root(), image);
    let d = cfg.discriminator(&d_vs.root(), image);
    randomise(&g_vs);
    randomise(&d_vs);
    let (n_g, n_d) = (gan::models::param_count(&g_vs) as u128, gan::models::param_count(&d_vs) as u128);
    assert_eq!(cfg.weights(image), Some((n_g, n_d)), "the size estimate counts every weight");
    let z = Tensor::randn([8, 16], (Kind::Float, Device::Cpu));
    let x = Tensor::rand([8, 3, 32, 32], (Kind::Float, Device::Cpu)) * 2.0 - 1.0;
    // Our interpolates are `fake + eps (real - fake)`, the reference's `real + eps' (fake - real)`:
    // the same points for eps' = 1 - eps.
    let eps = Tensor::rand([8, 1, 1, 1], (Kind::Float, Device::Cpu));
    let mut input: Vec<(String, Tensor)> = Vec::new();
    for (prefix, vs) in [("g.", &g_vs), ("d.", &d_vs)] {
        input.extend(vs.variables().into_iter().filter(|(n, _)| n != LOD_VAR).map(|(n, v)| (format!("{prefix}{n}"), v.detach())));
    }
    let cfg_values = Tensor::from_slice(&[16i64, 64, 32, 3, 5, 4]);
    input.extend([("cfg".into(), cfg_values), ("z".into(), z.shallow_clone()), ("x".into(), x.shallow_clone()), ("eps".into(), 1.0 - &eps)]);
    input.push(("lods".into(), Tensor::from_slice(&LODS)));
    let dir = tempfile::tempdir().unwrap();
    let (inp, out) = (dir.path().join("in.safetensors"), dir.path().join("out.safetensors"));
    Tensor::write_safetensors(&input, &inp).unwrap();
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/progan_reference.py");
    let o = std::process::Command::new(&python).arg(&script).arg(&inp).arg(&out).output().expect("run python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want: HashMap<String, Tensor> = Tensor::read_safetensors(&out).unwrap().into_iter().collect();
    for (i, lod) in LODS.iter().enumerate() {
        set_lod(&g_vs, *lod);
        set_lod(&d_vs, *lod);
        let images = tch::no_grad(|| g.forward_t(&z, None, false));
        assert_eq!(images.size(), [8, 3, 32, 32], "full-size images at lod {lod}");
        let scores = tch::no_grad(|| d.forward_t(&x, None, true));
        for (what, got) in [("g", &images), ("d", &scores)] {
            let r = relative(got, &want[&format!("{what}.{i}")]);
            assert!(r < 1e-4, "{what} at lod {lod}: relative difference {r}");
        }
    }
    // The critic's loss at the last level of detail, and its weight gradients.
    let loss = LossConfig { drift: 0.001, ..LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: 10.0 }) };
    let fake = tch::no_grad(|| g.forward_t(&z, None, true));
    let terms = discriminator_terms(&d, &loss, DiscriminatorInput { real: &x, fake: &fake, y: None, eps: Some(&eps) });
    // Relative to the size of the terms it sums (the scores cancel: the loss's own size is
    // no measure of float32 rounding).
    let r = ((terms.loss.view([1]) - &want["loss"]).abs() / &want["loss_terms"]).double_value(&[0]);
    assert!(r < 1e-4, "critic loss: difference {r} of the size of its terms");
    let mut vars: Vec<(String, Tensor)> = d_vs.variables().into_iter().filter(|(n, _)| n != LOD_VAR).collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let grads = Tensor::run_backward(&[&terms.loss], &vars.iter().map(|(_, v)| v.shallow_clone()).collect::<Vec<_>>(), false, false);
    let mut compared = 0;
    for ((name, _), grad) in vars.iter().zip(&grads) {
        if let Some(w) = want.get(&format!("grad.d.{name}")) {
            let r = relative(grad, w);
            // Float32 double backward: this CPU's kernels round a bias gradient to 1.3e-3.
            assert!(r < 2e-3, "gradient of {name}: relative difference {r}");
            compared += 1;
        }
    }
    assert!(compared >= 8, "compared {compared} gradients");
}

/// A ProGAN run on 8x8 images (4x4 for 8 images, a fade over 8, then 8x8) stopped in the
/// fade and after it, and resumed each time, ends equal bit for bit to an uninterrupted one:
/// the level of detail, the optimiser resets and the moving average all come back.
#[test]
fn a_progan_run_resumes_bit_for_bit_across_its_growth() {
    use gan::models::{EmaConfig, ModelConfig, NetConfig};
    use gan::run::checkpoint::CheckpointChoice;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::write_gradient_pngs(&data, 12);
    let mut config = gan::Preset::EmojiProgan.config();
    config.data = gan_data::DataSource::Folder(gan_data::folder::FolderSource::new(data, 8));
    let net = ProganConfig {
        latent_dim: 8,
        fmap_base: 16,
        fmap_max: 8,
        stable_kimg: 0.008,
        fade_kimg: 0.008,
        batch_per_resolution: vec![4, 8],
        ..ProganConfig::default()
    };
    config.model = ModelConfig { net: NetConfig::Progan(net), ema: EmaConfig::new(50, None) };
    (config.batch_size, config.log_every, config.sample_every, config.checkpoint_every) = (4, 2, 100, 100);
    config.doctor.every = 0;
    config.set_length(gan::config::Length::Steps(10));
    let whole = tmp.path().join("whole");
    gan::families::progan::new_run(config.clone(), &whole, Device::Cpu).unwrap().run(&mut |_| {}).unwrap();
    let staged = tmp.path().join("staged");
    gan::families::progan::new_run(config, &staged, Device::Cpu).unwrap().run_until(4, &mut |_| {}).unwrap();
    // Steps 0-2 show 4x4 images (4 each), step 3 the fade at lod 0.5 (8 images), 4 on 8x8.
    let fading = std::fs::read_to_string(staged.join("checkpoints/step-00000004/family.json")).unwrap();
    for stop in [6, 10] {
        let mut t = gan::families::progan::resume_run(&staged, None, &CheckpointChoice::Latest, Device::Cpu).unwrap();
        t.run_until(stop, &mut |_| {}).unwrap();
    }
    let names = ["generator.safetensors", "generator_ema.safetensors", "discriminator.safetensors", "optimizer.safetensors", "family.json"];
    let files = |run: &std::path::Path| common::checkpoint_files(run, 10, &names);
    assert!(files(&whole) == files(&staged), "the resumed ProGAN run differs from the uninterrupted one");
    let state: serde_json::Value = serde_json::from_str(&fading).unwrap();
    assert_eq!((state["progan"]["resolution"].as_i64(), state["progan"]["alpha"].as_f64()), (Some(8), Some(0.5)), "{fading}");
    let end: serde_json::Value = serde_json::from_slice(&files(&whole)[4]).unwrap();
    assert_eq!((end["progan"]["resolution"].as_i64(), end["progan"]["lod"].as_f64()), (Some(8), Some(0.0)), "{end}");
}

/// Real images a preset shows at each resolution over its length, walking the family's
/// schedule one generator step at a time.
fn images_per_resolution(preset: gan::Preset, side: i64) -> std::collections::BTreeMap<i64, u64> {
    let config = preset.config();
    let gan::models::NetConfig::Progan(net) = &config.model.net else { panic!("{} is a ProGAN preset", preset.name()) };
    let levels = gan::models::progan::Levels { log2: side.trailing_zeros() as i64 };
    let schedule = gan::families::progan::schedule::Schedule::new(net, levels);
    let Some(gan::config::Length::Steps(steps)) = config.length() else { panic!("{} is measured in steps", preset.name()) };
    let (mut seen, mut per) = (0u64, std::collections::BTreeMap::new());
    for _ in 0..steps {
        let (top, _) = levels.at(schedule.lod(seen));
        let batch = net.batch_at(top, config.batch_size) as u64;
        *per.entry(1i64 << top).or_insert(0) += batch;
        seen += batch;
    }
    per
}

/// Each resolution gets its documented images, give or take the one batch that runs at the
/// level of detail a fade starts from (the fade begins at the step after the boundary).
#[test]
fn the_progan_presets_lengths_cover_their_growth_as_documented() {
    for (preset, side, want) in [
        (gan::Preset::MnistProgan, 32, vec![(4, 12_000), (8, 24_000), (16, 24_000), (32, 36_000)]),
        (gan::Preset::EmojiProgan, 64, vec![(4, 20_000), (8, 40_000), (16, 40_000), (32, 40_000), (64, 40_000)]),
    ] {
        let got = images_per_resolution(preset, side);
        assert_eq!(got.keys().copied().collect::<Vec<_>>(), want.iter().map(|w| w.0).collect::<Vec<_>>(), "{}", preset.name());
        for (res, images) in want {
            assert!(got[&res].abs_diff(images) <= 32, "{} at {res}x{res}: {} images, documented {images}", preset.name(), got[&res]);
        }
    }
}
