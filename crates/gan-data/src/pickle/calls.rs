//! The calls a tensor file makes, recognised by the global's name and built as data. Every
//! other call is refused by name: nothing a pickle names is ever looked up or run.

use std::rc::Rc;

use super::tensor::RawTensor;
use super::value::Value;
use super::{fail, legacy, Result};

/// `REDUCE`: `func(*args)` for a known `func`.
pub fn call(func: &Value, args: Value) -> Result<Value> {
    let Value::Global(name) = func else { return fail(format!("a call of {}, not of a global", func.kind())) };
    let a = args.items().map_or_else(|| fail(format!("{name} called with {} for arguments", args.kind())), Ok)?;
    let arg = |i: usize| a.get(i).cloned().map_or_else(|| fail(format!("{name} wants at least {} arguments, got {}", i + 1, a.len())), Ok);
    match &**name {
        "collections.OrderedDict" => match a.first() {
            None => Ok(Value::dict(Vec::new())),
            Some(items) => {
                let items = items.items().unwrap_or_default();
                let pairs = items.iter().filter_map(|p| p.items().filter(|p| p.len() == 2).map(|p| (p[0].clone(), p[1].clone())));
                Ok(Value::dict(pairs.collect()))
            }
        },
        "torch._utils._rebuild_tensor_v2" | "torch._utils._rebuild_tensor" => rebuild_tensor(&a),
        "torch._utils._rebuild_parameter" | "torch._utils._rebuild_parameter_with_state" => arg(0),
        "torch._tensor._rebuild_from_type_v2" => call(&arg(0)?, arg(2)?),
        "torch.storage._load_from_bytes" => match arg(0)? {
            Value::Bytes(b) => legacy::load(&b),
            other => fail(format!("{name} wants bytes, got {}", other.kind())),
        },
        "torch.Size" | "builtins.set" | "builtins.frozenset" => Ok(arg(0)?.items().map_or(Value::Tuple(Vec::new().into()), |v| Value::Tuple(v.into()))),
        "torch.device" | "_codecs.encode" => arg(0),
        "copyreg._reconstructor" => match arg(0)? {
            Value::Global(class) => Ok(Value::object(&class, Vec::new())),
            other => fail(format!("copyreg._reconstructor of {}", other.kind())),
        },
        "torch_utils.persistence._reconstruct_persistent_obj" => persistent_object(&arg(0)?),
        other => fail(format!("refused to call {other}: the file asks to run code, and this reader builds only tensors and containers")),
    }
}

/// `_rebuild_tensor_v2(storage, offset, size, stride, ...)`.
fn rebuild_tensor(a: &[Value]) -> Result<Value> {
    let (Some(Value::Storage(storage)), Some(offset)) = (a.first(), a.get(1).and_then(Value::as_int)) else {
        return fail("_rebuild_tensor_v2 wants a storage and an offset");
    };
    let dims = |v: Option<&Value>, what: &str| -> Result<Vec<usize>> {
        let items = v.and_then(Value::items).map_or_else(|| fail(format!("_rebuild_tensor_v2 wants a {what} tuple")), Ok)?;
        items.iter().map(|d| d.as_int().and_then(|d| usize::try_from(d).ok()).map_or_else(|| fail(format!("a {what} entry is not a size")), Ok)).collect()
    };
    let (shape, stride) = (dims(a.get(2), "size")?, dims(a.get(3), "stride")?);
    if shape.len() != stride.len() {
        return fail(format!("a tensor of shape {shape:?} with strides {stride:?}"));
    }
    let offset = usize::try_from(offset).or_else(|_| fail("a negative storage offset"))?;
    Ok(Value::Tensor(Rc::new(RawTensor { storage: storage.clone(), offset, shape, stride })))
}

/// stylegan2-ada-pytorch's persistent objects carry their class's source in `meta`; only
/// the class name and the state (the module's `__dict__`, with the constructor's
/// `_init_kwargs`) are kept: the source is never run.
fn persistent_object(meta: &Value) -> Result<Value> {
    let class = meta.get("class_name").and_then(|c| c.as_str().map(String::from)).unwrap_or_else(|| "persistent object".into());
    let o = Value::object(&class, Vec::new());
    if let Value::Object(obj) = &o {
        let mut obj = obj.borrow_mut();
        obj.state = meta.get("state").unwrap_or(Value::None);
    }
    Ok(o)
}

/// `NEWOBJ`: an instance of `class`, recorded by name (its `__new__` is not run).
pub fn new_object(class: &Value, args: Value) -> Result<Value> {
    match class {
        Value::Global(c) => Ok(Value::object(c, args.items().unwrap_or_default())),
        other => fail(format!("NEWOBJ of {}", other.kind())),
    }
}

/// `BUILD`: an object's state (a tensor's or parameter's is dropped).
pub fn build(target: &mut Value, state: Value) -> Result<()> {
    match target {
        Value::Object(o) => o.borrow_mut().state = state,
        Value::Tensor(_) | Value::Dict(_) => {}
        other => return fail(format!("BUILD on {}", other.kind())),
    }
    Ok(())
}
