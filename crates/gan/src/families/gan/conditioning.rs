//! What a conditional run needs beyond an unconditional one: its number of classes, checked
//! against the data, and the fixed inputs of its sample grid.

use tch::{Device, Kind, Tensor};

use crate::config::TrainConfig;
use crate::error::{GanError, Result};
use crate::models::condition::one_hot;
use crate::models::latent;

use super::GRID_SAMPLES;

/// Rows of a conditional run's sample grid (one z per row, one class per column).
const CONDITIONAL_GRID_ROWS: i64 = 8;

/// The number of classes of a conditional run: the labels' count, checked against the
/// data's vocabulary.
pub(super) fn run_classes(config: &TrainConfig, labelled: Option<usize>) -> Result<i64> {
    let k = labelled.ok_or_else(|| {
        GanError::Invalid(format!(
            "conditional = true needs class labels, but {} has none (IDX data needs a train-labels-idx1-ubyte[.gz] \
             file beside the images; an image folder takes them from its metadata with [data] label = FIELD)",
            config.data.describe()
        ))
    })?;
    if k < 2 {
        return Err(GanError::Invalid(format!("conditional = true needs at least 2 classes; the labels of {} use {k}", config.data.describe())));
    }
    Ok(k as i64)
}

/// The fixed inputs of the sample grid: 64 latents, or for `classes` > 0 eight latents each
/// repeated once per class (rows share z, columns share the class).
pub(super) fn grid_inputs(latent: i64, classes: i64, seed: u64, device: Device) -> (Tensor, Option<Tensor>) {
    if classes == 0 {
        return (latent::latents(GRID_SAMPLES, latent, seed, device), None);
    }
    let z = latent::latents(CONDITIONAL_GRID_ROWS, latent, seed, device).repeat_interleave_self_int(classes, 0, None);
    let labels = Tensor::arange(classes, (Kind::Int64, device)).repeat([CONDITIONAL_GRID_ROWS]);
    (z, Some(one_hot(&labels, classes)))
}
