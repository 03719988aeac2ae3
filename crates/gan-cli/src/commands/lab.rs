//! `gan lab`: starts the server with a lab session on the chosen data and loss and prints
//! the lab page's address.

use gan::lab::{LabConfig, LabData};

use crate::cli::LabArgs;

pub fn run(a: LabArgs) -> anyhow::Result<()> {
    let config = LabConfig::recommended(LabData::Toy { dist: a.dist }, a.loss);
    super::serve::start(a.runs, &a.listen, config, "/lab")
}
