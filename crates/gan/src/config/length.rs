//! How long a run trains: generator steps or passes over the data. The TOML document spells
//! it as one of two top-level keys, `steps = N` or `epochs = N` (the presets' and users'
//! files since the first version); [`TrainConfig::length`](super::TrainConfig::length) reads
//! the pair as this one value, and the validation names the conflict when both or neither
//! are set.

/// A run's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Generator updates.
    Steps(u64),
    /// Passes over the data, counting the discriminator's batches.
    Epochs(u64),
}

impl Length {
    /// Generator steps for a data set of `n_images` read `batch_size` at a time, with
    /// `d_steps` discriminator batches per generator step (at least 1).
    pub fn total_steps(self, n_images: usize, batch_size: usize, d_steps: u32) -> u64 {
        match self {
            Length::Steps(s) => s,
            Length::Epochs(e) => {
                let batches = e * (n_images / batch_size.max(1)) as u64;
                batches.div_ceil(d_steps.max(1) as u64).max(1)
            }
        }
    }

    /// `(steps, epochs)` as the TOML document holds them.
    pub(crate) fn fields(self) -> (Option<u64>, Option<u64>) {
        match self {
            Length::Steps(s) => (Some(s), None),
            Length::Epochs(e) => (None, Some(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_count_the_discriminators_batches() {
        assert_eq!(Length::Epochs(2).total_steps(10_000, 64, 1), 2 * 156);
        assert_eq!(Length::Epochs(2).total_steps(10_000, 64, 2), 156);
        assert_eq!(Length::Epochs(1).total_steps(10, 64, 1), 1);
        assert_eq!(Length::Steps(7).total_steps(10_000, 64, 5), 7);
        assert_eq!(Length::Epochs(3).fields(), (None, Some(3)));
    }
}
