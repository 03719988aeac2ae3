//! Deserializing `kind`-tagged tables (`[model]`, `[optim.g]`, ...) so that an error inside
//! the chosen variant names its field: serde's derived internally tagged enums buffer the
//! table and lose the key (`invalid type ... in optim.g` instead of `... in lr`).

use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// Reads the table, takes its `kind` (one of `variants`) and builds the variant from the
/// remaining fields with `build`.
pub(crate) fn deserialize_tagged<'de, D, T>(
    d: D,
    variants: &'static [&'static str],
    build: impl FnOnce(&str, toml::Value) -> Result<T, toml::de::Error>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let mut table = toml::Table::deserialize(d)?;
    let kind = gan_data::source_de::take_kind::<D::Error>(&mut table)?;
    if !variants.contains(&kind.as_str()) {
        return Err(D::Error::unknown_variant(&kind, variants));
    }
    build(&kind, toml::Value::Table(table)).map_err(|e| D::Error::custom(e.to_string().trim_end()))
}
