//! Stage A: `person_summary(context, rater, value, centre)`, an aggregate over one person's
//! ratings of one dimension whose result is the person's [`PersonSummary`] in bytes.
//!
//! The partial state is the person's ratings themselves (context, rater, value, encoded in one
//! buffer per person), merged by concatenation: a person has few ratings, and summing them only in `evaluate`, after a sort,
//! makes the summary the same bits whichever partitions, files or executors the person's rows
//! came from and in whichever order the partial states were merged.
//!
//! [`PersonSummary`]: chameleon_stats::variance::partial::PersonSummary

use chameleon_stats::variance::partial::{CellSummary, ProfileSummary};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BooleanArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef, Float64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion::logical_expr::utils::format_state_name;
use datafusion::logical_expr::{
    Accumulator, AggregateUDF, AggregateUDFImpl, EmitTo, GroupsAccumulator, Signature, Volatility,
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

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::<PersonGroups>::default())
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "ratings"),
            DataType::Binary,
            true,
        ))])
    }
}

/// One person's ratings of one dimension in the partial state's own encoding: records of
/// `context, rater, value` (each text a u32 length and its bytes, the value 8 bytes), one
/// buffer per person rather than two strings per rating, since a query of 100M ratings holds
/// millions of these at once.
#[derive(Debug, Default, Clone)]
struct PersonRatings {
    centre: f64,
    n: u32,
    records: Vec<u8>,
}

impl PersonRatings {
    fn push(&mut self, context: &str, rater: &str, value: f64) {
        put_str(&mut self.records, context);
        put_str(&mut self.records, rater);
        self.records.extend_from_slice(&value.to_le_bytes());
        self.n += 1;
    }

    /// The partial state: centre, count, records.
    fn state(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(12 + self.records.len());
        out.extend_from_slice(&self.centre.to_le_bytes());
        out.extend_from_slice(&self.n.to_le_bytes());
        out.extend_from_slice(&self.records);
        out
    }

    /// Appends another partial state's records (checked whole before any is taken).
    fn merge(&mut self, state: &[u8]) -> Result<()> {
        let mut r = Reader(state);
        let centre = r.f64()?;
        let n = r.u32()?;
        let records = r.0;
        for _ in 0..n {
            r.str()?;
            r.str()?;
            r.f64()?;
        }
        if !r.0.is_empty() {
            return exec_err!("{NAME}: a partial state with trailing bytes");
        }
        if n > 0 {
            self.centre = centre;
        }
        self.n += n;
        self.records.extend_from_slice(records);
        Ok(())
    }

    /// The person's summary ([`summarise`]).
    fn summary(&self) -> Result<Vec<u8>> {
        let mut entries = Vec::with_capacity(self.n as usize);
        let mut r = Reader(&self.records);
        for _ in 0..self.n {
            entries.push((r.str()?, r.str()?, r.f64()?));
        }
        Ok(summarise(&mut entries, self.centre))
    }
}

/// The four arguments of one batch, typed.
struct Args<'a> {
    context: &'a datafusion::arrow::array::StringArray,
    rater: &'a datafusion::arrow::array::StringArray,
    value: &'a datafusion::arrow::array::Float64Array,
    centre: &'a datafusion::arrow::array::Float64Array,
}

impl<'a> Args<'a> {
    fn of(values: &'a [ArrayRef]) -> Result<Self> {
        let [context, rater, value, centre] = values else {
            return exec_err!("{NAME} takes 4 arguments, got {}", values.len());
        };
        Ok(Args {
            context: context.as_string::<i32>(),
            rater: rater.as_string::<i32>(),
            value: value.as_primitive::<Float64Type>(),
            centre: centre.as_primitive::<Float64Type>(),
        })
    }

    /// Row `i` into `into`, unless it has no value or no context.
    fn push(&self, i: usize, into: &mut PersonRatings) {
        if self.value.is_null(i) || self.context.is_null(i) {
            return;
        }
        into.centre = self.centre.value(i);
        let r = if self.rater.is_null(i) {
            ""
        } else {
            self.rater.value(i)
        };
        into.push(self.context.value(i), r, self.value.value(i));
    }
}

/// The aggregate for one group (DataFusion's fallback where it does not group).
#[derive(Debug, Default)]
struct PersonAccumulator(PersonRatings);

impl Accumulator for PersonAccumulator {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let args = Args::of(values)?;
        for i in 0..args.value.len() {
            args.push(i, &mut self.0);
        }
        Ok(())
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::Binary(Some(self.0.summary()?)))
    }

    fn size(&self) -> usize {
        std::mem::size_of_val(self) + self.0.records.capacity()
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::Binary(Some(self.0.state()))])
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let Some(states) = states.first() else {
            return exec_err!("{NAME}: no state to merge");
        };
        let states = states.as_binary::<i32>();
        for i in 0..states.len() {
            if !states.is_null(i) {
                self.0.merge(states.value(i))?;
            }
        }
        Ok(())
    }
}

