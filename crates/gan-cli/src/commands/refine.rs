//! `gan refine`: a trained SimGAN run's refiner applied to freshly rendered digits, written
//! as a labelled IDX data set (the labels are the renderer's) with a preview grid -- the
//! simulated training data that `gan eval --cas --cas-train OUT` scores.

use anyhow::Context;
use gan::run::translator::{Direction, TrainedTranslator};
use gan_data::pairs::PairSource;
use gan_data::rendered::RenderSettings;
use gan_data::Dataset;
use tch::Tensor;

use crate::cli::RefineArgs;
use crate::exit::user;

/// Digits refined at once.
const CHUNK: usize = 1_000;
/// Digits shown per row of the preview (rendered row, then its refined row).
const PREVIEW: i64 = 10;

pub fn run(a: RefineArgs) -> anyhow::Result<()> {
    if !(1..=1_000_000).contains(&a.n) {
        return Err(user(format!("--n must be between 1 and 1000000, got {}", a.n)));
    }
    let device = a.load.device.resolve()?;
    let t = TrainedTranslator::load(&a.run, &a.load.checkpoint.clone().unwrap_or_default(), device)?;
    let (render, _) = simulator(&t, &a.run, "gan refine")?;
    let settings = RenderSettings { images: a.n, seed: a.seed.unwrap_or(render.seed), ..render.clone() };
    let rendered = settings.render()?;
    let refined = refine(&t, &rendered)?;
    gan_data::idx::write_labelled_dir(&a.out, &refined).with_context(|| format!("--out {}", a.out.display()))?;
    let preview = a.out.join("preview.png");
    gan::draw::grid::save_grid(&preview_rows(&rendered, &refined), PREVIEW as usize, &preview)?;
    println!(
        "refined {} with {} (step {}, {} weights) -> {} (IDX, labelled; {})",
        settings.describe(),
        a.run.display(),
        t.step,
        t.weights.name(),
        a.out.display(),
        preview.display()
    );
    Ok(())
}

/// The refined digits, with the rendered digits' labels.
pub(super) fn refine(t: &TrainedTranslator, rendered: &Dataset) -> anyhow::Result<Dataset> {
    let side = rendered.sample_len();
    let mut pixels = Vec::with_capacity(rendered.pixels.len());
    for chunk in rendered.pixels.chunks(CHUNK * side) {
        let x = Tensor::from_slice(chunk).view([(chunk.len() / side) as i64, 1, rendered.height as i64, rendered.width as i64]);
        let y = t.translate(&gan::families::translation::to_pm1(&x, t.device()), Direction::A2b)?;
        pixels.extend(gan::draw::grid::to_bytes(&y));
    }
    Ok(Dataset { name: format!("{} refined", rendered.name), pixels, ..rendered.clone() })
}

/// The renderer of a SimGAN run and the folder of its real digits (none: the built-in ones);
/// `what` names the command in the error for other runs.
pub(super) fn simulator<'a>(
    t: &'a TrainedTranslator,
    run: &std::path::Path,
    what: &str,
) -> anyhow::Result<(&'a RenderSettings, Option<&'a std::path::PathBuf>)> {
    match &t.config.data {
        PairSource::RenderedToMnist { render, dir } => Ok((render, dir.as_ref())),
        other => Err(user(format!(
            "{}: {what} refines rendered digits with a SimGAN run ([data] kind = \"rendered-to-mnist\", preset mnist-simgan); this run's data is {}",
            run.display(),
            other.describe()
        ))),
    }
}

/// Rendered and refined digits in alternating rows of [`PREVIEW`], the first 40 of each.
fn preview_rows(rendered: &Dataset, refined: &Dataset) -> Tensor {
    let n = (4 * PREVIEW).min(rendered.len() as i64);
    let take = |d: &Dataset| {
        let bytes = gan::families::translation::bytes_tensor(d).narrow(0, 0, n);
        gan::families::translation::to_pm1(&bytes, tch::Device::Cpu)
    };
    let (a, b) = (take(rendered), take(refined));
    let rows: Vec<Tensor> = (0..n)
        .step_by(PREVIEW as usize)
        .flat_map(|i| {
            let k = PREVIEW.min(n - i);
            [a.narrow(0, i, k), b.narrow(0, i, k)]
        })
        .collect();
    Tensor::cat(&rows, 0)
}
