//! Pictures and animations: sample grids (plain and captioned, with the bundled font), loss
//! curves, log-scale line charts, 1-D/2-D scatter plots and densities, and animated GIFs, written as PNG/GIF files
//! or returned as pixels.
//!
//! May import: `error`, `run::metrics` (the records a loss curve draws). Nothing here knows
//! about training or models; every writer takes tensors or plain numbers.

pub mod font;
pub mod gif;
pub mod grid;
pub mod labelled_grid;
pub mod lines;
pub mod plot;
pub mod scatter;
