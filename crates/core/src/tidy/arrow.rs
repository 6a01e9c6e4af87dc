//! Parquet and Arrow IPC (Feather v2) files, told by their extension (`.parquet`, `.arrow`,
//! `.feather`, `.arrows` for the stream format). A columnar file is rendered as the CSV it
//! stands for and read by the CSV readers, so every check, message and layout (long, wide,
//! profiles) is the same one; on the way out a CSV export is typed and written as columns.
//!
//! Row numbers: a columnar file has no lines, so a message's "line" is the CSV line the row
//! would have (row r is line r + 1, the schema line 1) whatever line breaks its texts hold,
//! and [`crate::error::RowError`]'s display says "row r" for these files.
//!
//! The reading half needs the `parquet` feature; without it such a file is refused with how
//! to build a chameleon that reads it.

use crate::error::{CoreError, Result};
use std::path::Path;

/// A columnar file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Columnar {
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC: the file format (Feather v2) or the stream format.
    Arrow,
}

impl Columnar {
    /// The format a path's extension names, `None` for text files.
    pub fn of(path: &Path) -> Option<Columnar> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "parquet" | "pq" => Some(Columnar::Parquet),
            "arrow" | "feather" | "arrows" | "ipc" => Some(Columnar::Arrow),
            _ => None,
        }
    }

    /// The format's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Columnar::Parquet => "Parquet",
            Columnar::Arrow => "Arrow IPC",
        }
    }
}

/// Is this chameleon built to read and write Parquet and Arrow files?
pub const COLUMNAR_BUILT: bool = cfg!(feature = "parquet");

/// Whether a message about `path` counts rows of a columnar file rather than lines.
pub fn counts_rows(path: &str) -> bool {
    Columnar::of(Path::new(path)).is_some()
}

/// The refusal of a columnar file by a build without the `parquet` feature.
pub(crate) fn not_built(path: &Path, kind: Columnar) -> CoreError {
    CoreError::NotReadable {
        path: path.to_owned(),
        reason: format!(
            "{} files need a chameleon built with the `parquet` feature (cargo build --release \
             -p chameleon-cli --features parquet); or write the file as CSV",
            kind.name()
        ),
    }
}

/// An input file as CSV bytes: the file itself, or what a columnar file stands for with the
/// line each of its rows starts on.
pub(crate) struct Input {
    pub(crate) bytes: Vec<u8>,
    /// For a columnar file: the CSV line each data row starts on, in order (a text with line
    /// breaks spans several).
    starts: Option<Vec<u64>>,
}

impl Input {
    /// Reads `path` whole, rendering a columnar file as CSV.
    pub(crate) fn read(path: &Path) -> Result<Input> {
        match Columnar::of(path) {
            None => Ok(Input {
                bytes: crate::checks::read_input_file(path)?,
                starts: None,
            }),
            Some(kind) => read_columnar(path, kind),
        }
    }

    /// Is this a rendered columnar file?
    pub(crate) fn is_columnar(&self) -> bool {
        self.starts.is_some()
    }

    /// The line a message gives for line `line` of the bytes: a columnar file's row r + 1.
    pub(crate) fn line(&self, line: u64) -> u64 {
        match &self.starts {
            Some(starts) if line > 1 => starts.partition_point(|&s| s <= line).max(1) as u64 + 1,
            _ => line,
        }
    }

    /// `e` with its lines turned into rows (see [`Input::line`]).
    pub(crate) fn relabel(&self, e: CoreError) -> CoreError {
        match e {
            CoreError::Input { path, mut errors } if self.is_columnar() => {
                for error in &mut errors {
                    error.line = self.line(error.line);
                }
                CoreError::Input { path, errors }
            }
            e => e,
        }
    }
}

#[cfg(not(feature = "parquet"))]
fn read_columnar(path: &Path, kind: Columnar) -> Result<Input> {
    Err(not_built(path, kind))
}

