//! A run on disk: the directory layout ([`dir`]), checkpoints written atomically and read
//! back ([`checkpoint`]), the metrics log ([`metrics`]), and a trained generator loaded from
//! a run for sampling, evaluation and exploration ([`trained`]), and the lock a training
//! process holds on its run ([`lock`]).
//!
//! May import: `error`, `config`, `models`, `optim` (the state a checkpoint holds).

pub mod checkpoint;
pub mod diagnoses;
pub mod dir;
pub mod lock;
pub mod metrics;
pub mod tensorboard;
pub mod trained;
pub mod translator;
