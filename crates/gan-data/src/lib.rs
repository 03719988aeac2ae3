//! Pure-Rust data loading for the `gan` toolkit: no torch in here.
//!
//! - [`idx`]: reader and writer for the IDX format of the original MNIST distribution
//!   (LeCun et al., 1998), gzip-compressed or raw.
//! - [`dataset`]: an in-memory image data set (`u8` pixels, optional labels) and the
//!   loader for a folder of IDX files.
//! - [`folder`]: folders of PNG/JPEG images, decoded in parallel ahead of training.
//! - [`vocab`]: class names and keyword prompts ("ankle boot" -> label 9); [`text`]: the
//!   words of captions and keywords, and a vocabulary built from them.
//! - [`toy`]: 1-D and 2-D toy distributions (ring8, grid25, spiral, two-moons, normal), and
//!   [`modes`]: the VEEGAN/PacGAN mode metrics on them.
//! - [`builtin`]: the MNIST-10k sample compiled into the binary.
//! - [`cifar`]: CIFAR-10's binary batches; [`fetch`]: the canonical data sets downloaded by
//!   name, checksummed and resumable.
//! - [`pairs`]: image-to-image data: paired and unpaired folders, and the built-in tasks
//!   edges2fashion (Sobel edges to garments) and mnist-thick (digits to dilated digits).
//! - [`stacked`]: Stacked MNIST, three digits as the channels of one image (1,000 modes).
//! - [`sampler`]: seeded shuffling and batching that is a pure function of
//!   `(seed, batch index)`, so a resumed run sees exactly the batches it would have seen.

pub mod alpha;
pub mod builtin;
pub mod cifar;
pub mod dataset;
pub mod digit_fonts;
pub mod edges;
pub mod elastic;
pub mod error;
pub mod fetch;
pub mod folder;
pub mod idx;
pub mod metadata;
pub mod modes;
pub mod names;
pub mod pairs;
pub mod pickle;
pub mod rendered;
pub mod rng;
pub mod sampler;
pub mod source;
pub mod stacked;
pub mod tagged;
pub mod text;
pub mod toy;
pub mod vocab;

pub use dataset::{Dataset, Split};
pub use error::DataError;
pub use sampler::BatchSampler;
pub use source::DataSource;