/// The aggregate for every group of a partition at once: one [`PersonRatings`] per group
/// index, no boxed accumulator per person and no per-group slicing of the batches.
#[derive(Debug, Default)]
struct PersonGroups {
    groups: Vec<PersonRatings>,
    /// The records' capacities summed (`size` is asked after every batch).
    bytes: usize,
}

impl PersonGroups {
    fn resize(&mut self, total: usize) {
        if self.groups.len() < total {
            self.groups.resize_with(total, PersonRatings::default);
        }
    }

    fn with<T>(&mut self, g: usize, f: impl FnOnce(&mut PersonRatings) -> T) -> T {
        let group = &mut self.groups[g];
        let before = group.records.capacity();
        let out = f(group);
        self.bytes = self.bytes + group.records.capacity() - before;
        out
    }

    /// The groups `emit_to` names, taken out.
    fn take(&mut self, emit_to: EmitTo) -> Vec<PersonRatings> {
        let taken = emit_to.take_needed(&mut self.groups);
        let freed: usize = taken.iter().map(|g| g.records.capacity()).sum();
        self.bytes -= freed.min(self.bytes);
        taken
    }
}

impl GroupsAccumulator for PersonGroups {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let args = Args::of(values)?;
        self.resize(total_num_groups);
        for (i, &g) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !(f.is_valid(i) && f.value(i))) {
                continue;
            }
            self.with(g, |group| args.push(i, group));
        }
        Ok(())
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        let summaries = self
            .take(emit_to)
            .iter()
            .map(PersonRatings::summary)
            .collect::<Result<Vec<_>>>()?;
        Ok(Arc::new(BinaryArray::from_iter_values(summaries)))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        let states = self.take(emit_to);
        Ok(vec![Arc::new(BinaryArray::from_iter_values(
            states.iter().map(PersonRatings::state),
        ))])
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let Some(states) = values.first() else {
            return exec_err!("{NAME}: no state to merge");
        };
        let states = states.as_binary::<i32>();
        self.resize(total_num_groups);
        for (i, &g) in group_indices.iter().enumerate() {
            if !states.is_null(i) {
                self.with(g, |group| group.merge(states.value(i)))?;
            }
        }
        Ok(())
    }

    /// Each row as a state of its own (a one-record person), for when the aggregation passes
    /// rows straight to the final phase.
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let args = Args::of(values)?;
        let mut out = Vec::with_capacity(args.value.len());
        for i in 0..args.value.len() {
            let mut one = PersonRatings::default();
            if opt_filter.is_none_or(|f| f.is_valid(i) && f.value(i)) {
                args.push(i, &mut one);
            }
            out.push(one.state());
        }
        Ok(vec![Arc::new(BinaryArray::from_iter_values(out))])
    }

    fn size(&self) -> usize {
        self.groups.capacity() * std::mem::size_of::<PersonRatings>() + self.bytes
    }
}

