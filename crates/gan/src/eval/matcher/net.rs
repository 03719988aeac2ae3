//! The matcher's two encoders, after AttnGAN's DAMSM (Xu et al. 2018; `taoxugit/AttnGAN`,
//! `code/model.py`: `RNN_ENCODER`, `CNN_ENCODER`) made small for 2 cores:
//! - text: word embeddings (64-d, padding index 0 fixed at zero), a bidirectional GRU (64 per
//!   direction; the word vectors are its outputs), the sentence vector as the mean of the
//!   word vectors over the real words, then a linear map to the joint space;
//! - image: `[Conv4x4 stride 2, LeakyReLU 0.2] x 4` (32-256 channels) on 64x64 RGB in
//!   `[-1, 1]`, global average pooling, a linear map to the joint space (DAMSM uses an
//!   ImageNet Inception-v3 here; none can be downloaded, so this one is trained from scratch).

use tch::{nn, nn::Module, Device, Kind, Tensor};

use crate::models::ImageShape;

/// Width of the word embeddings and of each GRU direction.
pub const WORD_DIM: i64 = 64;
/// Width of the joint space (the sentence vector a generator is conditioned on).
pub const EMBED_DIM: i64 = 128;
/// Words read per text (longer keyword lists are cut).
pub const MAX_WORDS: usize = 24;
/// The side images are brought to.
pub const SIDE: i64 = 64;
const CHANNELS: [i64; 4] = [32, 64, 128, 256];

/// The text encoder.
pub struct TextEncoder {
    embed: nn::Embedding,
    gru: nn::GRU,
    project: nn::Linear,
}

impl TextEncoder {
    pub fn new(p: &nn::Path, vocabulary: i64) -> Self {
        let embed = nn::embedding(p / "embed", vocabulary, WORD_DIM, nn::EmbeddingConfig { padding_idx: 0, ..Default::default() });
        let rnn = nn::RNNConfig { bidirectional: true, batch_first: true, ..Default::default() };
        let gru = nn::gru(p / "gru", WORD_DIM, WORD_DIM, rnn);
        let project = nn::linear(p / "project", 2 * WORD_DIM, EMBED_DIM, Default::default());
        Self { embed, gru, project }
    }

    /// Word vectors `[B, L, 2 * WORD_DIM]` and sentence vectors `[B, EMBED_DIM]` of token
    /// rows `[B, L]` (0-padded; every row has at least one word).
    pub fn forward(&self, tokens: &Tensor) -> (Tensor, Tensor) {
        use tch::nn::RNN;
        let (words, _) = self.gru.seq(&self.embed.forward(tokens));
        let mask = tokens.ne(0).to_kind(Kind::Float).unsqueeze(-1);
        let mean = (&words * &mask).sum_dim_intlist(1, false, Kind::Float) / mask.sum_dim_intlist(1, false, Kind::Float).clamp_min(1.0);
        (words, self.project.forward(&mean))
    }
}

/// The image encoder.
pub struct ImageEncoder {
    convs: Vec<nn::Conv2D>,
    project: nn::Linear,
}

impl ImageEncoder {
    pub fn new(p: &nn::Path) -> Self {
        let mut from = 3;
        let mut convs = Vec::new();
        for (i, &c) in CHANNELS.iter().enumerate() {
            convs.push(nn::conv2d(p / format!("conv{i}"), from, c, 4, nn::ConvConfig { stride: 2, padding: 1, ..Default::default() }));
            from = c;
        }
        Self { convs, project: nn::linear(p / "project", from, EMBED_DIM, Default::default()) }
    }

    /// Image vectors `[B, EMBED_DIM]` of images `[B, 3, H, W]` in `[-1, 1]` (brought to 64x64).
    pub fn forward(&self, x: &Tensor) -> Tensor {
        let x = to_side(x);
        let h = self.convs.iter().fold(x, |h, c| crate::models::leaky_relu(&c.forward(&h), 0.2));
        self.project.forward(&h.mean_dim(&[2i64, 3][..], false, Kind::Float))
    }
}

/// `x` at 64x64 (area averaging down, bilinear up).
fn to_side(x: &Tensor) -> Tensor {
    let s = x.size();
    match s[2] {
        SIDE => x.shallow_clone(),
        h if h > SIDE => x.adaptive_avg_pool2d([SIDE, SIDE]),
        _ => x.upsample_bilinear2d([SIDE, SIDE], false, None, None),
    }
}

/// Whether the image encoder reads images of this shape: colour, square.
pub fn reads(shape: ImageShape) -> bool {
    shape.channels == 3 && shape.height == shape.width
}

/// Token rows `[B, MAX_WORDS or fewer]`, 0-padded, of each text's word indices.
pub fn token_rows(texts: &[Vec<i64>], device: Device) -> Tensor {
    let len = texts.iter().map(|t| t.len().min(MAX_WORDS)).max().unwrap_or(1).max(1);
    let mut flat = vec![0i64; texts.len() * len];
    for (row, t) in texts.iter().enumerate() {
        for (j, &w) in t.iter().take(len).enumerate() {
            flat[row * len + j] = w;
        }
    }
    Tensor::from_slice(&flat).view([texts.len() as i64, len as i64]).to_device(device)
}
