//! The layers of ProGAN (Karras et al. 2018, sec. 4; `tkarras/progressive_growing_of_gans`,
//! networks.py): convolutions and dense layers with the equalised learning rate (weights
//! drawn from N(0, 1) and scaled at run time by `gain / sqrt(fan_in)`, biases from zero),
//! pixelwise feature normalisation, the minibatch standard deviation, nearest-neighbour
//! upscaling and box-filter downscaling.

use tch::{nn, Tensor};

/// The LeakyReLU slope of both networks.
pub const SLOPE: f64 = 0.2;

/// A 2-d convolution with the equalised learning rate ('SAME' padding, odd kernels).
#[derive(Debug)]
pub struct WsConv {
    w: Tensor,
    b: Tensor,
    scale: f64,
    padding: i64,
}

impl WsConv {
    pub fn new(p: nn::Path, cin: i64, cout: i64, kernel: i64, gain: f64) -> Self {
        let w = p.var("weight", &[cout, cin, kernel, kernel], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let b = p.zeros("bias", &[cout]);
        Self { w, b, scale: gain / ((cin * kernel * kernel) as f64).sqrt(), padding: kernel / 2 }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        x.conv2d(&(&self.w * self.scale), Some(&self.b), [1, 1], [self.padding, self.padding], [1, 1], 1)
    }
}

/// A fully connected layer with the equalised learning rate. With `bias_channels`, the bias
/// is added per channel after the output is viewed as `[B, C, 4, 4]` (G's first layer).
#[derive(Debug)]
pub struct WsDense {
    w: Tensor,
    b: Tensor,
    scale: f64,
}

impl WsDense {
    pub fn new(p: nn::Path, cin: i64, cout: i64, bias: i64, gain: f64) -> Self {
        let w = p.var("weight", &[cout, cin], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let b = p.zeros("bias", &[bias]);
        Self { w, b, scale: gain / (cin as f64).sqrt() }
    }

    /// `x [B, in] -> [B, out]`, without the bias.
    pub fn matmul(&self, x: &Tensor) -> Tensor {
        x.matmul(&(&self.w * self.scale).tr())
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        self.matmul(x) + &self.b
    }

    /// The output viewed as `[B, C, 4, 4]` plus the per-channel bias.
    pub fn forward_4x4(&self, x: &Tensor) -> Tensor {
        let c = self.b.size()[0];
        self.matmul(x).view([-1, c, 4, 4]) + self.b.view([1, c, 1, 1])
    }
}

pub fn lrelu(x: &Tensor) -> Tensor {
    crate::models::leaky_relu(x, SLOPE)
}

/// `x / sqrt(mean over channels of x^2 + eps)`, eps 1e-8.
pub fn pixel_norm(x: &Tensor) -> Tensor {
    x * (x.square().mean_dim(1, true, None) + 1e-8).rsqrt()
}

/// Appends one feature map: the standard deviation over groups of `group` samples (samples
/// `m, m + M, m + 2M, ...` form group `m`), averaged over channels and pixels.
pub fn minibatch_stddev(x: &Tensor, group: i64) -> Tensor {
    let s = x.size();
    let g = group.min(s[0]);
    let y = x.view([g, -1, s[1], s[2], s[3]]);
    let y = &y - y.mean_dim(0, true, None);
    let y = (y.square().mean_dim(0, false, None) + 1e-8).sqrt();
    let y = y.mean_dim([1i64, 2, 3].as_slice(), true, None);
    let y = y.repeat([g, 1, s[2], s[3]]);
    Tensor::cat(&[x.shallow_clone(), y.to_kind(x.kind())], 1)
}

/// Nearest-neighbour upscaling by `factor`.
pub fn upscale(x: &Tensor, factor: i64) -> Tensor {
    if factor == 1 {
        return x.shallow_clone();
    }
    let s = x.size();
    x.upsample_nearest2d([s[2] * factor, s[3] * factor], None, None)
}

/// Box-filter downscaling by `factor`.
pub fn downscale(x: &Tensor, factor: i64) -> Tensor {
    if factor == 1 {
        return x.shallow_clone();
    }
    x.avg_pool2d([factor, factor], [factor, factor], [0, 0], false, true, None)
}

/// `a + (b - a) * t`.
pub fn lerp(a: &Tensor, b: &Tensor, t: f64) -> Tensor {
    a + (b - a) * t
}
