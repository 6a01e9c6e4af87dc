//! The tidy long ratings format of DESIGN.md ("The `chameleon` CLI contract"):
//! `person,context,rater,dimension,value` or `unit,rater,value` (each unit its own profile),
//! header required, names case-insensitive, `rater` and `dimension` optional. A missing rating
//! is an empty cell, `NA`, or an absent row.
//!
//! Reading is all-or-nothing: every bad row is reported with its line and column, and no
//! partial result escapes.

use crate::dataset::{Dataset, DimensionData, Observation, ProfileKey, RaterEntry};
use crate::error::{CoreError, Result, RowError};
use crate::model::RaterKind;
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
    /// `None` for a missing rating (empty cell or `NA`).
    pub value: Option<f64>,
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
    let bytes = std::fs::read(path).map_err(|source| CoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    parse(&path.display().to_string(), &bytes)
}

fn is_missing(s: &str) -> bool {
    let t = s.trim();
    t.is_empty() || t.eq_ignore_ascii_case("na")
}

/// Parses a finite number; the error is the user-facing reason.
pub fn parse_number(s: &str) -> std::result::Result<f64, String> {
    let t = s.trim();
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(format!("'{t}' is not a finite number")),
        Err(_) => Err(format!("expected a number, found '{t}'")),
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
        "expected a timestamp like 2024-05-01T12:00:00Z, found '{t}'"
    ))
}

/// Formats ms since the epoch as RFC 3339 UTC with milliseconds.
pub fn format_timestamp(ms: i64) -> String {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(dt) => dt.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        None => ms.to_string(),
    }
}

/// Parses tidy ratings from bytes. `name` is used in messages (usually the path).
pub fn parse(name: &str, input: &[u8]) -> Result<TidyFile> {
    let mut lines = LineCounter::new(input);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let header = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(CoreError::input(name, vec![csv_error(e, 1)])),
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

    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let line = rdr.position().line().max(2);
        match rdr.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(csv_error(e, line));
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
        if record.len() != header.len() {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "expected {} fields as in the header, found {}",
                    header.len(),
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
            Some(Ok(s)) => Some(s.trim().to_owned()),
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
            person_raw.clone()
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
        let mut require = |v: Option<String>, col: &str, errors: &mut Vec<RowError>| -> String {
            match v {
                Some(s) if !is_missing(&s) => s,
                _ => {
                    errors.push(RowError::new(line, Some(col), format!("'{col}' is empty")));
                    bad = true;
                    String::new()
                }
            }
        };
        let person = require(person_raw, id_col, &mut errors);
        let context = require(
            context_raw,
            if unit_layout { "unit" } else { "context" },
            &mut errors,
        );
        let rater = rater_raw.map(|r| require(Some(r), "rater", &mut errors));
        let dimension = match dimension_raw {
            None => DEFAULT_DIMENSION.to_owned(),
            Some(d) => require(Some(d), "dimension", &mut errors),
        };
        let value = match value_raw.as_deref() {
            Some(v) if !is_missing(v) => match parse_number(v) {
                Ok(x) => Some(x),
                Err(m) => {
                    errors.push(RowError::new(line, Some("value"), m));
                    bad = true;
                    None
                }
            },
            _ => None,
        };
        let created_at = match created_raw.as_deref() {
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
        let mut optional_number =
            |raw: Option<String>, col: &str, errors: &mut Vec<RowError>| match raw.as_deref() {
                Some(v) if !is_missing(v) => match parse_number(v) {
                    Ok(x) => Some(x),
                    Err(m) => {
                        errors.push(RowError::new(line, Some(col), m));
                        bad = true;
                        None
                    }
                },
                _ => None,
            };
        let seconds_spent = optional_number(seconds_raw, "seconds_spent", &mut errors);
        let confidence = optional_number(confidence_raw, "confidence", &mut errors);
        if bad {
            continue;
        }
        rows.push(TidyRow {
            line,
            person,
            context,
            rater,
            dimension,
            value,
            created_at,
            seconds_spent,
            note: note_raw.filter(|n| !n.is_empty()),
            confidence,
        });
    }
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    if rows.is_empty() {
        return Err(CoreError::input(
            name,
            vec![RowError::new(
                2,
                None,
                "the file has a header but no ratings",
            )],
        ));
    }
    Ok(TidyFile {
        rows,
        has_rater: cols.rater.is_some(),
        has_dimension: cols.dimension.is_some(),
        unit_layout,
        ignored_columns: ignored,
    })
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
        LineCounter {
            input,
            offset: 0,
            line: 1,
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

fn csv_error(e: csv::Error, fallback_line: u64) -> RowError {
    let line = e.position().map(|p| p.line()).unwrap_or(fallback_line);
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
        let mut ds = Dataset {
            source: name.to_owned(),
            has_rater: self.has_rater,
            ..Default::default()
        };
        let mut persons: HashMap<&str, u32> = HashMap::new();
        let mut contexts: HashMap<&str, u32> = HashMap::new();
        let mut profiles: HashMap<ProfileKey, u32> = HashMap::new();
        let mut raters: HashMap<&str, u32> = HashMap::new();
        let mut dims: HashMap<String, usize> = HashMap::new();
        let mut seen: HashMap<(u32, Option<u32>, usize), u64> = HashMap::new();
        let mut errors = Vec::new();
        for row in &self.rows {
            let p = *persons.entry(&row.person).or_insert_with(|| {
                ds.persons.push(row.person.clone());
                (ds.persons.len() - 1) as u32
            });
            let c = *contexts.entry(&row.context).or_insert_with(|| {
                ds.contexts.push(row.context.clone());
                (ds.contexts.len() - 1) as u32
            });
            let key = ProfileKey {
                person: p,
                context: c,
            };
            let profile = *profiles.entry(key).or_insert_with(|| {
                ds.profiles.push(key);
                (ds.profiles.len() - 1) as u32
            });
            let rater = row.rater.as_deref().map(|r| {
                *raters.entry(r).or_insert_with(|| {
                    ds.raters.push(RaterEntry {
                        name: r.to_owned(),
                        kind: RaterKind::Human,
                    });
                    (ds.raters.len() - 1) as u32
                })
            });
            let dim_key = row.dimension.to_lowercase();
            let d = *dims.entry(dim_key).or_insert_with(|| {
                ds.dimensions.push(DimensionData {
                    name: row.dimension.clone(),
                    scale: None,
                    level: None,
                    observations: Vec::new(),
                });
                ds.dimensions.len() - 1
            });
            if let Some(first) = seen.insert((profile, rater, d), row.line) {
                let who = row
                    .rater
                    .as_deref()
                    .map(|r| format!(" by rater '{r}'"))
                    .unwrap_or_default();
                errors.push(RowError::new(
                    row.line,
                    None,
                    format!(
                        "duplicate rating: {}/{}{} on '{}' was already given on line {first}",
                        row.person, row.context, who, row.dimension
                    ),
                ));
                continue;
            }
            if let Some(value) = row.value {
                ds.dimensions[d].observations.push(Observation {
                    profile,
                    rater,
                    value,
                    created_at: row.created_at,
                    seconds_spent: row.seconds_spent,
                });
            }
        }
        if !errors.is_empty() {
            return Err(CoreError::input(name, errors));
        }
        Ok(ds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e = errs(parse(
            "bad.csv",
            "unit,rater,value\nu1,A,1\nu1,B,abc\n".as_bytes(),
        ));
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
