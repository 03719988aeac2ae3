//! The doctor's sample checks on images whose answer is known: real MNIST digits of the
//! class asked for (or of the wrong one), real digits of only two classes, Stacked MNIST
//! images of a few digit triples, and for data without a classifier constant images against
//! noise. Each check reads tensors exactly as it reads a generator's samples.

use gan::config::TrainConfig;
use gan::doctor::probe::Probe;
use gan::doctor::DiagnosisKind;
use gan::models::ImageShape;
use tch::{Device, Kind, Tensor};

const GREY28: ImageShape = ImageShape { channels: 1, height: 28, width: 28 };

/// The 10,000 built-in MNIST digits in [-1, 1], and their labels.
fn mnist() -> (Tensor, Vec<i64>) {
    let ds = gan_data::builtin::Builtin::Mnist10k.load().unwrap();
    let images = Tensor::from_slice(&ds.pixels_pm1()).view([-1, 1, 28, 28]);
    (images, ds.labels.unwrap().iter().map(|&l| l as i64).collect())
}

/// Digits whose classes are `classes[i]`, a different real digit for each sample.
fn digits_of(images: &Tensor, labels: &[i64], classes: &[i64]) -> Tensor {
    let mut next = [0usize; 10];
    let idx: Vec<i64> = classes
        .iter()
        .map(|&c| {
            let i = labels.iter().enumerate().filter(|(_, &l)| l == c).nth(next[c as usize]).unwrap().0;
            next[c as usize] += 1;
            i as i64
        })
        .collect();
    images.index_select(0, &Tensor::from_slice(&idx))
}

fn preset(name: &str) -> TrainConfig {
    match name.parse::<gan::presets::Named>().unwrap().config() {
        gan::presets::PresetConfig::Train(c) => *c,
        gan::presets::PresetConfig::Translate(_) => panic!("{name} is an image-to-image preset"),
    }
}

fn kinds(r: &gan::doctor::probe::Reading) -> Vec<DiagnosisKind> {
    r.findings.iter().map(|f| f.kind).collect()
}

#[test]
fn a_conditional_run_is_judged_by_whether_the_requested_class_comes_out() {
    let (images, labels) = mnist();
    let config = preset("mnist-cgan");
    let probe = Probe::for_run(&config, GREY28, 10, Device::Cpu).unwrap();
    let requested = |y: Option<&Tensor>| Vec::<i64>::try_from(y.unwrap().argmax(1, false)).unwrap();
    let right = probe.read(&config.doctor, |_, y| digits_of(&images, &labels, &requested(y)), None);
    assert!(right.findings.is_empty(), "{:?}", right.findings);
    assert!(right.quality.unwrap().share > 0.9);
    let shifted = |y: Option<&Tensor>| requested(y).iter().map(|c| (c + 1) % 10).collect::<Vec<_>>();
    let wrong = probe.read(&config.doctor, |_, y| digits_of(&images, &labels, &shifted(y)), None);
    assert_eq!(kinds(&wrong), [DiagnosisKind::IgnoresLabels]);
    assert!(wrong.findings[0].evidence.contains("samples come out as the class asked for (chance: 10%"), "{}", wrong.findings[0].evidence);
}

#[test]
fn an_unconditional_run_drawing_two_classes_has_collapsed() {
    let (images, labels) = mnist();
    let config = preset("mnist-mlp");
    let probe = Probe::for_run(&config, GREY28, 0, Device::Cpu).unwrap();
    let n = config.doctor.samples;
    let two: Vec<i64> = (0..n).map(|i| if i % 2 == 0 { 3 } else { 7 }).collect();
    let r = probe.read(&config.doctor, |_, _| digits_of(&images, &labels, &two), None);
    assert_eq!(kinds(&r), [DiagnosisKind::ModeCollapse]);
    assert!(r.findings[0].evidence.starts_with("2 of 10 classes among 500 samples"), "{}", r.findings[0].evidence);
    let all: Vec<i64> = (0..n as i64).map(|i| i % 10).collect();
    assert!(probe.read(&config.doctor, |_, _| digits_of(&images, &labels, &all), None).findings.is_empty());
}

#[test]
fn stacked_mnist_is_judged_by_its_digit_triples() {
    let (images, labels) = mnist();
    let config = preset("stacked-dcgan");
    let probe = Probe::for_run(&config, ImageShape { channels: 3, height: 28, width: 28 }, 0, Device::Cpu).unwrap();
    let n = config.doctor.samples as i64;
    // Channel c of sample i shows digit (i * 7^c) mod 10 ... over few triples, or over many.
    let stack = |triple: &dyn Fn(i64) -> [i64; 3]| {
        let channels: Vec<Tensor> = (0..3).map(|c| digits_of(&images, &labels, &(0..n).map(|i| triple(i)[c]).collect::<Vec<_>>())).collect();
        Tensor::cat(&channels, 1)
    };
    let few = probe.read(&config.doctor, |_, _| stack(&|i| [i % 2, 5, i % 3]), None);
    assert_eq!(kinds(&few), [DiagnosisKind::ModeCollapse]);
    assert!(few.findings[0].evidence.contains("distinct modes among 500 samples"), "{}", few.findings[0].evidence);
    let many = probe.read(&config.doctor, |_, _| stack(&|i| [(i * 7) % 10, (i * 3 / 10) % 10, (i / 50) % 10]), None);
    assert!(many.findings.is_empty(), "{:?}", many.findings);
}

#[test]
fn images_without_a_classifier_are_judged_by_their_spread_against_real_images() {
    let config = preset("faces128-wgan-gp");
    let shape = ImageShape { channels: 3, height: 128, width: 128 };
    let probe = Probe::for_run(&config, shape, 0, Device::Cpu).unwrap();
    assert!(probe.needs_real());
    tch::manual_seed(1);
    let noise = |n: i64| Tensor::rand([n, 3, 128, 128], (Kind::Float, Device::Cpu)) * 2.0 - 1.0;
    let real = noise(64);
    let n = config.doctor.samples as i64;
    assert!(probe.read(&config.doctor, |_, _| noise(n), Some(&real)).findings.is_empty());
    let same = probe.read(&config.doctor, |_, _| noise(1).repeat([n, 1, 1, 1]), Some(&real));
    assert_eq!(kinds(&same), [DiagnosisKind::ModeCollapse]);
    assert!(
        same.findings[0].evidence.contains("is 0% of the real images' (pixels pooled to at most 32x32), 100% of 500 samples near-duplicates"),
        "{}",
        same.findings[0].evidence
    );
    // Without a real batch the check cannot judge.
    assert!(probe.read(&config.doctor, |_, _| noise(1).repeat([n, 1, 1, 1]), None).findings.is_empty());
}
