//! The tidy long ratings format of DESIGN.md ("The `chameleon` CLI contract"):
//! `person,context,rater,dimension,value` or `unit,rater,value` (each unit its own profile),
//! header required, names case-insensitive, `rater` and `dimension` optional. A missing rating
//! is an empty cell, `NA`, or an absent row.
//!
//! Reading is all-or-nothing: every bad row is reported with its line and column, and no
//! partial result escapes.

use crate::checks::{quote, MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use crate::dataset::{Dataset, DimensionData, Observation, ProfileKey, RaterEntry};
use crate::error::{CoreError, Result, RowError};
use crate::model::{Anchor, Level, RaterKind, Scale};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;

/// Dimension name used when the file has no `dimension` column.
pub const DEFAULT_DIMENSION: &str = "value";

/// One data row of a tidy ratings file, validated field by field.
#[derive(Debug, Clone, PartialEq)]
pub struct TidyRow {
    /// Line of the file where the record starts (header is line 1).
    pub line: u64,
    pub person: String,
    pub context: String,
    pub rater: Option<String>,
    pub dimension: String,
    /// `None` for a missing rating (empty cell or `NA`) and for a text value.
    pub value: Option<f64>,
    /// The value cell when it is text rather than a number: a nominal category written by
    /// its label (`joy`), mapped to a code by whoever knows the dimension's scale.
    pub label: Option<String>,
    /// ms since the Unix epoch.
    pub created_at: Option<i64>,
    pub seconds_spent: Option<f64>,
    pub note: Option<String>,
    pub confidence: Option<f64>,
}

/// A parsed ratings file.
#[derive(Debug, Clone, Default)]
pub struct TidyFile {
    pub rows: Vec<TidyRow>,
    pub has_rater: bool,
    pub has_dimension: bool,
    /// `unit,rater,value` layout: person = unit, context = the unit too.
    pub unit_layout: bool,
    /// Extra columns that were ignored.
    pub ignored_columns: Vec<String>,
}

#[derive(Default)]
struct Columns {
    person: Option<usize>,
    context: Option<usize>,
    unit: Option<usize>,
    rater: Option<usize>,
    dimension: Option<usize>,
    value: Option<usize>,
    created_at: Option<usize>,
    seconds: Option<usize>,
    note: Option<usize>,
    confidence: Option<usize>,
}

/// Reads a tidy ratings file from disk.
pub fn read_path(path: &Path) -> Result<TidyFile> {
    let bytes = crate::checks::read_input_file(path)?;
    parse(&path.display().to_string(), &bytes)
}

/// A quoted field of a ratings file (a note) may span at most this many lines: more is a
/// closing quote gone missing, swallowing the rows after it.
pub const MAX_QUOTED_LINES: u64 = 1000;

/// `s.trim()`, without the Unicode scan for the usual field that starts and ends in a
/// printable ASCII character.
fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

fn is_missing(s: &str) -> bool {
    let t = trim(s);
    t.is_empty() || t.eq_ignore_ascii_case("na")
}

/// Parses a finite number; the error is the user-facing reason.
pub fn parse_number(s: &str) -> std::result::Result<f64, String> {
    match parse_value(s) {
        Ok(Cell::Number(v)) => Ok(v),
        Ok(Cell::Text(t)) => Err(format!("expected a number, found '{}'", quote(t))),
        Err(m) => Err(m),
    }
}

/// A value cell: a number, or text (a category label).
enum Cell<'a> {
    Number(f64),
    Text(&'a str),
}

/// A number, or text that is not one; a number out of range (`1e999`, `inf`) is an error.
fn parse_value(s: &str) -> std::result::Result<Cell<'_>, String> {
    let t = trim(s);
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Number(v)),
        Ok(_) => Err(format!("'{}' is not a finite number", quote(t))),
        Err(_) => Ok(Cell::Text(t)),
    }
}

/// Accepts RFC 3339 timestamps (`2024-05-01T12:00:00Z`), plain dates and ms since the epoch.
pub fn parse_timestamp(s: &str) -> std::result::Result<i64, String> {
    let t = s.trim();
    if let Ok(ms) = t.parse::<i64>() {
        return Ok(ms);
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(t) {
        return Ok(dt.timestamp_millis());
    }
    if let Ok(dt) = chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S") {
        return Ok(dt.and_utc().timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if let Some(dt) = d.and_hms_opt(0, 0, 0) {
            return Ok(dt.and_utc().timestamp_millis());
        }
    }
    Err(format!(
        "expected a timestamp like 2024-05-01T12:00:00Z, found '{}'",
        quote(t)
    ))
}

/// Formats ms since the epoch as RFC 3339 UTC with milliseconds.
pub fn format_timestamp(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => ms.to_string(),
    }
}

/// One data row, borrowed from the reader's buffer (see [`TidyRow`] for the fields).
#[derive(Debug, Clone, Copy)]
pub struct RowRef<'a> {
    pub line: u64,
    pub person: &'a str,
    pub context: &'a str,
    pub rater: Option<&'a str>,
    pub dimension: &'a str,
    pub value: Option<f64>,
    pub label: Option<&'a str>,
    pub created_at: Option<i64>,
    pub seconds_spent: Option<f64>,
    pub note: Option<&'a str>,
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

/// What the header said.
struct Layout {
    has_rater: bool,
    has_dimension: bool,
    unit_layout: bool,
    ignored_columns: Vec<String>,
}

fn require<'a>(
    v: Option<&'a str>,
    col: &str,
    line: u64,
    errors: &mut Vec<RowError>,
    bad: &mut bool,
) -> &'a str {
    match v {
        Some(s) if !is_missing(s) => s,
        _ => {
            errors.push(RowError::new(line, Some(col), format!("'{col}' is empty")));
            *bad = true;
            ""
        }
    }
}

