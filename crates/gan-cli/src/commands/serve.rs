//! `gan serve`: the web dashboard over a runs directory (and the lab beside it).

use std::net::SocketAddr;

use anyhow::Context;
use gan::lab::{LabConfig, LabData, LabLoss};
use gan_data::toy::ToyDist;
use gan_web::{ServeOptions, Server};

use crate::cli::{ListenArgs, ServeArgs};

pub fn run(a: ServeArgs) -> anyhow::Result<()> {
    let lab = LabConfig::recommended(LabData::Toy { dist: ToyDist::Ring8 }, LabLoss::NonSaturating);
    start(a.runs, &a.listen, lab, "/")
}

/// Binds, prints the address of `page` and serves until Ctrl-C.
pub fn start(runs: std::path::PathBuf, listen: &ListenArgs, lab: LabConfig, page: &str) -> anyhow::Result<()> {
    if !runs.is_dir() {
        eprintln!("note: {} does not exist yet; runs appear as they are created", runs.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().context("cannot start the async runtime")?;
    runtime.block_on(async {
        let addr = SocketAddr::new(listen.host, listen.port);
        let server = Server::bind(ServeOptions { runs: runs.clone(), addr, lab }).await.map_err(|e| match e {
            gan_web::ServeError::Bind(..) => crate::exit::user(format!("{e} (pick another --port, or --port 0 for any free one)")),
            e => anyhow::Error::new(e),
        })?;
        println!("gan: serving {} at http://{}{page}  (Ctrl-C stops)", runs.display(), server.local_addr());
        tokio::select! {
            r = server.serve() => r.map_err(anyhow::Error::new),
            _ = tokio::signal::ctrl_c() => Ok(()),
        }
    })
}
