//! The feature-space scores against NumPy/SciPy on fixed feature matrices.
//!
//! Reference values come from this script (NumPy 2, SciPy 1.16; the FID lines are
//! pytorch-fid's `calculate_frechet_distance`, the prdc lines Naeem et al.'s `compute_prdc`):
//!
//! ```python
//! import numpy as np, scipy.linalg
//! def feats(n, d, a, b, c):
//!     i = np.arange(n)[:, None].astype(np.float64); j = np.arange(d)[None, :].astype(np.float64)
//!     return np.sin(a * i + b * j + c) + 0.3 * np.cos(0.07 * i * (j + 1)) + 0.05 * j
//! real = feats(40, 6, 0.37, 1.3, 0.0)
//! fake = 1.2 * feats(35, 6, 0.41, 1.1, 0.5) + 0.1
//! mu1, s1 = real.mean(0), np.cov(real, rowvar=False)
//! mu2, s2 = fake.mean(0), np.cov(fake, rowvar=False)
//! covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
//! fid = ((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real)
//! print("fid", repr(fid))
//! r = scipy.linalg.sqrtm(s1)
//! print("sqrtm_s1_row0", [repr(v) for v in r.real[0]])
//! def mmd2(x, y):
//!     d = x.shape[1]; k = lambda a, b: (a @ b.T / d + 1) ** 3
//!     m, n = len(x), len(y); kxx, kyy, kxy = k(x, x), k(y, y), k(x, y)
//!     return (kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1)) - 2 * kxy.sum() / (m * n)
//! print("mmd2", repr(mmd2(real, fake)))
//! logits = fake[:, :4] * 2.0
//! p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
//! def score(part):
//!     py = part.mean(0, keepdims=True)
//!     return np.exp((part * (np.log(part) - np.log(py))).sum(1).mean())
//! s = [score(q) for q in [p[:17], p[17:]]]
//! print("cs", repr(np.mean(s)), repr(np.std(s)))
//! from scipy.spatial.distance import cdist
//! def radii(x, k):
//!     d = cdist(x, x); return np.partition(d, k, axis=-1)[:, k]
//! k = 3
//! rr, rf = radii(real, k), radii(fake, k)
//! d = cdist(real, fake)
//! precision = (d < rr[:, None]).any(axis=0).mean()
//! recall = (d < rf[None, :]).any(axis=1).mean()
//! density = (1.0 / k) * (d < rr[:, None]).sum(axis=0).mean()
//! coverage = (d.min(axis=1) < rr).mean()
//! print("prdc", repr(precision), repr(recall), repr(density), repr(coverage))
//! ```

use gan::eval::scores::{classifier_score, fid, gaussian, kid, mmd2_polynomial, prdc, sqrtm_psd};
use tch::{Kind, Tensor};

fn feats(n: i64, d: i64, a: f64, b: f64, c: f64) -> Tensor {
    let i = Tensor::arange(n, (Kind::Double, tch::Device::Cpu)).unsqueeze(1);
    let j = Tensor::arange(d, (Kind::Double, tch::Device::Cpu)).unsqueeze(0);
    (&i * a + &j * b + c).sin() + (&i * 0.07 * (&j + 1.0)).cos() * 0.3 + &j * 0.05
}

fn real() -> Tensor {
    feats(40, 6, 0.37, 1.3, 0.0)
}

fn fake() -> Tensor {
    feats(35, 6, 0.41, 1.1, 0.5) * 1.2 + 0.1
}

fn close(got: f64, want: f64, rel: f64) {
    assert!((got - want).abs() <= rel * want.abs().max(1e-12), "got {got}, want {want}");
}

#[test]
fn fid_and_matrix_square_root_match_scipy() {
    close(fid(&real(), &fake()), 0.6192512520572064, 1e-9);
    let root = sqrtm_psd(&gaussian(&real()).sigma);
    let want = [0.5242915047576338, 0.1336691828859508, -0.3271781708391977, -0.15456437571551437, 0.22419722065106615, 0.29838455127394453];
    for (j, w) in want.iter().enumerate() {
        close(root.double_value(&[0, j as i64]), *w, 1e-9);
    }
    // And it is a square root.
    let s = gaussian(&real()).sigma;
    assert!((root.matmul(&root) - &s).abs().max().double_value(&[]) < 1e-12);
    // FID of a set with itself is 0.
    assert!(fid(&real(), &real()).abs() < 1e-9);
}

#[test]
fn kid_mmd_matches_numpy() {
    close(mmd2_polynomial(&real(), &fake()), 0.09213839118822831, 1e-9);
    // Subsets as large as the sets: every subset is the whole set (in some order).
    let k = kid(&real(), &fake(), 3, 100, 7);
    close(k.mean, 0.09213839118822831, 1e-9);
    assert!(k.std < 1e-12);
}

#[test]
fn classifier_score_matches_numpy() {
    let p = (fake().narrow(1, 0, 4) * 2.0).softmax(1, Kind::Double);
    let s = classifier_score(&p, 2);
    close(s.mean, 1.831301962866856, 1e-9);
    close(s.std, 0.14855539674230167, 1e-8);
    // A confident, evenly spread classifier over 4 classes scores 4; one class scores 1.
    let eye = Tensor::eye(4, (Kind::Double, tch::Device::Cpu)).repeat([5, 1]);
    close(classifier_score(&eye, 1).mean, 4.0, 1e-12);
    close(classifier_score(&eye.narrow(1, 0, 1).ones_like(), 1).mean, 1.0, 1e-12);
}

#[test]
fn precision_recall_density_coverage_match_prdc() {
    let r = prdc(&real(), &fake(), 3);
    close(r.precision, 0.37142857142857144, 1e-12);
    close(r.recall, 0.75, 1e-12);
    close(r.density, 0.12380952380952381, 1e-12);
    close(r.coverage, 0.275, 1e-12);
    // A sample scored against itself is perfect on all four.
    let s = prdc(&real(), &real(), 3);
    assert_eq!((s.precision, s.recall, s.coverage), (1.0, 1.0, 1.0));
}

/// In the shipped classifier's feature space, two halves of real MNIST are close and real
/// digits against noise images are far apart.
#[test]
fn fid_separates_real_from_noise_in_the_classifier_space() {
    use gan::eval::images::FeatureNet;
    let net = FeatureNet::shipped(gan::eval::classifier::Shipped::Mnist, tch::Device::Cpu).unwrap();
    let ds = gan_data::builtin::Builtin::Mnist10k.load().unwrap();
    let x = Tensor::from_slice(&ds.pixels_pm1()).view([ds.len() as i64, 1, 28, 28]);
    let feats = |t: &Tensor| tch::no_grad(|| net.classifier.features(t));
    let (a, b) = (feats(&x.narrow(0, 0, 1000)), feats(&x.narrow(0, 1000, 1000)));
    tch::manual_seed(0);
    let noise = feats(&(Tensor::rand([1000, 1, 28, 28], (Kind::Float, tch::Device::Cpu)) * 2.0 - 1.0));
    let (same, apart) = (fid(&a, &b), fid(&a, &noise));
    assert!(same < 0.05 * apart, "real/real {same}, real/noise {apart}");
    let p = prdc(&a, &noise, 3);
    // Noise features fall inside some large real balls (precision is known to be fooled by
    // outliers), but they cover no real image and recall none.
    let q = prdc(&a, &b, 3);
    assert!(p.recall < 0.05 && p.coverage < 0.05 && q.recall > 0.5 && q.coverage > 0.5, "{p:?} {q:?}");
}
