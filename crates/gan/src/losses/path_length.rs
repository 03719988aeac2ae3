//! Path length regularisation: Karras et al., "Analyzing and Improving the Image Quality of
//! StyleGAN" (CVPR 2020, sec. 3.2, eq. 4), as stylegan2-ada-pytorch's training/loss.py
//! (`StyleGAN2Loss`, phase `Gpl`) computes it: for images `g(w)` and a random image `y` of
//! N(0, 1) pixels divided by `sqrt(H W)`, the length `a = sqrt(mean over layers of
//! ||d(sum g(w) * y) / d w_layer||^2)` per image, a running mean `m <- m + decay (mean a - m)`,
//! and the penalty `(a - m)^2` per image (`m` the updated mean).

use tch::{Kind, Tensor};

/// The random image the Jacobian is projected on: N(0, 1) / sqrt(H W), shaped as `img`.
pub fn projection(img: &Tensor) -> Tensor {
    let s = img.size();
    img.randn_like() / ((s[2] * s[3]) as f64).sqrt()
}

/// The path length of each image `[B]`: `img` generated from `ws [B, L, w_dim]` (part of
/// its graph), projected on `y`; differentiable (a double backward), as the penalty needs.
pub fn path_lengths(img: &Tensor, ws: &Tensor, y: &Tensor) -> Tensor {
    let out = (img * y).sum(Kind::Float);
    let grads = Tensor::run_backward(&[&out], &[ws], true, true);
    grads[0].square().sum_dim_intlist([2i64].as_slice(), false, None).mean_dim(1, false, None).sqrt()
}

/// The penalty `(a - m)^2` per image, after moving the running mean `mean` (a 0-dim tensor,
/// updated in place) toward the batch's mean length by `decay`. As in the reference, the
/// updated mean in the penalty is a function of this batch's lengths (its gradient flows
/// through them); the stored one is detached.
pub fn path_penalty(lengths: &Tensor, mean: &mut Tensor, decay: f64) -> Tensor {
    let next = &*mean + (lengths.mean(None) - &*mean) * decay;
    tch::no_grad(|| mean.copy_(&next.detach()));
    (lengths - next).square()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A linear "generator" `img = A w` has the same Jacobian everywhere: worked by hand, one
    /// layer, `w` of 2, a 1x1 image of one channel, `y = 1`: `img = 3 w0 + 4 w1`, so the
    /// gradient is (3, 4) and the length 5; from a mean of 1 with decay 0.5 the mean moves
    /// to 3 and the penalty is (5 - 3)^2 = 4.
    #[test]
    fn a_linear_map_has_its_jacobians_length() {
        let w = Tensor::from_slice(&[0.3f32, -1.2]).view([1, 1, 2]).set_requires_grad(true);
        let a = Tensor::from_slice(&[3.0f32, 4.0]);
        let img = (&w * &a).sum_dim_intlist([2i64].as_slice(), false, None).view([1, 1, 1, 1]);
        let lengths = path_lengths(&img, &w, &img.ones_like());
        assert!((lengths.double_value(&[0]) - 5.0).abs() < 1e-6);
        let mut mean = Tensor::from(1.0f32);
        let p = path_penalty(&lengths, &mut mean, 0.5);
        assert!((mean.double_value(&[]) - 3.0).abs() < 1e-6);
        assert!((p.double_value(&[0]) - 4.0).abs() < 1e-5);
    }
}
