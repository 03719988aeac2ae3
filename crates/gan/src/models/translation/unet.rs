//! pix2pix's U-Net generator (Isola et al. 2017, section 3.2.1 and appendix 6.1.1; the
//! reference's `UnetGenerator`): `depth` stride-2 `Conv2d(4, 2, 1)` stages down to
//! `size / 2^depth`, as many `ConvTranspose2d(4, 2, 1)` stages back up, and a skip
//! connection concatenating each encoder stage's output onto the decoder stage of the same
//! size. Encoder stage `i` has `base * 2^min(i, 3)` channels (C64-C128-C256-C512-C512-...);
//! LeakyReLU(0.2) before every encoder convolution but the first, ReLU before every decoder
//! one, a norm after each convolution except the first, the innermost encoder one and the
//! last, tanh at the end.
//!
//! Noise is dropout (p = `dropout`) after the norm of the `dropout_levels` decoder stages
//! just outside the innermost one: the paper's 256-px network (depth 8) has three, the
//! reference's `num_downs - 5`. Inputs whose side is not a multiple of `2^depth` are
//! reflection-padded up to one and the output cropped back (28-px Fashion-MNIST runs at 32
//! with depth 5, a 1x1 bottleneck as in the paper).

use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, Tensor};

use super::{base_problem, conv, conv_bias, conv_t, leaky, norm_problems, Norm, Norm2d, Translator};
use crate::models::ImageShape;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnetConfig {
    /// Number of halvings (`num_downs`).
    pub depth: u32,
    /// Channels of the first encoder stage (`ngf`).
    pub base: i64,
    #[serde(default)]
    pub norm: Norm,
    #[serde(default = "half")]
    pub dropout: f64,
    /// Decoder stages with dropout, counted outwards from the one after the innermost.
    #[serde(default)]
    pub dropout_levels: u32,
}

fn half() -> f64 {
    0.5
}

impl Default for UnetConfig {
    /// The paper's 256-px generator.
    fn default() -> Self {
        Self { depth: 8, base: 64, norm: Norm::Batch, dropout: 0.5, dropout_levels: 3 }
    }
}

struct Stage {
    down: nn::Conv2D,
    down_norm: Option<Norm2d>,
    up: nn::ConvTranspose2D,
    up_norm: Option<Norm2d>,
    dropout: bool,
}

pub struct Unet {
    stages: Vec<Stage>,
    dropout: f64,
    multiple: i64,
}

impl UnetConfig {
    pub fn problems(&self) -> Vec<String> {
        let mut p = norm_problems("model.generator.norm", self.norm);
        if !(2..=10).contains(&self.depth) {
            p.push(format!("model.generator.depth must be between 2 and 10, got {}", self.depth));
        }
        p.extend(base_problem("model.generator.base", self.base));
        if !(0.0..1.0).contains(&self.dropout) {
            p.push(format!("model.generator.dropout must be in [0, 1), got {}", self.dropout));
        }
        if self.dropout_levels + 2 > self.depth.max(2) {
            p.push(format!(
                "model.generator.dropout_levels must leave the innermost and outermost stages ({} at depth {}), got {}",
                self.depth.saturating_sub(2),
                self.depth,
                self.dropout_levels
            ));
        }
        p
    }

    /// Whether images of this shape fit: the reflection padding up to a multiple of
    /// `2^depth` must be smaller than the image.
    pub fn check_image(&self, image: ImageShape) -> Result<(), String> {
        let m = 1i64 << self.depth;
        for s in [image.height, image.width] {
            let pad = (s + m - 1) / m * m - s;
            if pad - pad / 2 >= s {
                return Err(format!(
                    "a U-Net of depth {} needs sides that are multiples of {m} (or close enough to pad); {}x{} is too small",
                    self.depth, image.height, image.width
                ));
            }
        }
        Ok(())
    }

    pub fn build(&self, root: &nn::Path, input_channels: i64, output_channels: i64) -> Unet {
        let n = self.depth as usize;
        let ch = |i: usize| self.base << i.min(3);
        let bias = conv_bias(self.norm);
        let stages = (0..n)
            .map(|i| {
                let (innermost, outermost) = (i == n - 1, i == 0);
                let cin = if outermost { input_channels } else { ch(i - 1) };
                let up_in = if innermost { ch(i) } else { 2 * ch(i) };
                let up_out = if outermost { output_channels } else { ch(i - 1) };
                Stage {
                    down: conv(root / format!("down{i}"), cin, ch(i), 4, 2, 1, bias),
                    down_norm: (!outermost && !innermost).then(|| Norm2d::new(self.norm, root / format!("down{i}_norm"), ch(i))),
                    up: conv_t(root / format!("up{i}"), up_in, up_out, 4, 2, 0, bias || outermost),
                    up_norm: (!outermost).then(|| Norm2d::new(self.norm, root / format!("up{i}_norm"), up_out)),
                    dropout: !innermost && !outermost && i + 1 + self.dropout_levels as usize >= n,
                }
            })
            .collect();
        Unet { stages, dropout: self.dropout, multiple: 1 << self.depth }
    }
}

impl Translator for Unet {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let (h, w) = (x.size()[2], x.size()[3]);
        let pad = |s: i64| (s + self.multiple - 1) / self.multiple * self.multiple - s;
        let (ph, pw) = (pad(h), pad(w));
        let x = if ph + pw > 0 { x.reflection_pad2d([pw / 2, pw - pw / 2, ph / 2, ph - ph / 2]) } else { x.shallow_clone() };
        let mut skips = Vec::with_capacity(self.stages.len());
        let mut hcur = x;
        for (i, s) in self.stages.iter().enumerate() {
            let input = if i == 0 { hcur.shallow_clone() } else { leaky(&hcur) };
            hcur = s.down.forward(&input);
            if let Some(n) = &s.down_norm {
                hcur = n.forward_t(&hcur, train);
            }
            skips.push(hcur.shallow_clone());
        }
        let mut u = skips.pop().expect("depth >= 2");
        for (i, s) in self.stages.iter().enumerate().rev() {
            u = s.up.forward(&u.relu());
            if let Some(n) = &s.up_norm {
                u = n.forward_t(&u, train);
            }
            if s.dropout {
                u = u.dropout(self.dropout, train);
            }
            if i > 0 {
                u = Tensor::cat(&[skips.pop().expect("one skip per stage"), u], 1);
            }
        }
        let out = u.tanh();
        if ph + pw > 0 {
            out.narrow(2, ph / 2, h).narrow(3, pw / 2, w)
        } else {
            out
        }
    }
}
