//! Stage A: `person_summary(context, rater, value, centre)`, an aggregate over one person's
//! ratings of one dimension whose result is the person's [`PersonSummary`] in bytes.
//!
//! The partial state is the person's ratings themselves (context, rater, value), merged by
//! concatenation: a person has few ratings, and summing them only in `evaluate`, after a sort,
//! makes the summary the same bits whichever partitions, files or executors the person's rows
//! came from and in whichever order the partial states were merged.
//!
//! [`PersonSummary`]: chameleon_stats::variance::partial::PersonSummary

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, Signature, Volatility,
};
use std::sync::Arc;

/// The aggregate's name in plans (and in a Ballista executor's function registry).
pub const NAME: &str = "person_summary";

/// The aggregate; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct PersonSummaryUdaf {
    signature: Signature,
}

impl Default for PersonSummaryUdaf {
    fn default() -> Self {
        PersonSummaryUdaf {
            signature: Signature::exact(
                vec![
                    DataType::Utf8,
                    DataType::Utf8,
                    DataType::Float64,
                    DataType::Float64,
                ],
                Volatility::Immutable,
            ),
        }
    }
}

/// The aggregate as DataFusion registers it.
pub fn person_summary() -> AggregateUDF {
    AggregateUDF::from(PersonSummaryUdaf::default())
}

impl AggregateUDFImpl for PersonSummaryUdaf {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::Binary)
    }

    fn accumulator(&self, _acc_args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::<PersonAccumulator>::default())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "ratings"),
            DataType::Binary,
            true,
        ))])
    }
}

/// One rating inside a person: context, rater, raw value.
type Entry = (String, String, f64);

#[derive(Debug, Default)]
struct PersonAccumulator {
    centre: f64,
    entries: Vec<Entry>,
    text_bytes: usize,
}

impl PersonAccumulator {
    fn push(&mut self, context: &str, rater: &str, value: f64) {
        self.text_bytes += context.len() + rater.len();
        self.entries
            .push((context.to_owned(), rater.to_owned(), value));
    }
}

impl Accumulator for PersonAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [context, rater, value, centre] = values else {
            return exec_err!("{NAME} takes 4 arguments, got {}", values.len());
        };
        let (context, rater) = (context.as_string::<i32>(), rater.as_string::<i32>());
        let (value, centre) = (
            value.as_primitive::<Float64Type>(),
            centre.as_primitive::<Float64Type>(),
        );
        for i in 0..value.len() {
            if value.is_null(i) || context.is_null(i) {
                continue;
            }
            self.centre = centre.value(i);
            let r = if rater.is_null(i) { "" } else { rater.value(i) };
            self.push(context.value(i), r, value.value(i));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(summarise(
            &mut self.entries,
            self.centre,
        ))))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.entries.capacity() * std::mem::size_of::<Entry>()
            + self.text_bytes
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut out = Vec::with_capacity(12 + self.entries.len() * 24 + self.text_bytes);
        out.extend_from_slice(&self.centre.to_le_bytes());
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for (c, r, v) in &self.entries {
            put_str(&mut out, c);
            put_str(&mut out, r);
            out.extend_from_slice(&v.to_le_bytes());
        }
        Ok(vec![ScalarValue::Binary(Some(out))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(states) = states.first() else {
            return exec_err!("{NAME}: no state to merge");
        };
        let states = states.as_binary::<i32>();
        for i in 0..states.len() {
            if states.is_null(i) {
                continue;
            }
            let mut r = Reader(states.value(i));
            let centre = r.f64()?;
            let n = r.u32()?;
            if n > 0 {
                self.centre = centre;
            }
            for _ in 0..n {
                let c = r.str()?;
                let rater = r.str()?;
                let v = r.f64()?;
                self.push(c, rater, v);
            }
        }
        Ok(())
    }
}

/// The summary bytes: profiles (by context), each `raw_sum, cells`, each cell
/// `rater, n, raw_sum, sum, sumsq` (by rater), sums taken in (context, rater, value) order.
fn summarise(entries: &mut [Entry], centre: f64) -> Vec<u8> {
    entries.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| a.2.total_cmp(&b.2))
    });
    let mut out = Vec::new();
    let mut profiles = 0u32;
    out.extend_from_slice(&0u32.to_le_bytes());
    let mut i = 0;
    while i < entries.len() {
        let context = &entries[i].0;
        let mut j = i;
        while j < entries.len() && &entries[j].0 == context {
            j += 1;
        }
        let raw: f64 = entries[i..j].iter().fold(0.0, |s, e| s + e.2);
        out.extend_from_slice(&raw.to_le_bytes());
        let count_at = out.len();
        out.extend_from_slice(&0u32.to_le_bytes());
        let mut cells = 0u32;
        let mut a = i;
        while a < j {
            let rater = &entries[a].1;
            let (mut n, mut raw, mut sum, mut sumsq) = (0.0, 0.0, 0.0, 0.0);
            let mut b = a;
            while b < j && &entries[b].1 == rater {
                let v = entries[b].2;
                let y = v - centre;
                n += 1.0;
                raw += v;
                sum += y;
                sumsq += y * y;
                b += 1;
            }
            put_str(&mut out, rater);
            for x in [n, raw, sum, sumsq] {
                out.extend_from_slice(&x.to_le_bytes());
            }
            cells += 1;
            a = b;
        }
        out[count_at..count_at + 4].copy_from_slice(&cells.to_le_bytes());
        profiles += 1;
        i = j;
    }
    out[0..4].copy_from_slice(&profiles.to_le_bytes());
    out
}

