//! The WGAN-GP critic loss, the BCE loss with R1 and the relativistic loss with R1 + R2
//! (R3GAN), and their parameter gradients (which differentiate through an input gradient),
//! checked three ways: hand-worked linear critics, central finite differences in f64 (also
//! for class-conditional critics), and PyTorch autograd on identical weights and inputs.

use std::collections::HashMap;
use std::path::Path;

use gan::families::gan::step::{discriminator_terms, DiscriminatorInput};
use gan::losses::penalty::{gradient_penalty, interpolate, interpolation_weights, Lipschitz};
use gan::losses::{GeneratorLoss, LossConfig, LossKind};
use gan::models::condition::one_hot;
use gan::models::{DcganConfig, ImageShape, MlpConfig, ModelConfig, Nets, Norm};
use tch::{Device, Kind, Tensor};

const LAMBDA: f64 = 10.0;

fn wgan_gp() -> LossConfig {
    LossConfig::wasserstein(Lipschitz::GradientPenalty { weight: LAMBDA })
}

/// Mescheder et al.'s gamma.
const GAMMA: f64 = 3.0;

fn bce_r1() -> LossConfig {
    LossConfig { lipschitz: Lipschitz::R1 { weight: GAMMA }, ..LossConfig::bce(GeneratorLoss::NonSaturating, 1.0) }
}

/// R3GAN's objective: the relativistic pairing loss with R1 + R2 at gamma.
fn rp_r1_r2() -> LossConfig {
    LossConfig { kind: LossKind::Relativistic, lipschitz: Lipschitz::R1R2 { weight: GAMMA, weight_end: None, every: None }, ..LossConfig::default() }
}

fn mlp_case() -> (ModelConfig, ImageShape) {
    let m = ModelConfig::from(MlpConfig {
        latent_dim: 3,
        g_hidden: vec![4],
        d_hidden: vec![6, 5],
        d_dropout: 0.0,
        leaky_slope: 0.2,
        g_leaky_slope: None,
        g_output: Default::default(),
    });
    (m, ImageShape { channels: 1, height: 4, width: 4 })
}

/// A 16x16x2 critic with InstanceNorm on every strided conv (the seed's critic, smaller).
fn conv_case() -> (ModelConfig, ImageShape) {
    let m = ModelConfig::from(DcganConfig {
        latent_dim: 3,
        g_base: 2,
        d_base: 3,
        d_norm: Norm::Instance,
        d_norm_first: true,
        leaky_slope: 0.2,
        ..DcganConfig::default()
    });
    (m, ImageShape { channels: 2, height: 16, width: 16 })
}

fn build(model: &ModelConfig, image: ImageShape, classes: i64, kind: Kind, seed: i64) -> Nets {
    tch::manual_seed(seed);
    let mut nets = model.build(image, classes, 1, Device::Cpu);
    nets.d_vs.set_kind(kind);
    nets
}

