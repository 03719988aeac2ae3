//! The model families, each a folder implementing `crate::train::Family` (see
//! ARCHITECTURE.md, "How to add a family"): [`gan`] (GANs of every loss, conditional or not,
//! and the VAE baseline) and [`translation`] (pix2pix, CycleGAN).

pub mod gan;
pub mod translation;
