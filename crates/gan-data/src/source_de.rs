//! Reading a `[data]` table so that every error names its field.
//!
//! serde's derived internally tagged enums (`tag = "kind"`) buffer the whole table before
//! choosing the variant, and the buffer forgets the keys: a wrong `points` is reported as
//! `invalid type ... in data`. Here the table's `kind` is taken out first and the rest is read
//! as the externally tagged mirror below, straight from TOML, which keeps every key's name
//! (`... in points in data`). The mirror must list the same fields as [`DataSource`]; the
//! round-trip test below fails when they drift apart.

use std::path::PathBuf;

use serde::de::Error;
use serde::{Deserialize, Deserializer};

use crate::builtin::Builtin;
use crate::dataset::Split;
use crate::folder::OnError;
use crate::source::{default_points, default_stacked_images, DataSource};
use crate::toy::ToyDist;
use crate::vocab::ClassSet;

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
enum Mirror {
    Builtin {
        name: Builtin,
    },
    Idx {
        dir: PathBuf,
        #[serde(default)]
        split: Split,
        #[serde(default)]
        classes: Option<ClassSet>,
    },
    Cifar10 {
        dir: PathBuf,
        #[serde(default)]
        split: Split,
    },
    Folder {
        dir: PathBuf,
        size: u32,
        #[serde(default)]
        on_error: OnError,
    },
    StackedMnist {
        #[serde(default)]
        dir: Option<PathBuf>,
        #[serde(default = "default_stacked_images")]
        images: usize,
        #[serde(default)]
        seed: u64,
    },
    Toy {
        dist: ToyDist,
        #[serde(default = "default_points")]
        points: usize,
        #[serde(default)]
        seed: u64,
    },
}

impl From<Mirror> for DataSource {
    fn from(m: Mirror) -> Self {
        match m {
            Mirror::Builtin { name } => DataSource::Builtin { name },
            Mirror::Idx { dir, split, classes } => DataSource::Idx { dir, split, classes },
            Mirror::Cifar10 { dir, split } => DataSource::Cifar10 { dir, split },
            Mirror::Folder { dir, size, on_error } => DataSource::Folder { dir, size, on_error },
            Mirror::StackedMnist { dir, images, seed } => DataSource::StackedMnist { dir, images, seed },
            Mirror::Toy { dist, points, seed } => DataSource::Toy { dist, points, seed },
        }
    }
}

impl<'de> Deserialize<'de> for DataSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        by_kind::<D, Mirror>(d).map(Into::into)
    }
}

/// Reads a `kind`-tagged table as `T`, the externally tagged mirror of its enum: the table
/// without `kind` becomes `{ KIND = { ...fields } }`, which TOML reads field by field (and so
/// names the field of any error). The config crate's tagged tables use it too.
pub fn by_kind<'de, D: Deserializer<'de>, T: serde::de::DeserializeOwned>(d: D) -> Result<T, D::Error> {
    let mut table = toml::Table::deserialize(d)?;
    let kind = take_kind::<D::Error>(&mut table)?;
    let tagged = toml::Table::from_iter([(kind, toml::Value::Table(table))]);
    toml::Value::Table(tagged).try_into().map_err(|e: toml::de::Error| D::Error::custom(e.to_string().trim_end()))
}

/// Removes and returns a table's `kind`, which must be a string.
pub fn take_kind<E: Error>(table: &mut toml::Table) -> Result<String, E> {
    match table.remove("kind") {
        Some(toml::Value::String(k)) => Ok(k),
        Some(other) => Err(E::custom(format!("`kind` must be a string, got {other}"))),
        None => Err(E::missing_field("kind")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<DataSource, String> {
        toml::from_str::<toml::Table>(text).unwrap()["data"].clone().try_into::<DataSource>().map_err(|e| e.to_string())
    }

    #[test]
    fn every_variant_round_trips_and_errors_name_the_field() {
        let all = [
            DataSource::Builtin { name: Builtin::Mnist10k },
            DataSource::Idx { dir: "d".into(), split: Split::Test, classes: Some(ClassSet::FashionMnist) },
            DataSource::Cifar10 { dir: "c".into(), split: Split::Test },
            DataSource::Folder { dir: "f".into(), size: 64, on_error: OnError::Skip },
            DataSource::StackedMnist { dir: Some("s".into()), images: 5, seed: 2 },
            DataSource::Toy { dist: ToyDist::Ring8, points: 7, seed: 3 },
        ];
        assert_eq!(parse("[data]\nkind = \"cifar10\"\ndir = \"c\"\nsplit = \"test\"\n").unwrap(), all[2]);
        for source in all {
            let text = toml::to_string(&toml::Table::from_iter([("data".to_string(), toml::Value::try_from(&source).unwrap())])).unwrap();
            assert_eq!(parse(&text).unwrap(), source, "{text}");
        }
        let e = parse("[data]\nkind = \"toy\"\ndist = \"ring8\"\npoints = \"many\"\n").unwrap_err();
        assert!(e.contains("points"), "{e}");
        let e = parse("[data]\nkind = \"toy\"\ndist = \"ring8\"\npointz = 3\n").unwrap_err();
        assert!(e.contains("pointz"), "{e}");
        let e = parse("[data]\nkind = \"toyy\"\n").unwrap_err();
        assert!(e.contains("toyy") && e.contains("stacked-mnist"), "{e}");
        assert!(parse("[data]\ndist = \"ring8\"\n").unwrap_err().contains("kind"));
    }
}
