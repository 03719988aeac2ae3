//! Real batches for the training step: index batches of a data set (images or toy points)
//! held on the device, Stacked MNIST images put together from their digits on the device,
//! or decoded batches streamed from an image folder (see `gan_data::folder`).
//!
//! Either way batch `i` is a pure function of `(seed, i)`, so a resumed run that starts at
//! the batch it stopped at sees exactly the data an uninterrupted run would have seen.

use std::sync::Arc;

use gan_data::folder::Prefetcher;
use gan_data::source::Opened;
use gan_data::BatchSampler;
use tch::{Device, Kind, Tensor};

use crate::error::Result;
use crate::models::ImageShape;

/// Batches decoded ahead of training when streaming from a folder.
const PREFETCH_DEPTH: usize = 4;

pub enum Feed {
    Memory {
        images: Tensor,
        labels: Option<Tensor>,
        sampler: BatchSampler,
    },
    /// Stacked MNIST: the digits `[N, 1, 28, 28]` and each image's digit indices `[M, 3]`,
    /// stacked batch by batch (their mode numbers 0-999 as labels).
    Stacked {
        digits: Tensor,
        triples: Tensor,
        labels: Option<Tensor>,
        sampler: BatchSampler,
    },
    Stream {
        prefetcher: Prefetcher,
        /// Hand the folder's labels over (conditional runs).
        with_labels: bool,
    },
}

/// A feed and what it serves.
pub struct OpenedFeed {
    pub feed: Feed,
    pub image: ImageShape,
    pub len: usize,
    pub batches_per_epoch: u64,
    /// Number of classes the labels use, when the data has labels.
    pub classes: Option<usize>,
}

/// A batch, its integer labels (when the data has them), and the files skipped while
/// decoding it.
pub struct Batch {
    pub images: Tensor,
    pub labels: Option<Tensor>,
    pub skipped: Vec<gan_data::DataError>,
}

impl Feed {
    /// Opens `source` for batches `start, start + 1, ...` of `batch_size` images, with
    /// their labels when `with_labels` (and the data has them).
    pub fn open(source: Opened, batch_size: usize, seed: u64, start: u64, with_labels: bool, device: Device) -> Result<OpenedFeed> {
        match source {
            Opened::Memory(ds) => {
                let image = ImageShape { channels: ds.channels as i64, height: ds.height as i64, width: ds.width as i64 };
                let sampler = BatchSampler::new(ds.len(), batch_size, seed)?;
                let images = Tensor::from_slice(&ds.pixels_pm1()).view([ds.len() as i64, image.channels, image.height, image.width]).to_device(device);
                let labels = ds.labels.as_ref().filter(|_| with_labels).map(|l| Tensor::from_slice(l).to_kind(Kind::Int64).to_device(device));
                let batches_per_epoch = sampler.batches_per_epoch();
                let classes = ds.num_classes();
                Ok(OpenedFeed { feed: Feed::Memory { images, labels, sampler }, image, len: ds.len(), batches_per_epoch, classes })
            }
            Opened::Points(set) => {
                // A point is a 1 x 1 x dim "image": the MLP networks flatten it either way.
                let image = ImageShape { channels: 1, height: 1, width: set.dim as i64 };
                let sampler = BatchSampler::new(set.len(), batch_size, seed)?;
                let images = Tensor::from_slice(&set.points).view([set.len() as i64, 1, 1, image.width]).to_device(device);
                let batches_per_epoch = sampler.batches_per_epoch();
                Ok(OpenedFeed { feed: Feed::Memory { images, labels: None, sampler }, image, len: set.len(), batches_per_epoch, classes: None })
            }
            Opened::Stacked(set) => {
                let d = &set.digits;
                let image = ImageShape { channels: 3, height: d.height as i64, width: d.width as i64 };
                let sampler = BatchSampler::new(set.len(), batch_size, seed)?;
                let digits = Tensor::from_slice(&d.pixels_pm1()).view([d.len() as i64, 1, image.height, image.width]).to_device(device);
                let flat: Vec<i64> = set.triples.iter().flatten().map(|&i| i as i64).collect();
                let triples = Tensor::from_slice(&flat).view([set.len() as i64, 3]).to_device(device);
                let labels = with_labels.then(|| {
                    let modes: Vec<i64> = (0..set.len()).map(|i| set.mode(i) as i64).collect();
                    Tensor::from_slice(&modes).to_device(device)
                });
                let batches_per_epoch = sampler.batches_per_epoch();
                let feed = Feed::Stacked { digits, triples, labels, sampler };
                Ok(OpenedFeed { feed, image, len: set.len(), batches_per_epoch, classes: Some(gan_data::stacked::MODES) })
            }
            Opened::Folder(folder, on_error) => {
                let s = folder.size as i64;
                let image = ImageShape { channels: 3, height: s, width: s };
                let len = folder.len();
                let sampler = BatchSampler::new(len, batch_size, seed)?;
                let batches_per_epoch = sampler.batches_per_epoch();
                let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
                let classes = folder.labels.is_some().then_some(folder.class_names.len());
                let mut prefetcher = Prefetcher::start(Arc::new(folder), sampler, start, workers, PREFETCH_DEPTH, on_error);
                prefetcher.first()?;
                Ok(OpenedFeed { feed: Feed::Stream { prefetcher, with_labels }, image, len, batches_per_epoch, classes })
            }
        }
    }

