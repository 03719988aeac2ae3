//! `gan`: generative adversarial networks on libtorch (through `tch`).
//!
//! The library holds the models, losses, optimisers, training loop, run directories,
//! evaluation and the image/plot writers. It never prints: training reports [`Event`]s to a
//! callback and the command-line tool (crate `gan-cli`) renders them.
//!
//! Models follow Goodfellow et al., "Generative Adversarial Nets" (NeurIPS 2014), Radford
//! et al., DCGAN (ICLR 2016), Arjovsky et al., WGAN (ICML 2017), Gulrajani et al., WGAN-GP
//! (NeurIPS 2017) and Mao et al., LSGAN (ICCV 2017); image-to-image translation follows
//! Isola et al., pix2pix (CVPR 2017) and Zhu et al., CycleGAN (ICCV 2017), and projection
//! onto a generator Zhu et al., iGAN (ECCV 2016).
//!
//! The folders are layers; a module imports only from its own layer or the ones above it
//! in this list (ARCHITECTURE.md draws it):
//! 1. [`error`], [`device`], [`dist`], [`tensors`]: the foundation (`kind`-tagged TOML tables
//!    are read by `gan_data::kind_tagged!`, one layer lower still);
//! 2. [`models`], [`losses`], [`optim`]: networks, objectives, optimisers;
//! 3. [`config`], [`presets`]: what a run is;
//! 4. [`run`], [`events`]: a run on disk (directory, checkpoints, metrics, trained generator);
//! 5. [`draw`]: grids, curves, scatter plots, GIFs;
//! 6. [`eval`]: scores and the classifiers they use as feature networks;
//! 7. [`explore`], [`doctor`]: steering, latent paths, projection (iGAN) and judging a trained
//!    generator; diagnosing a run;
//! 8. [`train`]: the one training loop, the `Family` trait every model family implements,
//!    the step records and the divergence guard;
//! 9. [`families`], [`lab`]: the model families (GAN and VAE, image-to-image translation)
//!    and the interactive 1-D/2-D lab.

pub mod config;
pub mod device;
pub mod dist;
pub mod doctor;
pub mod draw;
pub mod error;
pub mod eval;
pub mod events;
pub mod explore;
pub mod families;
pub mod lab;
pub mod losses;
pub mod models;
pub mod optim;
pub mod presets;
pub mod run;
pub mod tensors;
pub mod train;

pub use config::TrainConfig;
pub use device::DeviceChoice;
pub use error::{GanError, Result};
pub use events::Event;
pub use presets::Preset;
pub use train::Trainer;