/// Parses tidy ratings from bytes. `name` is used in messages (usually the path).
pub fn parse(name: &str, input: &[u8]) -> Result<TidyFile> {
    let mut rows = Vec::new();
    let layout = parse_rows(name, input, &mut |r| rows.push(r.to_owned_row()))?;
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
    let bytes = crate::checks::read_input_file(path)?;
    let name = path.display().to_string();
    let chunks = rayon::current_num_threads().min(bytes.len() / PARALLEL_MIN_BYTES);
    let (b, layout) = if chunks > 1 {
        build_in_parallel(&name, &bytes, chunks)?
    } else {
        build(&name, &bytes)?
    };
    drop(bytes);
    let (ds, mut notes) = b.finish(&name, layout.has_rater)?;
    notes.splice(
        0..0,
        crate::checks::ignored_columns_note(&layout.ignored_columns),
    );
    Ok((ds, notes))
}

/// Below this many bytes per thread, splitting the file costs more than it saves.
const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// One pass over the whole file.
fn build(name: &str, input: &[u8]) -> Result<(Builder, Layout)> {
    let mut b = Builder::default();
    match parse_rows(name, input, &mut |r| b.push(&r)) {
        Ok(layout) => Ok((b, layout)),
        Err(CoreError::Input { path, mut errors }) => {
            // Every problem at once: text values where numbers are too, with the rest.
            errors.extend(b.label_errors());
            errors.sort_by_key(|e| e.line);
            Err(CoreError::Input { path, errors })
        }
        Err(e) => Err(e),
    }
}

/// The same result as [`build`], from `chunks` pieces of the file parsed side by side and
/// merged in file order. Only files whose records are exactly their lines can be cut at any
/// newline: with a quote anywhere (a field may hold a newline) or a bare carriage return (an
/// old Mac line end) the file is read in one pass.
fn build_in_parallel(name: &str, input: &[u8], chunks: usize) -> Result<(Builder, Layout)> {
    let lone_cr = input
        .iter()
        .enumerate()
        .any(|(i, &c)| c == b'\r' && input.get(i + 1) != Some(&b'\n'));
    let Some(header_end) = input.iter().position(|&c| c == b'\n') else {
        return build(name, input);
    };
    // A blank first line: the csv reader skips it and takes the next line as the header.
    let first_line = &input[..header_end];
    let first_line = first_line
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(first_line);
    let blank_first_line = first_line.iter().all(|&c| c == b'\r');
    if lone_cr || blank_first_line || input.contains(&b'"') {
        return build(name, input);
    }
    let mut rdr = csv_reader(&input[..=header_end], true);
    let header = header_of(name, &mut rdr)?;
    let pieces = split_at_lines(&input[header_end + 1..], chunks);
    let mut first_lines = Vec::with_capacity(pieces.len());
    let mut line = 2;
    for piece in &pieces {
        first_lines.push(line);
        line += piece.iter().filter(|&&c| c == b'\n').count() as u64;
    }
    let parts: Vec<(Builder, usize, Vec<RowError>)> = pieces
        .par_iter()
        .zip(first_lines)
        .map(|(piece, first_line)| {
            let mut b = Builder::default();
            let rdr = csv_reader(piece, false);
            let lines = LineCounter::starting_at(piece, first_line);
            let (rows, errors) =
                parse_records(&header, rdr, lines, first_line - 1, &mut |r| b.push(&r));
            (b, rows, errors)
        })
        .collect();
    // The first piece's builder is already what one pass makes of those rows: the others
    // are appended to it rather than all copied into a new one (peak memory).
    let mut whole: Option<Builder> = None;
    let mut rows = 0;
    let mut errors = Vec::new();
    for (part, n, errs) in parts {
        match &mut whole {
            None => whole = Some(part),
            Some(w) => w.absorb(part),
        }
        rows += n;
        errors.extend(errs);
    }
    let whole = whole.unwrap_or_default();
    if !errors.is_empty() {
        errors.extend(whole.label_errors());
        errors.sort_by_key(|e| e.line);
    }
    let layout = conclude(name, header, rows, errors)?;
    Ok((whole, layout))
}

/// `body` in about `n` pieces of similar size, each ending at a newline (the last at the end).
fn split_at_lines(body: &[u8], n: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(n);
    let mut rest = body;
    for k in (2..=n).rev() {
        let target = rest.len() / k;
        match rest[target..].iter().position(|&c| c == b'\n') {
            Some(i) => {
                let (piece, tail) = rest.split_at(target + i + 1);
                pieces.push(piece);
                rest = tail;
            }
            None => break,
        }
    }
    pieces.push(rest);
    pieces
}

/// The one reader configuration: a piece of a file must be read exactly as the whole is.
fn csv_reader(input: &[u8], has_headers: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .from_reader(input)
}

