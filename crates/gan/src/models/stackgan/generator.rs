//! StackGAN's generator, both stages (`STAGE1_G`, `STAGE2_G` of `hanzhanggit/StackGAN-Pytorch`,
//! `code/model.py`). Stage-I: `[z, c]` through a bias-free dense layer with BatchNorm1d and ReLU
//! to `8 g_base` maps at 4x4, then up-blocks (nearest upscale, 3x3 convolution, BatchNorm, ReLU)
//! halving the maps up to half the image size, and a 3x3 convolution with tanh. Stage-II: the
//! Stage-I image (detached) through a 3x3 convolution with ReLU and a 4x4 stride-2 convolution
//! with BatchNorm and ReLU to a quarter of the size, joined with its own `c` replicated over
//! the positions, a 3x3 convolution with BatchNorm and ReLU, residual blocks, two up-blocks
//! and a 3x3 convolution with tanh. Every convolution is bias-free (the reference's `conv3x3`).

use tch::{nn, nn::Module, nn::ModuleT, Tensor};

use super::{stage1_doublings, StackganConfig, STAGE_VAR};
use crate::models::condition::CondAugment;
use crate::models::norm::{bn_config, conv};
use crate::models::progan::layers::upscale;
use crate::models::{Generator, ImageShape};

/// Nearest 2x upscale, 3x3 convolution, BatchNorm, ReLU (the reference's `upBlock`).
struct UpBlock {
    conv: nn::Conv2D,
    bn: nn::BatchNorm,
}

impl UpBlock {
    fn new(p: nn::Path, cin: i64, cout: i64) -> Self {
        Self { conv: conv(&p / "conv", cin, cout, 3, 1, 1, false), bn: nn::batch_norm2d(&p / "bn", cout, bn_config()) }
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        self.bn.forward_t(&self.conv.forward(&upscale(x, 2)), train).relu()
    }
}

/// `x + (conv BN ReLU conv BN)(x)`, then ReLU (the reference's `ResBlock`).
struct ResBlock {
    convs: [nn::Conv2D; 2],
    bns: [nn::BatchNorm; 2],
}

impl ResBlock {
    fn new(p: nn::Path, c: i64) -> Self {
        let convs = [conv(&p / "conv0", c, c, 3, 1, 1, false), conv(&p / "conv1", c, c, 3, 1, 1, false)];
        Self { convs, bns: [nn::batch_norm2d(&p / "bn0", c, bn_config()), nn::batch_norm2d(&p / "bn1", c, bn_config())] }
    }

    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let h = self.bns[0].forward_t(&self.convs[0].forward(x), train).relu();
        (x + self.bns[1].forward_t(&self.convs[1].forward(&h), train)).relu()
    }
}

struct StageOne {
    ca: CondAugment,
    fc: nn::Linear,
    bn: nn::BatchNorm,
    maps: i64,
    ups: Vec<UpBlock>,
    to_img: nn::Conv2D,
}

impl StageOne {
    fn new(c: &StackganConfig, p: nn::Path, width: i64, doublings: i64, channels: i64) -> Self {
        let maps = 8 * c.g_base;
        let ca = CondAugment::new(&(&p / "ca"), width, c.augment_condition);
        let fc = nn::linear(&p / "fc", c.latent_dim + c.augment_condition.dim, maps * 16, nn::LinearConfig { bias: false, ..Default::default() });
        let bn = nn::batch_norm1d(&p / "fc_bn", maps * 16, bn_config());
        let ups = (0..doublings).map(|i| UpBlock::new(&p / format!("up{i}"), maps >> i, maps >> (i + 1))).collect();
        let to_img = conv(&p / "img", maps >> doublings, channels, 3, 1, 1, false);
        Self { ca, fc, bn, maps, ups, to_img }
    }

    fn forward_t(&self, z: &Tensor, y: &Tensor, train: bool) -> Tensor {
        let c = self.ca.sample(y);
        let h = self.bn.forward_t(&self.fc.forward(&Tensor::cat(&[z, &c.to_kind(z.kind())], 1)), train).relu();
        let mut h = h.view([-1, self.maps, 4, 4]);
        for up in &self.ups {
            h = up.forward_t(&h, train);
        }
        self.to_img.forward(&h).tanh()
    }
}

