//! `gan data fetch`: the canonical data sets by name (see `gan_data::fetch`), with a
//! progress bar on a terminal and one line per file otherwise; `gan data render`: rendered
//! digits as IDX files.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use gan_data::elastic::Elastic;
use gan_data::fetch::{fetch, Canonical, DownloadOptions, Progress};
use gan_data::rendered::RenderSettings;
use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::{DataCommand, FetchArgs, RenderArgs};
use crate::exit::user;

pub fn run(c: DataCommand) -> anyhow::Result<()> {
    match c {
        DataCommand::Fetch(a) => fetch_set(a),
        DataCommand::Render(a) => render(a),
    }
}

/// `gan data render`: the renderer's default distortions (and `--elastic` when asked), `--n`
/// digits from `--seed`.
fn render(a: RenderArgs) -> anyhow::Result<()> {
    let elastic = a.elastic.map(|alpha| Elastic { alpha, sigma: a.elastic_sigma });
    let settings = RenderSettings { images: a.n, seed: a.seed, elastic, fonts: a.fonts, ..Default::default() };
    // The renderer names its fields; this command's user knows them as flags.
    let flags = [("data.images", "--n"), ("data.elastic.alpha", "--elastic"), ("data.elastic.sigma", "--elastic-sigma")];
    let set = settings.render().map_err(|e| user(flags.iter().fold(e.to_string(), |p, (field, flag)| p.replace(field, flag))))?;
    gan_data::idx::write_labelled_dir(&a.out, &set).with_context(|| format!("--out {}", a.out.display()))?;
    eprintln!("wrote {} in {}", settings.describe(), a.out.display());
    Ok(())
}

fn fetch_set(a: FetchArgs) -> anyhow::Result<()> {
    if !(a.retry_delay.is_finite() && a.retry_delay >= 0.0) {
        return Err(user(format!("--retry-delay must be a non-negative number of seconds, got {}", a.retry_delay)));
    }
    if a.attempts == 0 {
        return Err(user("--attempts must be at least 1"));
    }
    let dir = a.dir.clone().unwrap_or_else(|| a.set.default_dir(&PathBuf::from("data")));
    let options = DownloadOptions { attempts: a.attempts, retry_delay: Duration::from_secs_f64(a.retry_delay), ..DownloadOptions::default() };
    let mut shown = Shown { bar: None, live: !a.no_progress && std::io::stderr().is_terminal() };
    let result = fetch(a.set, &dir, &a.mirror, &options, &mut |p| shown.show(p));
    if let Some(bar) = shown.bar.take() {
        bar.finish_and_clear();
    }
    result.with_context(|| format!("gan data fetch {}", a.set.name()))?;
    eprintln!("{} is in {}", a.set.name(), dir.display());
    let how = match a.set {
        Canonical::Cifar10 => format!("gan train --preset cifar10-dcgan --data {}", dir.display()),
        Canonical::Mnist => format!("gan train --data {} --classes mnist", dir.display()),
        Canonical::FashionMnist => format!("gan train --data {} --classes fashion-mnist", dir.display()),
    };
    eprintln!("train on it: {how}");
    Ok(())
}

struct Shown {
    bar: Option<ProgressBar>,
    live: bool,
}

impl Shown {
    fn show(&mut self, p: &Progress) {
        match p {
            Progress::Kept { file } => eprintln!("{file}: already here, checksum verified"),
            Progress::Bytes { file, url, done, total, resumed_from } => {
                if !self.live {
                    return;
                }
                let bar = self.bar.get_or_insert_with(|| {
                    let bar = ProgressBar::new(total.unwrap_or(0));
                    bar.set_style(ProgressStyle::with_template("{msg} {bar:30} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}").expect("a valid template"));
                    let resumed = if *resumed_from > 0 { format!(" (resuming at {resumed_from} bytes)") } else { String::new() };
                    bar.set_message(format!("{file} from {url}{resumed}"));
                    bar
                });
                bar.set_position(*done);
            }
            Progress::Retrying { file, at, reason } => {
                self.finish_bar();
                eprintln!("{file}: {reason}; trying again from byte {at}");
            }
            Progress::Done { file, bytes } => {
                self.finish_bar();
                eprintln!("{file}: {bytes} bytes, SHA-256 verified");
            }
        }
    }

    fn finish_bar(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}
