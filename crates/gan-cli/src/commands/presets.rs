//! `gan presets`: the built-in configurations.

pub fn run() -> anyhow::Result<()> {
    let all = gan::presets::catalogue();
    let width = all.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    for (name, description) in all {
        println!("{name:width$}  {description}");
    }
    Ok(())
}
