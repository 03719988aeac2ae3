//! A run on disk: the directory layout ([`dir`]), checkpoints written atomically and read
//! back ([`checkpoint`]), the metrics log ([`metrics`]), and a trained generator loaded from
//! a run for sampling, evaluation and exploration ([`trained`]).
//!
//! May import: `error`, `config`, `models`, `optim` (the state a checkpoint holds).

pub mod checkpoint;
pub mod dir;
pub mod metrics;
pub mod trained;
