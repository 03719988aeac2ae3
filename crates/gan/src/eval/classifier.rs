//! A small LeNet-style CNN (after LeCun et al., "Gradient-Based Learning Applied to Document
//! Recognition", Proc. IEEE 1998) for 28x28 grey images: the judge used to steer latents and
//! to check what conditional generators draw.
//!
//! `Conv(1, 32, 5, pad 2) ReLU MaxPool(2) Conv(32, 64, 5, pad 2) ReLU MaxPool(2)
//! Linear(3136, 128) ReLU Dropout(0.3) Linear(128, classes)`, on pixels in `[-1, 1]` (the
//! range generators produce). Weights are saved as safetensors (names as in a PyTorch
//! `nn.Sequential` named `net`) with a JSON card next to them: classes, held-out accuracy
//! and how it was trained.

use std::path::{Path, PathBuf};

use gan_data::rng::{mix, permutation};
use gan_data::vocab::{ClassSet, Vocabulary};
use gan_data::Dataset;
use serde::{Deserialize, Serialize};
use tch::{nn, nn::Module, nn::ModuleT, Device, Kind, Tensor};

use crate::error::{GanError, Result};
use crate::models::ImageShape;
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};

/// What the JSON card next to the weights records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassifierCard {
    /// The training data (a folder or a built-in set).
    pub data: String,
    pub classes: i64,
    /// Accuracy on images never used for training.
    pub accuracy: f64,
    /// How those images were chosen, and how many.
    pub held_out: String,
    pub held_out_images: usize,
    pub epochs: u32,
    pub seed: u64,
    /// The command that produced the file.
    pub command: String,
}

/// The network: a feature extractor (`body`, ending in the 128-unit ReLU layer that the
/// evaluation metrics use as their feature space) and a linear `head`.
pub struct Classifier {
    vs: nn::VarStore,
    body: nn::SequentialT,
    head: nn::Linear,
    pub classes: i64,
}

/// The images every classifier takes: 28x28 grey.
pub const INPUT: ImageShape = ImageShape { channels: 1, height: 28, width: 28 };

/// The border the classifier crops from a grey square image framed around 28x28 (a grey set
/// read with `pad`, as the 32x32 StyleGAN2 and ProGAN presets do): `None` when it cannot read
/// the shape.
pub fn margin(shape: ImageShape) -> Option<i64> {
    let extra = shape.height - INPUT.height;
    let framed = shape.channels == 1 && shape.height == shape.width && extra >= 0 && extra % 2 == 0;
    (framed && extra <= 2 * i64::from(gan_data::source::MAX_PAD)).then_some(extra / 2)
}

/// The centre 28x28 of `[B, 1, 28 + 2m, 28 + 2m]` images.
pub fn centre(x: &Tensor) -> Tensor {
    let m = (x.size()[2] - INPUT.height) / 2;
    x.narrow(2, m, INPUT.height).narrow(3, m, INPUT.width)
}

/// Size of the penultimate (feature) layer.
pub const FEATURES: i64 = 128;

impl Classifier {
    /// A fresh network, initialised from libtorch's current seed.
    pub fn new(classes: i64, device: Device) -> Self {
        let vs = nn::VarStore::new(device);
        let p = vs.root() / "net";
        let conv = |i: usize, a, b| nn::conv2d(&p / i, a, b, 5, nn::ConvConfig { padding: 2, ..Default::default() });
        let body = nn::seq_t()
            .add(conv(0, 1, 32))
            .add_fn(|x| x.relu().max_pool2d_default(2))
            .add(conv(3, 32, 64))
            .add_fn(|x| x.relu().max_pool2d_default(2).flatten(1, -1))
            .add(nn::linear(&p / 7, 64 * 7 * 7, FEATURES, Default::default()))
            .add_fn(|x| x.relu());
        let head = nn::linear(&p / 10, FEATURES, classes, Default::default());
        Self { vs, body, head, classes }
    }

