//! `kind`-tagged TOML tables (`[data]`, `[model]`, `[optim.g]`, `[loss.lipschitz]`, ...): the
//! one mechanism every crate uses to read them, so that every error names its field.
//!
//! serde's derived internally tagged enums (`tag = "kind"`) buffer the whole table before
//! choosing the variant, and the buffer forgets the keys: a wrong `points` is reported as
//! `invalid type ... in data`. [`kind_tagged!`](crate::kind_tagged) declares an enum once; it
//! derives `Serialize` with `tag = "kind"` (what run directories hold) and reads the table
//! through an externally tagged copy of the same variants (serde's `remote` derive, so the
//! two cannot drift apart): the table's `kind` is taken out first and the rest is read as
//! `{ KIND = { ...fields } }`, straight from TOML, which keeps every key's name (`... in
//! points in data`). Variant names come from serde (`kebab-case`, or a variant's own
//! `rename`); an unknown kind lists them.

use serde::de::Error;
use serde::{Deserialize, Deserializer};

/// Declares a `kind`-tagged enum (see the module's text). Variants are newtype (`Adam(AdamConfig)`),
/// struct (`Clip { clip: f64 }`) or unit (`None`); attributes on the enum (derives other than
/// serde's, docs) and on variants and fields (`#[serde(default)]`, `rename`) apply to both the
/// written and the read form.
#[macro_export]
macro_rules! kind_tagged {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $var:ident $({ $($sf:tt)* })? $(( $($tf:tt)* ))? ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(::serde::Serialize)]
        #[serde(tag = "kind", rename_all = "kebab-case")]
        $vis enum $name {
            $( $(#[$vmeta])* $var $({ $($sf)* })? $(( $($tf)* ))? ),*
        }

        const _: () = {
            type Tagged = $name;
            #[derive(::serde::Deserialize)]
            #[serde(remote = "Tagged", rename_all = "kebab-case", deny_unknown_fields)]
            #[allow(dead_code)]
            enum Mirror {
                $( $(#[$vmeta])* $var $({ $($sf)* })? $(( $($tf)* ))? ),*
            }
            impl<'de> ::serde::Deserialize<'de> for $name {
                fn deserialize<D: ::serde::Deserializer<'de>>(d: D) -> ::std::result::Result<Self, D::Error> {
                    $crate::tagged::by_kind(d, Mirror::deserialize)
                }
            }
            impl $crate::tagged::Kinds for $name {
                fn kinds() -> &'static [&'static str] {
                    $crate::tagged::variants_of(Mirror::deserialize)
                }

                #[allow(unused_assignments)]
                fn kind(&self) -> &'static str {
                    // serde lists the variants in their declaration order.
                    let mut i = 0;
                    $(
                        if matches!(self, $name::$var { .. }) {
                            return <Self as $crate::tagged::Kinds>::kinds()[i];
                        }
                        i += 1;
                    )*
                    unreachable!("every variant is listed")
                }
            }
        };
    };
}

/// The `kind`s a tagged enum accepts, as serde spells them (for choosing among several
/// enums by a table's `kind`, and for messages listing them).
pub trait Kinds {
    fn kinds() -> &'static [&'static str];

    /// This value's `kind`, as written.
    fn kind(&self) -> &'static str;
}

/// The variant names an externally tagged enum's derived `Deserialize` passes to
/// `deserialize_enum` (`read` is its `deserialize`).
pub fn variants_of<T>(read: impl FnOnce(VariantNames) -> Result<T, VariantNames>) -> &'static [&'static str] {
    match read(VariantNames(&[])) {
        Err(VariantNames(names)) => names,
        Ok(_) => unreachable!("VariantNames yields no value"),
    }
}

/// A deserializer that yields nothing and reports, as its error, the variants it was asked
/// for.
#[derive(Debug)]
pub struct VariantNames(&'static [&'static str]);

impl std::fmt::Display for VariantNames {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "variants {:?}", self.0)
    }
}

impl std::error::Error for VariantNames {}

impl Error for VariantNames {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        VariantNames(&[])
    }
}

