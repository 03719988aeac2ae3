//! The Inception-v3 feature space of pytorch-fid (Seitzer, "pytorch-fid: FID Score for
//! PyTorch"), the network FID was defined in (Heusel et al., "GANs Trained by a Two Time-Scale
//! Update Rule Converge to a Local Nash Equilibrium", NeurIPS 2017) and that torch-fidelity and
//! clean-fid also use: TensorFlow's 2015-12-05 Inception graph ported to PyTorch
//! (`pt_inception-2015-12-05-6726825d.pth`), read to its final average pool (pool3, 2048-d).
//!
//! Input as pytorch-fid takes it: images in `[0, 1]` (ours are in `[-1, 1]` and are mapped
//! there first), grey images repeated to three channels, resized bilinearly to 299x299
//! (`align_corners = False`), scaled to `[-1, 1]`. The 1008 logits of its `fc` layer give
//! the Inception Score (Salimans et al., NeurIPS 2016).
//!
//! The weights cannot be shipped or downloaded here; [`weights`] reads the file a user has.

pub mod blocks;
pub mod weights;

use std::path::Path;

use tch::{nn, Device, Kind, Tensor};

use crate::error::Result;
use blocks::{pool_down, BasicConv, BlockA, BlockB, BlockC, BlockD, BlockE};

/// Side of the images the network sees.
pub const SIDE: i64 = 299;
/// Size of the pool3 features.
pub const FEATURES: i64 = 2048;
/// Classes of the 2015-12-05 graph's logits (1,000 ImageNet classes and 8 unused).
pub const LOGITS: i64 = 1008;
/// First hex digits of the SHA-256 of pytorch-fid's weights file (its name's suffix).
pub const OFFICIAL_SHA256_PREFIX: &str = "6726825d";

/// The network with its weights.
pub struct Inception {
    vs: nn::VarStore,
    stem: Vec<BasicConv>,
    a: Vec<BlockA>,
    b: BlockB,
    c: Vec<BlockC>,
    d: BlockD,
    e: Vec<BlockE>,
    fc_w: Tensor,
    fc_b: Tensor,
    /// SHA-256 of the weights file the user gave (before any conversion).
    pub sha256: String,
    /// That file.
    pub source: String,
}

impl Inception {
    /// The layers, all zero (filled by [`weights::load`]).
    fn empty(device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let r = vs.root();
        let stem = vec![
            BasicConv::sq(&r / "Conv2d_1a_3x3", 3, 32, 3, 2, 0),
            BasicConv::sq(&r / "Conv2d_2a_3x3", 32, 32, 3, 1, 0),
            BasicConv::sq(&r / "Conv2d_2b_3x3", 32, 64, 3, 1, 1),
            BasicConv::sq(&r / "Conv2d_3b_1x1", 64, 80, 1, 1, 0),
            BasicConv::sq(&r / "Conv2d_4a_3x3", 80, 192, 3, 1, 0),
        ];
        let a = vec![BlockA::new(&r / "Mixed_5b", 192, 32), BlockA::new(&r / "Mixed_5c", 256, 64), BlockA::new(&r / "Mixed_5d", 288, 64)];
        let b = BlockB::new(&r / "Mixed_6a", 288);
        let c = [("Mixed_6b", 128), ("Mixed_6c", 160), ("Mixed_6d", 160), ("Mixed_6e", 192)].map(|(n, c7)| BlockC::new(&r / n, 768, c7)).into();
        let d = BlockD::new(&r / "Mixed_7a", 768);
        let e = vec![BlockE::new(&r / "Mixed_7b", 1280, false), BlockE::new(&r / "Mixed_7c", 2048, true)];
        let fc = &r / "fc";
        let (fc_w, fc_b) = (fc.zeros_no_train("weight", &[LOGITS, FEATURES]), fc.zeros_no_train("bias", &[LOGITS]));
        Self { vs, stem, a, b, c, d, e, fc_w, fc_b, sha256: String::new(), source: String::new() }
    }

    /// Loads the weights file (a pytorch-fid `.pth` state dict, converted once through
    /// Python and cached, or a `.safetensors` copy): see [`weights::WeightsOptions`].
    pub fn load(path: &Path, opts: &weights::WeightsOptions<'_>, device: Device) -> Result<Self> {
        weights::load(path, opts, device)
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    /// Whether the weights are pytorch-fid's own file.
    pub fn official(&self) -> bool {
        self.sha256.starts_with(OFFICIAL_SHA256_PREFIX)
    }

    /// The feature space, in words.
    pub fn describe(&self) -> String {
        let who = if self.official() {
            "pt_inception-2015-12-05".to_string()
        } else {
            format!("{} (not pytorch-fid's pt_inception-2015-12-05 file: not comparable with published FIDs)", self.source)
        };
        format!("Inception-v3 pool3 (2048-d) of pytorch-fid, weights {who} (sha256 {})", &self.sha256[..16])
    }

    /// The 299x299 input in `[-1, 1]` for images `[B, 1 or 3, H, W]` in `[-1, 1]`.
    pub fn prepare(x: &Tensor) -> Tensor {
        let x = if x.size()[1] == 1 { x.repeat([1, 3, 1, 1]) } else { x.shallow_clone() };
        let x01 = (x.to_kind(Kind::Float) + 1.0) / 2.0;
        x01.upsample_bilinear2d([SIDE, SIDE], false, None, None) * 2.0 - 1.0
    }

    /// Pool3 features `[B, 2048]` and the logits `[B, 1008]` of images in `[-1, 1]`.
    pub fn forward(&self, x: &Tensor) -> (Tensor, Tensor) {
        let mut y = Self::prepare(x);
        for (i, l) in self.stem.iter().enumerate() {
            y = l.forward(&y);
            // Max pools after the third and fifth convolutions.
            if i == 2 || i == 4 {
                y = pool_down(&y);
            }
        }
        y = self.a.iter().fold(y, |y, l| l.forward(&y));
        y = self.b.forward(&y);
        y = self.c.iter().fold(y, |y, l| l.forward(&y));
        y = self.d.forward(&y);
        y = self.e.iter().fold(y, |y, l| l.forward(&y));
        let f = y.adaptive_avg_pool2d([1, 1]).flatten(1, -1);
        let logits = f.matmul(&self.fc_w.tr()) + &self.fc_b;
        (f, logits)
    }
}