fn parse_rows(name: &str, input: &[u8], sink: &mut dyn FnMut(RowRef<'_>)) -> Result<Layout> {
    // The quote-free files of the parallel path never get here; the csv reader's leniency
    // with quotes loses rows, so quoting is checked strictly first.
    if input.contains(&b'"') {
        check_quotes(input, MAX_QUOTED_LINES).map_err(|e| CoreError::input(name, vec![e]))?;
    }
    let mut rdr = csv_reader(input, true);
    let header = header_of(name, &mut rdr)?;
    let (rows, errors) = parse_records(&header, rdr, LineCounter::new(input), 0, sink);
    conclude(name, header, rows, errors)
}

/// What the header line says: where each known column is, and the layout.
struct Header {
    cols: Columns,
    /// Every header field, lower-cased, for messages.
    names: Vec<String>,
    unit_layout: bool,
    ignored: Vec<String>,
}

/// Reads and checks the header line from `rdr` (made with `has_headers(true)`).
fn header_of(name: &str, rdr: &mut csv::Reader<&[u8]>) -> Result<Header> {
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(CoreError::input(name, vec![csv_error(e, 1, 0)])),
    };
    if header.is_empty() || header.iter().all(|f| f.is_empty()) {
        return Err(CoreError::input(
            name,
            vec![RowError::new(
                1,
                None,
                "the file is empty: a header line is required",
            )],
        ));
    }
    let mut cols = Columns::default();
    let mut ignored = Vec::new();
    let mut names = Vec::with_capacity(header.len());
    let mut seen: HashMap<String, usize> = HashMap::with_capacity(header.len());
    let mut errors = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let Ok(field) = std::str::from_utf8(raw) else {
            errors.push(RowError::new(
                1,
                None,
                format!("header field {} is not valid UTF-8", i + 1),
            ));
            names.push(String::new());
            continue;
        };
        let key = field.trim().to_ascii_lowercase();
        if !key.is_empty() && !seen.contains_key(&key) {
            seen.insert(key.clone(), i);
        } else if !key.is_empty() {
            if let Some(&first) = seen.get(&key) {
                errors.push(RowError::new(
                    1,
                    Some(&key),
                    format!(
                        "column '{}' appears twice in the header (fields {} and {})",
                        quote(field.trim()),
                        first + 1,
                        i + 1
                    ),
                ));
                names.push(key);
                continue;
            }
        }
        let slot = match key.as_str() {
            "person" => &mut cols.person,
            "context" => &mut cols.context,
            "unit" => &mut cols.unit,
            "rater" => &mut cols.rater,
            "dimension" => &mut cols.dimension,
            "value" => &mut cols.value,
            "created_at" => &mut cols.created_at,
            "seconds_spent" | "seconds" => &mut cols.seconds,
            "note" => &mut cols.note,
            "confidence" => &mut cols.confidence,
            _ => {
                ignored.push(field.trim().to_owned());
                names.push(key);
                continue;
            }
        };
        if slot.is_some() {
            errors.push(RowError::new(
                1,
                Some(&key),
                "column appears twice in the header",
            ));
        }
        *slot = Some(i);
        names.push(key);
    }
    if cols.value.is_none() {
        errors.push(RowError::new(
            1,
            Some("value"),
            "required column 'value' is missing",
        ));
    }
    let unit_layout = cols.unit.is_some() && cols.person.is_none();
    if !unit_layout {
        if cols.person.is_none() {
            errors.push(RowError::new(
                1,
                Some("person"),
                "required column 'person' is missing (or give 'unit' instead of person,context)",
            ));
        }
        if cols.context.is_none() {
            errors.push(RowError::new(
                1,
                Some("context"),
                "required column 'context' is missing",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    Ok(Header {
        cols,
        names,
        unit_layout,
        ignored,
    })
}

/// Validates the records `rdr` yields and hands the good ones to `sink`; returns how many
/// there were and the errors of the others. `lines` maps `rdr`'s byte positions to lines and
/// `line_offset` is added to the lines the csv reader counts itself (a piece of a file starting
/// at line L has L − 1; the whole file 0).
fn parse_records(
    header: &Header,
    mut rdr: csv::Reader<&[u8]>,
    mut lines: LineCounter<'_>,
    line_offset: u64,
    sink: &mut dyn FnMut(RowRef<'_>),
) -> (usize, Vec<RowError>) {
    let Header {
        cols,
        names,
        unit_layout,
        ..
    } = header;
    let unit_layout = *unit_layout;
    let mut errors = Vec::new();
    let mut n_rows = 0usize;
    let mut record = csv::ByteRecord::new();
    loop {
        let line = (rdr.position().line() + line_offset).max(2);
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(csv_error(e, line, line_offset));
                // The csv reader cannot always resynchronise after a broken quote.
                if errors.len() > 1000 {
                    break;
                }
                continue;
            }
        }
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte()))
            .unwrap_or(line);
        if record.len() == 1 && record.get(0).is_some_and(|f| f.is_empty()) {
            continue; // blank line
        }
        if let Some(e) = oversized(&record, line, names) {
            errors.push(e);
            continue;
        }
        if record.len() != names.len() {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "expected {} fields as in the header, found {}",
                    names.len(),
                    record.len()
                ),
            ));
            continue;
        }
        let field = |idx: Option<usize>| -> Option<std::result::Result<&str, RowError>> {
            let i = idx?;
            let raw = record.get(i).unwrap_or_default();
            Some(std::str::from_utf8(raw).map_err(|_| {
                RowError::new(line, Some(&names[i]), "the field is not valid UTF-8 text")
            }))
        };
        let mut bad = false;
        let text = |idx: Option<usize>, bad: &mut bool, errors: &mut Vec<RowError>| match field(idx)
        {
            None => None,
            Some(Ok(s)) => Some(trim(s)),
            Some(Err(e)) => {
                errors.push(e);
                *bad = true;
                None
            }
        };
        let person_raw = if unit_layout {
            text(cols.unit, &mut bad, &mut errors)
        } else {
            text(cols.person, &mut bad, &mut errors)
        };
        let context_raw = if unit_layout {
            person_raw
        } else {
            text(cols.context, &mut bad, &mut errors)
        };
        let rater_raw = text(cols.rater, &mut bad, &mut errors);
        let dimension_raw = text(cols.dimension, &mut bad, &mut errors);
        let value_raw = text(cols.value, &mut bad, &mut errors);
        let created_raw = text(cols.created_at, &mut bad, &mut errors);
        let seconds_raw = text(cols.seconds, &mut bad, &mut errors);
        let note_raw = text(cols.note, &mut bad, &mut errors);
        let confidence_raw = text(cols.confidence, &mut bad, &mut errors);
        if bad {
            continue;
        }
        let id_col = if unit_layout { "unit" } else { "person" };
        let person = require(person_raw, id_col, line, &mut errors, &mut bad);
        let context = require(
            context_raw,
            if unit_layout { "unit" } else { "context" },
            line,
            &mut errors,
            &mut bad,
        );
        let rater = rater_raw.map(|r| require(Some(r), "rater", line, &mut errors, &mut bad));
        let dimension = match dimension_raw {
            None => DEFAULT_DIMENSION,
            Some(d) => require(Some(d), "dimension", line, &mut errors, &mut bad),
        };
        let (value, label) = match value_raw {
            Some(v) if !is_missing(v) => match parse_value(v) {
                Ok(Cell::Number(x)) => (Some(x), None),
                Ok(Cell::Text(t)) => (None, Some(t)),
                Err(m) => {
                    errors.push(RowError::new(line, Some("value"), m));
                    bad = true;
                    (None, None)
                }
            },
            _ => (None, None),
        };
        let created_at = match created_raw {
            Some(v) if !is_missing(v) => match parse_timestamp(v) {
                Ok(x) => Some(x),
                Err(m) => {
                    errors.push(RowError::new(line, Some("created_at"), m));
                    bad = true;
                    None
                }
            },
            _ => None,
        };
        // The ranges are the app's (one check for both faces, crate::checks).
        let mut optional_number =
            |raw: Option<&str>,
             col: &str,
             range: fn(f64) -> std::result::Result<(), String>,
             errors: &mut Vec<RowError>| match raw {
                Some(v) if !is_missing(v) => {
                    match parse_number(v).and_then(|x| range(x).map(|_| x)) {
                        Ok(x) => Some(x),
                        Err(m) => {
                            errors.push(RowError::new(line, Some(col), m));
                            bad = true;
                            None
                        }
                    }
                }
                _ => None,
            };
        let seconds_spent = optional_number(
            seconds_raw,
            "seconds_spent",
            crate::checks::seconds_spent,
            &mut errors,
        );
        let confidence = optional_number(
            confidence_raw,
            "confidence",
            crate::checks::confidence,
            &mut errors,
        );
        if bad {
            continue;
        }
        n_rows += 1;
        sink(RowRef {
            line,
            person,
            context,
            rater,
            dimension,
            value,
            label,
            created_at,
            seconds_spent,
            note: note_raw.filter(|n| !n.is_empty()),
            confidence,
        });
    }
    (n_rows, errors)
}

