//! Agreement's stage A: `unit_values(rater, value)`, an aggregate over one unit's ratings of
//! one dimension (the unit is the profile, person × context) whose result is the unit's
//! values with their multiplicities, in bytes ([`decode`]).
//!
//! The partial state is the unit's ratings (rater, value), merged by concatenation: a unit has
//! a handful of ratings, and the raters are needed once, to find a rater who rated the unit
//! twice (an error in memory too). The result is built after a sort, so it is the same bits
//! whichever partitions, files or executors the unit's rows came from.

use crate::udaf::{put_str, Reader};
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
pub const NAME: &str = "unit_values";

/// The aggregate; see the module docs.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct UnitValuesUdaf {
    signature: Signature,
}

impl Default for UnitValuesUdaf {
    fn default() -> Self {
        UnitValuesUdaf {
            signature: Signature::exact(
                vec![DataType::Utf8, DataType::Float64],
                Volatility::Immutable,
            ),
        }
    }
}

/// The aggregate as DataFusion registers it.
pub fn unit_values() -> AggregateUDF {
    AggregateUDF::from(UnitValuesUdaf::default())
}

impl AggregateUDFImpl for UnitValuesUdaf {
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
        Ok(Box::<UnitAccumulator>::default())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "ratings"),
            DataType::Binary,
            true,
        ))])
    }
}

#[derive(Debug, Default)]
struct UnitAccumulator {
    entries: Vec<(String, f64)>,
    text_bytes: usize,
}

impl UnitAccumulator {
    fn push(&mut self, rater: &str, value: f64) {
        self.text_bytes += rater.len();
        self.entries.push((rater.to_owned(), value));
    }
}

impl Accumulator for UnitAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let [rater, value] = values else {
            return exec_err!("{NAME} takes 2 arguments, got {}", values.len());
        };
        let (rater, value) = (
            rater.as_string::<i32>(),
            value.as_primitive::<Float64Type>(),
        );
        for i in 0..value.len() {
            if value.is_null(i) {
                continue;
            }
            let r = if rater.is_null(i) { "" } else { rater.value(i) };
            self.push(r, value.value(i));
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(summarise(&mut self.entries))))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self)
            + self.entries.capacity() * std::mem::size_of::<(String, f64)>()
            + self.text_bytes
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        let mut out = Vec::with_capacity(4 + self.entries.len() * 12 + self.text_bytes);
        out.extend_from_slice(&(self.entries.len() as u32).to_le_bytes());
        for (r, v) in &self.entries {
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
            for _ in 0..r.u32()? {
                let rater = r.str()?;
                let v = r.f64()?;
                self.push(rater, v);
            }
        }
        Ok(())
    }
}

/// The result bytes: a rater who rated the unit twice (`u32` 0, or 1 and the name; the
/// smallest such name), then the distinct values ascending, each `f64` value and `u32`
/// multiplicity (-0 counted as 0, as in memory).
fn summarise(entries: &mut [(String, f64)]) -> Vec<u8> {
    entries.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.total_cmp(&b.1)));
    let mut out = Vec::new();
    match entries.windows(2).find(|w| w[0].0 == w[1].0) {
        Some(w) => {
            out.extend_from_slice(&1u32.to_le_bytes());
            put_str(&mut out, &w[0].0);
        }
        None => out.extend_from_slice(&0u32.to_le_bytes()),
    }
    let mut values: Vec<f64> = entries
        .iter()
        .map(|e| if e.1 == 0.0 { 0.0 } else { e.1 })
        .collect();
    values.sort_by(f64::total_cmp);
    let mut runs: Vec<(f64, u32)> = Vec::new();
    for v in values {
        match runs.last_mut() {
            // Bits, not `==`: a NaN stays its own entry, for the driver to refuse.
            Some(last) if last.0.to_bits() == v.to_bits() => last.1 += 1,
            _ => runs.push((v, 1)),
        }
    }
    out.extend_from_slice(&(runs.len() as u32).to_le_bytes());
    for (v, n) in runs {
        out.extend_from_slice(&v.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
    }
    out
}

/// A unit's result: a rater who rated it twice, if any, and its `(value, multiplicity)`
/// pairs, values ascending.
pub(crate) struct UnitResult {
    pub(crate) duplicate: Option<String>,
    pub(crate) values: Vec<(f64, u32)>,
}

/// Decodes [`summarise`]'s bytes.
pub(crate) fn decode(bytes: &[u8]) -> Result<UnitResult> {
    let mut r = Reader(bytes);
    let duplicate = match r.u32()? {
        0 => None,
        _ => Some(r.str()?.to_owned()),
    };
    let n = r.u32()? as usize;
    let mut values = Vec::with_capacity(n);
    for _ in 0..n {
        let v = r.f64()?;
        values.push((v, r.u32()?));
    }
    Ok(UnitResult { duplicate, values })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use datafusion::arrow::array::{BinaryArray, Float64Array, StringArray};

    fn batch(rows: &[(&str, f64)]) -> Vec<ArrayRef> {
        vec![
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(Float64Array::from_iter_values(rows.iter().map(|r| r.1))),
        ]
    }

    fn bytes(v: ScalarValue) -> Vec<u8> {
        let ScalarValue::Binary(Some(b)) = v else {
            panic!("bytes expected");
        };
        b
    }

    #[test]
    fn merged_partials_give_the_same_bits_in_any_order() {
        let rows = [
            ("r2", 3.0),
            ("r1", -0.0),
            ("r3", 3.0),
            ("r4", 0.0),
            ("r5", 1.5),
        ];
        let mut whole = UnitAccumulator::default();
        whole.update_batch(&batch(&rows)).unwrap();
        let expected = whole.evaluate().unwrap();
        for order in [[0, 1], [1, 0]] {
            let mut parts = [UnitAccumulator::default(), UnitAccumulator::default()];
            parts[0].update_batch(&batch(&rows[..2])).unwrap();
            parts[1].update_batch(&batch(&rows[2..])).unwrap();
            let mut merged = UnitAccumulator::default();
            for k in order {
                let b = bytes(parts[k].state().unwrap().remove(0));
                let arr: ArrayRef = Arc::new(BinaryArray::from_iter_values([b]));
                merged.merge_batch(&[arr]).unwrap();
            }
            assert_eq!(merged.evaluate().unwrap(), expected);
        }
        let unit = decode(&bytes(expected)).unwrap();
        assert_eq!(unit.duplicate, None);
        assert_eq!(unit.values, vec![(0.0, 2), (1.5, 1), (3.0, 2)]);
    }

    #[test]
    fn a_rater_twice_is_reported() {
        let mut acc = UnitAccumulator::default();
        acc.update_batch(&batch(&[("b", 1.0), ("a", 2.0), ("b", 1.0)]))
            .unwrap();
        let unit = decode(&bytes(acc.evaluate().unwrap())).unwrap();
        assert_eq!(unit.duplicate.as_deref(), Some("b"));
        assert_eq!(unit.values, vec![(1.0, 2), (2.0, 1)]);
        let mut acc = UnitAccumulator::default();
        let arr: ArrayRef = Arc::new(BinaryArray::from_iter_values([vec![9u8, 0, 0, 0]]));
        assert!(acc.merge_batch(&[arr]).is_err(), "a truncated state");
    }
}
