//! Scoring a translation run on held-out pairs `(a, b)`: how close `G(a)` is to the target
//! `b` pixel by pixel (L1, SSIM), as a distribution (FID between outputs and targets in the
//! shipped classifier's LeNet space, or for two drawing styles the attribute classifier's,
//! [`super::styles`]), semantically (how often the classifier puts `G(a)` in `b`'s class; for
//! styles, how often `G(a)` reads as the target style and keeps the drawing's subgroup), and
//! how sharp it is (the variance of the Laplacian, the usual blur measure; the pix2pix
//! paper's point is that L1 alone blurs). Each direction is also scored with the inputs
//! themselves as the outputs: the identity baseline a translation has to beat.
//!
//! SSIM is Wang et al., "Image Quality Assessment: From Error Visibility to Structural
//! Similarity" (IEEE TIP 2004): 11x11 Gaussian windows (sigma 1.5), `C1 = (0.01 L)^2`,
//! `C2 = (0.03 L)^2` on pixels in `[0, 1]` (`L = 1`), averaged over the valid windows and
//! the channels -- `skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
//! use_sample_covariance=False, data_range=1)`.

use serde::{Deserialize, Serialize};
use tch::{Device, Kind, Tensor};

use super::images::FeatureNet;
use super::scores::fid;
use super::styles::StyleJudge;
use crate::error::{GanError, Result};
use crate::run::translator::{Direction, TrainedTranslator};

/// Pairs per forward pass.
const CHUNK: i64 = 500;

/// The scores of one direction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DirectionScores {
    pub direction: Direction,
    pub pairs: usize,
    pub l1: f64,
    pub ssim: f64,
    /// Variance of the Laplacian of outputs and of targets (pixels in `[0, 1]`).
    pub sharpness: f64,
    pub target_sharpness: f64,
    /// Edge steepness of outputs and of targets: the mean Sobel gradient `|dx| + |dy|` of
    /// the grey image (0-255) on its Canny edges (`gan_data::edges`), over the images that
    /// have edges; smoothed edges are shallower (CartoonGAN's edge-promoting ablation).
    #[serde(default)]
    pub edge_steepness: f64,
    #[serde(default)]
    pub target_edge_steepness: f64,
    /// FID of outputs vs targets in the classifier's feature space (grey 28x28 tasks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fid: Option<f64>,
    /// Share of pairs whose output the classifier puts in the target's class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_agreement: Option<f64>,
    /// Style tasks: share of outputs the attribute classifier reads as the target style.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_style: Option<f64>,
    /// Style tasks: share of the true drawings the classifier reads as the target style (the
    /// ceiling of `target_style`: its own misreadings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub targets_style: Option<f64>,
    /// Style tasks: share of outputs whose subgroup it reads as the true drawing's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subgroup_kept: Option<f64>,
}

/// What judges a task's outputs beyond pixels: the digit classifier (grey 28x28 tasks) or the
/// attribute classifier (two drawing styles).
pub enum Judge<'a> {
    Classes(&'a FeatureNet),
    Styles(StyleJudge<'a>),
}

/// What a [`Judge`] reads in the targets.
pub enum TargetReading {
    /// Features and classes.
    Classes(Tensor, Tensor),
    Styles(super::styles::Reading),
}

impl Judge<'_> {
    /// Reads the targets (on the CPU), if it judges images of their shape.
    fn read(&self, targets: &Tensor) -> Option<TargetReading> {
        match self {
            Judge::Classes(net) if targets.size()[1..] == [1, 28, 28] => {
                let (f, c) = classes(net, targets);
                Some(TargetReading::Classes(f, c))
            }
            Judge::Styles(j) if targets.size()[1] == 3 => Some(TargetReading::Styles(j.read(targets))),
            Judge::Classes(_) | Judge::Styles(_) => None,
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Judge::Classes(net) => net.describe(),
            Judge::Styles(j) => j.net.describe(),
        }
    }
}

/// `RUN/eval.json` of a translation run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TranslationReport {
    pub run: String,
    pub step: u64,
    /// `pix2pix` or `cyclegan`.
    pub model: String,
    pub data: String,
    pub scores: Vec<DirectionScores>,
    /// Each direction scored with its inputs as the outputs (the identity baseline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identity: Vec<DirectionScores>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub feature_net: Option<String>,
}

