//! The name serde writes for an enum's variant (`LossKind::LeastSquares` -> `least-squares`,
//! a `kind`-tagged `Lipschitz::R1R2 { .. }` -> `r1-r2`), so that no `name()` table restates
//! serde's renaming: what a configuration file says and what the tool prints are one string.

use std::collections::BTreeSet;
use std::fmt::Display;
use std::sync::Mutex;

use serde::ser::{self, Impossible, Serialize};

/// The variant name serde writes for `value`: a unit, newtype, tuple or struct variant, or
/// the `kind` of an internally tagged one. Panics on values that are no enum variant (a
/// programming error: callers pass their own enums).
pub fn serde_name<T: Serialize + ?Sized>(value: &T) -> &'static str {
    match value.serialize(Name) {
        Ok(Some(name)) => name,
        _ => panic!("serde_name of a value that is not an enum variant"),
    }
}

/// Names read from a `kind` field are owned strings; each distinct one is kept once.
fn intern(s: &str) -> &'static str {
    static NAMES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = names.get(s) {
        return n;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    names.insert(leaked);
    leaked
}

#[derive(Debug)]
struct NotAVariant;

impl Display for NotAVariant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("not an enum variant")
    }
}

impl std::error::Error for NotAVariant {}

impl ser::Error for NotAVariant {
    fn custom<M: Display>(_: M) -> Self {
        NotAVariant
    }
}

/// Serializes an enum variant to its name (None for anything else).
struct Name;

/// The `kind` field of an internally tagged variant, written as a struct.
struct TagField(Option<&'static str>);

macro_rules! refuse {
    ($($f:ident($t:ty)),*) => {
        $(fn $f(self, _: $t) -> Result<Self::Ok, Self::Error> { Err(NotAVariant) })*
    };
}

impl ser::Serializer for Name {
    type Ok = Option<&'static str>;
    type Error = NotAVariant;
    type SerializeSeq = Impossible<Self::Ok, NotAVariant>;
    type SerializeTuple = Impossible<Self::Ok, NotAVariant>;
    type SerializeTupleStruct = Impossible<Self::Ok, NotAVariant>;
    type SerializeTupleVariant = Impossible<Self::Ok, NotAVariant>;
    type SerializeMap = Impossible<Self::Ok, NotAVariant>;
    type SerializeStruct = TagField;
    type SerializeStructVariant = Impossible<Self::Ok, NotAVariant>;

    refuse!(serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64), serialize_u8(u8), serialize_u16(u16));
    refuse!(serialize_u32(u32), serialize_u64(u64), serialize_f32(f32), serialize_f64(f64), serialize_char(char), serialize_bytes(&[u8]));
    refuse!(serialize_unit_struct(&'static str));

    fn serialize_str(self, v: &str) -> Result<Self::Ok, NotAVariant> {
        Ok(Some(intern(v)))
    }
    fn serialize_none(self) -> Result<Self::Ok, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<Self::Ok, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_unit(self) -> Result<Self::Ok, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<Self::Ok, NotAVariant> {
        Ok(Some(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<Self::Ok, NotAVariant> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, variant: &'static str, _: &T) -> Result<Self::Ok, NotAVariant> {
        Ok(Some(variant))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotAVariant> {
        Err(NotAVariant)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotAVariant> {
        Ok(TagField(None))
    }
    fn serialize_struct_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeStructVariant, NotAVariant> {
        Err(NotAVariant)
    }
}

impl ser::SerializeStruct for TagField {
    type Ok = Option<&'static str>;
    type Error = NotAVariant;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result<(), NotAVariant> {
        if key == "kind" && self.0.is_none() {
            self.0 = value.serialize(Name)?;
        }
        Ok(())
    }
    fn end(self) -> Result<Self::Ok, NotAVariant> {
        Ok(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::serde_name;
    use crate::source::DataSource;
    use crate::toy::ToyDist;

    #[test]
    fn names_are_serdes() {
        assert_eq!(serde_name(&ToyDist::Ring8), "ring8");
        for d in ToyDist::ALL {
            assert_eq!(toml::Value::try_from(d).unwrap().as_str(), Some(serde_name(&d)));
        }
        let stacked = DataSource::StackedMnist { dir: None, images: 3, seed: 0 };
        assert_eq!(serde_name(&stacked), "stacked-mnist");
        assert!(std::ptr::eq(serde_name(&stacked), serde_name(&stacked)), "interned once");
    }

    #[test]
    #[should_panic(expected = "not an enum variant")]
    fn a_number_is_no_variant() {
        serde_name(&3u8);
    }
}
