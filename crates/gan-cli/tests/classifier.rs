//! `gan classifier train` on a tiny labelled set, its argument errors, and the shipped
//! classifiers' accuracy measured again on their held-out data.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use gan::eval::classifier::{self, Classifier};
use tch::Device;

#[test]
fn trains_and_writes_weights_with_a_card() {
    let t = tempfile::tempdir().unwrap();
    write_labelled_28(&t.path().join("d"), 90, false);
    let o = run(&["classifier", "train", "--data", "d", "--out", "c.safetensors", "--epochs", "3", "--batch-size", "16"], t.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let (c, card) = Classifier::load(&t.path().join("c.safetensors"), Device::Cpu).unwrap();
    assert_eq!((card.classes, card.held_out_images, card.epochs), (3, 9, 3));
    assert!(card.held_out.contains("10%") && card.command.starts_with("gan classifier train"), "{card:?}");
    assert!(card.accuracy > 0.9, "three brightness bands are easy: {card:?}");
    assert_eq!(c.classes, 3);
}

#[test]
fn bad_arguments_are_refused() {
    let t = tempfile::tempdir().unwrap();
    let (small, _) = tiny_setup(t.path());
    let cases: [(&[&str], &str); 4] = [
        (&["classifier", "train", "--data", "nope", "--out", "c.safetensors"], "nope"),
        (&["classifier", "train", "--data", small.to_str().unwrap(), "--out", "c.safetensors"], "28x28"),
        (&["classifier", "train", "--out", "c.pt"], "must end in .safetensors"),
        (&["classifier", "train", "--out", "c.safetensors", "--epochs", "0"], "at least 1"),
    ];
    for (args, needle) in cases {
        let o = run(args, t.path());
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(needle), "{args:?}: {}", stderr(&o));
    }
}

fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/classifiers").join(name)
}

/// The shipped MNIST classifier, on the seeded 10% of the built-in sample it never saw.
#[test]
fn shipped_mnist_classifier_scores_at_least_97_percent_held_out() {
    let (c, card) = Classifier::load(&shipped("mnist.safetensors"), Device::Cpu).unwrap();
    let ds = gan_data::builtin::Builtin::Mnist10k.load().unwrap();
    let (x, y) = classifier::tensors(&ds, Device::Cpu).unwrap();
    let (_, (xh, yh)) = classifier::hold_out(&x, &y, 0.1, card.seed);
    let acc = c.accuracy(&xh, &yh);
    assert!(acc >= 0.97, "{acc}");
    assert!((acc - card.accuracy).abs() < 1e-9, "the card says {}, measured {acc}", card.accuracy);
}

/// The shipped Fashion-MNIST classifier on the t10k split (when the data is on this
/// machine, at ../shared/data/fashion-mnist or $GAN_FASHION_MNIST).
#[test]
fn shipped_fashion_classifier_scores_at_least_90_percent_on_t10k() {
    let dir = std::env::var_os("GAN_FASHION_MNIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/fashion-mnist"));
    let (c, card) = Classifier::load(&shipped("fashion-mnist.safetensors"), Device::Cpu).unwrap();
    assert!(card.accuracy >= 0.90, "{card:?}");
    if !dir.is_dir() {
        eprintln!("skipped the re-measurement: no Fashion-MNIST at {}", dir.display());
        return;
    }
    let ds = gan_data::dataset::load_idx_dir(&dir, gan_data::Split::Test).unwrap();
    let (x, y) = classifier::tensors(&ds, Device::Cpu).unwrap();
    let acc = c.accuracy(&x, &y);
    assert!(acc >= 0.90, "{acc}");
    assert!((acc - card.accuracy).abs() < 1e-9, "the card says {}, measured {acc}", card.accuracy);
}