/// Scores `t` on `pairs` (a and b in `[-1, 1]`), both directions for CycleGAN, and the
/// identity baseline of each.
pub fn evaluate(t: &TrainedTranslator, run: &str, a: &Tensor, b: &Tensor, judge: Option<&Judge>, data: String) -> Result<TranslationReport> {
    if a.size()[0] == 0 || a.size() != b.size() {
        return Err(GanError::Invalid(format!("held-out pairs: {:?} inputs vs {:?} targets", a.size(), b.size())));
    }
    let mut directions = vec![(Direction::A2b, a, b)];
    if matches!(t.config.model, crate::config::translation::TranslationModel::Cyclegan(_)) {
        directions.push((Direction::B2a, b, a));
    }
    let (mut scores, mut identity) = (Vec::new(), Vec::new());
    for (d, inputs, targets) in directions {
        // The targets are judged once, for the outputs and for the identity baseline.
        let targets = targets.to_device(Device::Cpu);
        let read = judge.and_then(|j| j.read(&targets));
        scores.push(score(d, &translated(t, d, inputs)?, &targets, judge.zip(read.as_ref())));
        identity.push(score(d, &inputs.to_device(Device::Cpu), &targets, judge.zip(read.as_ref())));
    }
    Ok(TranslationReport {
        run: run.into(),
        step: t.step,
        model: t.config.model.name().into(),
        data,
        scores,
        identity,
        feature_net: judge.map(Judge::describe),
    })
}

/// `t`'s outputs for `inputs` in direction `d`, on the CPU.
fn translated(t: &TrainedTranslator, d: Direction, inputs: &Tensor) -> Result<Tensor> {
    let n = inputs.size()[0];
    let mut outs = Vec::new();
    for start in (0..n).step_by(CHUNK as usize) {
        outs.push(t.translate(&inputs.narrow(0, start, CHUNK.min(n - start)), d)?.to_device(Device::Cpu));
    }
    Ok(Tensor::cat(&outs, 0))
}

/// The scores of outputs `out` against `targets` (both in `[-1, 1]`).
fn score(d: Direction, out: &Tensor, targets: &Tensor, judge: Option<(&Judge, &TargetReading)>) -> DirectionScores {
    let n = out.size()[0];
    let unit = |x: &Tensor| (x + 1.0) / 2.0;
    let (uo, ut) = (unit(out), unit(targets));
    let mut s = DirectionScores {
        direction: d,
        pairs: n as usize,
        l1: (&uo - &ut).abs().mean(Kind::Double).double_value(&[]),
        ssim: ssim(&uo, &ut),
        sharpness: laplacian_variance(&uo),
        target_sharpness: laplacian_variance(&ut),
        edge_steepness: edge_steepness(&uo),
        target_edge_steepness: edge_steepness(&ut),
        fid: None,
        class_agreement: None,
        target_style: None,
        targets_style: None,
        subgroup_kept: None,
    };
    match judge {
        Some((Judge::Classes(net), TargetReading::Classes(ft, ct))) => {
            let (fo, co) = classes(net, out);
            s.fid = Some(fid(&ft.to_kind(Kind::Double), &fo.to_kind(Kind::Double)));
            s.class_agreement = Some(co.eq_tensor(ct).to_kind(Kind::Double).mean(Kind::Double).double_value(&[]));
        }
        Some((Judge::Styles(j), TargetReading::Styles(read))) => {
            let v = j.score(out, read, usize::from(d == Direction::A2b));
            (s.fid, s.target_style, s.targets_style, s.subgroup_kept) = (Some(v.fid), Some(v.style), Some(v.targets_style), Some(v.subgroup_kept));
        }
        _ => {}
    }
    s
}

/// The digit classifier's features and classes of `x`, on the CPU.
fn classes(net: &FeatureNet, x: &Tensor) -> (Tensor, Tensor) {
    let (dev, n) = (net.classifier.device(), x.size()[0]);
    let (mut f, mut c) = (Vec::new(), Vec::new());
    for start in (0..n).step_by(CHUNK as usize) {
        let chunk = x.narrow(0, start, CHUNK.min(n - start)).to_device(dev);
        tch::no_grad(|| {
            f.push(net.classifier.features(&chunk).to_device(Device::Cpu));
            c.push(net.classifier.probs(&chunk).argmax(-1, false).to_device(Device::Cpu));
        });
    }
    (Tensor::cat(&f, 0), Tensor::cat(&c, 0))
}

/// Mean SSIM of two batches `[N, C, H, W]` in `[0, 1]` (see the module header).
pub fn ssim(x: &Tensor, y: &Tensor) -> f64 {
    let (x, y) = (x.to_kind(Kind::Double), y.to_kind(Kind::Double));
    let c = x.size()[1];
    let g = Tensor::arange_start(-5, 6, (Kind::Double, Device::Cpu)).to_device(x.device());
    let g = (-(&g * &g) / (2.0 * 1.5 * 1.5)).exp();
    let g = &g / g.sum(Kind::Double);
    let window = g.unsqueeze(1).matmul(&g.unsqueeze(0)).expand([c, 1, 11, 11], false).contiguous();
    let blur = |t: &Tensor| t.conv2d(&window, None::<Tensor>, [1, 1], [0, 0], [1, 1], c);
    let (mx, my) = (blur(&x), blur(&y));
    let (vx, vy, cxy) = (blur(&(&x * &x)) - &mx * &mx, blur(&(&y * &y)) - &my * &my, blur(&(&x * &y)) - &mx * &my);
    let (c1, c2) = (0.01f64.powi(2), 0.03f64.powi(2));
    let num = (&mx * &my * 2.0 + c1) * (cxy * 2.0 + c2);
    let den = (&mx * &mx + &my * &my + c1) * (vx + vy + c2);
    (num / den).mean(Kind::Double).double_value(&[])
}

