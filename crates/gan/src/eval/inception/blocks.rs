//! The layers of pytorch-fid's Inception-v3 (Szegedy et al., "Rethinking the Inception
//! Architecture for Computer Vision", CVPR 2016), as torchvision names them, with the
//! changes that make it the network of TensorFlow's 2015-12-05 graph used by the FID of
//! Heusel et al. (NeurIPS 2017): the average pools of the A, C and E blocks leave the zero
//! padding out of their means, and the last E block pools by maximum.
//!
//! Every convolution is `BasicConv2d`: a bias-free convolution, BatchNorm (eps 0.001, running
//! statistics only) and ReLU. Parameters are created as zeros and filled by the loader.

use tch::{nn, Tensor};

/// Convolution without bias, BatchNorm in inference mode, ReLU.
pub struct BasicConv {
    weight: Tensor,
    gamma: Tensor,
    beta: Tensor,
    mean: Tensor,
    var: Tensor,
    stride: i64,
    pad: [i64; 2],
}

/// TensorFlow's BatchNorm epsilon, kept by the port.
const BN_EPS: f64 = 1e-3;

impl BasicConv {
    /// `k` and `pad` as (height, width).
    pub fn new(p: nn::Path, cin: i64, cout: i64, k: [i64; 2], stride: i64, pad: [i64; 2]) -> Self {
        let bn = &p / "bn";
        Self {
            weight: (&p / "conv").zeros_no_train("weight", &[cout, cin, k[0], k[1]]),
            gamma: bn.zeros_no_train("weight", &[cout]),
            beta: bn.zeros_no_train("bias", &[cout]),
            mean: bn.zeros_no_train("running_mean", &[cout]),
            var: bn.zeros_no_train("running_var", &[cout]),
            stride,
            pad,
        }
    }

    /// A square kernel with symmetric padding.
    pub fn sq(p: nn::Path, cin: i64, cout: i64, k: i64, stride: i64, pad: i64) -> Self {
        Self::new(p, cin, cout, [k, k], stride, [pad, pad])
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let y = x.conv2d(&self.weight, None::<Tensor>, [self.stride, self.stride], self.pad, [1, 1], 1);
        Tensor::batch_norm(&y, Some(&self.gamma), Some(&self.beta), Some(&self.mean), Some(&self.var), false, 0.0, BN_EPS, true).relu()
    }
}

/// A 1x7 then 7x1 (or the reverse) factorised convolution's layers.
fn c17(p: nn::Path, cin: i64, cout: i64) -> BasicConv {
    BasicConv::new(p, cin, cout, [1, 7], 1, [0, 3])
}

fn c71(p: nn::Path, cin: i64, cout: i64) -> BasicConv {
    BasicConv::new(p, cin, cout, [7, 1], 1, [3, 0])
}

/// The 3x3 pool of a branch, stride 1, padding 1: average without the padding, or maximum.
fn pool_same(x: &Tensor, max: bool) -> Tensor {
    if max {
        x.max_pool2d([3, 3], [1, 1], [1, 1], [1, 1], false)
    } else {
        x.avg_pool2d([3, 3], [1, 1], [1, 1], false, false, None)
    }
}

/// A 3x3 stride-2 max pool without padding.
pub fn pool_down(x: &Tensor) -> Tensor {
    x.max_pool2d([3, 3], [2, 2], [0, 0], [1, 1], false)
}

/// `FIDInceptionA`: 35x35 blocks (Mixed_5b-d).
pub struct BlockA {
    b1: BasicConv,
    b5: [BasicConv; 2],
    b3: [BasicConv; 3],
    pool: BasicConv,
}

