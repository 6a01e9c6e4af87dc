//! One field of a row: missing values, numbers, category labels and timestamps.

use crate::checks::quote;
use crate::error::RowError;

/// `s.trim()`, without the Unicode scan for the usual field that starts and ends in a
/// printable ASCII character.
pub(super) fn trim(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

pub(super) fn is_missing(s: &str) -> bool {
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
pub(super) enum Cell<'a> {
    Number(f64),
    Text(&'a str),
}

/// A number, or text that is not one; a number out of range (`1e999`, `inf`) is an error.
pub(super) fn parse_value(s: &str) -> std::result::Result<Cell<'_>, String> {
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

pub(super) fn require<'a>(
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