    /// Logits `[B, classes]` for images `[B, 1, 28, 28]` in `[-1, 1]`.
    pub fn logits(&self, x: &Tensor, train: bool) -> Tensor {
        self.head.forward(&self.body.forward_t(x, train).dropout(0.3, train))
    }

    /// The penultimate layer's activations `[B, 128]` (after its ReLU, no dropout).
    pub fn features(&self, x: &Tensor) -> Tensor {
        self.body.forward_t(x, false)
    }

    /// Class probabilities (differentiable with respect to `x`, for steering).
    pub fn probs(&self, x: &Tensor) -> Tensor {
        self.logits(x, false).softmax(-1, Kind::Float)
    }

    pub fn device(&self) -> Device {
        self.vs.device()
    }

    pub fn var_store(&self) -> &nn::VarStore {
        &self.vs
    }

    /// Fraction of `images` whose most likely class is the label.
    pub fn accuracy(&self, images: &Tensor, labels: &Tensor) -> f64 {
        tch::no_grad(|| {
            let n = images.size()[0];
            let mut correct = 0i64;
            for start in (0..n).step_by(1000) {
                let len = 1000.min(n - start);
                let pred = self.logits(&images.narrow(0, start, len), false).argmax(-1, false);
                correct += pred.eq_tensor(&labels.narrow(0, start, len)).sum(Kind::Int64).int64_value(&[]);
            }
            correct as f64 / n as f64
        })
    }

    pub fn save(&self, path: &Path, card: &ClassifierCard) -> Result<()> {
        // VarStore picks the format from the extension, so the temporary name keeps it.
        let tmp = path.with_extension("tmp.safetensors");
        self.vs.save(&tmp).map_err(|e| GanError::Io { path: tmp.clone(), source: std::io::Error::other(e) })?;
        std::fs::rename(&tmp, path).map_err(GanError::io(path))?;
        let json = serde_json::to_string_pretty(card).expect("card serialises");
        crate::run::checkpoint::write_atomic(&card_path(path), json.as_bytes())
    }

    /// Loads weights and their card (`X.json` next to `X.safetensors`).
    pub fn load(path: &Path, device: Device) -> Result<(Self, ClassifierCard)> {
        let cp = card_path(path);
        let text = std::fs::read_to_string(&cp).map_err(GanError::io(&cp))?;
        let card: ClassifierCard =
            serde_json::from_str(&text).map_err(|e| GanError::Checkpoint { path: cp.clone(), reason: format!("not a classifier card: {e}") })?;
        Ok((Self::from_weights(card.classes, path, device)?, card))
    }

    /// A network of `classes` with the weights of the safetensors file `path` (no card).
    pub fn from_weights(classes: i64, path: &Path, device: Device) -> Result<Self> {
        let mut c = Self::new(classes, device);
        crate::run::checkpoint::load_weights(&mut c.vs, path)?;
        Ok(c)
    }
}

/// The classifiers compiled into the binary (trained as `models/classifiers/README.md` says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Shipped {
    Mnist,
    FashionMnist,
}

impl Shipped {
    pub const ALL: [Shipped; 2] = [Shipped::Mnist, Shipped::FashionMnist];