#[cfg(feature = "parquet")]
fn read_columnar(path: &Path, kind: Columnar) -> Result<Input> {
    crate::checks::check_regular_file(path)?;
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| CoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let (schema, batches) = match kind {
        Columnar::Parquet => super::parquet::read_batches(&name, file)?,
        Columnar::Arrow => columns::read_ipc(&name, file)?,
    };
    let (bytes, starts) = columns::render_csv(&name, &schema, &batches)?;
    Ok(Input {
        bytes,
        starts: Some(starts),
    })
}

/// Writes CSV `csv` (a header line and records) to `path` as the columnar file its extension
/// names. Columns `text` names stay text; any other is a float column when every cell is a
/// number or empty (a null).
#[cfg(feature = "parquet")]
pub(crate) fn write_columnar(
    path: &Path,
    kind: Columnar,
    csv: &[u8],
    text: &dyn Fn(&str) -> bool,
) -> Result<()> {
    let batch = columns::batch_of_csv(csv, text)?;
    let bytes = match kind {
        Columnar::Parquet => super::parquet::write_batch(&batch),
        Columnar::Arrow => columns::write_ipc(&batch),
    }
    .map_err(|e| CoreError::Invalid(format!("{}: writing {}: {e}", path.display(), kind.name())))?;
    crate::export::write_atomically(path, |w| {
        w.write_all(&bytes).map_err(|source| CoreError::Io {
            path: path.to_owned(),
            source,
        })
    })
}

/// Without the `parquet` feature: the refusal, before anything is written.
#[cfg(not(feature = "parquet"))]
pub(crate) fn write_columnar(
    path: &Path,
    kind: Columnar,
    _csv: &[u8],
    _text: &dyn Fn(&str) -> bool,
) -> Result<()> {
    Err(not_built(path, kind))
}

#[cfg(feature = "parquet")]
pub(super) mod columns {
    use crate::checks::quote;
    use crate::error::{CoreError, Result, RowError};
    use arrow_array::cast::AsArray;
    use arrow_array::types::*;
    use arrow_array::{Array, ArrayRef, Float64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
    use std::sync::Arc;

    /// Reads an Arrow IPC file (Feather v2) or stream.
    pub(crate) fn read_ipc(
        name: &str,
        mut file: std::fs::File,
    ) -> Result<(SchemaRef, Vec<RecordBatch>)> {
        use std::io::{Read, Seek};
        let bad = |e: String| {
            CoreError::input(
                name,
                vec![RowError::new(
                    1,
                    None,
                    format!("not a readable Arrow IPC file: {e}"),
                )],
            )
        };
        let mut magic = [0u8; 6];
        let is_file = file.read_exact(&mut magic).is_ok() && &magic == b"ARROW1";
        file.rewind().map_err(|e| bad(e.to_string()))?;
        if is_file {
            let reader = arrow_ipc::reader::FileReader::try_new(file, None)
                .map_err(|e| bad(e.to_string()))?;
            let schema = reader.schema();
            let batches = reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            Ok((schema, batches))
        } else {
            let reader =
                arrow_ipc::reader::StreamReader::try_new(std::io::BufReader::new(file), None)
                    .map_err(|e| bad(e.to_string()))?;
            let schema = reader.schema();
            let batches = reader
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| bad(e.to_string()))?;
            Ok((schema, batches))
        }
    }

    /// Writes one batch as an Arrow IPC file (Feather v2), uncompressed: every reader opens it.
    pub(crate) fn write_ipc(batch: &RecordBatch) -> std::result::Result<Vec<u8>, String> {
        let mut out = Vec::new();
        let mut w = arrow_ipc::writer::FileWriter::try_new(&mut out, &batch.schema())
            .map_err(|e| e.to_string())?;
        w.write(batch).map_err(|e| e.to_string())?;
        w.finish().map_err(|e| e.to_string())?;
        drop(w);
        Ok(out)
    }

