//! The layers of StyleGAN2 as `NVlabs/stylegan2-ada-pytorch` writes them (training/networks.py,
//! torch_utils/ops/bias_act.py, upfirdn2d.py, conv2d_resample.py): fully connected and
//! convolution layers with the equalised learning rate (weights drawn from N(0, 1) / lr_mul
//! and scaled at run time by `lr_mul / sqrt(fan_in)`), `bias_act` (bias, activation with its
//! default gain, an optional clamp), the [1, 3, 3, 1] resampling filter, and the modulated
//! convolution with demodulation (Karras et al. 2020, sec. 2.2, eq. 1-3), computed unfused as
//! the reference computes it in training: the activations scaled by the styles before the
//! shared convolution and by the demodulation coefficients after it.

use tch::{nn, Kind, Tensor};

/// The LeakyReLU slope, and the gain `bias_act` gives it (`def_gain`).
const SLOPE: f64 = 0.2;
pub const LRELU_GAIN: f64 = std::f64::consts::SQRT_2;

/// An activation of `bias_act`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Act {
    Linear,
    Lrelu,
}

impl Act {
    fn gain(self) -> f64 {
        match self {
            Act::Linear => 1.0,
            Act::Lrelu => LRELU_GAIN,
        }
    }
}

/// `clamp(act(x + b) * gain, -clamp, clamp)` with `b` per channel (dimension 1).
pub fn bias_act(x: &Tensor, b: Option<&Tensor>, act: Act, gain: f64, clamp: Option<f64>) -> Tensor {
    let mut x = match b {
        Some(b) => {
            let mut shape = vec![1i64; x.dim()];
            shape[1] = -1;
            x + b.view(shape.as_slice())
        }
        None => x.shallow_clone(),
    };
    if act == Act::Lrelu {
        x = crate::models::leaky_relu(&x, SLOPE);
    }
    let gain = gain * act.gain();
    if gain != 1.0 {
        x *= gain;
    }
    match clamp {
        Some(c) => x.clamp(-c, c),
        None => x,
    }
}

/// `FullyConnectedLayer`: `act(x W^T * lr_mul / sqrt(in) + b * lr_mul)`.
#[derive(Debug)]
pub struct Dense {
    w: Tensor,
    b: Tensor,
    lr_mul: f64,
    act: Act,
}

impl Dense {
    pub fn new(p: nn::Path, cin: i64, cout: i64, act: Act, lr_mul: f64, bias_init: f64) -> Self {
        let w = p.var("weight", &[cout, cin], nn::Init::Randn { mean: 0.0, stdev: 1.0 / lr_mul });
        let b = p.var("bias", &[cout], nn::Init::Const(bias_init));
        Self { w, b, lr_mul, act }
    }

    pub fn forward(&self, x: &Tensor) -> Tensor {
        let fan_in = self.w.size()[1] as f64;
        let y = x.matmul(&(&self.w * (self.lr_mul / fan_in.sqrt())).tr());
        let b = if self.lr_mul == 1.0 { self.b.shallow_clone() } else { &self.b * self.lr_mul };
        bias_act(&y, Some(&b), self.act, 1.0, None)
    }
}

/// The [1, 3, 3, 1] filter as `setup_filter` makes it: the outer product, summing to 1.
fn filter(channels: i64, gain: f64, like: &Tensor) -> Tensor {
    let f = Tensor::from_slice(&[1.0f32, 3.0, 3.0, 1.0]).to_device(like.device());
    let f = f.outer(&f);
    let f = &f / f.sum(Kind::Float) * gain;
    f.to_kind(like.kind()).view([1, 1, 4, 4]).repeat([channels, 1, 1, 1])
}

/// `upfirdn2d` without upsampling: the filter (times `gain`) over `x` padded by `pad` on
/// every side, then every `down`-th pixel.
fn fir(x: &Tensor, pad: i64, down: i64, gain: f64) -> Tensor {
    let c = x.size()[1];
    x.conv2d(&filter(c, gain, x), None::<Tensor>, [down, down], [pad, pad], [1, 1], c)
}

/// `upfirdn2d.upsample2d`: zeros between the pixels, then the filter (gain 4).
pub fn upsample2d(x: &Tensor) -> Tensor {
    let s = x.size();
    let x = x.view([s[0], s[1], s[2], 1, s[3], 1]).constant_pad_nd([0, 1, 0, 0, 0, 1]).view([s[0], s[1], s[2] * 2, s[3] * 2]);
    let x = x.constant_pad_nd([2, 1, 2, 1]);
    let c = s[1];
    x.conv2d(&filter(c, 4.0, &x), None::<Tensor>, [1, 1], [0, 0], [1, 1], c)
}