    pub fn name(self) -> &'static str {
        gan_data::names::serde_name(&self)
    }

    /// The classes it was trained on.
    pub fn class_set(self) -> ClassSet {
        match self {
            Shipped::Mnist => ClassSet::Mnist,
            Shipped::FashionMnist => ClassSet::FashionMnist,
        }
    }

    /// The shipped classifier for a vocabulary (the 28x28 grey ones only).
    pub fn for_class_set(set: ClassSet) -> Option<Self> {
        match set {
            ClassSet::Mnist => Some(Shipped::Mnist),
            ClassSet::FashionMnist => Some(Shipped::FashionMnist),
            ClassSet::Cifar10 => None,
        }
    }

    pub fn vocabulary(self) -> Vocabulary {
        self.class_set().vocabulary()
    }

    fn files(self) -> (&'static [u8], &'static str) {
        match self {
            Shipped::Mnist => (include_bytes!("../../../../models/classifiers/mnist.safetensors"), include_str!("../../../../models/classifiers/mnist.json")),
            Shipped::FashionMnist => {
                (include_bytes!("../../../../models/classifiers/fashion-mnist.safetensors"), include_str!("../../../../models/classifiers/fashion-mnist.json"))
            }
        }
    }

    /// The weights file's bytes, as compiled in.
    pub fn weights(self) -> &'static [u8] {
        self.files().0
    }

    /// The network and its card.
    pub fn load(self, device: Device) -> Result<(Classifier, ClassifierCard)> {
        let (weights, card) = self.files();
        let origin = PathBuf::from(format!("builtin:classifiers/{}.safetensors", self.name()));
        let card: ClassifierCard = serde_json::from_str(card).expect("shipped card parses");
        let c = Classifier::new(card.classes, device);
        crate::tensors::fill(&origin, &crate::tensors::read_bytes(&origin, weights)?, &mut c.vs.variables())?;
        Ok((c, card))
    }
}

/// `X.json` for `X.safetensors`.
pub fn card_path(weights: &Path) -> PathBuf {
    weights.with_extension("json")
}

/// Images (`[N, 1, 28, 28]` in `[-1, 1]`) and labels (`[N]`, int64) of a labelled set.
pub fn tensors(ds: &Dataset, device: Device) -> Result<(Tensor, Tensor)> {
    let labels = ds.labels.as_ref().ok_or_else(|| GanError::Invalid(format!("{}: the classifier needs labels (a labels IDX file)", ds.name)))?;
    if (ds.channels, ds.height, ds.width) != (1, 28, 28) {
        return Err(GanError::Invalid(format!("{}: the classifier takes 28x28 grey images, got {}x{}x{}", ds.name, ds.channels, ds.height, ds.width)));
    }
    let x = Tensor::from_slice(&ds.pixels_pm1()).view([ds.len() as i64, 1, 28, 28]).to_device(device);
    Ok((x, label_tensor(labels).to_device(device)))
}

/// Labels as the classifier's targets: `[N]` int64 on the CPU.
pub fn label_tensor(labels: &[u8]) -> Tensor {
    Tensor::from_slice(&labels.iter().map(|&l| i64::from(l)).collect::<Vec<_>>())
}

/// Splits off the last `fraction` of a seeded permutation as held-out data.
pub fn hold_out(x: &Tensor, y: &Tensor, fraction: f64, seed: u64) -> ((Tensor, Tensor), (Tensor, Tensor)) {
    let n = x.size()[0] as usize;
    let perm: Vec<i64> = permutation(n, mix(&[seed, 7])).into_iter().map(i64::from).collect();
    let cut = n - ((n as f64 * fraction).round() as usize).max(1);
    let idx = |r: &[i64]| Tensor::from_slice(r).to_device(x.device());
    let (a, b) = (idx(&perm[..cut]), idx(&perm[cut..]));
    ((x.index_select(0, &a), y.index_select(0, &a)), (x.index_select(0, &b), y.index_select(0, &b)))
}

