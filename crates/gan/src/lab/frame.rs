//! What the lab page draws after each burst of training: one [`Frame`].

use gan_data::modes::{mode_report, ModeReport};
use serde::Serialize;
use tch::Tensor;

use super::Lab;
use crate::draw::scatter::density;
use crate::families::gan::stats::{mean, DiscriminatorMeans};
use crate::losses::{generator_loss, LossKind};

/// Points of each kind drawn on the page (the mode metrics use all 2,500 fakes).
pub const SHOWN: usize = 500;
/// Cells per axis of the discriminator's field (2-D), or points along the axis (1-D).
pub const FIELD_2D: i64 = 40;
pub const FIELD_1D: i64 = 200;
/// Latent grid lines per axis, and points along each, for the manifold.
const MANIFOLD_LINES: i64 = 11;
const MANIFOLD_POINTS: i64 = 41;
const MANIFOLD_RANGE: f64 = 2.5;

/// One point of the curves: averages over the updates since the previous record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LabRecord {
    pub d_updates: u64,
    pub g_updates: u64,
    pub d_loss: Option<f64>,
    pub g_loss: Option<f64>,
    /// Mean score on real and fake points (a probability for the BCE losses).
    pub d_real: Option<f64>,
    pub d_fake: Option<f64>,
    /// `mean C(real) - mean C(fake)` (the critic's Earth Mover's estimate for WGANs).
    pub wasserstein: Option<f64>,
    /// The unweighted gradient penalty (WGAN-GP).
    pub penalty: Option<f64>,
    pub modes_covered: Option<usize>,
    pub high_quality: Option<f64>,
}

/// The discriminator's value on a regular grid over the view box: `n x n` row-major with
/// row 0 at the lowest y (2-D), or `n` values left to right (1-D), at cell centres.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    pub n: i64,
    pub values: Vec<f32>,
    /// True when values are probabilities `D(x)` (BCE); false for raw scores.
    pub probability: bool,
}

/// Densities of real and generated 1-D points over the view box.
#[derive(Debug, Clone, Serialize)]
pub struct Histogram {
    pub real: Vec<f64>,
    pub fake: Vec<f64>,
}

/// Everything the page draws.
#[derive(Debug, Clone, Serialize)]
pub struct Frame {
    pub d_updates: u64,
    pub g_updates: u64,
    pub dim: i64,
    pub extent: (f64, f64),
    /// Points, `dim` values each.
    pub real: Vec<f32>,
    pub fake: Vec<f32>,
    /// Per shown fake point, `-grad_x` of the generator's loss: where G pushes it.
    pub arrows: Vec<f32>,
    pub field: Field,
    /// Images of latent grid lines (2-D), each a list of `x, y` pairs.
    pub manifold: Vec<Vec<f32>>,
    pub histogram: Option<Histogram>,
    pub modes: Option<ModeReport>,
    pub record: LabRecord,
}

impl Lab {
    /// Draws the current state and closes the current record (appending it to the history
    /// when updates happened since the last one).
    pub fn frame(&mut self) -> Frame {
        let fakes = self.view_points();
        let modes = self.modes.as_ref().map(|m| mode_report(m, &fakes));
        let record = self.close_record(modes.as_ref());
        let d = self.dim as usize;
        let shown_fake = &fakes[..SHOWN * d];
        let histogram = self.real_density.clone().map(|real| Histogram { real, fake: density(&fakes, self.config.extent()) });
        Frame {
            d_updates: self.d_updates,
            g_updates: self.g_updates,
            dim: self.dim,
            extent: self.config.extent(),
            arrows: self.arrows(shown_fake),
            field: self.field(),
            manifold: if d == 2 { self.manifold() } else { Vec::new() },
            real: self.shown_real.clone(),
            fake: shown_fake.to_vec(),
            histogram,
            modes,
            record,
        }
    }