/// `conv2d_resample` of a `k x k` weight with `up` or `down` 1 or 2 and the [1, 3, 3, 1]
/// filter (the reference's fast paths, which are what it runs for these shapes).
pub fn conv2d_resample(x: &Tensor, w: &Tensor, up: i64, down: i64) -> Tensor {
    let k = w.size()[2];
    let pad = k / 2;
    match (up, down) {
        (1, 1) => x.conv2d(w, None::<Tensor>, [1, 1], [pad, pad], [1, 1], 1),
        // 1x1: downsample first (pad 1 each side), then convolve.
        (1, 2) if k == 1 => fir(x, 1, 2, 1.0).conv2d(w, None::<Tensor>, [1, 1], [0, 0], [1, 1], 1),
        // The filter over `x` padded by `pad + 1`, then a strided convolution.
        (1, 2) => fir(x, pad + 1, 1, 1.0).conv2d(w, None::<Tensor>, [2, 2], [0, 0], [1, 1], 1),
        // A transposed strided convolution (`2H + k - 2` a side), then the filter (gain 4)
        // padded by `pad + 3 - k`, which brings it to `2H`.
        (2, 1) => {
            let y = x.conv_transpose2d(&w.transpose(0, 1), None::<Tensor>, [2, 2], [0, 0], [0, 0], 1, [1, 1]);
            fir(&y, pad + 3 - k, 1, 4.0)
        }
        _ => unreachable!("stylegan2 resamples by 2 at most, one way at a time"),
    }
}

/// `Conv2dLayer` (the discriminator's): `bias_act(conv_resample(x, W / sqrt(fan_in)), b,
/// act, gain, clamp * gain)`.
#[derive(Debug)]
pub struct Conv {
    w: Tensor,
    b: Option<Tensor>,
    act: Act,
    down: i64,
    clamp: Option<f64>,
}

impl Conv {
    /// `(cin, cout, k)`: input and output channels and the kernel's size.
    pub fn new(p: nn::Path, (cin, cout, k): (i64, i64, i64), bias: bool, act: Act, down: i64, clamp: Option<f64>) -> Self {
        let w = p.var("weight", &[cout, cin, k, k], nn::Init::Randn { mean: 0.0, stdev: 1.0 });
        let b = bias.then(|| p.zeros("bias", &[cout]));
        Self { w, b, act, down, clamp }
    }

    pub fn forward(&self, x: &Tensor, gain: f64) -> Tensor {
        let s = self.w.size();
        let w = &self.w * (1.0 / ((s[1] * s[2] * s[3]) as f64).sqrt());
        let y = conv2d_resample(x, &w, 1, self.down);
        bias_act(&y, self.b.as_ref(), self.act, gain, self.clamp.map(|c| c * gain))
    }
}

/// `modulated_conv2d` (unfused): `x` scaled per sample and input channel by `styles [B, I]`,
/// convolved with the shared `weight [O, I, k, k]` (upsampled by `up`), then, with
/// `demodulate`, scaled per sample and output channel by `1 / sqrt(sum (w * s)^2 + 1e-8)`;
/// `noise` is added last.
pub fn modulated_conv2d(x: &Tensor, weight: &Tensor, styles: &Tensor, noise: Option<&Tensor>, up: i64, demodulate: bool) -> Tensor {
    let b = x.size()[0];
    let x = x * styles.view([b, -1, 1, 1]);
    let mut x = conv2d_resample(&x, weight, up, 1);
    if demodulate {
        let w = weight.unsqueeze(0) * styles.view([b, 1, -1, 1, 1]);
        let dcoefs = (w.square().sum_dim_intlist([2i64, 3, 4].as_slice(), false, None) + 1e-8).rsqrt();
        x *= dcoefs.view([b, -1, 1, 1]);
    }
    match noise {
        Some(n) => x + n,
        None => x,
    }
}

/// `normalize_2nd_moment`: `x / sqrt(mean over dim 1 of x^2 + 1e-8)`.
pub fn normalize_2nd_moment(x: &Tensor) -> Tensor {
    x * (x.square().mean_dim(1, true, None) + 1e-8).rsqrt()
}

/// `MinibatchStdLayer`: `channels` feature maps, each the standard deviation over groups of
/// `group` samples (samples `m, m + n, ...` form a group) averaged over its share of the
/// channels and the pixels.
pub fn minibatch_stddev(x: &Tensor, group: i64, channels: i64) -> Tensor {
    let s = x.size();
    let (g, f) = (group.min(s[0]), channels);
    let y = x.view([g, -1, f, s[1] / f, s[2], s[3]]);
    let y = &y - y.mean_dim(0, true, None);
    let y = (y.square().mean_dim(0, false, None) + 1e-8).sqrt();
    let y = y.mean_dim([2i64, 3, 4].as_slice(), false, None).view([-1, f, 1, 1]);
    let y = y.repeat([g, 1, s[2], s[3]]);
    Tensor::cat(&[x.shallow_clone(), y.to_kind(x.kind())], 1)
}
