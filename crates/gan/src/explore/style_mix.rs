//! Style mixing (Karras et al. 2019, sec. 3.1 and fig. 3; stylegan2-ada-pytorch's
//! style_mixing.py): the image of a row source's `w` with the styles of some layers taken
//! from a column source's. Layers go by the resolution they draw: coarse (4x4 to 8x8: pose,
//! shape), middle (16x16 to 32x32: features) and fine (64x64 and up: colours, texture).

use std::ops::Range;

use tch::{Device, Kind, Tensor};

use crate::models::stylegan2::synthesis::Noise;
use crate::models::stylegan2::Stylegan2Generator;

/// A band of the synthesis network's layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Band {
    Coarse,
    Middle,
    Fine,
}

/// The resolution layer `i` of `w` draws: 4 for the first, then two layers per doubling
/// (a block's ToRGB shares the next block's first index; the last index is the top ToRGB).
fn resolution(i: i64) -> i64 {
    4 << ((i + 1) / 2)
}

impl Band {
    /// The indices of `w` (of `num_ws`) in the band; empty when the network has none there
    /// (a 32x32 network has no fine layers but its last ToRGB).
    pub fn layers(self, num_ws: i64) -> Range<i64> {
        let (lo, hi) = match self {
            Band::Coarse => (4, 8),
            Band::Middle => (16, 32),
            Band::Fine => (64, i64::MAX),
        };
        let first = (0..num_ws).find(|&i| resolution(i) >= lo).unwrap_or(num_ws);
        let end = (0..num_ws).find(|&i| resolution(i) > hi).unwrap_or(num_ws);
        first..end.max(first)
    }
}

/// `ws` of the rows with `layers` taken from the columns': `[rows * cols, num_ws, w_dim]`,
/// row-major.
pub fn mixed(rows: &Tensor, cols: &Tensor, layers: Range<i64>) -> Tensor {
    let (r, c) = (rows.size()[0], cols.size()[0]);
    let base = rows.unsqueeze(1).repeat([1, c, 1, 1]).flatten(0, 1);
    let from = cols.unsqueeze(0).repeat([r, 1, 1, 1]).flatten(0, 1);
    let n = rows.size()[1];
    let mask = Tensor::zeros([1, n, 1], (Kind::Float, rows.device()));
    let _ = mask.narrow(1, layers.start, layers.end - layers.start).fill_(1.0);
    &base + (from - &base) * mask
}

/// The style-mixing grid as stylegan2-ada-pytorch's style_mixing.py lays it out: a blank
/// corner, the column sources along the top, the row sources down the left, and each cell
/// the row's image with the column's styles at `layers`; `[(rows + 1) * (cols + 1), C, H, W]`
/// in `[-1, 1]`, row-major, with constant noise and truncation `psi` toward `w_avg`.
pub fn mixing_grid(g: &Stylegan2Generator, row_z: &Tensor, col_z: &Tensor, layers: Range<i64>, psi: f64) -> Tensor {
    tch::no_grad(|| {
        let (rows, cols) = (g.ws(row_z, psi, false), g.ws(col_z, psi, false));
        let (row_img, col_img) = (g.images(&rows, Noise::Const), g.images(&cols, Noise::Const));
        let cells = g.images(&mixed(&rows, &cols, layers), Noise::Const);
        let (r, c) = (row_z.size()[0], col_z.size()[0]);
        let blank = col_img.narrow(0, 0, 1).ones_like();
        let mut tiles = vec![blank];
        tiles.extend((0..c).map(|j| col_img.narrow(0, j, 1)));
        for i in 0..r {
            tiles.push(row_img.narrow(0, i, 1));
            tiles.extend((0..c).map(|j| cells.narrow(0, i * c + j, 1)));
        }
        Tensor::cat(&tiles, 0).to_device(Device::Cpu)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_follow_the_resolutions_of_the_layers() {
        // 64x64: w 0 (4), 1-2 (8), 3-4 (16), 5-6 (32), 7-8 (64), 9 (the last ToRGB).
        assert_eq!(Band::Coarse.layers(10), 0..3);
        assert_eq!(Band::Middle.layers(10), 3..7);
        assert_eq!(Band::Fine.layers(10), 7..10);
        // 32x32 has 8: the fine band is the last ToRGB's.
        assert_eq!(Band::Fine.layers(8), 7..8);
    }

    #[test]
    fn mixing_takes_the_columns_styles_at_the_layers_only() {
        let rows = Tensor::zeros([2, 4, 3], (Kind::Float, Device::Cpu));
        let cols = Tensor::ones([3, 4, 3], (Kind::Float, Device::Cpu));
        let m = mixed(&rows, &cols, 1..3);
        assert_eq!(m.size(), [6, 4, 3]);
        let per_layer: Vec<f64> = (0..4).map(|i| m.select(1, i).mean(Kind::Float).double_value(&[])).collect();
        assert_eq!(per_layer, [0.0, 1.0, 1.0, 0.0]);
    }
}
