//! Class conditioning after Mirza & Osindero, "Conditional Generative Adversarial Nets"
//! (arXiv:1411.1784, 2014): the generator sees `[z, onehot(y)]`; the discriminator sees the
//! class too, as a one-hot vector appended to the flattened image (MLP) or as `K` constant
//! one-hot maps stacked onto the image's channels (convolutional networks).
//!
//! Networks built with `classes = 0` are unconditional and take no labels.

use tch::{Kind, Tensor};

/// `[B]` integer labels to `[B, classes]` floats on the labels' device.
pub fn one_hot(labels: &Tensor, classes: i64) -> Tensor {
    labels.to_kind(Kind::Int64).one_hot(classes).to_kind(Kind::Float)
}

/// The labels a network needs: present exactly when it was built with classes.
fn labels(y: Option<&Tensor>, classes: i64, batch: i64) -> Option<&Tensor> {
    match (classes, y) {
        (0, None) => None,
        (0, Some(_)) => panic!("labels given to an unconditional network"),
        (k, Some(y)) => {
            assert_eq!(y.size(), [batch, k], "one-hot labels of shape [batch, classes]");
            Some(y)
        }
        (_, None) => panic!("a conditional network needs labels"),
    }
}

/// `[h, y]` along the feature axis (`h` is `[B, F]`).
pub fn append_vector(h: &Tensor, y: Option<&Tensor>, classes: i64) -> Tensor {
    match labels(y, classes, h.size()[0]) {
        None => h.shallow_clone(),
        Some(y) => Tensor::cat(&[h, &y.to_kind(h.kind())], 1),
    }
}

/// `x` (`[B, C, H, W]`) with `classes` one-hot maps stacked onto its channels: map `k` of
/// sample `b` is all ones when `b` has class `k`, else all zeros.
pub fn append_maps(x: &Tensor, y: Option<&Tensor>, classes: i64) -> Tensor {
    let s = x.size();
    match labels(y, classes, s[0]) {
        None => x.shallow_clone(),
        Some(y) => {
            let maps = y.to_kind(x.kind()).view([s[0], classes, 1, 1]).expand([s[0], classes, s[2], s[3]], false);
            Tensor::cat(&[x, &maps], 1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_hot_maps_and_vectors_by_hand() {
        let y = one_hot(&Tensor::from_slice(&[2i64, 0]), 3);
        assert_eq!(Vec::<f32>::try_from(&y.flatten(0, -1)).unwrap(), vec![0., 0., 1., 1., 0., 0.]);
        let h = Tensor::from_slice(&[5f32, 6., 7., 8.]).view([2, 2]);
        let v = append_vector(&h, Some(&y), 3);
        assert_eq!(Vec::<f32>::try_from(&v.flatten(0, -1)).unwrap(), vec![5., 6., 0., 0., 1., 7., 8., 1., 0., 0.]);
        let x = Tensor::full([2, 1, 2, 2], 9.0, (Kind::Float, tch::Device::Cpu));
        let m = append_maps(&x, Some(&y), 3);
        assert_eq!(m.size(), vec![2, 4, 2, 2]);
        // Sample 0 (class 2): channel 0 is the image, channel 3 (= 1 + 2) is all ones.
        assert_eq!(m.get(0).sum_dim_intlist([1i64, 2].as_slice(), false, Kind::Float).iter::<f64>().unwrap().collect::<Vec<_>>(), vec![36., 0., 0., 4.]);
        assert_eq!(m.get(1).sum_dim_intlist([1i64, 2].as_slice(), false, Kind::Float).iter::<f64>().unwrap().collect::<Vec<_>>(), vec![36., 4., 0., 0.]);
        assert!(append_vector(&h, None, 0).equal(&h));
    }
}
