//! What a family's step reports: named scalars, detached 0-dim tensors kept on the device so
//! that a step never waits for the host. The loop keeps a window of records and reads it once
//! per log interval ([`Window::take_means`]) into the [`Scalars`] of `metrics.jsonl`; the
//! divergence guard reads the same records ([`Window::first_bad`]).

use tch::{Kind, Tensor};

use crate::run::metrics::Scalars;

/// How a scalar is summarised over a log interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reduce {
    /// The mean over the steps that reported it (a lazy penalty: over the updates that took
    /// it); checked for divergence.
    Mean,
    /// The last value reported in the interval (a gradient norm measured once per interval).
    Last,
}

/// One named scalar of a step.
pub struct Entry {
    pub name: &'static str,
    pub value: Tensor,
    pub reduce: Reduce,
    /// How the divergence guard names it ("the generator's loss").
    pub what: &'static str,
}

/// One step's scalars, in report order.
#[derive(Default)]
pub struct Record {
    entries: Vec<Entry>,
}

impl Record {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reports `value` (detached) as `name`, averaged over the interval; `what` names it in a
    /// divergence report.
    pub fn mean(&mut self, name: &'static str, what: &'static str, value: &Tensor) -> &mut Self {
        self.entries.push(Entry { name, value: value.detach(), reduce: Reduce::Mean, what });
        self
    }

    /// Reports `value` as `name`, the interval keeping its last.
    pub fn last(&mut self, name: &'static str, value: &Tensor) -> &mut Self {
        self.entries.push(Entry { name, value: value.detach(), reduce: Reduce::Last, what: name });
        self
    }

    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.entries.iter().find(|e| e.name == name).map(|e| &e.value)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }
}

/// The records since the last log line.
#[derive(Default)]
pub struct Window {
    records: Vec<Record>,
}

impl Window {
    pub fn push(&mut self, r: Record) {
        self.records.push(r);
    }

    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn records(&self) -> &[Record] {
        &self.records
    }

    /// The window's scalars, in the order first reported, emptying it: each name's mean (in
    /// double precision, one transfer per name) or last value.
    pub fn take_means(&mut self) -> Scalars {
        let records = std::mem::take(&mut self.records);
        let mut names: Vec<(&'static str, Reduce)> = Vec::new();
        for e in records.iter().flat_map(|r| &r.entries) {
            if !names.iter().any(|(n, _)| *n == e.name) {
                names.push((e.name, e.reduce));
            }
        }
        let mut out = Scalars::new();
        for (name, reduce) in names {
            let mut values = records.iter().filter_map(|r| r.get(name));
            let v = match reduce {
                Reduce::Mean => mean(values),
                Reduce::Last => values.next_back().map(|t| t.double_value(&[])),
            };
            if let Some(v) = v {
                out.set(name, v);
            }
        }
        out
    }

    /// The first record (counted from 0) with a non-finite averaged scalar, and what that
    /// scalar is; one host read for the whole window when all are finite.
    pub fn first_bad(&self) -> Option<(usize, &'static str)> {
        fn checked(r: &Record) -> Vec<&Entry> {
            r.entries.iter().filter(|e| e.reduce == Reduce::Mean).collect()
        }
        let flags: Vec<Tensor> = self.records.iter().flat_map(|r| checked(r).into_iter().map(|e| e.value.isfinite().all())).collect();
        if flags.is_empty() || Tensor::stack(&flags, 0).all().int64_value(&[]) == 1 {
            return None;
        }
        self.records.iter().enumerate().find_map(|(i, r)| checked(r).into_iter().find(|e| e.value.isfinite().all().int64_value(&[]) == 0).map(|e| (i, e.what)))
    }
}

/// The mean of 0-dim tensors, in double precision, in one transfer; `None` for none.
pub fn mean<'a>(values: impl Iterator<Item = &'a Tensor>) -> Option<f64> {
    let v: Vec<Tensor> = values.map(|t| t.to_kind(Kind::Double)).collect();
    (!v.is_empty()).then(|| Tensor::stack(&v, 0).mean(None).double_value(&[]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(x: f64) -> Tensor {
        Tensor::from(x as f32)
    }

    #[test]
    fn a_window_averages_each_name_keeps_the_last_of_others_and_finds_the_first_bad_step() {
        let mut w = Window::default();
        let mut a = Record::new();
        a.mean("d_loss", "the discriminator's loss", &scalar(1.0)).mean("penalty", "the penalty", &scalar(4.0)).last("d_grad_norm", &scalar(7.0));
        let mut b = Record::new();
        b.mean("d_loss", "the discriminator's loss", &scalar(5.0)).last("d_grad_norm", &scalar(9.0));
        let mut c = Record::new();
        c.mean("d_loss", "the discriminator's loss", &scalar(3.0)).mean("penalty", "the penalty", &scalar(2.0));
        for r in [a, b, c] {
            w.push(r);
        }
        assert_eq!(w.first_bad(), None);
        let got = w.take_means();
        assert_eq!(got.iter().collect::<Vec<_>>(), vec![("d_loss", 3.0), ("penalty", 3.0), ("d_grad_norm", 9.0)]);
        assert!(w.is_empty());
        let mut bad = Record::new();
        bad.mean("d_loss", "the discriminator's loss", &scalar(1.0)).mean("g_loss", "the generator's loss", &scalar(f64::NAN));
        let mut ok = Record::new();
        ok.mean("d_loss", "the discriminator's loss", &scalar(1.0));
        w.push(ok);
        w.push(bad);
        assert_eq!(w.first_bad(), Some((1, "the generator's loss")));
    }
}
