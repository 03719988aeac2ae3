//! Scores between a real and a generated sample in a feature space, all computed in f64:
//!
//! - **FID**, Heusel et al., "GANs Trained by a Two Time-Scale Update Rule Converge to a Local
//!   Nash Equilibrium" (NeurIPS 2017): `|mu_r - mu_g|^2 + Tr(S_r + S_g - 2 (S_r S_g)^(1/2))`
//!   with covariances normalised by `n - 1` (as `numpy.cov`). The trace of the square root is
//!   taken as `sum sqrt(eig(S_r^(1/2) S_g S_r^(1/2)))`, a symmetric positive semi-definite
//!   matrix with the same eigenvalues as `S_r S_g`, so no complex parts arise.
//! - **KID**, Binkowski et al., "Demystifying MMD GANs" (ICLR 2018): the unbiased MMD^2 with
//!   the kernel `k(a, b) = (a.b / d + 1)^3`, averaged over random subsets.
//! - **Classifier score**, the Inception Score of Salimans et al. (NeurIPS 2016) with the
//!   toolkit's classifier: `exp(E_x KL(p(y|x) || p(y)))`, mean and std over splits.
//! - **Precision / recall**, Kynkaanniemi et al., "Improved Precision and Recall Metric for
//!   Assessing Generative Models" (NeurIPS 2019), and **density / coverage**, Naeem et al.,
//!   "Reliable Fidelity and Diversity Metrics for Generative Models" (ICML 2020): k-nearest-
//!   neighbour balls (`k = 3`, the point itself excluded), membership by strict `<` as in
//!   the authors' `prdc` package.

use gan_data::rng::permutation;
use serde::{Deserialize, Serialize};
use tch::{Kind, Tensor};

/// Rows of a distance matrix computed at once.
const CHUNK: i64 = 1024;

/// Mean and covariance of a feature matrix.
pub struct Gaussian {
    pub mu: Tensor,
    pub sigma: Tensor,
}

/// `features`: `[n, d]`; the covariance is normalised by `n - 1`.
pub fn gaussian(features: &Tensor) -> Gaussian {
    let x = features.to_kind(Kind::Double);
    let n = x.size()[0];
    let mu = x.mean_dim(0, false, Kind::Double);
    let c = &x - &mu;
    let sigma = c.tr().matmul(&c) / (n - 1) as f64;
    Gaussian { mu, sigma }
}

/// The square root of a symmetric positive semi-definite matrix (negative eigenvalues from
/// rounding are clamped to 0).
pub fn sqrtm_psd(a: &Tensor) -> Tensor {
    let (vals, vecs) = eigh_sym(a);
    (&vecs * vals.clamp_min(0.0).sqrt().unsqueeze(0)).matmul(&vecs.tr())
}

/// Eigenvalues and eigenvectors of a matrix that is symmetric up to rounding (symmetrised
/// first), in f64.
fn eigh_sym(a: &Tensor) -> (Tensor, Tensor) {
    let a = a.to_kind(Kind::Double);
    ((&a + a.tr()) / 2.0).linalg_eigh("L")
}

/// Fréchet distance between two Gaussians.
pub fn frechet_distance(a: &Gaussian, b: &Gaussian) -> f64 {
    let diff = (&a.mu - &b.mu).square().sum(Kind::Double).double_value(&[]);
    let root = sqrtm_psd(&a.sigma);
    let m = root.matmul(&b.sigma).matmul(&root);
    let (vals, _) = eigh_sym(&m);
    let tr_cross = vals.clamp_min(0.0).sqrt().sum(Kind::Double).double_value(&[]);
    let tr = |s: &Tensor| s.trace().double_value(&[]);
    diff + tr(&a.sigma) + tr(&b.sigma) - 2.0 * tr_cross
}

/// FID between two feature matrices.
pub fn fid(real: &Tensor, fake: &Tensor) -> f64 {
    frechet_distance(&gaussian(real), &gaussian(fake))
}

/// Unbiased MMD^2 with the cubic polynomial kernel.
pub fn mmd2_polynomial(x: &Tensor, y: &Tensor) -> f64 {
    let (x, y) = (x.to_kind(Kind::Double), y.to_kind(Kind::Double));
    let d = x.size()[1] as f64;
    let k = |a: &Tensor, b: &Tensor| (a.matmul(&b.tr()) / d + 1.0).pow_tensor_scalar(3);
    let (m, n) = (x.size()[0] as f64, y.size()[0] as f64);
    let (kxx, kyy, kxy) = (k(&x, &x), k(&y, &y), k(&x, &y));
    let off = |t: &Tensor| t.sum(Kind::Double).double_value(&[]) - t.trace().double_value(&[]);
    off(&kxx) / (m * (m - 1.0)) + off(&kyy) / (n * (n - 1.0)) - 2.0 * kxy.sum(Kind::Double).double_value(&[]) / (m * n)
}