impl BlockA {
    pub fn new(p: nn::Path, cin: i64, pool_features: i64) -> Self {
        Self {
            b1: BasicConv::sq(&p / "branch1x1", cin, 64, 1, 1, 0),
            b5: [BasicConv::sq(&p / "branch5x5_1", cin, 48, 1, 1, 0), BasicConv::sq(&p / "branch5x5_2", 48, 64, 5, 1, 2)],
            b3: [
                BasicConv::sq(&p / "branch3x3dbl_1", cin, 64, 1, 1, 0),
                BasicConv::sq(&p / "branch3x3dbl_2", 64, 96, 3, 1, 1),
                BasicConv::sq(&p / "branch3x3dbl_3", 96, 96, 3, 1, 1),
            ],
            pool: BasicConv::sq(&p / "branch_pool", cin, pool_features, 1, 1, 0),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        Tensor::cat(&[self.b1.forward(x), chain(&self.b5, x), chain(&self.b3, x), self.pool.forward(&pool_same(x, false))], 1)
    }
}

/// `InceptionB`: 35x35 to 17x17 (Mixed_6a).
pub struct BlockB {
    b3: BasicConv,
    dbl: [BasicConv; 3],
}

impl BlockB {
    pub fn new(p: nn::Path, cin: i64) -> Self {
        Self {
            b3: BasicConv::sq(&p / "branch3x3", cin, 384, 3, 2, 0),
            dbl: [
                BasicConv::sq(&p / "branch3x3dbl_1", cin, 64, 1, 1, 0),
                BasicConv::sq(&p / "branch3x3dbl_2", 64, 96, 3, 1, 1),
                BasicConv::sq(&p / "branch3x3dbl_3", 96, 96, 3, 2, 0),
            ],
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        Tensor::cat(&[self.b3.forward(x), chain(&self.dbl, x), pool_down(x)], 1)
    }
}

/// `FIDInceptionC`: 17x17 blocks with factorised 7x7 convolutions (Mixed_6b-e).
pub struct BlockC {
    b1: BasicConv,
    b7: [BasicConv; 3],
    dbl: [BasicConv; 5],
    pool: BasicConv,
}

impl BlockC {
    pub fn new(p: nn::Path, cin: i64, c7: i64) -> Self {
        let one = |name: &str, cout| BasicConv::sq(&p / name, cin, cout, 1, 1, 0);
        Self {
            b1: one("branch1x1", 192),
            b7: [one("branch7x7_1", c7), c17(&p / "branch7x7_2", c7, c7), c71(&p / "branch7x7_3", c7, 192)],
            dbl: [
                one("branch7x7dbl_1", c7),
                c71(&p / "branch7x7dbl_2", c7, c7),
                c17(&p / "branch7x7dbl_3", c7, c7),
                c71(&p / "branch7x7dbl_4", c7, c7),
                c17(&p / "branch7x7dbl_5", c7, 192),
            ],
            pool: one("branch_pool", 192),
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        Tensor::cat(&[self.b1.forward(x), chain(&self.b7, x), chain(&self.dbl, x), self.pool.forward(&pool_same(x, false))], 1)
    }
}

/// `InceptionD`: 17x17 to 8x8 (Mixed_7a).
pub struct BlockD {
    b3: [BasicConv; 2],
    b7: [BasicConv; 4],
}

impl BlockD {
    pub fn new(p: nn::Path, cin: i64) -> Self {
        Self {
            b3: [BasicConv::sq(&p / "branch3x3_1", cin, 192, 1, 1, 0), BasicConv::sq(&p / "branch3x3_2", 192, 320, 3, 2, 0)],
            b7: [
                BasicConv::sq(&p / "branch7x7x3_1", cin, 192, 1, 1, 0),
                c17(&p / "branch7x7x3_2", 192, 192),
                c71(&p / "branch7x7x3_3", 192, 192),
                BasicConv::sq(&p / "branch7x7x3_4", 192, 192, 3, 2, 0),
            ],
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        Tensor::cat(&[chain(&self.b3, x), chain(&self.b7, x), pool_down(x)], 1)
    }
}

/// `FIDInceptionE_1` / `_2`: 8x8 blocks with split 1x3 / 3x1 outputs (Mixed_7b, 7c); the
/// second pools by maximum.
pub struct BlockE {
    b1: BasicConv,
    b3: BasicConv,
    b3_split: [BasicConv; 2],
    dbl: [BasicConv; 2],
    dbl_split: [BasicConv; 2],
    pool: BasicConv,
    max_pool: bool,
}

impl BlockE {
    pub fn new(p: nn::Path, cin: i64, max_pool: bool) -> Self {
        let split = |a: &str, b: &str| [BasicConv::new(&p / a, 384, 384, [1, 3], 1, [0, 1]), BasicConv::new(&p / b, 384, 384, [3, 1], 1, [1, 0])];
        Self {
            b1: BasicConv::sq(&p / "branch1x1", cin, 320, 1, 1, 0),
            b3: BasicConv::sq(&p / "branch3x3_1", cin, 384, 1, 1, 0),
            b3_split: split("branch3x3_2a", "branch3x3_2b"),
            dbl: [BasicConv::sq(&p / "branch3x3dbl_1", cin, 448, 1, 1, 0), BasicConv::sq(&p / "branch3x3dbl_2", 448, 384, 3, 1, 1)],
            dbl_split: split("branch3x3dbl_3a", "branch3x3dbl_3b"),
            pool: BasicConv::sq(&p / "branch_pool", cin, 192, 1, 1, 0),
            max_pool,
        }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let b3 = self.b3.forward(x);
        let dbl = chain(&self.dbl, x);
        let both = |s: &[BasicConv; 2], y: &Tensor| Tensor::cat(&[s[0].forward(y), s[1].forward(y)], 1);
        Tensor::cat(&[self.b1.forward(x), both(&self.b3_split, &b3), both(&self.dbl_split, &dbl), self.pool.forward(&pool_same(x, self.max_pool))], 1)
    }
}

/// Layers applied in turn.
fn chain(layers: &[BasicConv], x: &Tensor) -> Tensor {
    layers.iter().skip(1).fold(layers[0].forward(x), |y, l| l.forward(&y))
}