    /// Batches `index .. index + k` as one (a step that takes several batches of the data).
    pub fn batches(&mut self, index: u64, k: u64, image: ImageShape, device: Device) -> Result<Batch> {
        if k == 1 {
            return self.batch(index, image, device);
        }
        let parts = (index..index + k).map(|i| self.batch(i, image, device)).collect::<Result<Vec<_>>>()?;
        let images = Tensor::cat(&parts.iter().map(|b| b.images.shallow_clone()).collect::<Vec<_>>(), 0);
        let labels = parts.iter().map(|b| b.labels.as_ref().map(Tensor::shallow_clone)).collect::<Option<Vec<_>>>().map(|l| Tensor::cat(&l, 0));
        Ok(Batch { images, labels, skipped: parts.into_iter().flat_map(|b| b.skipped).collect() })
    }

    /// Batch number `index` (streams serve indices in order from their start).
    pub fn batch(&mut self, index: u64, image: ImageShape, device: Device) -> Result<Batch> {
        match self {
            Feed::Memory { images, labels, sampler } => {
                let idx: Vec<i64> = sampler.batch(index).iter().map(|&i| i as i64).collect();
                let idx = Tensor::from_slice(&idx).to_device(device);
                let labels = labels.as_ref().map(|l| l.index_select(0, &idx));
                Ok(Batch { images: images.index_select(0, &idx), labels, skipped: Vec::new() })
            }
            Feed::Stacked { digits, triples, labels, sampler } => {
                let idx: Vec<i64> = sampler.batch(index).iter().map(|&i| i as i64).collect();
                let idx = Tensor::from_slice(&idx).to_device(device);
                let which = triples.index_select(0, &idx).view([-1]);
                let images = digits.index_select(0, &which).view([-1, 3, image.height, image.width]);
                let labels = labels.as_ref().map(|l| l.index_select(0, &idx));
                Ok(Batch { images, labels, skipped: Vec::new() })
            }
            Feed::Stream { prefetcher, with_labels } => {
                let b = prefetcher.next_batch()?;
                debug_assert_eq!(b.index, index, "stream served out of order");
                let bytes = Tensor::from_slice(&b.pixels).view([b.count as i64, image.channels, image.height, image.width]);
                let images = (bytes.to_device(device).to_kind(Kind::Float) / 127.5 - 1.0).contiguous();
                let labels = b.labels.filter(|_| *with_labels).map(|l| Tensor::from_slice(&l.iter().map(|&c| c as i64).collect::<Vec<_>>()).to_device(device));
                Ok(Batch { images, labels, skipped: b.skipped })
            }
        }
    }
}