/// A decoded cell; the rater still by name (ids are assigned on the driver).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub(crate) rater: String,
    pub(crate) n: f64,
    pub(crate) raw_sum: f64,
    pub(crate) sum: f64,
    pub(crate) sumsq: f64,
}

/// Decodes [`summarise`]'s bytes: per profile, its raw sum and cells.
pub(crate) fn decode(bytes: &[u8]) -> Result<Vec<(f64, Vec<Cell>)>> {
    let mut r = Reader(bytes);
    let n = r.u32()?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let raw = r.f64()?;
        let cells = r.u32()?;
        let mut cs = Vec::with_capacity(cells as usize);
        for _ in 0..cells {
            let rater = r.str()?.to_owned();
            cs.push(Cell {
                rater,
                n: r.f64()?,
                raw_sum: r.f64()?,
                sum: r.f64()?,
                sumsq: r.f64()?,
            });
        }
        out.push((raw, cs));
    }
    Ok(out)
}

pub(crate) fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u32).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// Reads the aggregates' little-endian partial states and results.
pub(crate) struct Reader<'a>(pub(crate) &'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.0.len() < n {
            return exec_err!("a truncated partial state or result of an aggregate");
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Ok(a)
    }
    pub(crate) fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    pub(crate) fn f64(&mut self) -> Result<f64> {
        let b = self.take(8)?;
        let mut a = [0u8; 8];
        a.copy_from_slice(b);
        Ok(f64::from_le_bytes(a))
    }
    pub(crate) fn str(&mut self) -> Result<&'a str> {
        let n = self.u32()? as usize;
        let b = self.take(n)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s),
            Err(_) => exec_err!("an aggregate's partial state with invalid text"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use datafusion::arrow::array::{BinaryArray, Float64Array, StringArray};

    fn batch(rows: &[(&str, &str, f64)]) -> Vec<ArrayRef> {
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.2))),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|_| 2.0))),
        ]
    }

    #[test]
    fn merged_partials_give_the_same_bits_in_any_order() {
        let rows = [
            ("c1", "r2", 3.1),
            ("c0", "r1", 1.7),
            ("c1", "r1", 0.3),
            ("c0", "r1", 2.9),
            ("c0", "r2", 5.5),
        ];
        let mut whole = PersonAccumulator::default();
        whole.update_batch(&batch(&rows)).unwrap();
        let expected = whole.evaluate().unwrap();
        // Two partial accumulators, merged into a third in both orders.
        for order in [[0, 1], [1, 0]] {
            let mut parts = [PersonAccumulator::default(), PersonAccumulator::default()];
            parts[0].update_batch(&batch(&rows[..2])).unwrap();
            parts[1].update_batch(&batch(&rows[2..])).unwrap();
            let mut merged = PersonAccumulator::default();
            for k in order {
                let ScalarValue::Binary(Some(b)) = parts[k].state().unwrap().remove(0) else {
                    panic!("state must be bytes");
                };
                let arr: ArrayRef = Arc::new(BinaryArray::from_iter_values([b]));
                merged.merge_batch(&[arr]).unwrap();
            }
            assert_eq!(merged.evaluate().unwrap(), expected);
        }
        let ScalarValue::Binary(Some(b)) = expected else {
            panic!("summary must be bytes");
        };
        let profiles = decode(&b).unwrap();
        assert_eq!(profiles.len(), 2);
        let (raw, cells) = &profiles[0];
        assert_eq!(*raw, 1.7 + 2.9 + 5.5);
        assert_eq!(cells.len(), 2);
        assert_eq!(cells[0].rater, "r1");
        assert_eq!(cells[0].n, 2.0);
        assert_eq!(cells[0].sum, (1.7 - 2.0) + (2.9 - 2.0));
        assert_eq!(cells[1].sumsq, (5.5f64 - 2.0).powi(2));
    }

    #[test]
    fn a_truncated_state_is_an_error() {
        let mut acc = PersonAccumulator::default();
        let arr: ArrayRef = Arc::new(BinaryArray::from_iter_values([vec![1u8, 2, 3]]));
        assert!(acc.merge_batch(&[arr]).is_err());
    }
}
