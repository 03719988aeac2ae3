//! The closed sets of values the command line accepts that have no library enum of their
//! own (the others, `--device`, `--mode`, `--dist`, `--loss`, derive `clap::ValueEnum` in
//! the library under its `clap` feature).

use clap::ValueEnum;

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

/// Where `gan interpolate` walks.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum LatentSpace {
    /// The input latents z (every generator).
    #[default]
    Z,
    /// StyleGAN2's intermediate latents w, on a straight line (Karras et al. 2019 measure
    /// perceptual path length there).
    W,
}

/// Where `gan project` looks for the image.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProjectSpace {
    #[default]
    Z,
    W,
    #[value(name = "w+")]
    WPlus,
}
