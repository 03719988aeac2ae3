//! Named scalars: what a run reports each logging interval, by name, in the order the family
//! reported them. A dotted name nests in `metrics.jsonl` (`vae.loss` is written
//! `"vae": {"loss": ...}`), so that the records of every family, and of earlier versions,
//! read back the same way.

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Named numbers, in report order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scalars(Vec<(String, f64)>);

impl Scalars {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) `name`.
    pub fn set(&mut self, name: &str, value: f64) {
        match self.0.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }

    pub fn get(&self, name: &str) -> Option<f64> {
        self.0.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    /// Whether any name starts with `prefix` (a group: `"translation."`).
    pub fn has_group(&self, prefix: &str) -> bool {
        self.0.iter().any(|(n, _)| n.starts_with(prefix))
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, f64)> {
        self.0.iter().map(|(n, v)| (n.as_str(), *v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(String, f64)> for Scalars {
    fn from_iter<I: IntoIterator<Item = (String, f64)>>(iter: I) -> Self {
        let mut s = Scalars::new();
        for (n, v) in iter {
            s.set(&n, v);
        }
        s
    }
}

/// A value of a metrics record: a number, or a group of named values in report order (read
/// in file order; anything else a record holds is `Other` and left out).
pub(crate) enum Node {
    Leaf(f64),
    Group(Vec<(String, Node)>),
    Other,
}

impl Node {
    fn group(&mut self) -> &mut Vec<(String, Node)> {
        match self {
            Node::Group(g) => g,
            Node::Leaf(_) | Node::Other => unreachable!("a name is either a number or a group"),
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Leaf(v) => v.serialize(s),
            Node::Other => s.serialize_unit(),
            Node::Group(g) => {
                let mut map = s.serialize_map(Some(g.len()))?;
                for (k, v) in g {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// `scalars` in report order, dotted names nested, each group where its first member stands.
pub(crate) fn nested(scalars: &Scalars) -> Vec<(String, Node)> {
    let mut root = Node::Group(Vec::new());
    for (name, v) in scalars.iter() {
        let mut node = &mut root;
        let mut parts = name.split('.').peekable();
        while let Some(part) = parts.next() {
            let group = node.group();
            let at = match group.iter().position(|(k, _)| k == part) {
                Some(i) => i,
                None => {
                    let fresh = if parts.peek().is_some() { Node::Group(Vec::new()) } else { Node::Leaf(v) };
                    group.push((part.to_string(), fresh));
                    group.len() - 1
                }
            };
            node = &mut group[at].1;
        }
    }
    match root {
        Node::Group(g) => g,
        Node::Leaf(_) | Node::Other => unreachable!(),
    }
}

/// Adds the numbers of `node` under `prefix` (dotted for nested groups).
pub(crate) fn flatten_into(out: &mut Scalars, prefix: &str, node: &Node) {
    match node {
        Node::Leaf(v) => out.set(prefix, *v),
        Node::Group(fields) => {
            for (k, v) in fields {
                flatten_into(out, &format!("{prefix}.{k}"), v);
            }
        }
        Node::Other => {}
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
                Ok(Node::Leaf(v))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
                Ok(Node::Leaf(v as f64))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
                Ok(Node::Leaf(v as f64))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_str<E>(self, _: &str) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_unit<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_none<E>(self) -> Result<Node, E> {
                Ok(Node::Other)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
                while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
                Ok(Node::Other)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
                let mut fields = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Node>()? {
                    fields.push((k, v));
                }
                Ok(Node::Group(fields))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Scalars {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Node::Group(nested(self)).serialize(s)
    }
}

impl<'de> Deserialize<'de> for Scalars {
    /// Any JSON object's numbers, by dotted name (what `serialize` writes).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let mut out = Scalars::new();
        match Node::deserialize(d)? {
            Node::Group(fields) => {
                for (k, v) in &fields {
                    flatten_into(&mut out, k, v);
                }
                Ok(out)
            }
            _ => Err(serde::de::Error::custom("expected an object of named numbers")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_names_nest_in_report_order_and_read_back() {
        let s: Scalars =
            [("d_loss", 1.5), ("vae.loss", 2.0), ("g_loss", 0.5), ("vae.kl", 0.25), ("a.b.c", 3.0)].iter().map(|(n, v)| (n.to_string(), *v)).collect();
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, r#"{"d_loss":1.5,"vae":{"loss":2.0,"kl":0.25},"g_loss":0.5,"a":{"b":{"c":3.0}}}"#);
        let back: Scalars = serde_json::from_str(&text).unwrap();
        assert_eq!(back.get("vae.kl"), Some(0.25));
        assert_eq!(back.get("a.b.c"), Some(3.0));
        assert!(back.has_group("vae.") && !back.has_group("translation."));
    }
}
