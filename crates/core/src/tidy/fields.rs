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
    if let Some(v) = short_decimal(t) {
        return Ok(Cell::Number(v));
    }
    match t.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Cell::Number(v)),
        Ok(_) => Err(format!("'{}' is not a finite number", quote(t))),
        Err(_) => Ok(Cell::Text(t)),
    }
}

/// The usual rating (`5`, `-2`, `3.25`): at most 15 digits with an optional sign and point,
/// read without the general parser. Both the digits as an integer (below 2^53) and the power
/// of ten (at most 10^15) are exact doubles, so their quotient is the correctly rounded value
/// of the decimal, the very number `str::parse` gives (its own fast path does the same).
pub(super) fn short_decimal(t: &str) -> Option<f64> {
    const POW10: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let b = t.as_bytes();
    let (negative, digits) = match b.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let (mut m, mut n, mut decimals) = (0u64, 0usize, None);
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                n += 1;
            }
            // A point between digits only: `5.` and `.5` go to the general parser.
            b'.' if decimals.is_none() && i > 0 && i + 1 < digits.len() => {
                decimals = Some(digits.len() - i - 1);
            }
            _ => return None,
        }
    }
    if n > 15 {
        return None;
    }
    let x = m as f64 / POW10[decimals.unwrap_or(0)];
    Some(if negative { -x } else { x })
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
