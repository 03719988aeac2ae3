//! `gan presets`: the built-in configurations, listed, or one shown whole.

use crate::cli::PresetsArgs;

pub fn run(a: PresetsArgs) -> anyhow::Result<()> {
    if let Some(p) = a.show {
        print!("{}", p.config().to_toml());
        return Ok(());
    }
    let width = gan::presets::Named::all().map(|p| p.name().len()).max().unwrap_or(0);
    for p in gan::presets::Named::all() {
        println!("{:width$}  {}", p.name(), p.description());
    }
    Ok(())
}
