//! VGG19's convolutions up to conv4_4 (Simonyan & Zisserman, "Very Deep Convolutional
//! Networks for Large-Scale Image Recognition", ICLR 2015; torchvision's `vgg19`, whose
//! `features.{i}` names the weights keep), the feature network of CartoonGAN's content loss
//! as its training reference uses it (`znxlwm/pytorch-CartoonGAN`, `networks.py`: the first
//! 26 layers of `features`, ending at conv4_4 before its ReLU, on images mapped to `[0, 1]`
//! by `(x + 1) / 2` without ImageNet normalisation).
//!
//! Its ImageNet weights cannot be downloaded here; [`Vgg19::load`] reads them from a
//! safetensors file holding torchvision's state dict (converted from `vgg19-dcbb9e9d.pth`),
//! of which it uses the twelve convolutions before conv4_4's ReLU.

use std::collections::HashMap;
use std::path::Path;

use tch::{nn, nn::Module, Device, Tensor};

use crate::error::Result;

/// `features` indices of the convolutions up to conv4_4, with their channels; a 2x2 max-pool
/// follows those marked.
const CONVS: [(usize, i64, i64, bool); 12] = [
    (0, 3, 64, false),
    (2, 64, 64, true),
    (5, 64, 128, false),
    (7, 128, 128, true),
    (10, 128, 256, false),
    (12, 256, 256, false),
    (14, 256, 256, false),
    (16, 256, 256, true),
    (19, 256, 512, false),
    (21, 512, 512, false),
    (23, 512, 512, false),
    (25, 512, 512, false),
];

pub struct Vgg19 {
    _vs: nn::VarStore,
    convs: Vec<(nn::Conv2D, bool)>,
}

impl Vgg19 {
    /// The network with weights from `file` (torchvision's names; other tensors in it, the
    /// deeper layers and the classifier, are not read).
    pub fn load(file: &Path, device: Device) -> Result<Self> {
        let mut vs = nn::VarStore::new(device);
        let root = vs.root() / "features";
        let cfg = nn::ConvConfig { padding: 1, ..Default::default() };
        let convs = CONVS.iter().map(|&(i, cin, cout, pool)| (nn::conv2d(&root / i, cin, cout, 3, cfg), pool)).collect();
        let all = crate::tensors::read(file)?;
        let mut dst = vs.variables();
        let used: HashMap<String, Tensor> = all.into_iter().filter(|(k, _)| dst.contains_key(k)).collect();
        tch::no_grad(|| crate::tensors::fill(file, &used, &mut dst))?;
        vs.freeze();
        Ok(Self { _vs: vs, convs })
    }

    /// conv4_4's maps (before its ReLU) of images in `[-1, 1]`.
    pub fn feature_maps(&self, x: &Tensor) -> Tensor {
        let last = self.convs.len() - 1;
        let mut h = (x + 1.0) / 2.0;
        for (i, (conv, pool)) in self.convs.iter().enumerate() {
            h = conv.forward(&h);
            if i < last {
                h = h.relu();
            }
            if *pool {
                h = h.max_pool2d_default(2);
            }
        }
        h
    }
}