struct StageTwo {
    ca: CondAugment,
    encode: [nn::Conv2D; 2],
    encode_bn: nn::BatchNorm,
    joint: nn::Conv2D,
    joint_bn: nn::BatchNorm,
    residual: Vec<ResBlock>,
    ups: [UpBlock; 2],
    to_img: nn::Conv2D,
}

impl StageTwo {
    fn new(c: &StackganConfig, p: nn::Path, width: i64, channels: i64) -> Self {
        let (h, d) = (c.g_base, c.augment_condition.dim);
        Self {
            ca: CondAugment::new(&(&p / "ca"), width, c.augment_condition),
            encode: [conv(&p / "enc0", channels, h, 3, 1, 1, false), conv(&p / "enc1", h, 4 * h, 4, 2, 1, false)],
            encode_bn: nn::batch_norm2d(&p / "enc_bn", 4 * h, bn_config()),
            joint: conv(&p / "joint", 4 * h + d, 4 * h, 3, 1, 1, false),
            joint_bn: nn::batch_norm2d(&p / "joint_bn", 4 * h, bn_config()),
            residual: (0..c.residual_blocks).map(|i| ResBlock::new(&p / format!("res{i}"), 4 * h)).collect(),
            ups: [UpBlock::new(&p / "up0", 4 * h, 2 * h), UpBlock::new(&p / "up1", 2 * h, h)],
            to_img: conv(&p / "img", h, channels, 3, 1, 1, false),
        }
    }

    fn forward_t(&self, low: &Tensor, y: &Tensor, train: bool) -> Tensor {
        let h = self.encode[0].forward(low).relu();
        let h = self.encode_bn.forward_t(&self.encode[1].forward(&h), train).relu();
        let s = h.size();
        let c = self.ca.sample(y).to_kind(h.kind());
        let c = c.view([s[0], -1, 1, 1]).expand([s[0], c.size()[1], s[2], s[3]], false);
        let mut h = self.joint_bn.forward_t(&self.joint.forward(&Tensor::cat(&[&h, &c], 1)), train).relu();
        for r in &self.residual {
            h = r.forward_t(&h, train);
        }
        for up in &self.ups {
            h = up.forward_t(&h, train);
        }
        self.to_img.forward(&h).tanh()
    }
}

/// Both stages; the `stage` variable picks the one that draws.
pub struct StackganGenerator {
    latent: i64,
    width: i64,
    one: StageOne,
    two: StageTwo,
    stage: Tensor,
}

impl StackganGenerator {
    pub fn new(c: &StackganConfig, root: &nn::Path, image: ImageShape, width: i64) -> Self {
        let doublings = stage1_doublings(image).expect("image checked before building");
        let one = StageOne::new(c, root / "stage1", width, doublings, image.channels);
        let two = StageTwo::new(c, root / "stage2", width, image.channels);
        Self { latent: c.latent_dim, width, one, two, stage: root.zeros_no_train(STAGE_VAR, &[]) }
    }

    fn stage_two(&self) -> bool {
        self.stage.double_value(&[]) > 0.5
    }

    /// Stage-I's image at half the size, as Stage-II reads it (evaluation mode and no
    /// gradient in Stage-II: frozen).
    pub fn stage_one(&self, z: &Tensor, y: &Tensor, train: bool) -> Tensor {
        if self.stage_two() {
            tch::no_grad(|| self.one.forward_t(z, y, false))
        } else {
            self.one.forward_t(z, y, train)
        }
    }
}

impl Generator for StackganGenerator {
    fn latent_dim(&self) -> i64 {
        self.latent
    }

    fn classes(&self) -> i64 {
        self.width
    }

    fn forward_t(&self, z: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        let y = y.expect("StackGAN is conditioned on sentence vectors");
        let low = self.stage_one(z, y, train);
        if self.stage_two() {
            self.two.forward_t(&low, y, train)
        } else {
            upscale(&low, 2)
        }
    }

    /// The drawing stage's conditioning augmentation KL.
    fn regularizer(&self, y: Option<&Tensor>) -> Option<Tensor> {
        let y = y?;
        Some(if self.stage_two() { self.two.ca.kl(y) } else { self.one.ca.kl(y) })
    }
}
