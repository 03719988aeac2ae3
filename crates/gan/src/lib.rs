//! `gan`: generative adversarial networks on libtorch (through `tch`).
//!
//! The library holds the models, losses, optimiser, training loop, checkpoints and the
//! image/plot writers. It never prints: training reports [`Event`]s to a callback and the
//! command-line tool (crate `gan-cli`) renders them.
//!
//! Models follow Goodfellow et al., "Generative Adversarial Nets" (NeurIPS 2014), Radford
//! et al., DCGAN (ICLR 2016), Arjovsky et al., WGAN (ICML 2017), Gulrajani et al., WGAN-GP
//! (NeurIPS 2017) and Mao et al., LSGAN (ICCV 2017).

pub mod bench;
pub mod checkpoint;
pub mod classifier;
pub mod config;
pub mod device;
pub mod ema;
pub mod error;
pub mod eval;
pub mod events;
pub mod font;
pub mod gif;
pub mod grid;
pub mod judge;
pub mod lab;
pub mod labelled_grid;
pub mod latent_path;
pub mod losses;
pub mod metrics;
pub mod models;
pub mod optim;
pub mod penalty;
pub mod plot;
pub mod presets;
pub mod run_dir;
pub mod sample;
pub mod scatter;
pub mod steer;
pub mod toy_presets;
mod tagged;
pub mod train;

pub use config::TrainConfig;
pub use device::DeviceChoice;
pub use error::{GanError, Result};
pub use events::Event;
pub use presets::Preset;
pub use train::Trainer;