    /// The CSV a columnar file stands for, and the line each row starts on. A column of a
    /// type no ratings or profiles file holds (binary, lists, structs, …) is an error naming
    /// it and its first row with a value.
    pub(crate) fn render_csv(
        name: &str,
        schema: &Schema,
        batches: &[RecordBatch],
    ) -> Result<(Vec<u8>, Vec<u64>)> {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        let header: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
        let io = |e: csv::Error| CoreError::Invalid(format!("{name}: {e}"));
        w.write_record(&header).map_err(io)?;
        w.flush()
            .map_err(|e| CoreError::Invalid(format!("{name}: {e}")))?;
        let mut line = 1 + newlines(w.get_ref());
        let mut starts = Vec::new();
        let mut errors = Vec::new();
        let mut refused = vec![false; header.len()];
        let mut first_row = 1u64;
        for batch in batches {
            let mut columns = Vec::with_capacity(batch.num_columns());
            for (c, array) in batch.columns().iter().enumerate() {
                match cells(array.as_ref()) {
                    Ok(v) => columns.push(v),
                    Err(t) => {
                        if !std::mem::replace(&mut refused[c], true) {
                            let row = (0..array.len()).find(|&i| array.is_valid(i)).unwrap_or(0);
                            errors.push(RowError::new(
                                first_row + row as u64 + 1,
                                Some(header.get(c).copied().unwrap_or_default()),
                                format!(
                                    "a column of type {t} cannot be read: a ratings or \
                                     profiles column holds text or numbers"
                                ),
                            ));
                        }
                        columns.push(vec![None; array.len()]);
                    }
                }
            }
            for i in 0..batch.num_rows() {
                let record = columns
                    .iter()
                    .map(|c| c.get(i).and_then(|v| v.as_deref()).unwrap_or(""));
                let before = w.get_ref().len();
                w.write_record(record).map_err(io)?;
                w.flush()
                    .map_err(|e| CoreError::Invalid(format!("{name}: {e}")))?;
                starts.push(line);
                line += newlines(&w.get_ref()[before..]);
            }
            first_row += batch.num_rows() as u64;
        }
        if !errors.is_empty() {
            return Err(CoreError::input(name, errors));
        }
        let bytes = w
            .into_inner()
            .map_err(|e| CoreError::Invalid(format!("{name}: {e}")))?;
        Ok((bytes, starts))
    }

    /// RFC 3339 UTC, with milliseconds only when there are some: the text a CSV of the same
    /// data would hold (`2024-05-01T12:00:00Z`).
    fn stamp_text(ms: i64) -> String {
        match chrono::DateTime::from_timestamp_millis(ms) {
            Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            None => ms.to_string(),
        }
    }

    fn newlines(b: &[u8]) -> u64 {
        b.iter().filter(|&&c| c == b'\n').count() as u64
    }

