//! The pickle machine: a stack, a memo and the opcodes of protocols 2 to 5 (and the text
//! integers of 0 and 1), as Python's `pickletools` documents them.

use std::collections::HashMap;

use super::value::Value;
use super::{calls, fail, Result};

/// What a persistent id (`BINPERSID`) stands for; the file format decides.
pub type Persistent<'a> = dyn FnMut(Value) -> Result<Value> + 'a;

/// Reads one pickle from `bytes` at `pos`.
pub struct Unpickler<'b> {
    bytes: &'b [u8],
    pos: usize,
    stack: Vec<Value>,
    marks: Vec<usize>,
    memo: HashMap<usize, Value>,
}

impl<'b> Unpickler<'b> {
    pub fn new(bytes: &'b [u8], pos: usize) -> Self {
        Self { bytes, pos, stack: Vec::new(), marks: Vec::new(), memo: HashMap::new() }
    }

    /// Where the pickle read last ended (just past its `STOP`).
    pub fn position(&self) -> usize {
        self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'b [u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.bytes.len());
        let Some(end) = end else { return fail(format!("truncated: {n} bytes wanted at offset {}", self.pos)) };
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<usize> {
        Ok(self.take(1)?[0] as usize)
    }

    fn u32(&mut self) -> Result<usize> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn u64(&mut self) -> Result<usize> {
        let b = self.take(8)?;
        usize::try_from(u64::from_le_bytes(b.try_into().expect("8 bytes"))).or_else(|_| fail("a length beyond memory"))
    }

    fn line(&mut self) -> Result<&'b str> {
        let rest = &self.bytes[self.pos..];
        let Some(n) = rest.iter().position(|&b| b == b'\n') else { return fail("truncated: a text argument has no end of line") };
        let s = std::str::from_utf8(&rest[..n]).or_else(|_| fail("a text argument is not UTF-8"))?;
        self.pos += n + 1;
        Ok(s)
    }

    fn text(&mut self, n: usize) -> Result<Value> {
        let b = self.take(n)?;
        std::str::from_utf8(b).map(Value::str).or_else(|_| fail("a string is not UTF-8"))
    }

    fn pop(&mut self) -> Result<Value> {
        self.stack.pop().map_or_else(|| fail(format!("stack underflow at offset {}", self.pos)), Ok)
    }

    /// The items pushed since the last `MARK`.
    fn pop_mark(&mut self) -> Result<Vec<Value>> {
        let Some(m) = self.marks.pop() else { return fail(format!("no MARK before offset {}", self.pos)) };
        if m > self.stack.len() {
            return fail("a MARK above the stack");
        }
        Ok(self.stack.split_off(m))
    }

    fn top(&mut self) -> Result<&mut Value> {
        let pos = self.pos;
        self.stack.last_mut().map_or_else(|| fail(format!("stack underflow at offset {pos}")), Ok)
    }

    /// Runs to `STOP` and returns the value left on the stack.
    pub fn load(&mut self, persistent: &mut Persistent<'_>) -> Result<Value> {
        loop {
            let at = self.pos;
            let op = self.u8()? as u8;
            if op == b'.' {
                return self.pop();
            }
            self.step(op, persistent).map_err(|e| super::PickleError(format!("{} (opcode {:#04x} at offset {at})", e.0, op)))?;
        }
    }

    fn step(&mut self, op: u8, persistent: &mut Persistent<'_>) -> Result<()> {
        let v = match op {
            0x80 => return self.u8().map(drop),    // PROTO
            0x95 => return self.take(8).map(drop), // FRAME
            b'(' => {
                self.marks.push(self.stack.len());
                return Ok(());
            }
            b'0' => return self.pop().map(drop),
            b'1' => return self.pop_mark().map(drop),
            b'2' => self.top()?.clone(),
            b'q' | b'r' | 0x94 | b'p' => {
                let key = match op {
                    b'q' => self.u8()?,
                    b'r' => self.u32()?,
                    b'p' => self.line()?.parse().or_else(|_| fail("a text memo key is malformed"))?,
                    _ => self.memo.len(),
                };
                let v = self.top()?.clone();
                self.memo.insert(key, v);
                return Ok(());
            }
            b'h' | b'j' | b'g' => {
                let key = match op {
                    b'h' => self.u8()?,
                    b'j' => self.u32()?,
                    _ => self.line()?.parse().or_else(|_| fail("a text memo key is malformed"))?,
                };
                self.memo.get(&key).cloned().map_or_else(|| fail(format!("memo key {key} was never stored")), Ok)?
            }
            b'c' => {
                let module = self.line()?;
                let name = self.line()?;
                Value::Global(format!("{module}.{name}").into())
            }
            0x93 => {
                let name = self.pop()?;
                let module = self.pop()?;
                match (module.as_str(), name.as_str()) {
                    (Some(m), Some(n)) => Value::Global(format!("{m}.{n}").into()),
                    _ => return fail("STACK_GLOBAL wants two strings"),
                }
            }
            b'R' => {
                let args = self.pop()?;
                let func = self.pop()?;
                calls::call(&func, args)?
            }
            0x81 | 0x92 => {
                if op == 0x92 {
                    self.pop()?; // keyword arguments
                }
                let args = self.pop()?;
                let class = self.pop()?;
                calls::new_object(&class, args)?
            }
            b'b' => {
                let state = self.pop()?;
                return calls::build(self.top()?, state);
            }
            b'Q' => {
                let pid = self.pop()?;
                persistent(pid)?
            }
            b'P' => {
                let pid = Value::str(self.line()?);
                persistent(pid)?
            }
            b'i' | b'o' => return fail("INST and OBJ (protocol 0 and 1 objects) are not read; save with protocol 2 or later"),
            0x82..=0x84 => return fail("extension registry codes (EXT1/2/4) are not read"),
            0x97 | 0x98 => return fail("out-of-band buffers (NEXT_BUFFER) are not read"),
            _ if self.container(op)? => return Ok(()),
            _ => match self.literal(op)? {
                Some(v) => v,
                None => return fail(format!("unknown opcode {op:#04x}")),
            },
        };
        self.stack.push(v);
        Ok(())
    }

