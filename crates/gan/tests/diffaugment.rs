//! DiffAugment against its paper's code restated in PyTorch (`diffaugment_reference.py`):
//! from the same seed, each policy augments the same images to the same values (the draws
//! come from libtorch's generator in the reference's order and shapes) with the same input
//! gradients; and by hand, what each transform may and may not do.

use gan::models::diffaugment::{AugmentConfig, Transform};
use tch::{Device, Kind, Tensor};

fn policy(text: &str) -> AugmentConfig {
    toml::from_str(&format!("policy = \"{text}\"")).unwrap()
}

#[test]
fn a_policy_reads_as_text_or_a_list_and_writes_as_text() {
    let all = AugmentConfig { policy: vec![Transform::Color, Transform::Translation, Transform::Cutout], ada: None };
    assert_eq!(policy("color,translation,cutout"), all);
    assert_eq!(toml::from_str::<AugmentConfig>("policy = [\"color\", \"translation\", \"cutout\"]").unwrap(), all);
    assert_eq!(toml::to_string(&all).unwrap().trim(), "policy = \"color,translation,cutout\"");
    let e = toml::from_str::<AugmentConfig>("policy = \"color,flip\"").unwrap_err().to_string();
    assert!(e.contains("flip") && e.contains("cutout"), "{e}");
    assert!(policy("color,color").problems()[0].contains("twice"));
}

#[test]
fn every_policy_matches_the_reference_on_the_same_draws() {
    let dir = tempfile::tempdir().unwrap();
    tch::manual_seed(1);
    let x = Tensor::rand([5, 3, 12, 12], (Kind::Double, Device::Cpu)) * 2.0 - 1.0;
    let w = Tensor::randn([5, 3, 12, 12], (Kind::Double, Device::Cpu));
    let input = dir.path().join("in.safetensors");
    Tensor::write_safetensors(&[("x", &x), ("w", &w)], &input).unwrap();
    let output = dir.path().join("out.safetensors");
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diffaugment_reference.py");
    let o = std::process::Command::new(&python).arg(&script).arg(&input).arg(&output).arg("7").output().expect("run python");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let want: std::collections::HashMap<String, Tensor> = Tensor::read_safetensors(&output).unwrap().into_iter().collect();
    tch::manual_seed(7);
    for name in ["color", "translation", "cutout", "color,translation,cutout"] {
        let xs = x.detach().set_requires_grad(true);
        let y = policy(name).apply(&xs);
        let grad = Tensor::run_backward(&[(&y * &w).sum(Kind::Double)], &[&xs], false, false).remove(0);
        for (what, got) in [("y", &y), ("grad", &grad)] {
            let diff = (got - &want[&format!("{name}.{what}")]).abs().max().double_value(&[]);
            assert!(diff < 1e-12, "{name} {what}: max difference {diff}");
        }
    }
}

/// By hand: a translation moves content by whole pixels and fills with zeros (every output
/// value is an input value or 0); a cutout zeroes at most a square of half the side (16 of 64
/// pixels, fewer where it crosses the border); colour keeps the image's shape.
#[test]
fn translation_and_cutout_only_move_or_zero_pixels() {
    tch::manual_seed(3);
    let x = Tensor::arange(2 * 8 * 8, (Kind::Float, Device::Cpu)).view([2, 1, 8, 8]) + 1.0;
    let t = AugmentConfig { policy: vec![Transform::Translation], ada: None }.apply(&x);
    let values: std::collections::HashSet<i64> = Vec::<f32>::try_from(x.view([-1])).unwrap().into_iter().map(|v| v as i64).collect();
    for v in Vec::<f32>::try_from(t.view([-1])).unwrap() {
        assert!(v == 0.0 || values.contains(&(v as i64)), "{v}");
    }
    let c = AugmentConfig { policy: vec![Transform::Cutout], ada: None }.apply(&x);
    for i in 0..2 {
        let zeros = c.get(i).eq(0.0).sum(Kind::Int64).int64_value(&[]);
        assert!((1..=16).contains(&zeros), "image {i}: {zeros} zeros");
    }
    assert_eq!(AugmentConfig { policy: vec![Transform::Color], ada: None }.apply(&x).size(), x.size());
    assert!(AugmentConfig::default().apply(&x).equal(&x));
}