/// Trainable critic parameters, sorted by name.
fn params(nets: &Nets) -> Vec<(String, Tensor)> {
    let mut v: Vec<(String, Tensor)> = nets.d_vs.variables().into_iter().filter(|(_, t)| t.requires_grad()).collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

struct Inputs {
    real: Tensor,
    fake: Tensor,
    eps: Tensor,
    /// One-hot classes for a conditional critic.
    y: Option<Tensor>,
}

fn inputs(image: ImageShape, n: i64, classes: i64, kind: Kind) -> Inputs {
    let shape = [n, image.channels, image.height, image.width];
    let real = Tensor::rand(shape, (kind, Device::Cpu)) * 2.0 - 1.0;
    let fake = Tensor::rand(shape, (kind, Device::Cpu)) * 2.0 - 1.0;
    let eps = interpolation_weights(&real);
    let y = (classes > 0).then(|| one_hot(&Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(classes), classes).to_kind(kind));
    Inputs { real, fake, eps, y }
}

fn critic_loss(nets: &Nets, loss: &LossConfig, x: &Inputs) -> Tensor {
    discriminator_terms(nets.discriminator().unwrap(), loss, DiscriminatorInput { real: &x.real, fake: &x.fake, y: x.y.as_ref(), eps: Some(&x.eps) }).loss
}

#[test]
fn eps_is_drawn_once_per_sample() {
    let real = Tensor::zeros([5, 3, 8, 8], (Kind::Float, Device::Cpu));
    let eps = interpolation_weights(&real);
    assert_eq!(eps.size(), vec![5, 1, 1, 1]);
    let e: Vec<f32> = Vec::try_from(eps.view([-1])).unwrap();
    assert!(e.iter().all(|&v| (0.0..1.0).contains(&v)) && e.windows(2).any(|w| w[0] != w[1]), "{e:?}");
}

/// `C(x) = w.x + b` on 2x2 images with w = (0.3, -0.4, 1.2, 0), its weight, and 3 samples.
fn linear_critic() -> (Nets, Tensor, Inputs) {
    let model = ModelConfig::from(MlpConfig {
        latent_dim: 2,
        g_hidden: vec![],
        d_hidden: vec![],
        d_dropout: 0.0,
        leaky_slope: 0.2,
        g_leaky_slope: None,
        g_output: Default::default(),
    });
    let image = ImageShape { channels: 1, height: 2, width: 2 };
    let nets = build(&model, image, 0, Kind::Double, 0);
    let (_, w) = params(&nets).into_iter().find(|(n, _)| n.ends_with("weight")).unwrap();
    tch::no_grad(|| w.shallow_clone().copy_(&Tensor::from_slice(&[0.3f64, -0.4, 1.2, 0.0]).view([1, 4])));
    let x = inputs(image, 3, 0, Kind::Double);
    (nets, w, x)
}

/// `C(x) = w.x + b` has input gradient `w` for every sample, so the penalty is
/// `(||w|| - 1)^2` with the norm over all pixels: w = (0.3, -0.4, 1.2, 0) gives ||w|| = 1.3 and
/// a penalty of 0.09 (a per-pixel norm would give mean((|w_i| - 1)^2) = 0.4725). Its
/// gradient with respect to w is 2 (||w|| - 1) w / ||w||.
#[test]
fn linear_critic_by_hand() {
    let (nets, w, x) = linear_critic();
    let x_hat = interpolate(&x.real, &x.fake, &x.eps);
    let p = gradient_penalty(&nets.discriminator().unwrap().forward_t(&x_hat, None, true), &x_hat);
    assert!((p.double_value(&[]) - 0.09).abs() < 1e-12, "{}", p.double_value(&[]));
    let g = Tensor::run_backward(&[&p], &[&w], false, false).remove(0);
    let want = [0.3, -0.4, 1.2, 0.0].map(|wi| 2.0 * 0.3 * wi / 1.3);
    let got: Vec<f64> = Vec::try_from(g.view([-1])).unwrap();
    for (a, b) in got.iter().zip(want) {
        assert!((a - b).abs() < 1e-12, "{got:?} vs {want:?}");
    }
}

/// R1 on the same linear critic: every real sample's input gradient is `w`, so the penalty
/// is `||w||^2 = 0.09 + 0.16 + 1.44 = 1.69` (the fakes play no part) and its gradient with
/// respect to `w` is `2 w`; the loss adds `gamma / 2` times it to the BCE terms.
#[test]
fn linear_discriminator_r1_by_hand() {
    let (nets, w, x) = linear_critic();
    let terms = discriminator_terms(nets.discriminator().unwrap(), &bce_r1(), DiscriminatorInput { real: &x.real, fake: &x.fake, y: None, eps: None });
    let p = terms.penalty.unwrap();
    assert!((p.double_value(&[]) - 1.69).abs() < 1e-12, "{}", p.double_value(&[]));
    let bce = gan::losses::discriminator_loss(&bce_r1(), &terms.real_out, &terms.fake_out);
    assert!((terms.loss.double_value(&[]) - bce.double_value(&[]) - GAMMA / 2.0 * 1.69).abs() < 1e-12);
    let g = Tensor::run_backward(&[&p], &[&w], false, false).remove(0);
    let got: Vec<f64> = Vec::try_from(g.view([-1])).unwrap();
    for (a, b) in got.iter().zip([0.6, -0.8, 2.4, 0.0]) {
        assert!((a - b).abs() < 1e-12, "{got:?}");
    }
}

/// R1 + R2 on the linear critic: every input gradient is `w`, so R1 = R2 = ||w||^2 = 1.69,
/// the penalty is their sum 3.38 (gradient 4 w), and the relativistic loss is
/// `mean softplus(-w.(x_i - x~_i))` over the pairs (the bias cancels), in f64 here.
#[test]
fn linear_critic_r1_r2_by_hand() {
    let (nets, w, x) = linear_critic();
    let terms = discriminator_terms(nets.discriminator().unwrap(), &rp_r1_r2(), DiscriminatorInput { real: &x.real, fake: &x.fake, y: None, eps: None });
    let p = terms.penalty.unwrap();
    assert!((p.double_value(&[]) - 3.38).abs() < 1e-12, "{}", p.double_value(&[]));
    let wv = [0.3, -0.4, 1.2, 0.0];
    let rows = |t: &Tensor| -> Vec<Vec<f64>> { (0..3).map(|i| Vec::try_from(t.get(i).view([-1])).unwrap()).collect() };
    let (real, fake) = (rows(&x.real), rows(&x.fake));
    let adversarial: f64 = real
        .iter()
        .zip(&fake)
        .map(|(r, f)| {
            let gap: f64 = (0..4).map(|j| wv[j] * (r[j] - f[j])).sum();
            (1.0 + (-gap).exp()).ln()
        })
        .sum::<f64>()
        / 3.0;
    let want = adversarial + GAMMA / 2.0 * 3.38;
    assert!((terms.loss.double_value(&[]) - want).abs() < 1e-12, "{} vs {want}", terms.loss.double_value(&[]));
    let g = Tensor::run_backward(&[&p], &[&w], false, false).remove(0);
    let got: Vec<f64> = Vec::try_from(g.view([-1])).unwrap();
    for (a, b) in got.iter().zip(wv.map(|v| 4.0 * v)) {
        assert!((a - b).abs() < 1e-12, "{got:?}");
    }
}

/// A cosine gamma: at the start `weight`, half way the mean of both ends, then `weight_end`.
#[test]
fn scheduled_gamma_follows_the_cosine() {
    let l = LossConfig { lipschitz: Lipschitz::R1R2 { weight: 0.05, weight_end: Some(0.005), every: None }, ..rp_r1_r2() };
    let at = |s| l.at(s, 100).lipschitz.penalty_weight().unwrap();
    assert_eq!(at(0), 0.05);
    assert!((at(50) - 0.0275).abs() < 1e-15);
    assert!((at(100) - 0.005).abs() < 1e-15);
}

/// Lazy R1 + R2 (StyleGAN2): taken on updates 0, 4, 8, ... at 4 times the weight, absent
/// from the others.
#[test]
fn lazy_penalty_is_taken_every_k_updates_at_k_times_the_weight() {
    let lazy = Lipschitz::R1R2 { weight: 0.1, weight_end: None, every: Some(4) };
    for u in [0, 4, 8, 400] {
        assert_eq!(lazy.for_d_update(u), Lipschitz::R1R2 { weight: 0.4, weight_end: None, every: None }, "update {u}");
    }
    for u in [1, 2, 3, 5, 401] {
        assert_eq!(lazy.for_d_update(u), Lipschitz::None, "update {u}");
    }
    let eager = Lipschitz::R1R2 { weight: 0.1, weight_end: None, every: None };
    assert_eq!(eager.for_d_update(3), eager);
    let bad = Lipschitz::R1R2 { weight: 0.1, weight_end: Some(-1.0), every: Some(0) };
    let p = bad.problems().join(" ");
    assert!(p.contains("weight_end must be a positive") && p.contains("every must be at least 1"), "{p}");
}

/// Central differences in f64 against autograd for (a sample of) every critic parameter
/// (of a critic conditioned on `classes` classes when > 0).
fn finite_differences(model: ModelConfig, image: ImageShape, classes: i64, loss_cfg: &LossConfig) {
    let nets = build(&model, image, classes, Kind::Double, 1);
    tch::manual_seed(2);
    let x = inputs(image, 4, classes, Kind::Double);
    let ps = params(&nets);
    let loss = critic_loss(&nets, loss_cfg, &x);
    let tensors: Vec<&Tensor> = ps.iter().map(|(_, t)| t).collect();
    let grads = Tensor::run_backward(&[&loss], &tensors, false, false);
    let h = 1e-6;
    let mut checked = 0;
    for ((name, p), g) in ps.iter().zip(&grads) {
        let n = p.numel() as i64;
        let flat = p.view([-1]);
        // Up to 12 entries per tensor, spread over it.
        for k in (0..n).step_by((n as usize / 12).max(1)) {
            let orig = flat.double_value(&[k]);
            let at = |v: f64| {
                tch::no_grad(|| {
                    let _ = flat.get(k).fill_(v);
                });
                critic_loss(&nets, loss_cfg, &x).double_value(&[])
            };
            let fd = (at(orig + h) - at(orig - h)) / (2.0 * h);
            at(orig);
            let an = g.reshape([-1]).double_value(&[k]);
            assert!((fd - an).abs() <= 1e-6 * an.abs().max(1.0), "{name}[{k}]: finite difference {fd} vs autograd {an}");
            checked += 1;
        }
    }
    assert!(checked > 30, "{checked}");
}

#[test]
fn finite_differences_mlp_critic() {
    let (m, i) = mlp_case();
    finite_differences(m, i, 0, &wgan_gp());
}

#[test]
fn finite_differences_conv_critic_with_instance_norm() {
    let (m, i) = conv_case();
    finite_differences(m, i, 0, &wgan_gp());
}

/// Conditional critics: the class enters as a vector (MLP) or as maps (conv); the penalty
/// differentiates with respect to the image only.
#[test]
fn finite_differences_conditional_critics() {
    let (m, i) = mlp_case();
    finite_differences(m, i, 3, &wgan_gp());
    let (m, i) = conv_case();
    finite_differences(m, i, 3, &wgan_gp());
}

/// Writes weights, inputs, the loss and its gradients (f32, as in training) for
/// `penalty_check.py`, which recomputes them with PyTorch.
fn pytorch_case(name: &str, model: ModelConfig, image: ImageShape, loss_cfg: &LossConfig, dir: &Path) {
    let nets = build(&model, image, 0, Kind::Float, 3);
    tch::manual_seed(4);
    let x = inputs(image, 5, 0, Kind::Float);
    let ps = params(&nets);
    let loss = critic_loss(&nets, loss_cfg, &x);
    let tensors: Vec<&Tensor> = ps.iter().map(|(_, t)| t).collect();
    let grads = Tensor::run_backward(&[&loss], &tensors, false, false);
    let mut out: HashMap<String, Tensor> = HashMap::new();
    for ((n, p), g) in ps.iter().zip(grads) {
        out.insert(format!("param.{n}"), p.detach().contiguous());
        out.insert(format!("grad.{n}"), g.contiguous());
    }
    for (n, t) in [("real", &x.real), ("fake", &x.fake), ("eps", &x.eps)] {
        out.insert(n.into(), t.shallow_clone());
    }
    out.insert("loss".into(), loss.detach().view([1]));
    let path = dir.join(format!("{name}.safetensors"));
    let named: Vec<(&str, &Tensor)> = out.iter().map(|(k, v)| (k.as_str(), v)).collect();
    Tensor::write_safetensors(&named, &path).unwrap();
    let python = std::env::var("GAN_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/penalty_check.py");
    let (penalty, weight) = match loss_cfg.lipschitz {
        Lipschitz::GradientPenalty { weight } => ("gradient-penalty", weight),
        Lipschitz::R1 { weight } => ("r1", weight),
        Lipschitz::R1R2 { weight, .. } => ("r1-r2", weight),
        ref other => panic!("no PyTorch reference for {other:?}"),
    };
    let spec = serde_json::json!({"model": model, "image": image, "penalty": penalty, "weight": weight}).to_string();
    let o = std::process::Command::new(&python).arg(&script).arg(&path).arg(&spec).output().expect("run python");
    let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    eprintln!("{name}:\n{text}");
    assert!(o.status.success(), "{name}: PyTorch disagrees:\n{text}");
    assert!(text.contains("max relative error"), "{text}");
}

#[test]
fn matches_pytorch_autograd_mlp_critic() {
    let d = tempfile::tempdir().unwrap();
    let (m, i) = mlp_case();
    pytorch_case("mlp", m, i, &wgan_gp(), d.path());
}

#[test]
fn matches_pytorch_autograd_conv_critic_with_instance_norm() {
    let d = tempfile::tempdir().unwrap();
    let (m, i) = conv_case();
    pytorch_case("conv", m, i, &wgan_gp(), d.path());
}

#[test]
fn r1_finite_differences_mlp_and_conv() {
    let (m, i) = mlp_case();
    finite_differences(m, i, 0, &bce_r1());
    let (m, i) = conv_case();
    finite_differences(m, i, 0, &bce_r1());
}

#[test]
fn r1_matches_pytorch_autograd() {
    let d = tempfile::tempdir().unwrap();
    let (m, i) = mlp_case();
    pytorch_case("mlp-r1", m, i, &bce_r1(), d.path());
    let (m, i) = conv_case();
    pytorch_case("conv-r1", m, i, &bce_r1(), d.path());
}

#[test]
fn r1_r2_relativistic_finite_differences_mlp_and_conv() {
    let (m, i) = mlp_case();
    finite_differences(m, i, 0, &rp_r1_r2());
    let (m, i) = conv_case();
    finite_differences(m, i, 0, &rp_r1_r2());
    let (m, i) = conv_case();
    finite_differences(m, i, 3, &rp_r1_r2());
}

#[test]
fn r1_r2_relativistic_matches_pytorch_autograd() {
    let d = tempfile::tempdir().unwrap();
    let (m, i) = mlp_case();
    pytorch_case("mlp-r1-r2", m, i, &rp_r1_r2(), d.path());
    let (m, i) = conv_case();
    pytorch_case("conv-r1-r2", m, i, &rp_r1_r2(), d.path());
}
