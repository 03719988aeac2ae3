//! The closed sets of values the command line accepts (`--device`, `--format`, ...), and
//! their library counterparts.

use clap::ValueEnum;
use gan::DeviceChoice;

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum DistArg {
    Ring8,
    Grid25,
    Spiral,
    TwoMoons,
    Normal,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum LabLossArg {
    Minimax,
    NonSaturating,
    Ls,
    WganClip,
    WganGp,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathModeArg {
    /// Straight line.
    Lerp,
    /// Great circle (keeps Gaussian latents at a typical norm).
    Slerp,
}

impl From<PathModeArg> for gan::latent_path::PathMode {
    fn from(m: PathModeArg) -> Self {
        match m {
            PathModeArg::Lerp => Self::Lerp,
            PathModeArg::Slerp => Self::Slerp,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClassesArg {
    /// Digits: "7", "seven".
    Mnist,
    /// Fashion-MNIST's garments: "ankle boot", "sneaker", ...
    FashionMnist,
    /// Label numbers only.
    Numbers,
}

impl From<ClassesArg> for Option<gan_data::vocab::ClassSet> {
    fn from(c: ClassesArg) -> Self {
        match c {
            ClassesArg::Mnist => Some(gan_data::vocab::ClassSet::Mnist),
            ClassesArg::FashionMnist => Some(gan_data::vocab::ClassSet::FashionMnist),
            ClassesArg::Numbers => None,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    Png,
    Idx,
    Safetensors,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BenchModel {
    /// The 2014 MLP GAN on 28x28 images (one D update + one G update).
    Mlp,
    /// The mnist-dcgan networks (BatchNorm conv G/D, BCE).
    Dcgan,
    /// WGAN-GP with the MLP critic (no dropout), lambda 10.
    WganGpMlp,
    /// WGAN-GP with the fashion-wgan-gp conv critic, lambda 10.
    WganGpConv,
}

impl From<BenchModel> for gan::bench::BenchModel {
    fn from(m: BenchModel) -> Self {
        match m {
            BenchModel::Mlp => Self::Mlp,
            BenchModel::Dcgan => Self::Dcgan,
            BenchModel::WganGpMlp => Self::WganGpMlp,
            BenchModel::WganGpConv => Self::WganGpConv,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceArg {
    Auto,
    Cpu,
    Cuda,
}

impl From<DeviceArg> for DeviceChoice {
    fn from(d: DeviceArg) -> Self {
        match d {
            DeviceArg::Auto => DeviceChoice::Auto,
            DeviceArg::Cpu => DeviceChoice::Cpu,
            DeviceArg::Cuda => DeviceChoice::Cuda,
        }
    }
}
