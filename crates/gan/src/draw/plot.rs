//! `loss.png`: discriminator and generator losses (top) and, below, mean D(x), D(G(z)) or,
//! for a Wasserstein critic, its Earth Mover's estimate and gradient penalty, against
//! training step; drawn with plotters and an embedded DejaVu Sans font.

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

use crate::error::{GanError, Result};
use crate::run::metrics::names::*;
use crate::run::metrics::StepMetrics;

pub(crate) fn register_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
    });
}

/// A line: its legend, colour and the scalar it draws.
type Series<'a> = (&'a str, RGBColor, &'a str);

fn panel(
    area: &DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>,
    title: &str,
    metrics: &[StepMetrics],
    series: &[Series<'_>],
    fixed_y: Option<(f64, f64)>,
) -> std::result::Result<(), Box<dyn std::error::Error>> {
    let x_max = metrics.last().map_or(1, |m| m.step).max(1);
    let (y_min, y_max) = fixed_y.unwrap_or_else(|| {
        let vals = metrics.iter().flat_map(|m| series.iter().filter_map(move |s| m.get(s.2))).filter(|v| v.is_finite());
        let (lo, hi) = vals.fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
        if lo > hi {
            (0.0, 1.0)
        } else {
            (lo.min(0.0), hi + 0.05 * (hi - lo).max(1e-3))
        }
    });
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20))
        .margin(10)
        .x_label_area_size(40)
        .y_label_area_size(70)
        // Steps are whole numbers: an integer axis never puts a tick at step 2.5.
        .build_cartesian_2d(0u64..x_max, y_min..y_max)?;
    chart.configure_mesh().x_desc("step").x_labels(x_max.min(10) as usize + 1).y_label_formatter(&|v| y_label(*v)).label_style(("sans-serif", 13)).draw()?;
    for &(name, color, scalar) in series {
        let pts = metrics.iter().filter_map(|m| m.get(scalar).map(|v| (m.step, v))).filter(|p| p.1.is_finite());
        chart
            .draw_series(LineSeries::new(pts, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).label_font(("sans-serif", 13)).draw()?;
    Ok(())
}

/// A y-axis label short enough for its margin: three significant digits, or scientific
/// notation for large and tiny values.
fn y_label(v: f64) -> String {
    let a = v.abs();
    if a != 0.0 && !(1e-3..1e4).contains(&a) {
        format!("{v:.1e}")
    } else {
        let text = format!("{v:.3}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Draws `loss.png` from the metrics so far.
pub fn save_loss_plot(metrics: &[StepMetrics], path: &Path) -> Result<()> {
    register_font();
    const W: u32 = 900;
    const H: u32 = 700;
    let mut buf = vec![0u8; (W * H * 3) as usize];
    let mut draw = || -> std::result::Result<(), Box<dyn std::error::Error>> {
        let root = BitMapBackend::with_buffer(&mut buf, (W, H)).into_drawing_area();
        root.fill(&WHITE)?;
        let (top, bottom) = root.split_vertically(380);
        let any = |name: &str| metrics.iter().any(|m| m.scalars.has(name));
        let green = RGBColor(0, 140, 0);
        let orange = RGBColor(200, 120, 0);
        if any(VAE_LOSS) {
            panel(&top, "VAE: negative ELBO per image", metrics, &[("-ELBO", RED, VAE_LOSS)], None)?;
            let parts: [Series<'_>; 2] = [("reconstruction", BLUE, VAE_RECONSTRUCTION), ("KL(q(z|x) || p(z))", green, VAE_KL)];
            panel(&bottom, "its parts", metrics, &parts, None)?;
            root.present()?;
            return Ok(());
        }
        panel(&top, "losses", metrics, &[("D loss", RED, D_LOSS), ("G loss", BLUE, G_LOSS)], None)?;
        if metrics.iter().any(|m| m.scalars.has_group("translation.")) {
            let terms: [Series<'_>; 6] = [
                ("L1 to target", green, TRANSLATION_L1),
                ("cycle L1", orange, TRANSLATION_CYCLE),
                ("identity L1", RGBColor(120, 0, 160), TRANSLATION_IDENTITY),
                ("content L1 (features)", RGBColor(0, 130, 130), TRANSLATION_CONTENT),
                ("self-regularisation L1", RGBColor(150, 90, 40), TRANSLATION_SELF_REG),
                ("task cross-entropy", RGBColor(90, 90, 90), TRANSLATION_TASK),
            ];
            panel(&bottom, "reconstruction terms (unweighted)", metrics, &terms, None)?;
        } else if any(WASSERSTEIN) {
            let mut critic: Vec<Series<'_>> = vec![("mean C(x) - mean C(G(z))", green, WASSERSTEIN)];
            if any(PENALTY) {
                critic.push(("gradient penalty", orange, PENALTY));
            }
            if any(AUGMENT_P) {
                critic.push(("ADA p", RGBColor(120, 0, 160), AUGMENT_P));
            }
            panel(&bottom, "critic: Wasserstein estimate", metrics, &critic, None)?;
        } else {
            let mut outs: Vec<Series<'_>> = vec![("D(x)", green, D_REAL), ("D(G(z))", orange, D_FAKE)];
            if any(AUGMENT_P) {
                outs.push(("ADA p", RGBColor(120, 0, 160), AUGMENT_P));
            }
            let in_unit = |name| metrics.iter().all(|m| m.get(name).is_some_and(|v| (0.0..=1.0).contains(&v)));
            panel(&bottom, "discriminator outputs", metrics, &outs, (in_unit(D_REAL) && in_unit(D_FAKE)).then_some((0.0, 1.0)))?;
        }
        root.present()?;
        Ok(())
    };
    draw().map_err(|e| GanError::Invalid(format!("{}: cannot draw the loss plot: {e}", path.display())))?;
    let img = image::RgbImage::from_raw(W, H, buf).expect("buffer matches size");
    crate::draw::grid::save_png(&image::DynamicImage::ImageRgb8(img), path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn y_labels_stay_short() {
        assert_eq!(
            (y_label(0.5), y_label(2.0), y_label(-1234.5678), y_label(12345.0), y_label(0.0001)),
            ("0.5".into(), "2".into(), "-1234.568".into(), "1.2e4".into(), "1.0e-4".into())
        );
    }

    #[test]
    fn draws_a_non_blank_png() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("loss.png");
        let ms: Vec<StepMetrics> = (1..20).map(|i| StepMetrics::of(i * 10, &[(D_LOSS, 1.0 / i as f64), (G_LOSS, 2.0), (D_REAL, 0.7), (D_FAKE, 0.3)])).collect();
        save_loss_plot(&ms, &p).unwrap();
        let img = image::open(&p).unwrap().into_rgb8();
        assert_eq!(img.dimensions(), (900, 700));
        let red = img.pixels().filter(|p| p.0 == [255, 0, 0]).count();
        let blue = img.pixels().filter(|p| p.0 == [0, 0, 255]).count();
        // With ADA, its p is drawn too.
        let with_p: Vec<StepMetrics> =
            (1..20).map(|i| StepMetrics::of(i * 10, &[(D_LOSS, 1.0), (G_LOSS, 2.0), (D_REAL, 0.7), (D_FAKE, 0.3), (AUGMENT_P, i as f64 / 20.0)])).collect();
        save_loss_plot(&with_p, &p).unwrap();
        assert!(image::open(&p).unwrap().into_rgb8().pixels().any(|p| p.0 == [120, 0, 160]), "p is not drawn");
        let text = img.pixels().filter(|p| p.0[0] < 100 && p.0[1] < 100 && p.0[2] < 100).count();
        assert!(red > 100 && blue > 100 && text > 500, "red {red} blue {blue} dark {text}");
    }
}