/// Trains with Adam (1e-3) and cross-entropy for `epochs` passes in batches of
/// `batch_size`, reporting `(epoch, mean training loss, held-out accuracy)` after each.
pub fn train(
    classes: i64,
    train: (&Tensor, &Tensor),
    held_out: (&Tensor, &Tensor),
    epochs: u32,
    batch_size: usize,
    seed: u64,
    on_epoch: &mut dyn FnMut(u32, f64, f64),
) -> Classifier {
    let (x, y) = train;
    tch::manual_seed(seed as i64);
    let c = Classifier::new(classes, x.device());
    let mut opt = Optimizer::new(&c.vs, OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8 }));
    let n = x.size()[0] as usize;
    for epoch in 1..=epochs {
        let perm = permutation(n, mix(&[seed, 8, epoch as u64]));
        let mut total = 0.0;
        let batches = n / batch_size;
        for b in 0..batches {
            let idx: Vec<i64> = perm[b * batch_size..(b + 1) * batch_size].iter().map(|&i| i as i64).collect();
            let idx = Tensor::from_slice(&idx).to_device(x.device());
            let loss = c.logits(&x.index_select(0, &idx), true).cross_entropy_for_logits(&y.index_select(0, &idx));
            let grads = opt.grads(&loss);
            opt.step(&grads);
            total += loss.double_value(&[]);
        }
        on_epoch(epoch, total / batches.max(1) as f64, c.accuracy(held_out.0, held_out.1));
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_grey_images_are_read_at_their_centre() {
        let shape = |c, s| ImageShape { channels: c, height: s, width: s };
        assert_eq!(margin(INPUT), Some(0));
        assert_eq!(margin(shape(1, 32)), Some(2));
        for wrong in [shape(3, 32), shape(1, 31), shape(1, 24), ImageShape { channels: 1, height: 32, width: 30 }, shape(1, 28 + 2 * 65)] {
            assert_eq!(margin(wrong), None, "{wrong:?}");
        }
        let digits = Tensor::randn([3, 1, 28, 28], (Kind::Float, Device::Cpu));
        let framed = digits.constant_pad_nd([2, 2, 2, 2]);
        assert!(centre(&framed).equal(&digits));
    }

    /// Two classes that differ in brightness are learnt, saved and loaded back.
    /// The compiled-in MNIST classifier equals the file it was compiled from.
    #[test]
    fn shipped_weights_load_from_the_binary() {
        let (a, card) = Shipped::Mnist.load(Device::Cpu).unwrap();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/classifiers/mnist.safetensors");
        let (b, card_b) = Classifier::load(&path, Device::Cpu).unwrap();
        assert_eq!(card, card_b);
        let x = Tensor::randn([4, 1, 28, 28], (Kind::Float, Device::Cpu));
        assert!(a.logits(&x, false).equal(&b.logits(&x, false)));
        assert_eq!(Shipped::FashionMnist.load(Device::Cpu).unwrap().1.classes, 10);
        assert_eq!(Shipped::FashionMnist.vocabulary().lookup("ankle boot"), Ok(9));
    }

    #[test]
    fn learns_a_trivial_task_and_round_trips() {
        let n = 256;
        let y = Tensor::arange(n, (Kind::Int64, Device::Cpu)).remainder(2);
        let x = (y.to_kind(Kind::Float) * 1.6 - 0.8).view([n, 1, 1, 1]).expand([n, 1, 28, 28], true).contiguous()
            + Tensor::randn([n, 1, 28, 28], (Kind::Float, Device::Cpu)) * 0.3;
        let ((xt, yt), (xh, yh)) = hold_out(&x, &y, 0.25, 1);
        assert_eq!((xt.size()[0], xh.size()[0]), (192, 64));
        let mut seen = Vec::new();
        let c = train(2, (&xt, &yt), (&xh, &yh), 2, 32, 0, &mut |e, l, a| seen.push((e, l, a)));
        assert_eq!(seen.len(), 2);
        assert!(seen[1].2 > 0.95, "{seen:?}");
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("c.safetensors");
        let card = ClassifierCard {
            data: "toy".into(),
            classes: 2,
            accuracy: seen[1].2,
            held_out: "25%".into(),
            held_out_images: 64,
            epochs: 2,
            seed: 0,
            command: "test".into(),
        };
        c.save(&p, &card).unwrap();
        let (back, card2) = Classifier::load(&p, Device::Cpu).unwrap();
        assert_eq!(card2, card);
        assert_eq!(back.accuracy(&xh, &yh), c.accuracy(&xh, &yh));
        let probs = back.probs(&xh.narrow(0, 0, 3));
        assert!((probs.sum(Kind::Float).double_value(&[]) - 3.0).abs() < 1e-5);
    }
}
