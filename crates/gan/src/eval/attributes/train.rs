//! Training the attribute network: Adam (1e-3) on the sum of the heads' cross-entropies, in
//! seeded batches of the rows not held out, each image shifted by up to 4 pixels (white
//! entering at the edges) and mirrored with probability 1/2; the held-out rows measure each
//! head after every epoch.

use gan_data::rng::{mix, permutation};
use tch::{Device, Kind, Tensor};

use super::data::AttributeData;
use super::net::{AttributeNet, SIDE};
use super::{AttributeCard, HeadCard};
use crate::error::{GanError, Result};
use crate::optim::{AdamConfig, Optimizer, OptimizerConfig};

/// Largest shift of the augmentation, in pixels.
const SHIFT: i64 = 4;

/// How to train.
#[derive(Debug, Clone, Copy)]
pub struct TrainOptions {
    pub epochs: u32,
    pub batch_size: usize,
    pub seed: u64,
    pub device: Device,
}

/// Trains on `data`'s rows that are not held out; `card` names the data and command (its
/// heads and accuracies are filled in). `on_epoch(epoch, loss, accuracies)` after each epoch.
pub fn train(data: &AttributeData, mut card: AttributeCard, o: TrainOptions, on_epoch: &mut dyn FnMut(u32, f64, &[f64])) -> Result<AttributeNet> {
    let rows = |held: bool| -> Tensor {
        let idx: Vec<i64> = data.held_out.iter().enumerate().filter(|(_, &h)| h == held).map(|(i, _)| i as i64).collect();
        Tensor::from_slice(&idx)
    };
    let (train_rows, test_rows) = (rows(false), rows(true));
    let (n, n_test) = (train_rows.size()[0] as usize, test_rows.size()[0]);
    if n < o.batch_size || n_test == 0 {
        return Err(GanError::Invalid(format!(
            "the attribute classifier needs at least one batch of training rows and one held-out row; got {n} and {n_test}"
        )));
    }
    let pm1 = |idx: &Tensor| (data.images.index_select(0, idx).to_kind(Kind::Float) / 127.5 - 1.0).to_device(o.device);
    let labels: Vec<Tensor> = data.heads.iter().map(|(_, _, y)| Tensor::from_slice(y).to_device(o.device)).collect();
    card.heads = data.heads.iter().map(|(field, classes, _)| HeadCard { field: field.clone(), classes: classes.clone(), accuracy: 0.0 }).collect();
    (card.train_images, card.held_out_images, card.epochs, card.seed) = (n, n_test as usize, o.epochs, o.seed);
    tch::manual_seed(o.seed as i64);
    let mut net = AttributeNet::new(card, o.device);
    let mut opt = Optimizer::new(&net.vs, OptimizerConfig::Adam(AdamConfig { lr: 1e-3, betas: (0.9, 0.999), eps: 1e-8 }));
    let x_test = pm1(&test_rows);
    for epoch in 1..=o.epochs {
        let perm = permutation(n, mix(&[o.seed, 0xA7, epoch as u64]));
        let mut total = 0.0;
        let batches = n / o.batch_size;
        for b in 0..batches {
            let pick: Vec<i64> = perm[b * o.batch_size..(b + 1) * o.batch_size].iter().map(|&i| i as i64).collect();
            let idx = train_rows.index_select(0, &Tensor::from_slice(&pick));
            let x = augment(&pm1(&idx), true);
            let idx = idx.to_device(o.device);
            let loss = net
                .logits(&x, true)
                .iter()
                .zip(&labels)
                .map(|(l, y)| l.cross_entropy_for_logits(&y.index_select(0, &idx)))
                .fold(Tensor::from(0f32).to_device(o.device), |a, b| a + b);
            let grads = opt.grads(&loss);
            opt.step(&grads);
            total += loss.double_value(&[]);
        }
        let acc = accuracies(&net, &x_test, &labels, &test_rows);
        for (h, a) in net.card.heads.iter_mut().zip(&acc) {
            h.accuracy = *a;
        }
        on_epoch(epoch, total / batches as f64, &acc);
    }
    Ok(net)
}

/// Each image shifted by up to [`SHIFT`] pixels in each direction (white entering) and, when
/// `mirror`, mirrored left-right with probability 1/2, from libtorch's generator.
pub(crate) fn augment(x: &Tensor, mirror: bool) -> Tensor {
    let b = x.size()[0];
    // Padding x - 1 with zeros pads x with ones: white.
    let padded = (x - 1.0).constant_pad_nd([SHIFT, SHIFT, SHIFT, SHIFT]) + 1.0;
    let shifts = Tensor::randint(2 * SHIFT + 1, [b, 2], (Kind::Int64, Device::Cpu));
    let shifts: Vec<i64> = Vec::try_from(shifts.view([-1])).expect("shifts");
    let flips: Vec<bool> = Vec::<f32>::try_from(Tensor::rand([b], (Kind::Float, Device::Cpu))).expect("flips").into_iter().map(|u| u < 0.5).collect();
    let crops: Vec<Tensor> = (0..b as usize)
        .map(|i| {
            let img = padded.get(i as i64).narrow(1, shifts[2 * i], SIDE).narrow(2, shifts[2 * i + 1], SIDE);
            if mirror && flips[i] {
                img.flip([2])
            } else {
                img
            }
        })
        .collect();
    Tensor::stack(&crops, 0)
}

/// Each head's accuracy on `data`'s held-out rows (as the card records it).
pub fn held_out_accuracies(net: &AttributeNet, data: &AttributeData) -> Vec<f64> {
    let idx: Vec<i64> = data.held_out.iter().enumerate().filter(|(_, &h)| h).map(|(i, _)| i as i64).collect();
    let idx = Tensor::from_slice(&idx);
    let x = (data.images.index_select(0, &idx).to_kind(Kind::Float) / 127.5 - 1.0).to_device(net.device());
    let labels: Vec<Tensor> = data.heads.iter().map(|(_, _, y)| Tensor::from_slice(y)).collect();
    accuracies(net, &x, &labels, &idx)
}

/// Each head's share of correct predictions on images `x`, rows `idx` of the labels.
fn accuracies(net: &AttributeNet, x: &Tensor, labels: &[Tensor], idx: &Tensor) -> Vec<f64> {
    tch::no_grad(|| {
        let n = x.size()[0];
        let mut correct = vec![0i64; labels.len()];
        for start in (0..n).step_by(500) {
            let len = 500.min(n - start);
            for (h, logits) in net.logits(&x.narrow(0, start, len), false).iter().enumerate() {
                let y = labels[h].index_select(0, &idx.narrow(0, start, len).to_device(labels[h].device())).to_device(logits.device());
                correct[h] += logits.argmax(-1, false).eq_tensor(&y).sum(Kind::Int64).int64_value(&[]);
            }
        }
        correct.iter().map(|&c| c as f64 / n as f64).collect()
    })
}
