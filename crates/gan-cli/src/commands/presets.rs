//! `gan presets`: the built-in configurations.

use gan::Preset;

pub fn run() -> anyhow::Result<()> {
    let width = Preset::ALL.iter().map(|p| p.name().len()).max().unwrap_or(0);
    for p in Preset::ALL {
        println!("{:width$}  {}", p.name(), p.description());
    }
    Ok(())
}