    fn close_record(&mut self, modes: Option<&ModeReport>) -> LabRecord {
        let s = std::mem::take(&mut self.sums);
        let last = self.history.last();
        let d = DiscriminatorMeans::of(s.d.iter());
        let keep = |v: Option<f64>, f: fn(&LabRecord) -> Option<f64>| v.or_else(|| last.and_then(f));
        let wasserstein = self.loss.kind == LossKind::Wasserstein;
        let record = LabRecord {
            d_updates: self.d_updates,
            g_updates: self.g_updates,
            d_loss: keep(d.map(|d| d.loss), |r| r.d_loss),
            g_loss: keep(mean(s.g.iter()), |r| r.g_loss),
            d_real: keep(d.map(|d| d.real_score), |r| r.d_real),
            d_fake: keep(d.map(|d| d.fake_score), |r| r.d_fake),
            wasserstein: if wasserstein { keep(d.map(|d| d.gap), |r| r.wasserstein) } else { None },
            penalty: if self.loss.lipschitz.penalty_weight().is_some() { keep(d.and_then(|d| d.penalty), |r| r.penalty) } else { None },
            modes_covered: modes.map(|m| m.covered),
            high_quality: modes.map(|m| m.high_quality),
        };
        if !s.d.is_empty() || !s.g.is_empty() {
            self.history.push(record.clone());
        }
        record
    }

    /// `-grad_x L_G(x)` at each point (summed loss, so each arrow is that point's own).
    fn arrows(&self, points: &[f32]) -> Vec<f32> {
        let n = (points.len() / self.dim as usize) as i64;
        let x = Tensor::from_slice(points).view([n, 1, 1, self.dim]).set_requires_grad(true);
        let loss = generator_loss(&self.loss, &self.d().forward_t(&x, None, false), None) * n as f64;
        let grad = Tensor::run_backward(&[loss], &[&x], false, false).remove(0);
        crate::models::latent::points(&-grad)
    }

    /// The generator's loss if its whole batch were the one point `point`.
    pub fn generator_loss_at(&self, point: &[f32]) -> f64 {
        let x = Tensor::from_slice(point).view([1, 1, 1, self.dim]);
        tch::no_grad(|| generator_loss(&self.loss, &self.d().forward_t(&x, None, false), None)).double_value(&[])
    }

    fn field(&self) -> Field {
        let (lo, hi) = self.config.extent();
        let n = if self.dim == 1 { FIELD_1D } else { FIELD_2D };
        let at = |i: i64| (lo + (i as f64 + 0.5) * (hi - lo) / n as f64) as f32;
        let coords: Vec<f32> = if self.dim == 1 { (0..n).map(at).collect() } else { (0..n).flat_map(|r| (0..n).flat_map(move |c| [at(c), at(r)])).collect() };
        let rows = (coords.len() as i64) / self.dim;
        let x = Tensor::from_slice(&coords).view([rows, 1, 1, self.dim]);
        let out = tch::no_grad(|| self.d().forward_t(&x, None, false));
        let probability = self.loss.kind == LossKind::Bce;
        let out = if probability { out.sigmoid() } else { out };
        Field { n, values: crate::models::latent::points(&out), probability }
    }

    /// Images of the lines `z_1 = const` and `z_2 = const` of a latent grid.
    fn manifold(&self) -> Vec<Vec<f32>> {
        let at = |i: i64, count: i64| (-MANIFOLD_RANGE + 2.0 * MANIFOLD_RANGE * i as f64 / (count - 1) as f64) as f32;
        let mut z = Vec::new();
        for axis in 0..2 {
            for l in 0..MANIFOLD_LINES {
                for p in 0..MANIFOLD_POINTS {
                    let (u, v) = (at(l, MANIFOLD_LINES), at(p, MANIFOLD_POINTS));
                    z.extend(if axis == 0 { [u, v] } else { [v, u] });
                }
            }
        }
        let z = Tensor::from_slice(&z).view([-1, 2]);
        let x = crate::models::latent::points(&tch::no_grad(|| self.nets.g.forward_t(&z, None, false)));
        x.chunks((MANIFOLD_POINTS * 2) as usize).map(<[f32]>::to_vec).collect()
    }
}

/// Records as CSV, one row each (the lab's curves export).
pub fn curves_csv(records: &[LabRecord]) -> String {
    let mut out = String::from("d_updates,g_updates,d_loss,g_loss,d_real,d_fake,wasserstein,penalty,modes_covered,high_quality\n");
    let f = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for r in records {
        let cells = [
            r.d_updates.to_string(),
            r.g_updates.to_string(),
            f(r.d_loss),
            f(r.g_loss),
            f(r.d_real),
            f(r.d_fake),
            f(r.wasserstein),
            f(r.penalty),
            r.modes_covered.map_or(String::new(), |m| m.to_string()),
            f(r.high_quality),
        ];
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
