//! What an unpickled file holds: plain values, containers shared by reference (as the
//! pickle's memo shares them), objects recorded by class name with their state, and
//! tensors over storages.

use std::cell::RefCell;
use std::rc::Rc;

use super::tensor::{RawTensor, Storage};

#[derive(Debug, Clone)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    Tuple(Rc<[Value]>),
    List(Rc<RefCell<Vec<Value>>>),
    /// Keys in insertion order.
    Dict(Rc<RefCell<Vec<(Value, Value)>>>),
    /// A global named by a pickle: data only, never looked up.
    Global(Rc<str>),
    Object(Rc<RefCell<Object>>),
    Storage(Rc<Storage>),
    Tensor(Rc<RawTensor>),
}

/// An instance of a class the reader does not know, kept as data: its class's dotted name,
/// the arguments it was created with and the state `BUILD` gave it.
#[derive(Debug, Clone)]
pub struct Object {
    pub class: String,
    pub args: Vec<Value>,
    pub state: Value,
    /// Items a dict subclass received.
    pub items: Vec<(Value, Value)>,
}

impl Value {
    pub fn str(s: &str) -> Self {
        Value::Str(s.into())
    }

    pub fn list(v: Vec<Value>) -> Self {
        Value::List(Rc::new(RefCell::new(v)))
    }

    pub fn dict(v: Vec<(Value, Value)>) -> Self {
        Value::Dict(Rc::new(RefCell::new(v)))
    }

    pub fn object(class: &str, args: Vec<Value>) -> Self {
        Value::Object(Rc::new(RefCell::new(Object { class: class.into(), args, state: Value::None, items: Vec::new() })))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// The items of a tuple or list.
    pub fn items(&self) -> Option<Vec<Value>> {
        match self {
            Value::Tuple(t) => Some(t.to_vec()),
            Value::List(l) => Some(l.borrow().clone()),
            _ => None,
        }
    }

    /// `(key, value)` pairs of a dict, or of an object's dict state or dict items.
    pub fn pairs(&self) -> Option<Vec<(Value, Value)>> {
        match self {
            Value::Dict(d) => Some(d.borrow().clone()),
            Value::Object(o) => {
                let o = o.borrow();
                if o.items.is_empty() {
                    o.state.pairs()
                } else {
                    Some(o.items.clone())
                }
            }
            _ => None,
        }
    }

    /// The value under the string key `key` of a dict (or object state).
    pub fn get(&self, key: &str) -> Option<Value> {
        self.pairs()?.into_iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// A short description for messages.
    pub fn kind(&self) -> String {
        match self {
            Value::None => "None".into(),
            Value::Bool(_) => "a bool".into(),
            Value::Int(_) => "an int".into(),
            Value::Float(_) => "a float".into(),
            Value::Str(_) => "a string".into(),
            Value::Bytes(_) => "bytes".into(),
            Value::Tuple(_) => "a tuple".into(),
            Value::List(_) => "a list".into(),
            Value::Dict(_) => "a dict".into(),
            Value::Global(g) => format!("the global {g}"),
            Value::Object(o) => format!("a {} object", o.borrow().class),
            Value::Storage(_) => "a storage".into(),
            Value::Tensor(_) => "a tensor".into(),
        }
    }
}
