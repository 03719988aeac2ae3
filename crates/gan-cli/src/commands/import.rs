//! `gan import stylegan2 FILE --out RUN`: a pretrained generator as a run directory (see
//! `gan::families::stylegan2::import`), with what was read and what was not understood.

use gan::families::stylegan2::import::{import_run, W_AVG_SAMPLES};

use crate::cli::ImportCommand;

pub fn run(c: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Stylegan2(a) = c;
    let r = import_run(&a.file, &a.out, a.data.as_deref())?;
    let c = &r.config;
    println!(
        "imported {} from {}: {} images, z {}, w {}, {} mapping layers, feature maps min({} / r, {}), conv_clamp {}",
        r.source.describe(),
        a.file.display(),
        r.image,
        c.latent_dim,
        c.w_dim,
        c.mapping_layers,
        c.channel_base,
        c.channel_max,
        c.conv_clamp.map_or("none".into(), |v| v.to_string())
    );
    println!("{} weights read; the generator only (the discriminator and optimiser states are not imported, so the run cannot be resumed)", r.weights);
    if !r.w_avg_from_file {
        println!("the file has no average w: w_avg is the mean of {W_AVG_SAMPLES} mapped latents (seed 0), for --truncation-psi");
    }
    if !r.skipped.is_empty() {
        println!("skipped (not needed): {}", r.skipped.join(", "));
    }
    if !r.not_understood.is_empty() {
        println!("not understood ({}): {}", r.not_understood.len(), r.not_understood.join(", "));
    }
    println!("wrote {} (try: gan sample --run {} --truncation-psi 0.7)", a.out.display(), a.out.display());
    Ok(())
}