/// A mean and a standard deviation (population, as NumPy's default).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanStd {
    pub mean: f64,
    pub std: f64,
}

impl MeanStd {
    pub fn of(values: &[f64]) -> Self {
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        Self { mean, std }
    }
}

/// KID: the MMD^2 of `subsets` random subsets of `subset_size` rows of each matrix (the
/// whole matrix when it is smaller), drawn without replacement from `seed`.
pub fn kid(real: &Tensor, fake: &Tensor, subsets: usize, subset_size: usize, seed: u64) -> MeanStd {
    let pick = |x: &Tensor, s: u64| {
        let n = x.size()[0] as usize;
        let take = subset_size.min(n);
        let idx: Vec<i64> = permutation(n, s).into_iter().take(take).map(i64::from).collect();
        x.index_select(0, &Tensor::from_slice(&idx).to_device(x.device()))
    };
    let values: Vec<f64> =
        (0..subsets as u64).map(|i| mmd2_polynomial(&pick(real, gan_data::rng::mix(&[seed, i, 0])), &pick(fake, gan_data::rng::mix(&[seed, i, 1])))).collect();
    MeanStd::of(&values)
}

/// The classifier score of class probabilities `[n, classes]` over `splits` consecutive
/// splits (the last takes the remainder; never more splits than samples).
pub fn classifier_score(probs: &Tensor, splits: usize) -> MeanStd {
    let p = probs.to_kind(Kind::Double);
    let n = p.size()[0];
    let splits = splits.clamp(1, n.max(1) as usize);
    let per = n / splits as i64;
    let values: Vec<f64> = (0..splits as i64)
        .map(|s| {
            let len = if s + 1 == splits as i64 { n - s * per } else { per };
            let part = p.narrow(0, s * per, len);
            let marginal = part.mean_dim(0, true, Kind::Double);
            // 0 log 0 = 0: xlogy.
            let kl = part.xlogy(&part) - part.xlogy(&marginal.expand_as(&part));
            kl.sum_dim_intlist(1, false, Kind::Double).mean(Kind::Double).exp().double_value(&[])
        })
        .collect();
    MeanStd::of(&values)
}

/// Precision, recall, density and coverage.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Prdc {
    pub k: usize,
    pub precision: f64,
    pub recall: f64,
    pub density: f64,
    pub coverage: f64,
}

/// Distance of every row of `x` to its `k`-th nearest other row.
fn knn_radii(x: &Tensor, k: usize) -> Tensor {
    let n = x.size()[0];
    let parts: Vec<Tensor> = (0..n)
        .step_by(CHUNK as usize)
        .map(|s| {
            let d = Tensor::cdist(&x.narrow(0, s, CHUNK.min(n - s)), x, 2.0, None);
            // Index 0 of the sorted row is the point itself (distance 0).
            d.topk(k as i64 + 1, 1, false, true).0.select(1, k as i64)
        })
        .collect();
    Tensor::cat(&parts, 0)
}

/// Computes the four scores with `k`-NN balls.
pub fn prdc(real: &Tensor, fake: &Tensor, k: usize) -> Prdc {
    let (real, fake) = (real.to_kind(Kind::Double), fake.to_kind(Kind::Double));
    let (r_real, r_fake) = (knn_radii(&real, k), knn_radii(&fake, k));
    let (n, m) = (real.size()[0], fake.size()[0]);
    // Per fake: inside any real ball, and how many; per real: inside any fake ball, and
    // whether its own ball holds a fake.
    let mut fake_in = Tensor::zeros([m], (Kind::Double, real.device()));
    let mut real_in_fake_ball = Vec::new();
    let mut real_covered = Vec::new();
    for s in (0..n).step_by(CHUNK as usize) {
        let len = CHUNK.min(n - s);
        let d = Tensor::cdist(&real.narrow(0, s, len), &fake, 2.0, None); // [len, m]
        let inside_real = d.lt_tensor(&r_real.narrow(0, s, len).unsqueeze(1));
        fake_in += inside_real.to_kind(Kind::Double).sum_dim_intlist(0, false, Kind::Double);
        real_in_fake_ball.push(d.lt_tensor(&r_fake.unsqueeze(0)).any_dim(1, false));
        real_covered.push(inside_real.any_dim(1, false));
    }
    let mean = |t: &Tensor| t.to_kind(Kind::Double).mean(Kind::Double).double_value(&[]);
    Prdc {
        k,
        precision: mean(&fake_in.gt(0.0)),
        recall: mean(&Tensor::cat(&real_in_fake_ball, 0)),
        density: fake_in.sum(Kind::Double).double_value(&[]) / (k as f64 * m as f64),
        coverage: mean(&Tensor::cat(&real_covered, 0)),
    }
}
