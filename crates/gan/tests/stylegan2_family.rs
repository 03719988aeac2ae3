//! A StyleGAN2 run stopped between its lazy regularisers' steps and resumed ends equal bit
//! for bit to an uninterrupted one: the weights, the moving average and `w_avg`, both
//! optimisers (lazily rescaled), the path lengths' running mean and the lazy counters all
//! come back; and the run reports both regularisers on the steps that take them. The same
//! holds under the relativistic loss with R1 + R2, whose penalty adds R2 to R1.

mod common;

use gan::losses::penalty::Lipschitz;
use gan::losses::{LossConfig, LossKind};
use gan::models::stylegan2::{Regularisation, Stylegan2Config};
use gan::models::{EmaConfig, ModelConfig, NetConfig};
use gan::run::checkpoint::CheckpointChoice;
use tch::Device;

fn config(data: &std::path::Path) -> gan::config::TrainConfig {
    let mut config = gan::Preset::EmojiStylegan2.config();
    config.data = gan_data::DataSource::Folder(gan_data::folder::FolderSource::new(data.to_path_buf(), 8));
    let training = Regularisation { pl_every: 3, r1_every: 2, ..Regularisation::default() };
    let net = Stylegan2Config { latent_dim: 8, w_dim: 8, channel_base: 32, channel_max: 8, training, ..Stylegan2Config::default() };
    config.model = ModelConfig { net: NetConfig::Stylegan2(net), ema: EmaConfig::new(50, Some(0.05)) };
    (config.batch_size, config.log_every, config.sample_every, config.checkpoint_every) = (4, 1, 100, 100);
    config.doctor.every = 0;
    config.set_length(gan::config::Length::Steps(10));
    config
}

#[test]
fn a_stylegan2_run_resumes_bit_for_bit_between_its_lazy_regularisers() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::write_gradient_pngs(&data, 12);
    let config = config(&data);
    let whole = tmp.path().join("whole");
    resumes_bit_for_bit(tmp.path(), config.clone());
    // Steps 0, 3, 6, 9 take the path length penalty, steps 0, 2, 4, ... R1.
    let (metrics, rows) = metrics(&whole);
    let has =
        |path: &str| -> Vec<u64> { rows.iter().filter(|r| r.pointer(path).is_some_and(|v| v.is_number())).map(|r| r["step"].as_u64().unwrap()).collect() };
    // The rows are numbered by steps done: step 0's row is 1.
    assert_eq!(has("/pl/penalty"), vec![1, 4, 7, 10], "{metrics}");
    assert_eq!(has("/pl/mean"), vec![1, 4, 7, 10], "{metrics}");
    assert_eq!(has("/penalty"), vec![1, 3, 5, 7, 9], "{metrics}");
    let w_avg = tch::Tensor::read_safetensors(whole.join("checkpoints/step-00000010/generator.safetensors")).unwrap();
    let w_avg = &w_avg.iter().find(|(n, _)| n == "mapping.w_avg").expect("w_avg is saved").1;
    assert!(w_avg.abs().sum(tch::Kind::Float).double_value(&[]) > 0.0, "w_avg moved");
}

/// Trains `config` whole in `dir/whole` and in three sittings in `dir/staged`; the last
/// checkpoints agree byte for byte.
fn resumes_bit_for_bit(dir: &std::path::Path, config: gan::config::TrainConfig) {
    let (whole, staged) = (dir.join("whole"), dir.join("staged"));
    gan::families::new_train_run(config.clone(), &whole, Device::Cpu).unwrap().run(&mut |_| {}).unwrap();
    gan::families::new_train_run(config, &staged, Device::Cpu).unwrap().run_until(4, &mut |_| {}).unwrap();
    for stop in [7, 10] {
        let mut t = gan::families::resume_train_run(&staged, None, &CheckpointChoice::Latest, Device::Cpu).unwrap();
        t.run_until(stop, &mut |_| {}).unwrap();
    }
    let names = ["generator.safetensors", "generator_ema.safetensors", "discriminator.safetensors", "optimizer.safetensors", "family.safetensors"];
    let files = |run: &std::path::Path| common::checkpoint_files(run, 10, &names);
    assert!(files(&whole) == files(&staged), "the resumed StyleGAN2 run differs from the uninterrupted one");
}

fn metrics(run: &std::path::Path) -> (String, Vec<serde_json::Value>) {
    let text = std::fs::read_to_string(run.join("metrics.jsonl")).unwrap();
    let rows = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    (text, rows)
}

/// The first step's penalty (R1 alone, or R1 + R2, under the relativistic loss).
fn first_penalty(dir: &std::path::Path, mut config: gan::config::TrainConfig, lipschitz: Lipschitz) -> f64 {
    config.loss = LossConfig { kind: LossKind::Relativistic, lipschitz, ..LossConfig::default() };
    config.set_length(gan::config::Length::Steps(1));
    let run = dir.join(config.loss.lipschitz.name());
    gan::families::new_train_run(config, &run, Device::Cpu).unwrap().run(&mut |_| {}).unwrap();
    let (text, rows) = metrics(&run);
    rows[0]["penalty"].as_f64().unwrap_or_else(|| panic!("no penalty at step 0: {text}"))
}

#[test]
fn the_relativistic_loss_with_r1_and_r2_trains_resumes_and_adds_r2() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    common::write_gradient_pngs(&data, 12);
    let mut config = config(&data);
    // Up to the regulariser both runs draw alike: R1 + R2 is R1 plus a positive R2.
    let r1 = first_penalty(tmp.path(), config.clone(), Lipschitz::R1 { weight: 1.0 });
    let both = first_penalty(tmp.path(), config.clone(), Lipschitz::R1R2 { weight: 1.0, weight_end: None, every: None });
    assert!(both > r1 * 1.01 && r1 > 0.0, "R1 {r1}, R1 + R2 {both}");
    config.loss =
        LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: 1.0, weight_end: None, every: None }, ..LossConfig::default() };
    assert_eq!(config.problems(), Vec::<String>::new());
    resumes_bit_for_bit(&tmp.path().join("relativistic"), config);
}
