//! The tidy long ratings format of DESIGN.md ("The `chameleon` CLI contract"):
//! `person,context,rater,dimension,value` or `unit,rater,value` (each unit its own profile),
//! header required, names case-insensitive, `rater` and `dimension` optional. A missing rating
//! is an empty cell, `NA`, or an absent row.
//!
//! Reading is all-or-nothing: every bad row is reported with its line and column, and no
//! partial result escapes.

mod arrow;
mod builder;
mod fields;
mod header;
mod lines;
mod named;
mod parallel;
#[cfg(feature = "parquet")]
mod parquet;
mod records;
mod wide;

use crate::dataset::Dataset;
use crate::error::Result;
// The pieces are one parser cut along its seams; they see each other through these globs.
pub use arrow::{counts_rows, Columnar, COLUMNAR_BUILT};
pub(crate) use arrow::{not_built, write_columnar, Input};
pub(crate) use builder::FxMap;
use builder::*;
use fields::*;
pub use fields::{format_timestamp, parse_number, parse_timestamp};
use header::*;
pub(crate) use lines::{check_quotes, oversized, oversized_fields, LineCounter};
pub use named::{parse_named, read_named_path, NamedRow, NamedRows};
use parallel::*;
#[cfg(feature = "parquet")]
pub use parquet::TidyParquetWriter;
use records::*;
use std::path::Path;
pub use wide::{parse_wide, read_wide_dataset, read_wide_path, WideFile, WideIds};

/// Dimension name used when the file has no `dimension` column.
pub const DEFAULT_DIMENSION: &str = "value";

/// One data row of a tidy ratings file, validated field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct TidyRow {
    /// Line of the file where the record starts (header is line 1).
    pub line: u64,
    /// The person (the unit in `unit,rater,value` files).
    pub person: String,
    /// The context (the unit again in `unit,rater,value` files).
    pub context: String,
    /// The rater, when the file has a `rater` column.
    pub rater: Option<String>,
    /// The dimension ([`DEFAULT_DIMENSION`] without a `dimension` column).
    pub dimension: String,
    /// `None` for a missing rating (empty cell or `NA`) and for a text value.
    pub value: Option<f64>,
    /// The value cell when it is text rather than a number: a nominal category written by
    /// its label (`joy`), mapped to a code by whoever knows the dimension's scale.
    pub label: Option<String>,
    /// ms since the Unix epoch.
    pub created_at: Option<i64>,
    /// Seconds spent on the rating (`seconds_spent` or `seconds`).
    pub seconds_spent: Option<f64>,
    /// The rater's note.
    pub note: Option<String>,
    /// The rater's confidence, 0–1.
    pub confidence: Option<f64>,
}

impl TidyRow {
    /// The row borrowed, as the reader hands rows over.
    pub fn as_ref(&self) -> RowRef<'_> {
        RowRef {
            line: self.line,
            person: &self.person,
            context: &self.context,
            rater: self.rater.as_deref(),
            dimension: &self.dimension,
            value: self.value,
            label: self.label.as_deref(),
            created_at: self.created_at,
            seconds_spent: self.seconds_spent,
            note: self.note.as_deref(),
            confidence: self.confidence,
        }
    }
}

/// A parsed ratings file.
#[derive(Debug, Clone, Default)]
pub struct TidyFile {
    /// The data rows, in file order.
    pub rows: Vec<TidyRow>,
    /// The file has a `rater` column.
    pub has_rater: bool,
    /// The file has a `dimension` column.
    pub has_dimension: bool,
    /// `unit,rater,value` layout: person = unit, context = the unit too.
    pub unit_layout: bool,
    /// Extra columns that were ignored.
    pub ignored_columns: Vec<String>,
}

/// Reads a tidy ratings file from disk.
pub fn read_path(path: &Path) -> Result<TidyFile> {
    let input = Input::read(path)?;
    let mut file =
        parse(&path.display().to_string(), &input.bytes).map_err(|e| input.relabel(e))?;
    if input.is_columnar() {
        for r in &mut file.rows {
            r.line = input.line(r.line);
        }
    }
    Ok(file)
}

