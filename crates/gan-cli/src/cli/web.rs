//! The arguments of the web server commands, `gan serve` and `gan lab`.

use std::path::PathBuf;

use clap::Args;

use gan::lab::LabLoss;
use gan_data::toy::ToyDist;

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// The runs directory to show.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    #[command(flatten)]
    pub listen: ListenArgs,
}

#[derive(Args, Debug)]
pub struct LabArgs {
    /// The distribution of the first session.
    #[arg(long, value_enum, default_value = "ring8")]
    pub dist: ToyDist,
    /// The loss of the first session.
    #[arg(long, value_enum, default_value = "non-saturating")]
    pub loss: LabLoss,
    /// The runs directory the dashboard pages show.
    #[arg(long, default_value = "runs")]
    pub runs: PathBuf,
    #[command(flatten)]
    pub listen: ListenArgs,
}

/// Where the web server listens.
#[derive(Args, Debug)]
pub struct ListenArgs {
    /// Port (0: any free port).
    #[arg(long, default_value_t = 7878)]
    pub port: u16,
    /// Address to bind. The default keeps the server private to this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
}
