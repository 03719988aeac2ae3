//! DAMSM's sentence loss (Xu et al. 2018, eq. 10-11; `taoxugit/AttnGAN`, `code/miscc/losses.py`
//! `sent_loss`): the cosine similarities of every image with every text of a batch, scaled by
//! `gamma3`, scored as a classification of each image's own text among the batch's texts and
//! of each text's own image among the batch's images; the loss is the sum of the two
//! cross-entropies (each a mean over the batch). Pairs that share a class (here: the same
//! caption twice in a batch) are left out of each other's negatives, as the reference masks
//! them with `-inf`.

use tch::{Kind, Reduction, Tensor};

/// DAMSM's `gamma3` (`cfg.TRAIN.SMOOTH.GAMMA3`).
pub const GAMMA3: f64 = 10.0;

/// Cosine similarities `[B, B]` of images `[B, E]` (rows) with texts `[B, E]` (columns).
pub fn cosine_matrix(images: &Tensor, texts: &Tensor) -> Tensor {
    let eps = 1e-8;
    let ni = images.norm_scalaropt_dim(2, [1i64].as_slice(), true).clamp_min(eps);
    let nt = texts.norm_scalaropt_dim(2, [1i64].as_slice(), true).clamp_min(eps);
    (images / ni).matmul(&(texts / nt).tr())
}

/// The sentence loss of a batch of matching pairs; `classes` (`[B]` integers), when given,
/// masks the pairs of equal class other than the diagonal.
pub fn sentence_loss(images: &Tensor, texts: &Tensor, classes: Option<&Tensor>, gamma: f64) -> Tensor {
    let b = images.size()[0];
    let mut scores = cosine_matrix(images, texts) * gamma;
    if let Some(c) = classes {
        let same = c.unsqueeze(1).eq_tensor(&c.unsqueeze(0));
        let off_diagonal = Tensor::eye(b, (Kind::Bool, images.device())).logical_not();
        scores = scores.masked_fill(&same.logical_and(&off_diagonal), f64::NEG_INFINITY);
    }
    let labels = Tensor::arange(b, (Kind::Int64, images.device()));
    let ce = |s: &Tensor| s.cross_entropy_loss::<Tensor>(&labels, None, Reduction::Mean, -100, 0.0);
    ce(&scores) + ce(&scores.tr())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[f64], r: i64) -> Tensor {
        Tensor::from_slice(v).view([r, -1])
    }

    /// Worked by hand (in f64: f32's 1 + e^-10 keeps three digits): orthonormal pairs give scores diag(10), off-diagonal 0, so each row's
    /// cross-entropy is log(1 + e^-10) and the loss twice that.
    #[test]
    fn orthogonal_pairs_by_hand() {
        let x = t(&[1., 0., 0., 2.], 2);
        let loss = sentence_loss(&x, &x, None, GAMMA3).double_value(&[]);
        let want = 2.0 * (1.0 + (-10.0f64).exp()).ln();
        assert!((loss - want).abs() < 1e-9, "{loss} vs {want}");
    }

    /// Worked by hand: image 0 = (1, 0), image 1 = (1, 1)/sqrt2; texts the same. Scores
    /// [[10, 7.071], [7.071, 10]]: every row and column has cross-entropy
    /// log(1 + e^(7.071 - 10)); masking the pair as one class leaves log(1) = 0.
    #[test]
    fn the_mask_drops_pairs_of_one_class() {
        let x = t(&[1., 0., 1., 1.], 2);
        let c = 10.0 / 2f64.sqrt();
        let want = 2.0 * (1.0 + (c - 10.0).exp()).ln();
        let loss = sentence_loss(&x, &x, None, GAMMA3).double_value(&[]);
        assert!((loss - want).abs() < 1e-6, "{loss} vs {want}");
        let masked = sentence_loss(&x, &x, Some(&Tensor::from_slice(&[3i64, 3])), GAMMA3).double_value(&[]);
        assert!(masked.abs() < 1e-9, "{masked}");
    }
}
