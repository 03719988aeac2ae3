//! Pictures of toy runs: real and generated points of a 2-D distribution as a scatter plot,
//! or of a 1-D one as two histograms, titled with the mode metrics when the distribution has
//! modes.

use std::path::Path;

use gan_data::modes::ModeReport;
use gan_data::toy::ToyDist;
use plotters::prelude::*;

use crate::error::{GanError, Result};

const SIZE: u32 = 640;
const REAL: RGBColor = RGBColor(150, 150, 150);
const FAKE: RGBColor = RGBColor(20, 90, 220);
/// Histogram bins of a 1-D plot.
const BINS: usize = 80;

/// The plot's title: what, when, and how well.
pub fn title(dist: ToyDist, step: u64, report: Option<&ModeReport>) -> String {
    match report {
        Some(r) => format!("{} · step {step} · modes {}/{} · HQ {:.1}% · KL {:.3}", dist.name(), r.covered, r.modes, 100.0 * r.high_quality, r.reverse_kl),
        None => format!("{} · step {step}", dist.name()),
    }
}

/// Draws `real` and `fake` points (`n x dist.dim()`, row-major) into a PNG at `path`.
pub fn save_points_plot(dist: ToyDist, real: &[f32], fake: &[f32], title: &str, path: &Path) -> Result<()> {
    crate::draw::plot::register_font();
    let mut buf = vec![0u8; (SIZE * SIZE * 3) as usize];
    let (lo, hi) = dist.extent();
    let mut draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = BitMapBackend::with_buffer(&mut buf, (SIZE, SIZE)).into_drawing_area();
        root.fill(&WHITE)?;
        if dist.dim() == 1 {
            histograms(&root, (lo, hi), real, fake, title)?;
        } else {
            let mut chart = ChartBuilder::on(&root)
                .caption(title, ("sans-serif", 16))
                .margin(10)
                .x_label_area_size(25)
                .y_label_area_size(35)
                .build_cartesian_2d(lo..hi, lo..hi)?;
            chart.configure_mesh().label_style(("sans-serif", 12)).light_line_style(WHITE).draw()?;
            let dots = |pts: &[f32], color: RGBColor| {
                pts.chunks(2)
                    .map(|p| (p[0] as f64, p[1] as f64))
                    .filter(|&(x, y)| (lo..hi).contains(&x) && (lo..hi).contains(&y))
                    .map(move |c| Circle::new(c, 2, color.filled()))
                    .collect::<Vec<_>>()
            };
            chart.draw_series(dots(real, REAL))?.label("real").legend(|(x, y)| Circle::new((x + 8, y), 4, REAL.filled()));
            chart.draw_series(dots(fake, FAKE))?.label("generated").legend(|(x, y)| Circle::new((x + 8, y), 4, FAKE.filled()));
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .label_font(("sans-serif", 13))
                .draw()?;
        }
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| GanError::Invalid(format!("{}: cannot draw the points: {e}", path.display())))?;
    let img = image::RgbImage::from_raw(SIZE, SIZE, buf).expect("buffer matches size");
    crate::draw::grid::save_png(&image::DynamicImage::ImageRgb8(img), path)
}

/// Share of `values` in each of `BINS` bins over `[lo, hi)` (per unit length, so both
/// histograms are densities on one axis).
pub fn density(values: &[f32], (lo, hi): (f64, f64)) -> Vec<f64> {
    let width = (hi - lo) / BINS as f64;
    let mut counts = vec![0usize; BINS];
    for &v in values {
        let b = ((v as f64 - lo) / width).floor();
        if b >= 0.0 && (b as usize) < BINS {
            counts[b as usize] += 1;
        }
    }
    counts.iter().map(|&c| c as f64 / (values.len().max(1) as f64 * width)).collect()
}

fn histograms(
    root: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    range: (f64, f64),
    real: &[f32],
    fake: &[f32],
    title: &str,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let (dr, df) = (density(real, range), density(fake, range));
    let top = dr.iter().chain(&df).fold(0.0f64, |a, &b| a.max(b)).max(1e-3) * 1.1;
    let width = (range.1 - range.0) / BINS as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, ("sans-serif", 16))
        .margin(10)
        .x_label_area_size(25)
        .y_label_area_size(45)
        .build_cartesian_2d(range.0..range.1, 0.0..top)?;
    chart.configure_mesh().y_desc("density").label_style(("sans-serif", 12)).draw()?;
    for (d, color, name) in [(&dr, REAL, "real"), (&df, FAKE, "generated")] {
        let bars = d.iter().enumerate().map(move |(i, &h)| {
            let x0 = range.0 + i as f64 * width;
            Rectangle::new([(x0, 0.0), (x0 + width, h)], color.mix(0.5).filled())
        });
        chart.draw_series(bars)?.label(name).legend(move |(x, y)| Rectangle::new([(x, y - 4), (x + 12, y + 4)], color.filled()));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).label_font(("sans-serif", 13)).draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(img: &image::RgbImage, c: RGBColor) -> usize {
        img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count()
    }

    #[test]
    fn scatter_shows_both_point_sets_where_they_are() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("s.png");
        let real = ToyDist::Ring8.sample(500, 1);
        // Generated points all in the lower-left quadrant.
        let fake: Vec<f32> = (0..500).flat_map(|i| [-1.0 + (i % 10) as f32 * 0.01, -1.0]).collect();
        save_points_plot(ToyDist::Ring8, &real, &fake, "t", &p).unwrap();
        let img = image::open(&p).unwrap().into_rgb8();
        assert!(count(&img, REAL) > 500 && count(&img, FAKE) > 100);
        let fake_px: Vec<(u32, u32)> = img.enumerate_pixels().filter(|(_, _, p)| p.0 == [FAKE.0, FAKE.1, FAKE.2]).map(|(x, y, _)| (x, y)).collect();
        // Apart from the legend's dot (upper right), blue lies in the lower-left quadrant.
        let lower_left = fake_px.iter().filter(|&&(x, y)| x < SIZE / 2 && y > SIZE / 2).count();
        let elsewhere = fake_px.iter().filter(|&&(x, y)| (x < SIZE / 2) != (y > SIZE / 2)).count();
        assert!(lower_left > 60 && elsewhere == 0, "{lower_left} in the lower left, {elsewhere} in the off quadrants");
    }

    #[test]
    fn one_dimensional_histograms_are_densities() {
        let real = ToyDist::Normal.sample(20_000, 1);
        let range = ToyDist::Normal.extent();
        let d = density(&real, range);
        let width = (range.1 - range.0) / BINS as f64;
        assert!((d.iter().sum::<f64>() * width - 1.0).abs() < 1e-3);
        // N(4, 0.5^2) peaks at 1 / (0.5 sqrt(2 pi)) = 0.798.
        let peak = d.iter().cloned().fold(0.0, f64::max);
        assert!((peak - 0.798).abs() < 0.06, "{peak}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("h.png");
        save_points_plot(ToyDist::Normal, &real, &ToyDist::Normal.sample(100, 2), "t", &p).unwrap();
        assert_eq!(image::open(&p).unwrap().into_rgb8().dimensions(), (SIZE, SIZE));
    }
}
