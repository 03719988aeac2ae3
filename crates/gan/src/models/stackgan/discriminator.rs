//! StackGAN's discriminators (`STAGE1_D`, `STAGE2_D` and `D_GET_LOGITS` of
//! `hanzhanggit/StackGAN-Pytorch`, `code/model.py`), one per stage: bias-free 4x4 stride-2
//! convolutions with LeakyReLU(0.2) (BatchNorm after all but the first), from the stage's size
//! down to 4x4 with `d_base` maps doubling at each halving; then the condition replicated over
//! the 4x4 positions and joined, a 3x3 convolution with BatchNorm and LeakyReLU, and a 4x4
//! convolution of stride 4 to one logit (the reference's sigmoid is in the loss here). Stage-I's
//! discriminator reads each image averaged over 2x2 blocks (half the size); the `stage`
//! variable picks the one that judges.

use tch::{nn, nn::Module, nn::ModuleT, Tensor};

use super::{stage1_doublings, StackganConfig, STAGE_VAR};
use crate::models::norm::{bn_config, conv};
use crate::models::progan::layers::downscale;
use crate::models::{leaky_relu, Discriminator, ImageShape};

const SLOPE: f64 = 0.2;

/// One stage's discriminator, for images of `2^(halvings + 2)` pixels a side.
struct StageCritic {
    downs: Vec<(nn::Conv2D, Option<nn::BatchNorm>)>,
    joint: nn::Conv2D,
    joint_bn: nn::BatchNorm,
    logit: nn::Conv2D,
}

impl StageCritic {
    fn new(c: &StackganConfig, p: nn::Path, halvings: i64, channels: i64, width: i64) -> Self {
        let maps = |i: i64| c.d_base << i;
        let downs = (0..halvings)
            .map(|i| {
                let cin = if i == 0 { channels } else { maps(i - 1) };
                let bn = (i > 0).then(|| nn::batch_norm2d(&p / format!("bn{i}"), maps(i), bn_config()));
                (conv(&p / format!("down{i}"), cin, maps(i), 4, 2, 1, false), bn)
            })
            .collect();
        let top = maps(halvings - 1);
        Self {
            downs,
            joint: conv(&p / "joint", top + width, top, 3, 1, 1, false),
            joint_bn: nn::batch_norm2d(&p / "joint_bn", top, bn_config()),
            logit: conv(&p / "logit", top, 1, 4, 4, 0, true),
        }
    }

    fn forward_t(&self, x: &Tensor, y: &Tensor, train: bool) -> Tensor {
        let mut h = x.shallow_clone();
        for (conv, bn) in &self.downs {
            h = conv.forward(&h);
            if let Some(bn) = bn {
                h = bn.forward_t(&h, train);
            }
            h = leaky_relu(&h, SLOPE);
        }
        let s = h.size();
        let c = y.to_kind(h.kind()).view([s[0], -1, 1, 1]).expand([s[0], y.size()[1], s[2], s[3]], false);
        let h = leaky_relu(&self.joint_bn.forward_t(&self.joint.forward(&Tensor::cat(&[&h, &c], 1)), train), SLOPE);
        self.logit.forward(&h).view([-1])
    }
}

/// Both stages' discriminators.
pub struct StackganDiscriminator {
    one: StageCritic,
    two: StageCritic,
    stage: Tensor,
}

impl StackganDiscriminator {
    pub fn new(c: &StackganConfig, root: &nn::Path, image: ImageShape, width: i64) -> Self {
        let doublings = stage1_doublings(image).expect("image checked before building");
        // Stage-I's images are 2^(doublings + 2) a side, Stage-II's twice that.
        let one = StageCritic::new(c, root / "stage1", doublings, image.channels, width);
        let two = StageCritic::new(c, root / "stage2", doublings + 1, image.channels, width);
        Self { one, two, stage: root.zeros_no_train(STAGE_VAR, &[]) }
    }
}

impl Discriminator for StackganDiscriminator {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        let y = y.expect("StackGAN is conditioned on sentence vectors");
        if self.stage.double_value(&[]) > 0.5 {
            self.two.forward_t(x, y, train)
        } else {
            self.one.forward_t(&downscale(x, 2), y, train)
        }
    }

    /// BatchNorm mixes the batch.
    fn per_sample(&self) -> bool {
        false
    }
}
