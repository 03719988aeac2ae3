//! Packing, Lin et al., "PacGAN: The Power of Two Samples in Generative Adversarial
//! Networks" (NeurIPS 2018): the discriminator judges `m` samples at once, all real or all
//! fake, concatenated along the channel axis. A generator that collapses onto few modes
//! produces packs with visibly repeated members, so packing penalises mode collapse.
//!
//! A batch of `B` samples becomes `B / m` packs: rows `m i .. m i + m` form pack `i`. The
//! wrapped network is built for `m` times the channels and returns one logit per pack.

use tch::Tensor;

use super::Discriminator;

pub struct Packed {
    pub inner: Box<dyn Discriminator>,
    pub m: i64,
}

impl Packed {
    fn pack(&self, x: &Tensor) -> Tensor {
        let s = x.size();
        assert!(s[0] % self.m == 0, "a batch of {} samples does not split into packs of {}", s[0], self.m);
        let mut shape = s.clone();
        shape[0] /= self.m;
        shape[1] *= self.m;
        x.reshape(&shape)
    }
}

impl Discriminator for Packed {
    fn forward_t(&self, x: &Tensor, y: Option<&Tensor>, train: bool) -> Tensor {
        assert!(y.is_none(), "packed discriminators are unconditional");
        self.inner.forward_t(&self.pack(x), None, train)
    }

    fn per_sample(&self) -> bool {
        // Packs of real rows and packs of fake rows stay apart when the two halves of a
        // concatenation are multiples of `m`.
        self.inner.per_sample()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{ImageShape, MlpConfig};
    use tch::{nn, Device, Kind};

    #[test]
    fn packs_consecutive_samples_into_one_input() {
        let cfg = MlpConfig { d_dropout: 0.0, d_hidden: vec![5], ..MlpConfig::default() };
        let vs = nn::VarStore::new(Device::Cpu);
        let point = ImageShape { channels: 1, height: 1, width: 2 };
        let wide = ImageShape { channels: 3, height: 1, width: 2 };
        let packed = Packed { inner: Box::new(cfg.discriminator(&vs.root(), wide, 0)), m: 3 };
        assert_eq!(vs.variables()["net.0.weight"].size(), vec![5, 6]);
        let x = Tensor::randn([6, point.channels, point.height, point.width], (Kind::Float, Device::Cpu));
        let out = packed.forward_t(&x, None, false);
        assert_eq!(out.size(), vec![2]);
        // Pack 1 is samples 3, 4, 5 side by side: [x3, x4, x5] flattened.
        let by_hand = packed.inner.forward_t(&x.narrow(0, 3, 3).reshape([1, 6, 1, 1]), None, false);
        assert!((out.get(1) - by_hand.get(0)).abs().double_value(&[]) < 1e-6);
    }
}