/// The variance of the 3x3 Laplacian (`[[0,1,0],[1,-4,1],[0,1,0]]`, valid region) of each
/// image and channel, averaged.
pub fn laplacian_variance(x: &Tensor) -> f64 {
    let x = x.to_kind(Kind::Double);
    let (n, c, h, w) = x.size4().expect("images are [N, C, H, W]");
    let k = Tensor::from_slice(&[0.0, 1.0, 0.0, 1.0, -4.0, 1.0, 0.0, 1.0, 0.0]).reshape([1, 1, 3, 3]).to_device(x.device());
    let lap = x.reshape([n * c, 1, h, w]).conv2d(&k, None::<Tensor>, [1, 1], [0, 0], [1, 1], 1);
    lap.flatten(1, -1).var_dim(Some([1i64].as_slice()), false, false).mean(Kind::Double).double_value(&[])
}

/// See [`DirectionScores::edge_steepness`]; `x` in `[0, 1]`, 1 or 3 channels.
pub fn edge_steepness(x: &Tensor) -> f64 {
    let (n, c, h, w) = x.size4().expect("images are [N, C, H, W]");
    let bytes: Vec<u8> = Vec::try_from((x.to_device(Device::Cpu) * 255.0).round().clamp(0.0, 255.0).to_kind(Kind::Uint8).flatten(0, -1)).expect("bytes");
    let (c, h, w, per) = (c as usize, h as usize, w as usize, (c * h * w) as usize);
    let means: Vec<f64> = (0..n as usize)
        .filter_map(|i| {
            let grey = gan_data::edges::grey(&bytes[i * per..(i + 1) * per], c, h, w);
            let (edges, mag) = gan_data::edges::canny_with_magnitude(&grey, h, w, 100, 200);
            let on: Vec<f64> = mag.iter().zip(&edges).filter(|(_, e)| **e).map(|(m, _)| *m as f64).collect();
            (!on.is_empty()).then(|| on.iter().sum::<f64>() / on.len() as f64)
        })
        .collect();
    if means.is_empty() {
        0.0
    } else {
        means.iter().sum::<f64>() / means.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked by hand: a black/white step has edges of magnitude 4 * 255 = 1020; a blurred
    /// step (0, 64, 128, 191, 255 ramps) is shallower; a flat image has none (0).
    #[test]
    fn a_hard_step_is_steeper_than_a_soft_one() {
        let step = Tensor::from_slice(&(0..64).map(|i| if i % 8 >= 4 { 1.0f32 } else { 0.0 }).collect::<Vec<_>>()).reshape([1, 1, 8, 8]);
        assert_eq!(edge_steepness(&step), 1020.0);
        let ramp = [0.0f32, 0.0, 0.0, 0.25, 0.5, 0.75, 1.0, 1.0];
        let soft = Tensor::from_slice(&(0..64).map(|i| ramp[i % 8]).collect::<Vec<_>>()).reshape([1, 1, 8, 8]);
        let s = edge_steepness(&soft);
        assert!(s > 0.0 && s < 1020.0, "{s}");
        assert_eq!(edge_steepness(&Tensor::zeros([2, 3, 8, 8], (Kind::Float, Device::Cpu))), 0.0);
    }

    #[test]
    fn ssim_of_an_image_with_itself_is_one_and_noise_lowers_it() {
        tch::manual_seed(0);
        let x = Tensor::rand([2, 1, 28, 28], (Kind::Double, Device::Cpu));
        assert!((ssim(&x, &x) - 1.0).abs() < 1e-12);
        let noisy = (&x + Tensor::randn([2, 1, 28, 28], (Kind::Double, Device::Cpu)) * 0.2).clamp(0.0, 1.0);
        assert!(ssim(&x, &noisy) < 0.9);
    }

    /// A hand-worked Laplacian: on `x^2` (rows `r`, columns `c`, value `c^2`) the
    /// Laplacian is the constant 2 everywhere: variance 0; on a checkerboard of 0/1 it is
    /// +-4 alternating (6x6, so the valid 4x4 holds as many of each): variance 16.
    #[test]
    fn laplacian_variance_by_hand() {
        let ramp = Tensor::from_slice(&(0..5).flat_map(|_| (0..5).map(|c| (c * c) as f64)).collect::<Vec<_>>()).reshape([1, 1, 5, 5]);
        assert!(laplacian_variance(&ramp).abs() < 1e-12);
        let board = Tensor::from_slice(&(0..36).map(|i| ((i / 6 + i % 6) % 2) as f64).collect::<Vec<_>>()).reshape([1, 1, 6, 6]);
        assert!((laplacian_variance(&board) - 16.0).abs() < 1e-12);
    }
}
