//! Exploring a trained generator: steering latents towards a class with the classifier's
//! gradient ([`steer`]), paths through latent space for interpolation ([`latent_path`]), and
//! judging what a generator draws with a classifier ([`judge`]). The latent sampler with the
//! truncation trick lives in `models::latent`, because training and evaluation draw through
//! it too.
//!
//! May import: everything up to `eval` (the classifiers).

pub mod distance;
pub mod judge;
pub mod latent_path;
pub mod project;
pub mod project_w;
pub mod steer;
pub mod style_mix;