    /// Each cell of a column as the text a CSV would hold: `None` for a null, and for a
    /// float NaN (pandas' missing value). A column of another type is `Err(its type)`.
    fn cells(a: &dyn Array) -> std::result::Result<Vec<Option<String>>, String> {
        let n = a.len();
        let mut out: Vec<Option<String>> = vec![None; n];
        macro_rules! each {
            ($arr:expr, $f:expr) => {{
                let arr = $arr;
                for (i, cell) in out.iter_mut().enumerate() {
                    if arr.is_valid(i) {
                        *cell = $f(arr.value(i));
                    }
                }
            }};
        }
        macro_rules! int {
            ($t:ty) => {
                each!(
                    a.as_primitive::<$t>(),
                    |v: <$t as ArrowPrimitiveType>::Native| { Some(v.to_string()) }
                )
            };
        }
        let text = |v: &str| Some(v.to_owned());
        match a.data_type() {
            DataType::Null => {}
            DataType::Utf8 => each!(a.as_string::<i32>(), text),
            DataType::LargeUtf8 => each!(a.as_string::<i64>(), text),
            DataType::Utf8View => each!(a.as_string_view(), text),
            DataType::Boolean => each!(a.as_boolean(), |v: bool| Some(v.to_string())),
            DataType::Int8 => int!(Int8Type),
            DataType::Int16 => int!(Int16Type),
            DataType::Int32 => int!(Int32Type),
            DataType::Int64 => int!(Int64Type),
            DataType::UInt8 => int!(UInt8Type),
            DataType::UInt16 => int!(UInt16Type),
            DataType::UInt32 => int!(UInt32Type),
            DataType::UInt64 => int!(UInt64Type),
            // An f32 by its own shortest form: 0.1f32 is the 0.1 its writer meant, not
            // 0.100000001490116.
            DataType::Float32 => each!(a.as_primitive::<Float32Type>(), |v: f32| (!v.is_nan())
                .then(|| v.to_string())),
            DataType::Float64 => each!(a.as_primitive::<Float64Type>(), |v: f64| (!v.is_nan())
                .then(|| v.to_string())),
            DataType::Timestamp(unit, _) => {
                let to_ms = match unit {
                    TimeUnit::Second => |v: i64| v.saturating_mul(1000),
                    TimeUnit::Millisecond => |v: i64| v,
                    TimeUnit::Microsecond => |v: i64| v.div_euclid(1000),
                    TimeUnit::Nanosecond => |v: i64| v.div_euclid(1_000_000),
                };
                let stamp = |v: i64| Some(stamp_text(to_ms(v)));
                match unit {
                    TimeUnit::Second => each!(a.as_primitive::<TimestampSecondType>(), stamp),
                    TimeUnit::Millisecond => {
                        each!(a.as_primitive::<TimestampMillisecondType>(), stamp)
                    }
                    TimeUnit::Microsecond => {
                        each!(a.as_primitive::<TimestampMicrosecondType>(), stamp)
                    }
                    TimeUnit::Nanosecond => {
                        each!(a.as_primitive::<TimestampNanosecondType>(), stamp)
                    }
                }
            }
            DataType::Date32 => each!(a.as_primitive::<Date32Type>(), |d: i32| {
                Some(stamp_text(i64::from(d) * 86_400_000))
            }),
            DataType::Date64 => each!(a.as_primitive::<Date64Type>(), |ms: i64| {
                Some(stamp_text(ms))
            }),
            // Categoricals (pandas, R factors, polars): the label of each code.
            DataType::Dictionary(_, _) => {
                let Some(dict) = a.as_any_dictionary_opt() else {
                    return Err(a.data_type().to_string());
                };
                let values = cells(dict.values().as_ref())?;
                let keys = dict.normalized_keys();
                for (i, cell) in out.iter_mut().enumerate() {
                    if dict.is_valid(i) {
                        *cell = keys.get(i).and_then(|&k| values.get(k)).cloned().flatten();
                    }
                }
            }
            other => return Err(other.to_string()),
        }
        Ok(out)
    }

    /// A CSV (header and records) as one batch: the `text` columns and any holding a
    /// non-number as strings, the others as floats; empty cells are nulls.
    pub(crate) fn batch_of_csv(csv: &[u8], text: &dyn Fn(&str) -> bool) -> Result<RecordBatch> {
        let mut rdr = csv::ReaderBuilder::new().from_reader(csv);
        let bad = |e: String| CoreError::Invalid(format!("rendering the export: {e}"));
        let header: Vec<String> = rdr
            .headers()
            .map_err(|e| bad(e.to_string()))?
            .iter()
            .map(str::to_owned)
            .collect();
        let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
        for record in rdr.records() {
            let record = record.map_err(|e| bad(e.to_string()))?;
            for (c, column) in columns.iter_mut().enumerate() {
                let v = record.get(c).unwrap_or_default();
                column.push((!v.is_empty()).then(|| v.to_owned()));
            }
        }
        let mut fields = Vec::with_capacity(header.len());
        let mut arrays: Vec<ArrayRef> = Vec::with_capacity(header.len());
        for (h, column) in header.iter().zip(columns) {
            let numbers: Option<Vec<Option<f64>>> = if text(h) {
                None
            } else {
                column
                    .iter()
                    .map(|v| match v {
                        None => Some(None),
                        Some(s) => s.parse::<f64>().ok().filter(|x| x.is_finite()).map(Some),
                    })
                    .collect()
            };
            match numbers {
                Some(v) => {
                    fields.push(Field::new(h, DataType::Float64, true));
                    arrays.push(Arc::new(Float64Array::from(v)));
                }
                None => {
                    fields.push(Field::new(h, DataType::Utf8, true));
                    arrays.push(Arc::new(StringArray::from(column)));
                }
            }
        }
        RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| {
            bad(format!(
                "{e} ({} columns)",
                quote(&header.len().to_string())
            ))
        })
    }
}