impl<'de> Deserializer<'de> for VariantNames {
    type Error = VariantNames;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
        Err(self)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(self, _: &'static str, variants: &'static [&'static str], _: V) -> Result<V::Value, Self::Error> {
        Err(VariantNames(variants))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option unit
        unit_struct newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// Reads a `kind`-tagged table with `read`, which takes the externally tagged form: the table
/// without `kind` becomes `{ KIND = { ...fields } }`, which TOML reads field by field (and so
/// names the field of any error).
pub fn by_kind<'de, D: Deserializer<'de>, T>(d: D, read: impl FnOnce(toml::Value) -> Result<T, toml::de::Error>) -> Result<T, D::Error> {
    let mut table = toml::Table::deserialize(d)?;
    let kind = take_kind::<D::Error>(&mut table)?;
    let tagged = toml::Table::from_iter([(kind, toml::Value::Table(table))]);
    read(toml::Value::Table(tagged)).map_err(|e| D::Error::custom(e.to_string().trim_end()))
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
    use std::path::PathBuf;

    use crate::builtin::Builtin;
    use crate::dataset::Split;
    use crate::folder::{FolderSource, OnError};
    use crate::metadata::{Match, Scalar};
    use crate::source::DataSource;
    use crate::toy::ToyDist;
    use crate::vocab::ClassSet;

    fn parse(text: &str) -> Result<DataSource, String> {
        toml::from_str::<toml::Table>(text).unwrap()["data"].clone().try_into::<DataSource>().map_err(|e| e.to_string())
    }

    #[test]
    fn every_variant_round_trips_and_errors_name_the_field() {
        let all = [
            DataSource::Builtin { name: Builtin::Mnist10k, pad: 0 },
            DataSource::Builtin { name: Builtin::Mnist10k, pad: 2 },
            DataSource::Idx { dir: "d".into(), split: Split::Test, classes: Some(ClassSet::FashionMnist), pad: 2 },
            DataSource::Cifar10 { dir: "c".into(), split: Split::Test },
            DataSource::Folder(FolderSource { on_error: OnError::Skip, ..FolderSource::new("f", 64) }),
            DataSource::Folder(FolderSource {
                label: Some("group".into()),
                caption: Some("text".into()),
                filter: [
                    ("split".to_string(), Match::One(Scalar::Text("train".into()))),
                    ("tone".to_string(), Match::Any(vec![Scalar::Int(1), Scalar::Int(2)])),
                ]
                .into(),
                limit: Some(100),
                background: crate::alpha::Background::Rgb([1, 2, 3]),
                ..FolderSource::new("e", 64)
            }),
            DataSource::StackedMnist { dir: Some(PathBuf::from("s")), images: 5, seed: 2 },
            DataSource::Toy { dist: ToyDist::Ring8, points: 7, seed: 3 },
            DataSource::RenderedDigits(crate::rendered::RenderSettings { images: 9, seed: 2, ..Default::default() }),
        ];
        assert_eq!(parse("[data]\nkind = \"cifar10\"\ndir = \"c\"\nsplit = \"test\"\n").unwrap(), all[3]);
        for source in all {
            let text = toml::to_string(&toml::Table::from_iter([("data".to_string(), toml::Value::try_from(&source).unwrap())])).unwrap();
            assert_eq!(parse(&text).unwrap(), source, "{text}");
            use super::Kinds;
            assert_eq!(Some(source.kind()), toml::Value::try_from(&source).unwrap()["kind"].as_str(), "the kind as written");
        }
        let e = parse("[data]\nkind = \"toy\"\ndist = \"ring8\"\npoints = \"many\"\n").unwrap_err();
        assert!(e.contains("points"), "{e}");
        let e = parse("[data]\nkind = \"toy\"\ndist = \"ring8\"\npointz = 3\n").unwrap_err();
        assert!(e.contains("pointz"), "{e}");
        let e = parse("[data]\nkind = \"toyy\"\n").unwrap_err();
        assert!(e.contains("toyy") && e.contains("stacked-mnist"), "{e}");
        assert!(parse("[data]\ndist = \"ring8\"\n").unwrap_err().contains("kind"));
        assert!(parse("[data]\nkind = 3\n").unwrap_err().contains("`kind` must be a string"));
    }

    crate::kind_tagged! {
        #[derive(Debug, PartialEq)]
        enum Shapes {
            Unit,
            Empty {},
            #[serde(rename = "sq")]
            Square { side: f64, #[serde(default)] filled: bool },
            Wrapped(Inner),
        }
    }

    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Inner {
        n: u32,
    }

    #[test]
    fn unit_struct_and_newtype_variants_round_trip() {
        for s in [Shapes::Unit, Shapes::Empty {}, Shapes::Square { side: 2.0, filled: true }, Shapes::Wrapped(Inner { n: 3 })] {
            let v = toml::Value::try_from(&s).unwrap();
            assert_eq!(v.clone().try_into::<Shapes>().unwrap(), s, "{v}");
            use super::Kinds;
            assert_eq!(Some(s.kind()), v["kind"].as_str(), "{v}");
        }
        use super::Kinds;
        assert_eq!(Shapes::kinds(), ["unit", "empty", "sq", "wrapped"]);
        assert_eq!(DataSource::kinds(), ["builtin", "idx", "cifar10", "folder", "stacked-mnist", "rendered-digits", "toy"]);
        let read = |t: &str| toml::from_str::<Shapes>(t).map_err(|e| e.to_string());
        assert_eq!(read("kind = \"sq\"\nside = 1.0\n").unwrap(), Shapes::Square { side: 1.0, filled: false });
        assert!(read("kind = \"square\"\nside = 1.0\n").unwrap_err().contains("`sq`"));
        assert!(read("kind = \"wrapped\"\nm = 1\n").unwrap_err().contains('m'));
        assert!(read("kind = \"sq\"\nside = \"wide\"\n").unwrap_err().contains("side"));
    }
}
