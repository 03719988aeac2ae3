//! `gan mix`: the style-mixing grid of a StyleGAN2 run (stylegan2-ada-pytorch's
//! style_mixing.py): column sources along the top, row sources down the left, and in each
//! cell the row's image with the column's styles at the chosen layers.

use std::ops::Range;

use gan::explore::style_mix::{mixing_grid, Band};
use gan::models::latent::latents;
use tch::Tensor;

use crate::cli::MixArgs;
use crate::exit::user;

/// `coarse`, `middle`, `fine`, or `FIRST-LAST` (inclusive indices of w).
fn parse_layers(text: &str, num_ws: i64) -> anyhow::Result<Range<i64>> {
    let band = match text {
        "coarse" => Some(Band::Coarse),
        "middle" => Some(Band::Middle),
        "fine" => Some(Band::Fine),
        _ => None,
    };
    let range = match band {
        Some(b) => b.layers(num_ws),
        None => {
            let bad = || user(format!("--layers {text}: give coarse, middle, fine, or FIRST-LAST with 0 <= FIRST <= LAST < {num_ws}"));
            let (a, b) = text.split_once('-').ok_or_else(bad)?;
            let (a, b): (i64, i64) = (a.trim().parse().map_err(|_| bad())?, b.trim().parse().map_err(|_| bad())?);
            if !(0 <= a && a <= b && b < num_ws) {
                return Err(bad());
            }
            a..b + 1
        }
    };
    if range.is_empty() {
        return Err(user(format!("--layers {text}: this network ({num_ws} layers of w) has none there")));
    }
    Ok(range)
}

pub fn run(a: MixArgs) -> anyhow::Result<()> {
    if a.rows.is_empty() || a.cols.is_empty() || a.rows.len() > 64 || a.cols.len() > 64 {
        return Err(user("--rows and --cols take 1 to 64 seeds each"));
    }
    super::classes::check_truncation_psi(Some(a.truncation_psi))?;
    super::check_out_dir(&a.out)?;
    let (trained, device) = a.generator.load()?;
    let g = trained.stylegan2()?;
    let layers = parse_layers(&a.layers, g.num_ws())?;
    let dim = trained.latent_dim();
    let draw = |seeds: &[u64]| Tensor::cat(&seeds.iter().map(|&s| latents(1, dim, s, device)).collect::<Vec<_>>(), 0);
    let grid = mixing_grid(g, &draw(&a.rows), &draw(&a.cols), layers.clone(), a.truncation_psi);
    gan::draw::grid::save_grid(&grid, a.cols.len() + 1, &a.out)?;
    eprintln!(
        "wrote {} ({} rows x {} columns, layers {}-{} of w from the columns, psi {}) from {} (step {})",
        a.out.display(),
        a.rows.len(),
        a.cols.len(),
        layers.start,
        layers.end - 1,
        a.truncation_psi,
        trained.checkpoint.display(),
        trained.step
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_are_bands_or_inclusive_ranges() {
        assert_eq!(parse_layers("coarse", 10).unwrap(), 0..3);
        assert_eq!(parse_layers("2-4", 10).unwrap(), 2..5);
        for bad in ["4-2", "0-10", "x", "-1-3", "3"] {
            assert!(parse_layers(bad, 10).unwrap_err().to_string().contains("--layers"), "{bad}");
        }
    }
}
