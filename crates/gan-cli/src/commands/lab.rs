//! `gan lab`: starts the server with a lab session on the chosen data and loss and prints
//! the lab page's address.

use gan::lab::{LabConfig, LabData, LabLoss};
use gan_data::toy::ToyDist;

use crate::cli::{DistArg, LabArgs, LabLossArg};

pub fn run(a: LabArgs) -> anyhow::Result<()> {
    let dist = match a.dist {
        DistArg::Ring8 => ToyDist::Ring8,
        DistArg::Grid25 => ToyDist::Grid25,
        DistArg::Spiral => ToyDist::Spiral,
        DistArg::TwoMoons => ToyDist::TwoMoons,
        DistArg::Normal => ToyDist::Normal,
    };
    let loss = match a.loss {
        LabLossArg::Minimax => LabLoss::Minimax,
        LabLossArg::NonSaturating => LabLoss::NonSaturating,
        LabLossArg::Ls => LabLoss::Ls,
        LabLossArg::WganClip => LabLoss::WganClip,
        LabLossArg::WganGp => LabLoss::WganGp,
    };
    super::serve::start(a.runs, &a.listen, LabConfig::recommended(LabData::Toy { dist }, loss), "/lab")
}
