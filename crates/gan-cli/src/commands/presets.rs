//! `gan presets`: the built-in configurations, listed, or one shown whole.

use crate::cli::PresetsArgs;

pub fn run(a: PresetsArgs) -> anyhow::Result<()> {
    if let Some(name) = &a.show {
        match gan::presets::translation::TranslationPreset::from_name(name) {
            Some(p) => print!("{}", p.config().to_toml()),
            None => print!("{}", gan::presets::config_named(name)?.to_toml()),
        }
        return Ok(());
    }
    let all = gan::presets::catalogue();
    let width = all.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, description) in all {
        println!("{name:width$}  {description}");
    }
    Ok(())
}
