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