/// The summary bytes: profiles (by context), each `raw_sum, cells`, each cell
/// `rater, n, raw_sum, sum, sumsq` (by rater), sums taken in (context, rater, value) order.
fn summarise(entries: &mut [(&str, &str, f64)], centre: f64) -> Vec<u8> {
    entries.sort_by(|a, b| {
        a.0.cmp(b.0)
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.total_cmp(&b.2))
    });
    let mut out = Vec::new();
    let mut profiles = 0u32;
    out.extend_from_slice(&0u32.to_le_bytes());
    let mut i = 0;
    while i < entries.len() {
        let context = entries[i].0;
        let mut j = i;
        while j < entries.len() && entries[j].0 == context {
            j += 1;
        }
        let raw: f64 = entries[i..j].iter().fold(0.0, |s, e| s + e.2);
        out.extend_from_slice(&raw.to_le_bytes());
        let count_at = out.len();
        out.extend_from_slice(&0u32.to_le_bytes());
        let mut cells = 0u32;
        let mut a = i;
        while a < j {
            let rater = entries[a].1;
            let (mut n, mut raw, mut sum, mut sumsq) = (0.0, 0.0, 0.0, 0.0);
            let mut b = a;
            while b < j && entries[b].1 == rater {
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

/// Decodes [`summarise`]'s bytes: per profile, its raw sum and cells, each cell's rater by
/// the id `rater_id` gives its name (the driver interns them; no string per cell).
pub(crate) fn decode(
    bytes: &[u8],
    rater_id: &mut dyn FnMut(&str) -> u32,
) -> Result<Vec<ProfileSummary>> {
    let mut r = Reader(bytes);
    let n = r.u32()?;
    let mut out = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let raw_sum = r.f64()?;
        let cells = r.u32()?;
        let mut cs = Vec::with_capacity(cells as usize);
        for _ in 0..cells {
            let rater = rater_id(r.str()?);
            cs.push(CellSummary {
                rater,
                n: r.f64()?,
                raw_sum: r.f64()?,
                sum: r.f64()?,
                sumsq: r.f64()?,
            });
        }
        out.push(ProfileSummary { raw_sum, cells: cs });
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
        let mut names = Vec::new();
        let profiles = decode(&b, &mut |r| {
            names.push(r.to_owned());
            names.len() as u32 - 1
        })
        .unwrap();
        assert_eq!(profiles.len(), 2);
        assert_eq!(profiles[0].raw_sum, 1.7 + 2.9 + 5.5);
        let cells = &profiles[0].cells;
        assert_eq!(cells.len(), 2);
        assert_eq!(names[cells[0].rater as usize], "r1");
        assert_eq!(cells[0].n, 2.0);
        assert_eq!(cells[0].sum, (1.7 - 2.0) + (2.9 - 2.0));
        assert_eq!(cells[1].sumsq, (5.5f64 - 2.0).powi(2));
    }

    /// The groups accumulator gives the one-group accumulator's bits, whichever rows, states
    /// and emits reach it: updated directly, merged from partial states in either order,
    /// emitted in two parts, or fed rows converted to states one by one.
    #[test]
    fn grouped_partials_give_the_single_accumulators_bits() {
        let rows = [
            ("c1", "r2", 3.1),
            ("c0", "r1", 1.7),
            ("c1", "r1", 0.3),
            ("c0", "r1", 2.9),
            ("c0", "r2", 5.5),
            ("c2", "r3", 4.25),
        ];
        // Rows 0..3 and 5 are person 0's, 3 and 4 person 1's.
        let groups = [0usize, 0, 0, 1, 1, 0];
        let single = |g: usize| {
            let mine: Vec<_> = rows
                .iter()
                .zip(groups)
                .filter(|(_, x)| *x == g)
                .map(|(r, _)| *r)
                .collect();
            let mut acc = PersonAccumulator::default();
            acc.update_batch(&batch(&mine)).unwrap();
            let ScalarValue::Binary(Some(b)) = acc.evaluate().unwrap() else {
                panic!("summary must be bytes");
            };
            b
        };
        let expected = [single(0), single(1)];
        let summaries = |a: ArrayRef| -> Vec<Vec<u8>> {
            let a = a.as_binary::<i32>();
            (0..a.len()).map(|i| a.value(i).to_vec()).collect()
        };
        let mut direct = PersonGroups::default();
        direct
            .update_batch(&batch(&rows), &groups, None, 2)
            .unwrap();
        assert!(direct.size() > 0);
        assert_eq!(summaries(direct.evaluate(EmitTo::All).unwrap()), expected);
        for order in [[0, 1], [1, 0]] {
            let mut parts = [PersonGroups::default(), PersonGroups::default()];
            parts[0]
                .update_batch(&batch(&rows[..3]), &groups[..3], None, 2)
                .unwrap();
            parts[1]
                .update_batch(&batch(&rows[3..]), &groups[3..], None, 2)
                .unwrap();
            let mut merged = PersonGroups::default();
            for k in order {
                let state = parts[k].state(EmitTo::All).unwrap();
                merged.merge_batch(&state, &[0, 1], 2).unwrap();
            }
            let first = summaries(merged.evaluate(EmitTo::First(1)).unwrap());
            let rest = summaries(merged.evaluate(EmitTo::All).unwrap());
            assert_eq!([first, rest].concat(), expected, "{order:?}");
            assert_eq!(merged.size(), 0);
        }
        let one_by_one = PersonGroups::default()
            .convert_to_state(&batch(&rows), None)
            .unwrap();
        let mut merged = PersonGroups::default();
        merged.merge_batch(&one_by_one, &groups, 2).unwrap();
        assert_eq!(summaries(merged.evaluate(EmitTo::All).unwrap()), expected);
        // A filtered-out row is not a rating.
        let filter = BooleanArray::from(vec![true, true, true, true, true, false]);
        let mut filtered = PersonGroups::default();
        filtered
            .update_batch(&batch(&rows), &groups, Some(&filter), 2)
            .unwrap();
        let mut acc = PersonAccumulator::default();
        acc.update_batch(&batch(&rows[..3])).unwrap();
        let ScalarValue::Binary(Some(b)) = acc.evaluate().unwrap() else {
            panic!("summary must be bytes");
        };
        assert_eq!(summaries(filtered.evaluate(EmitTo::All).unwrap())[0], b);
    }

    #[test]
    fn a_truncated_state_is_an_error() {
        let mut acc = PersonAccumulator::default();
        let arr: ArrayRef = Arc::new(BinaryArray::from_iter_values([vec![1u8, 2, 3]]));
        assert!(acc.merge_batch(&[arr]).is_err());
    }
}
