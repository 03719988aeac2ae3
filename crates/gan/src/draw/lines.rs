//! A line chart of named series on logarithmic axes (both base 2 for x, 10 for y), for
//! measurements that span orders of magnitude, such as `gan bench --sweep`'s images per
//! second against batch size; drawn with plotters and the embedded font.

use std::path::Path;

use plotters::prelude::*;

use crate::error::{GanError, Result};

/// One named line of `(x, y)` points, all positive.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

/// What the chart says around its lines.
pub struct Chart<'a> {
    pub title: &'a str,
    pub x_label: &'a str,
    pub y_label: &'a str,
}

const COLORS: [RGBColor; 6] =
    [RGBColor(31, 119, 180), RGBColor(214, 39, 40), RGBColor(44, 160, 44), RGBColor(148, 103, 189), RGBColor(255, 127, 14), RGBColor(23, 190, 207)];

/// The smallest and largest of `values`, widened by `pad` times on each side (logarithmic).
fn span(values: impl Iterator<Item = f64>, pad: f64) -> (f64, f64) {
    let (lo, hi) = values.filter(|v| v.is_finite() && *v > 0.0).fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if lo > hi {
        (1.0, 10.0)
    } else {
        (lo / pad, hi * pad)
    }
}

/// Draws `series` to a PNG at `path`.
pub fn save_log_lines(chart: &Chart<'_>, series: &[Series], path: &Path) -> Result<()> {
    super::plot::register_font();
    const W: u32 = 800;
    const H: u32 = 500;
    let mut buf = vec![0u8; (W * H * 3) as usize];
    let mut draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let (x0, x1) = span(series.iter().flat_map(|s| s.points.iter().map(|p| p.0)), 1.2);
        let (y0, y1) = span(series.iter().flat_map(|s| s.points.iter().map(|p| p.1)), 1.3);
        let mut c = ChartBuilder::on(&root)
            .caption(chart.title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((x0..x1).log_scale().base(2.0), (y0..y1).log_scale())?;
        c.configure_mesh()
            .x_desc(chart.x_label)
            .y_desc(chart.y_label)
            .label_style(("sans-serif", 13))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        for (i, s) in series.iter().enumerate() {
            let color = COLORS[i % COLORS.len()];
            let pts: Vec<(f64, f64)> = s.points.iter().copied().filter(|p| p.0 > 0.0 && p.1 > 0.0).collect();
            c.draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))?
                .label(s.name.as_str())
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
            c.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled())))?;
        }
        c.configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .label_font(("sans-serif", 13))
            .draw()?;
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| GanError::Invalid(format!("{}: cannot draw the chart: {e}", path.display())))?;
    let img = image::RgbImage::from_raw(W, H, buf).expect("buffer matches size");
    super::grid::save_png(&image::DynamicImage::ImageRgb8(img), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_png_with_every_series_in_its_colour() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lines.png");
        let series = vec![
            Series { name: "a".into(), points: vec![(32.0, 100.0), (64.0, 180.0), (128.0, 300.0)] },
            Series { name: "b".into(), points: vec![(32.0, 10.0), (64.0, 12.0), (128.0, 13.0)] },
        ];
        save_log_lines(&Chart { title: "t", x_label: "batch", y_label: "images/s" }, &series, &path).unwrap();
        let img = image::open(&path).unwrap().to_rgb8();
        assert_eq!(img.dimensions(), (800, 500));
        for c in &COLORS[..2] {
            let n = img.pixels().filter(|p| p.0 == [c.0, c.1, c.2]).count();
            assert!(n > 200, "colour {c:?} drawn on {n} pixels");
        }
    }
}