/// The outcome of reading a whole file: its errors, or the layout when there were none.
fn conclude(name: &str, header: Header, n_rows: usize, errors: Vec<RowError>) -> Result<Layout> {
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    if n_rows == 0 {
        return Err(CoreError::input(
            name,
            vec![RowError::new(
                2,
                None,
                "the file has a header but no ratings",
            )],
        ));
    }
    Ok(Layout {
        has_rater: header.cols.rater.is_some(),
        has_dimension: header.cols.dimension.is_some(),
        unit_layout: header.unit_layout,
        ignored_columns: header.ignored,
    })
}

/// A record too long to be data (a missing newline, a runaway field): refused with the limit,
/// before any field is quoted in a message.
pub(crate) fn oversized(record: &csv::ByteRecord, line: u64, names: &[String]) -> Option<RowError> {
    let total = record.as_slice().len();
    if total > MAX_RECORD_BYTES {
        return Some(RowError::new(
            line,
            None,
            format!("the row holds {total} bytes; a row may hold at most {MAX_RECORD_BYTES}"),
        ));
    }
    if total <= MAX_FIELD_BYTES {
        return None;
    }
    let (i, f) = record
        .iter()
        .enumerate()
        .find(|(_, f)| f.len() > MAX_FIELD_BYTES)?;
    Some(RowError::new(
        line,
        names.get(i).map(String::as_str),
        format!(
            "the field holds {} bytes; a field may hold at most {MAX_FIELD_BYTES}",
            f.len()
        ),
    ))
}