    /// Runs a tuple, list, dict or set opcode; `false` when `op` is not one.
    fn container(&mut self, op: u8) -> Result<bool> {
        let v = match op {
            b')' => Value::Tuple(Vec::new().into()),
            0x85..=0x87 => {
                let n = (op - 0x84) as usize;
                if self.stack.len() < n {
                    return fail("stack underflow building a tuple");
                }
                let at = self.stack.len() - n;
                Value::Tuple(self.stack.split_off(at).into())
            }
            b't' => Value::Tuple(self.pop_mark()?.into()),
            b']' => Value::list(Vec::new()),
            b'l' => Value::list(self.pop_mark()?),
            b'}' => Value::dict(Vec::new()),
            b'd' => Value::dict(pairs(self.pop_mark()?)?),
            0x8f => Value::list(Vec::new()),
            0x91 => Value::list(self.pop_mark()?),
            b'a' => {
                let v = self.pop()?;
                append(self.top()?, vec![v])?;
                return Ok(true);
            }
            b'e' | 0x90 => {
                let items = self.pop_mark()?;
                append(self.top()?, items)?;
                return Ok(true);
            }
            b's' => {
                let v = self.pop()?;
                let k = self.pop()?;
                set_items(self.top()?, vec![(k, v)])?;
                return Ok(true);
            }
            b'u' => {
                let items = pairs(self.pop_mark()?)?;
                set_items(self.top()?, items)?;
                return Ok(true);
            }
            _ => return Ok(false),
        };
        self.stack.push(v);
        Ok(true)
    }

    /// The value of a number, string or bytes opcode (`None`: not one).
    fn literal(&mut self, op: u8) -> Result<Option<Value>> {
        Ok(Some(match op {
            b'N' => Value::None,
            0x88 => Value::Bool(true),
            0x89 => Value::Bool(false),
            b'J' => Value::Int(i64::from(i32::from_le_bytes(self.take(4)?.try_into().expect("4 bytes")))),
            b'K' => Value::Int(self.u8()? as i64),
            b'M' => Value::Int(u16::from_le_bytes(self.take(2)?.try_into().expect("2 bytes")) as i64),
            0x8a => {
                let n = self.u8()?;
                long(self.take(n)?)?
            }
            0x8b => {
                let n = self.u32()?;
                long(self.take(n)?)?
            }
            b'I' | b'L' => text_int(self.line()?)?,
            b'G' => Value::Float(f64::from_be_bytes(self.take(8)?.try_into().expect("8 bytes"))),
            b'F' => Value::Float(self.line()?.trim().parse().or_else(|_| fail("a text float is malformed"))?),
            b'X' => {
                let n = self.u32()?;
                self.text(n)?
            }
            0x8c => {
                let n = self.u8()?;
                self.text(n)?
            }
            0x8d => {
                let n = self.u64()?;
                self.text(n)?
            }
            b'B' | 0x96 | 0x8e | b'C' | b'T' | b'U' => {
                let n = match op {
                    b'C' | b'U' => self.u8()?,
                    b'B' | b'T' => self.u32()?,
                    _ => self.u64()?,
                };
                Value::Bytes(self.take(n)?.into())
            }
            _ => return Ok(None),
        }))
    }
}

/// A little-endian two's-complement integer (`LONG1`, `LONG4`); one beyond 64 bits stays
/// as its bytes (torch's legacy magic number is one).
fn long(b: &[u8]) -> Result<Value> {
    if b.len() > 8 {
        return Ok(Value::Bytes(b.into()));
    }
    let mut v: i64 = 0;
    for (i, &byte) in b.iter().enumerate() {
        v |= i64::from(byte) << (8 * i);
    }
    if !b.is_empty() && b.len() < 8 && b[b.len() - 1] & 0x80 != 0 {
        v -= 1i64 << (8 * b.len());
    }
    Ok(Value::Int(v))
}

fn text_int(s: &str) -> Result<Value> {
    match s {
        "01" => Ok(Value::Bool(true)),
        "00" => Ok(Value::Bool(false)),
        _ => s.trim_end_matches('L').parse().map(Value::Int).or_else(|_| fail(format!("a text integer {s:?} is malformed"))),
    }
}

fn pairs(items: Vec<Value>) -> Result<Vec<(Value, Value)>> {
    if !items.len().is_multiple_of(2) {
        return fail("an odd number of items for a dict");
    }
    let mut it = items.into_iter();
    Ok(std::iter::from_fn(|| Some((it.next()?, it.next()?))).collect())
}

fn append(target: &mut Value, items: Vec<Value>) -> Result<()> {
    match target {
        Value::List(l) => l.borrow_mut().extend(items),
        Value::Object(o) => o.borrow_mut().args.extend(items),
        other => return fail(format!("APPENDS to {}", other.kind())),
    }
    Ok(())
}

fn set_items(target: &mut Value, items: Vec<(Value, Value)>) -> Result<()> {
    match target {
        Value::Dict(d) => d.borrow_mut().extend(items),
        Value::Object(o) => o.borrow_mut().items.extend(items),
        other => return fail(format!("SETITEMS on {}", other.kind())),
    }
    Ok(())
}
