//! A text-conditioned run's conditions (`[text]`, see `crate::config::TextConfig`): the
//! sentence vector of every class's caption (and keyword list) from the matcher's frozen
//! text encoder, computed once when the run opens; a batch's labels pick their rows.

use tch::{Device, Kind, Tensor};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::latent;

/// Captions (columns) and latents (rows) of a text run's sample grid.
pub const GRID_CAPTIONS: i64 = 8;

/// The sentence vectors of a run's captions.
pub struct TextTable {
    /// `[K, E]`: row `k` is class `k`'s caption.
    captions: Tensor,
    /// `[K, E]`: class `k`'s keyword list (its caption where the list is empty).
    keywords: Tensor,
    keyword_share: f64,
}

impl TextTable {
    /// The table of `config`'s captions (`class_names`, the label field's values).
    pub fn build(config: &TrainConfig, class_names: &[String], device: Device) -> Result<Self> {
        let text = config.text.as_ref().expect("a text run");
        let matcher = crate::eval::matcher::shipped::of_text(text, device)?;
        let keywords = if text.keyword_share > 0.0 { keyword_lists(config, class_names)? } else { class_names.to_vec() };
        let encode = |texts: &[String]| -> Result<Tensor> {
            let _guard = tch::no_grad_guard();
            let parts = texts.chunks(512).map(|c| matcher.encode_texts(c)).collect::<std::result::Result<Vec<_>, _>>();
            let parts = parts.map_err(|e| GanError::Invalid(format!("{}: a caption has no words ({e})", config.data.describe())))?;
            Ok(Tensor::cat(&parts, 0).to_device(device))
        };
        Ok(Self { captions: encode(class_names)?, keywords: encode(&keywords)?, keyword_share: text.keyword_share })
    }

    /// Width of a condition.
    pub fn width(&self) -> i64 {
        self.captions.size()[1]
    }

    /// Every caption's condition, `[K, E]`.
    pub fn captions(&self) -> &Tensor {
        &self.captions
    }

    /// The captions' conditions of integer labels `[B]`.
    pub fn captions_of(&self, labels: &Tensor) -> Tensor {
        self.captions.index_select(0, &labels.to_device(self.captions.device()))
    }

    /// The conditions of integer labels `[B]`: each label's caption, or with probability
    /// `keyword_share` its keyword list (from libtorch's generator).
    pub fn of_labels(&self, labels: &Tensor) -> Tensor {
        let labels = labels.to_device(self.captions.device());
        let captions = self.captions_of(&labels);
        if self.keyword_share == 0.0 {
            return captions;
        }
        let coin = Tensor::rand([labels.size()[0], 1], (Kind::Float, labels.device())).lt(self.keyword_share);
        captions.where_self(&coin.logical_not(), &self.keywords.index_select(0, &labels))
    }

    /// The fixed inputs of the sample grid: [`GRID_CAPTIONS`] latents (rows), each with
    /// the captions of classes `shown` (columns); with those classes.
    pub fn grid(&self, latent_dim: i64, seed: u64, device: Device) -> (Tensor, Tensor, Vec<i64>) {
        let k = self.captions.size()[0];
        let shown: Vec<i64> = gan_data::rng::permutation(k as usize, seed).into_iter().take(GRID_CAPTIONS as usize).map(i64::from).collect();
        let cols = shown.len() as i64;
        let z = latent::latents(GRID_CAPTIONS, latent_dim, seed, device).repeat_interleave_self_int(cols, 0, None);
        let y = self.captions.index_select(0, &Tensor::from_slice(&shown).to_device(self.captions.device())).repeat([GRID_CAPTIONS, 1]);
        (z, y, shown)
    }
}

/// Each class's keyword list (the data's `keywords` field, joined by spaces) from the first
/// row of that class.
fn keyword_lists(config: &TrainConfig, class_names: &[String]) -> Result<Vec<String>> {
    let gan_data::DataSource::Folder(f) = &config.data else {
        return Err(GanError::Invalid("text.keyword_share > 0 needs an image folder with a `keywords` field".into()));
    };
    let mut with_keywords = f.clone();
    with_keywords.caption = Some(crate::eval::matcher::data::KEYWORDS.into());
    let folder = with_keywords.open()?;
    let (labels, lists) = (folder.labels.unwrap_or_default(), folder.captions.unwrap_or_default());
    let mut out: Vec<Option<String>> = vec![None; class_names.len()];
    for (&l, list) in labels.iter().zip(&lists) {
        out[l as usize].get_or_insert_with(|| list.clone());
    }
    Ok(out.into_iter().zip(class_names).map(|(k, name)| k.filter(|k| !k.trim().is_empty()).unwrap_or_else(|| name.clone())).collect())
}