/// Checks RFC 4180 quoting strictly, where the csv reader is lenient and loses rows: a quote
/// opens a field only at its start and closes it only before a comma or a line end (`""` is a
/// quote inside); an unterminated quote would make the rest of the file one field, and
/// `u0"01` would become an id with a quote in it. A quoted field spanning more than `max_lines`
/// lines is taken as a missing closing quote. The error names the line where the quote opened.
pub(crate) fn check_quotes(input: &[u8], max_lines: u64) -> std::result::Result<(), RowError> {
    let start = if input.starts_with(b"\xef\xbb\xbf") {
        3
    } else {
        0
    };
    let mut counted = 0;
    let mut line = 1u64;
    let mut line_of = |pos: usize| {
        line += input[counted..pos].iter().filter(|&&c| c == b'\n').count() as u64;
        counted = pos;
        line
    };
    let next_quote = |from: usize| {
        input[from..]
            .iter()
            .position(|&c| c == b'"')
            .map(|i| from + i)
    };
    let mut i = start;
    while let Some(open) = next_quote(i) {
        let open_line = line_of(open);
        if open > start && !matches!(input[open - 1], b',' | b'\n' | b'\r') {
            return Err(RowError::new(
                open_line,
                None,
                "a quote inside a field that does not start with one: quote the whole field \
                 (\"…\") and double every quote inside it (\"\")",
            ));
        }
        let mut j = open + 1;
        loop {
            let Some(close) = next_quote(j) else {
                return Err(RowError::new(
                    open_line,
                    None,
                    "the quote opened on this line is never closed: the rest of the file would \
                     be one field",
                ));
            };
            if input.get(close + 1) == Some(&b'"') {
                j = close + 2;
                continue;
            }
            let close_line = line_of(close);
            if close_line - open_line > max_lines {
                return Err(RowError::new(
                    open_line,
                    None,
                    format!(
                        "the quoted field opened on this line runs to line {close_line}, more \
                         than {max_lines} lines: a closing quote is probably missing"
                    ),
                ));
            }
            match input.get(close + 1) {
                None | Some(b',' | b'\n' | b'\r') => {
                    i = close + 1;
                    break;
                }
                Some(_) => {
                    let after = String::from_utf8_lossy(&input[close + 1..])
                        .chars()
                        .next()
                        .unwrap_or('?');
                    return Err(RowError::new(
                        open_line,
                        None,
                        format!(
                            "the quoted field opened on this line is closed on line \
                             {close_line} by a quote followed by '{after}' instead of a comma \
                             or the end of the line: a quote is missing or stray"
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Physical line numbers from byte offsets: the csv crate counts records, not the newlines
/// inside quoted fields, and users need the line their editor shows.
pub(crate) struct LineCounter<'a> {
    input: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    pub(crate) fn new(input: &'a [u8]) -> Self {
        Self::starting_at(input, 1)
    }

    /// For a piece of a file whose first byte is on line `line`.
    pub(crate) fn starting_at(input: &'a [u8], line: u64) -> Self {
        LineCounter {
            input,
            offset: 0,
            line,
        }
    }

    /// The 1-based line holding byte `byte`; offsets must not decrease between calls.
    pub(crate) fn line_at(&mut self, byte: u64) -> u64 {
        let mut target = (byte as usize).min(self.input.len());
        // With CRLF endings the reader reports a record as starting on the previous '\n'.
        while target < self.input.len() && matches!(self.input[target], b'\r' | b'\n') {
            target += 1;
        }
        if target > self.offset {
            self.line += self.input[self.offset..target]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = target;
        }
        self.line
    }
}

fn csv_error(e: csv::Error, fallback_line: u64, line_offset: u64) -> RowError {
    let line = e
        .position()
        .map(|p| p.line() + line_offset)
        .unwrap_or(fallback_line);
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            RowError::new(line, None, "the line is not valid UTF-8 text")
        }
        csv::ErrorKind::Io(io) => RowError::new(line, None, format!("read error: {io}")),
        _ => RowError::new(line, None, format!("malformed CSV: {e}")),
    }
}

impl TidyFile {
    /// Builds the analysis snapshot. Duplicate ratings (same person, context, rater and
    /// dimension twice) are errors naming both lines; missing values are dropped.
    pub fn to_dataset(&self, name: &str) -> Result<Dataset> {
        let mut b = Builder::default();
        for r in &self.rows {
            b.push(&RowRef {
                line: r.line,
                person: &r.person,
                context: &r.context,
                rater: r.rater.as_deref(),
                dimension: &r.dimension,
                value: r.value,
                label: r.label.as_deref(),
                created_at: r.created_at,
                seconds_spent: r.seconds_spent,
                note: r.note.as_deref(),
                confidence: r.confidence,
            });
        }
        Ok(b.finish(name, self.has_rater)?.0)
    }
}

/// The multiply-rotate hash rustc uses for its own tables: several times faster than SipHash
/// on short ids, and the keys here come from one local file, not from an adversary.
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut buf = [0u8; 8];
            buf[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(buf));
        }
    }

    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Interns rows into a [`Dataset`] as they stream by.
#[derive(Default)]
struct Builder {
    ds: Dataset,
    persons: FxMap<String, u32>,
    contexts: FxMap<String, u32>,
    profiles: FxMap<ProfileKey, u32>,
    raters: FxMap<String, u32>,
    dims: FxMap<String, usize>,
    /// Per dimension: (profile, rater or u32::MAX, line) of every row, for duplicate checks.
    keys: Vec<Vec<(u32, u32, u64)>>,
    /// Per dimension: the text values seen, which become nominal categories.
    labels: Vec<Labels>,
    /// The previous row's profile and dimension: files come grouped by profile, so most rows
    /// repeat them and skip the hash lookups.
    last_profile: Option<(String, String, u32)>,
    last_dimension: Option<(String, usize)>,
}

/// Text values of one dimension in a file without a codebook: categories numbered 1, 2, … in
/// the order first seen (case-insensitive, the first spelling names the category). A dimension
/// mixing text and numbers is an error: a number there is not a category code one can trust.
#[derive(Default)]
struct Labels {
    names: Vec<String>,
    codes: FxMap<String, u32>,
    /// Line and text of the first text value.
    first_text: Option<(u64, String)>,
    first_number: Option<u64>,
}

impl Labels {
    fn code(&mut self, label: &str) -> u32 {
        let key = label.to_lowercase();
        if let Some(&c) = self.codes.get(&key) {
            return c;
        }
        self.names.push(label.to_owned());
        let c = self.names.len() as u32;
        self.codes.insert(key, c);
        c
    }
}

fn intern(map: &mut FxMap<String, u32>, table: &mut Vec<String>, s: &str) -> u32 {
    if let Some(&i) = map.get(s) {
        return i;
    }
    table.push(s.to_owned());
    let i = (table.len() - 1) as u32;
    map.insert(s.to_owned(), i);
    i
}

impl Builder {
    fn push(&mut self, row: &RowRef<'_>) {
        let profile = match &self.last_profile {
            Some((p, c, id)) if p == row.person && c == row.context => *id,
            _ => {
                let person = intern(&mut self.persons, &mut self.ds.persons, row.person);
                let context = intern(&mut self.contexts, &mut self.ds.contexts, row.context);
                let id = self.profile(ProfileKey { person, context });
                self.last_profile = Some((row.person.to_owned(), row.context.to_owned(), id));
                id
            }
        };
        let rater = row.rater.map(|r| self.rater(r));
        let d = match &self.last_dimension {
            Some((name, d)) if name == row.dimension => *d,
            _ => {
                let d = self.dimension(row.dimension);
                self.last_dimension = Some((row.dimension.to_owned(), d));
                d
            }
        };
        self.keys[d].push((profile, rater.unwrap_or(u32::MAX), row.line));
        let labels = &mut self.labels[d];
        let value = match (row.value, row.label) {
            (Some(v), _) => {
                labels.first_number.get_or_insert(row.line);
                Some(v)
            }
            (None, Some(t)) => {
                labels
                    .first_text
                    .get_or_insert_with(|| (row.line, t.to_owned()));
                Some(f64::from(labels.code(t)))
            }
            (None, None) => None,
        };
        if let Some(value) = value {
            self.ds.dimensions[d].observations.push(Observation {
                profile,
                rater,
                value,
                created_at: row.created_at,
                seconds_spent: row.seconds_spent,
            });
        }
    }

    fn profile(&mut self, key: ProfileKey) -> u32 {
        let profiles = &mut self.ds.profiles;
        *self.profiles.entry(key).or_insert_with(|| {
            profiles.push(key);
            (profiles.len() - 1) as u32
        })
    }

    fn rater(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.raters.get(name) {
            return i;
        }
        self.ds.raters.push(RaterEntry {
            name: name.to_owned(),
            kind: RaterKind::Human,
        });
        let i = (self.ds.raters.len() - 1) as u32;
        self.raters.insert(name.to_owned(), i);
        i
    }

    /// Dimension names are case-insensitive; the first spelling seen names the dimension.
    fn dimension(&mut self, name: &str) -> usize {
        if let Some(&d) = self.dims.get(name) {
            return d;
        }
        let lower = name.to_lowercase();
        if let Some(&d) = self.dims.get(&lower) {
            return d;
        }
        self.ds.dimensions.push(DimensionData {
            name: name.to_owned(),
            scale: None,
            level: None,
            observations: Vec::new(),
        });
        self.keys.push(Vec::new());
        self.labels.push(Labels::default());
        let d = self.ds.dimensions.len() - 1;
        self.dims.insert(lower, d);
        self.dims.insert(name.to_owned(), d);
        d
    }

    /// Appends what `part` built from the rows that follow this builder's rows in the file:
    /// the tables come out in the order one builder fed every row would have made them.
    fn absorb(&mut self, part: Builder) {
        let persons: Vec<u32> = (part.ds.persons.iter())
            .map(|p| intern(&mut self.persons, &mut self.ds.persons, p))
            .collect();
        let contexts: Vec<u32> = (part.ds.contexts.iter())
            .map(|c| intern(&mut self.contexts, &mut self.ds.contexts, c))
            .collect();
        let profiles: Vec<u32> = (part.ds.profiles.iter())
            .map(|k| {
                self.profile(ProfileKey {
                    person: persons[k.person as usize],
                    context: contexts[k.context as usize],
                })
            })
            .collect();
        let raters: Vec<u32> = (part.ds.raters.iter())
            .map(|r| self.rater(&r.name))
            .collect();
        for ((dim, keys), labels) in part
            .ds
            .dimensions
            .into_iter()
            .zip(part.keys)
            .zip(part.labels)
        {
            let d = self.dimension(&dim.name);
            // The part numbered its categories from 1 too: renumber them in this file's order.
            // With numbers in the dimension the file is refused anyway, so values stay as they are.
            let recode: Option<Vec<f64>> =
                (!labels.names.is_empty() && labels.first_number.is_none()).then(|| {
                    let mine = &mut self.labels[d];
                    labels
                        .names
                        .iter()
                        .map(|n| f64::from(mine.code(n)))
                        .collect()
                });
            let mine = &mut self.labels[d];
            if mine.first_text.is_none() {
                mine.first_text = labels.first_text;
            }
            if mine.first_number.is_none() {
                mine.first_number = labels.first_number;
            }
            self.keys[d].extend(keys.into_iter().map(|(p, r, line)| {
                let r = if r == u32::MAX { r } else { raters[r as usize] };
                (profiles[p as usize], r, line)
            }));
            self.ds.dimensions[d]
                .observations
                .extend(dim.observations.into_iter().map(|o| {
                    Observation {
                        profile: profiles[o.profile as usize],
                        rater: o.rater.map(|r| raters[r as usize]),
                        value: match &recode {
                            Some(codes) => codes
                                .get((o.value as usize).wrapping_sub(1))
                                .copied()
                                .unwrap_or(o.value),
                            None => o.value,
                        },
                        ..o
                    }
                }));
        }
    }

    /// Text values on a dimension that also holds numbers, one error per dimension.
    fn label_errors(&self) -> Vec<RowError> {
        let mut errors = Vec::new();
        for (dim, labels) in self.ds.dimensions.iter().zip(&self.labels) {
            if let (Some((line, text)), Some(number)) = (&labels.first_text, labels.first_number) {
                errors.push(RowError::new(
                    *line,
                    Some("value"),
                    format!(
                        "expected a number, found '{}': dimension '{}' holds numbers (line \
                         {number}), and text categories need every value of a dimension to \
                         be text",
                        quote(text),
                        quote(&dim.name)
                    ),
                ));
            }
        }
        errors
    }

    /// The dataset and its notes for stderr, or every duplicate and mixed dimension as errors.
    fn finish(mut self, name: &str, has_rater: bool) -> Result<(Dataset, Vec<String>)> {
        let mut errors = self.label_errors();
        let mut notes = Vec::new();
        for (dim, labels) in self.ds.dimensions.iter_mut().zip(&self.labels) {
            if labels.first_text.is_none() || labels.first_number.is_some() {
                continue;
            }
            let categories: Vec<Anchor> = (labels.names.iter().enumerate())
                .map(|(i, n)| Anchor {
                    value: i as i64 + 1,
                    label: n.clone(),
                })
                .collect();
            let listed: Vec<String> = (categories.iter())
                .map(|c| format!("{} = {}", c.value, c.label))
                .collect();
            notes.push(format!(
                "dimension '{}': text values taken as {} nominal categories, numbered in the \
                 order first seen: {}",
                quote(&dim.name),
                categories.len(),
                crate::checks::list_names(&listed)
            ));
            dim.scale = Some(Scale::Nominal { categories });
            dim.level = Some(Level::Nominal);
        }
        // Without a rater column, two rows for one person × context are replicate
        // observations (ids repeating across studies, as in psychTools' msqR), as lme4 reads
        // them (issue #12); with raters, a rater rating a profile twice stays an error.
        let keys = if has_rater {
            &mut self.keys[..]
        } else {
            &mut []
        };
        for (d, keys) in keys.iter_mut().enumerate() {
            keys.sort_unstable();
            for w in keys.windows(2) {
                if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                    let key = self.ds.profiles[w[1].0 as usize];
                    let who = self
                        .ds
                        .raters
                        .get(w[1].1 as usize)
                        .map(|r| format!(" by rater '{}'", quote(&r.name)))
                        .unwrap_or_default();
                    errors.push(RowError::new(
                        w[1].2,
                        None,
                        format!(
                            "duplicate rating: {}/{}{} on '{}' was already given on line {}",
                            quote(&self.ds.persons[key.person as usize]),
                            quote(&self.ds.contexts[key.context as usize]),
                            who,
                            quote(&self.ds.dimensions[d].name),
                            w[0].2
                        ),
                    ));
                }
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(CoreError::input(name, errors));
        }
        self.ds.source = name.to_owned();
        self.ds.has_rater = has_rater;
        Ok((self.ds, notes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dataset (or the error) as text: equal text, equal outcome.
    fn outcome(r: Result<(Builder, Layout)>) -> String {
        match r.and_then(|(b, layout)| Ok((b.finish("f.csv", layout.has_rater)?.0, layout))) {
            Ok((ds, layout)) => format!("{ds:?} {:?}", layout.ignored_columns),
            Err(e) => format!("{e:?}"),
        }
    }

    /// Every piece count gives what one pass gives, wherever the cuts fall.
    fn same_in_parallel(csv: &str) -> String {
        let one = outcome(build("f.csv", csv.as_bytes()));
        for chunks in [2, 3, 7] {
            let many = outcome(build_in_parallel("f.csv", csv.as_bytes(), chunks));
            // The outcomes are long: show where they part.
            let at = one
                .chars()
                .zip(many.chars())
                .take_while(|(a, b)| a == b)
                .count();
            let near = |s: &str| {
                s.chars()
                    .skip(at.saturating_sub(80))
                    .take(160)
                    .collect::<String>()
            };
            assert!(
                one == many,
                "{chunks} pieces differ at character {at}: one pass …{}…, pieces …{}…",
                near(&one),
                near(&many)
            );
        }
        one
    }

    /// A file whose later rows bring new persons, raters and spellings of dimensions.
    fn many_rows(extra: impl Fn(usize) -> Option<String>, crlf: bool) -> String {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut s = format!("person,context,rater,dimension,value,seconds_spent,comment{end}");
        for i in 0..600 {
            if let Some(line) = extra(i) {
                s.push_str(&line);
                s.push_str(end);
            }
            let dim = ["mood", "Mood", "ENERGY", "energy"][i % 4];
            let value = if i % 11 == 0 {
                String::new()
            } else {
                (i % 5).to_string()
            };
            s.push_str(&format!(
                "p{},c{},r{},{dim},{value},{},x{end}",
                i / 3 + i % 7,
                i % 4,
                (i * 7) % 13 + i / 200,
                i % 9
            ));
            if i % 97 == 0 {
                s.push_str(end); // blank lines are skipped
            }
        }
        s
    }

    #[test]
    fn pieces_read_in_parallel_give_the_one_pass_dataset() {
        let out = same_in_parallel(&many_rows(|_| None, false));
        assert!(out.contains("observations"), "{out}");
        same_in_parallel(&many_rows(|_| None, true));

        // Row 0 again, hundreds of lines on (in another piece): a duplicate naming both lines.
        let again = many_rows(|i| (i == 590).then(|| "p0,c0,r0,MOOD,4,2,x".into()), false);
        let out = same_in_parallel(&again);
        assert!(
            out.contains(
                "duplicate rating: p0/c0 by rater 'r0' on 'mood' was already given on line 2"
            ),
            "{out}"
        );
    }

    #[test]
    fn pieces_read_in_parallel_give_the_one_pass_errors_with_file_lines() {
        // A bad value early and late, a short row, and a duplicate of a row hundreds of
        // lines before it (in another piece).
        let csv = many_rows(
            |i| match i {
                5 => Some("p1,c1,r1,mood,abc,1,x".into()),
                450 => Some("p2,c2,r2,mood,1".into()),
                590 => Some("p0,c0,r0,mood,4,2,x".into()),
                599 => Some("p3,c3,r3,energy,1e999,1,x".into()),
                _ => None,
            },
            false,
        );
        let out = same_in_parallel(&csv);
        let lines = |needle: &str| {
            csv.lines()
                .position(|l| l.starts_with(needle))
                .map(|i| i + 1)
                .unwrap()
        };
        for (needle, what) in [
            ("p1,c1,r1,mood,abc", "abc"),
            ("p2,c2,r2,mood,1", "expected 7 fields"),
            ("p3,c3,r3,energy", "finite"),
        ] {
            let want = format!("line: {}", lines(needle));
            assert!(
                out.contains(&want) && out.contains(what),
                "{want} {what}: {out}"
            );
        }
    }

    #[test]
    fn files_that_cannot_be_cut_at_newlines_are_read_in_one_pass_the_same() {
        let quoted = many_rows(
            |i| (i == 300).then(|| "p9,\"c\nx\",r1,mood,2,1,x".into()),
            false,
        );
        same_in_parallel(&quoted);
        let old_mac = many_rows(|_| None, false).replace('\n', "\r");
        same_in_parallel(&old_mac);
        same_in_parallel(&format!("\n\n{}", many_rows(|_| None, false)));
        same_in_parallel(&format!("\r\n{}", many_rows(|_| None, true)));
        same_in_parallel(&format!("\u{feff}\n{}", many_rows(|_| None, false)));
        same_in_parallel(&format!("\u{feff}{}", many_rows(|_| None, false)));
        same_in_parallel("person,context,value");
        same_in_parallel("person,context,value\n");
        same_in_parallel("");
    }

    #[test]
    fn fields_are_trimmed_like_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\u{a0}x\u{a0}",
            "x\u{2003}",
            "\ty\t",
            "é",
            " é ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    #[test]
    fn random_files_read_in_pieces_match_one_pass() {
        // Odd lines a real file may have, in random order: blank, CRLF, short, long, bad
        // numbers, NA, duplicates, a BOM or a blank line before the header.
        let rows = [
            "p1,c1,r1,mood,3",
            "p1,c1,r2,mood,4",
            "p2,c1,r1,MOOD,NA",
            "p2,c2,r1,energy,",
            "p3,c1,r3,energy,x",
            "p3,c2,r3,energy,2,extra",
            "p1,c1,r1,mood,5",
            "p4,c9,r1,mood,1e400",
            "",
            " p5 , c1 , r1 , mood , 2 ",
            "p6,c1",
            "p7,c7,r7,Energy,7",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..300 {
            let end = if next(2) == 0 { "\n" } else { "\r\n" };
            let mut csv = ["", "\u{feff}", "\n"][next(3)].to_string();
            csv.push_str("person,context,rater,dimension,value");
            for _ in 0..next(40) {
                csv.push_str(end);
                csv.push_str(rows[next(rows.len())]);
            }
            if next(2) == 0 {
                csv.push_str(end);
            }
            same_in_parallel(&csv);
        }
    }

    #[test]
    fn pieces_end_at_newlines_and_cover_the_body() {
        let body = b"a\nbb\nccc\ndddd\n\ne";
        for n in 1..8 {
            let pieces = split_at_lines(body, n);
            assert_eq!(pieces.concat(), body.to_vec());
            assert!(pieces.len() <= n.max(1));
            for p in &pieces[..pieces.len() - 1] {
                assert_eq!(p.last(), Some(&b'\n'));
            }
        }
    }

    fn errs(r: Result<TidyFile>) -> Vec<RowError> {
        match r {
            Err(CoreError::Input { errors, .. }) => errors,
            other => panic!("expected input errors, got {other:?}"),
        }
    }

    #[test]
    fn reads_full_layout_with_bom_crlf_and_quoted_newlines() {
        let src = "\u{feff}Person,Context,Rater,Dimension,Value\r\np1,\"ask\nreddit\",A,extraversion,3\r\np1,x,A,extraversion,NA\r\n";
        let f = parse("t.csv", src.as_bytes()).unwrap();
        assert_eq!(f.rows.len(), 2);
        assert_eq!(
            f.rows[0].context, "ask\nreddit",
            "quoted newline kept inside the field"
        );
        assert_eq!(f.rows[1].value, None, "NA is a missing rating");
        assert_eq!(f.rows[1].line, 4, "line numbers count the embedded newline");
    }

    #[test]
    fn unit_layout_without_dimension() {
        let f = parse("t.csv", "unit,rater,value\nu1,A,1\nu1,B,2\n".as_bytes()).unwrap();
        let ds = f.to_dataset("t.csv").unwrap();
        assert_eq!(ds.dimensions[0].name, DEFAULT_DIMENSION);
        assert_eq!(ds.profiles.len(), 1);
        assert_eq!(ds.raters.len(), 2);
    }

    #[test]
    fn non_numeric_value_names_line_and_column() {
        // Text is read as a category label; among numbers it is an error.
        let f = parse("bad.csv", "unit,rater,value\nu1,A,1\nu1,B,abc\n".as_bytes()).unwrap();
        let e = match f.to_dataset("bad.csv") {
            Err(CoreError::Input { errors, .. }) => errors,
            other => panic!("{other:?}"),
        };
        assert_eq!(e.len(), 1);
        assert_eq!((e[0].line, e[0].column.as_deref()), (3, Some("value")));
        assert!(e[0].message.contains("abc"));
    }

    #[test]
    fn missing_column_empty_file_and_bad_utf8() {
        let e = errs(parse("t.csv", "person,context,rater\n".as_bytes()));
        assert!(e.iter().any(|x| x.column.as_deref() == Some("value")));
        let e = errs(parse("t.csv", "".as_bytes()));
        assert!(e[0].message.contains("empty"));
        let e = errs(parse("t.csv", b"unit,rater,value\nu1,\xff\xfe,3\n"));
        assert_eq!(e[0].line, 2);
        assert!(e[0].message.contains("UTF-8"));
    }

    #[test]
    fn duplicates_name_both_lines() {
        let f = parse("t.csv", "unit,rater,value\nu1,A,1\nu1,A,2\n".as_bytes()).unwrap();
        let e = match f.to_dataset("t.csv") {
            Err(CoreError::Input { errors, .. }) => errors,
            other => panic!("{other:?}"),
        };
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("line 2"), "{}", e[0].message);
    }

    #[test]
    fn infinite_values_are_rejected() {
        let e = errs(parse("t.csv", "unit,rater,value\nu1,A,inf\n".as_bytes()));
        assert!(e[0].message.contains("finite"));
    }
}