/// A quoted field of a ratings file (a note) may span at most this many lines: more is a
/// closing quote gone missing, swallowing the rows after it.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// One data row, borrowed from the reader's buffer (see [`TidyRow`] for the fields).
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    /// Line where the record starts.
    pub line: u64,
    /// The person.
    pub person: &'a str,
    /// The context.
    pub context: &'a str,
    /// The rater, if any.
    pub rater: Option<&'a str>,
    /// The dimension.
    pub dimension: &'a str,
    /// The value, `None` when missing or text.
    pub value: Option<f64>,
    /// The value cell when it is text (a category label).
    pub label: Option<&'a str>,
    /// ms since the Unix epoch.
    pub created_at: Option<i64>,
    /// Seconds spent.
    pub seconds_spent: Option<f64>,
    /// The note.
    pub note: Option<&'a str>,
    /// The confidence.
    pub confidence: Option<f64>,
}

impl RowRef<'_> {
    fn to_owned_row(self) -> TidyRow {
        TidyRow {
            line: self.line,
            person: self.person.to_owned(),
            context: self.context.to_owned(),
            rater: self.rater.map(str::to_owned),
            dimension: self.dimension.to_owned(),
            value: self.value,
            label: self.label.map(str::to_owned),
            created_at: self.created_at,
            seconds_spent: self.seconds_spent,
            note: self.note.map(str::to_owned),
            confidence: self.confidence,
        }
    }
}

/// Parses tidy ratings from bytes. `name` is used in messages (usually the path).
///
/// ```
/// let file = chameleon_core::tidy::parse("r.csv", b"unit,rater,value\nu1,ana,3\nu1,ben,NA\n")?;
/// assert!(file.unit_layout && file.has_rater);
/// assert_eq!(file.rows.len(), 2);
/// assert_eq!(file.rows[1].value, None, "NA is a missing rating");
/// # Ok::<(), chameleon_core::CoreError>(())
/// ```
pub fn parse(name: &str, input: &[u8]) -> Result<TidyFile> {
    let mut rows = Vec::new();
    let layout = parse_rows(name, input, &mut |r| rows.push((*r).to_owned_row()))?;
    Ok(TidyFile {
        rows,
        has_rater: layout.has_rater,
        has_dimension: layout.has_dimension,
        unit_layout: layout.unit_layout,
        ignored_columns: layout.ignored_columns,
    })
}

/// Reads a tidy ratings file straight into an analysis snapshot, without keeping the rows:
/// memory stays proportional to the ratings, not to the text. Also returns the notes for
/// stderr (ignored columns, categories made from text values), one line each.
pub fn read_dataset(path: &Path) -> Result<(Dataset, Vec<String>)> {
    let input = Input::read(path)?;
    if input.is_columnar() {
        // Rendered from columns: the rows' lines need turning back into rows.
        let file = read_path(path)?;
        let (ds, mut notes) = file.to_dataset_noted(&path.display().to_string())?;
        notes.splice(
            0..0,
            crate::checks::ignored_columns_note(&file.ignored_columns),
        );
        return Ok((ds, notes));
    }
    let bytes = input.bytes;
    let name = path.display().to_string();
    let chunks = rayon::current_num_threads().min(bytes.len() / PARALLEL_MIN_BYTES);
    let (b, layout) = build_fast(&name, &bytes, chunks)?;
    drop(bytes);
    let (ds, mut notes) = b.finish(&name, layout.has_rater)?;
    notes.splice(
        0..0,
        crate::checks::ignored_columns_note(&layout.ignored_columns),
    );
    Ok((ds, notes))
}

impl TidyFile {
    /// Builds the analysis snapshot. Duplicate ratings (same person, context, rater and
    /// dimension twice) are errors naming both lines; missing values are dropped.
    pub fn to_dataset(&self, name: &str) -> Result<Dataset> {
        Ok(self.to_dataset_noted(name)?.0)
    }

    /// As [`TidyFile::to_dataset`], with the notes for the user (categories made from text).
    pub fn to_dataset_noted(&self, name: &str) -> Result<(Dataset, Vec<String>)> {
        let mut b = Builder::default();
        for r in &self.rows {
            b.push(&r.as_ref());
        }
        b.finish(name, self.has_rater)
    }
}

/// The first eight bytes of `b` (fewer: zero-padded) as a little-endian word: ids are
/// compared, hashed and scanned for commas eight bytes at a time.
#[inline]
fn le_word(b: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(w)
}

#[cfg(test)]
mod tests;
