//! The header line: which known column is where, and the layout it implies.

use super::*;
use crate::checks::quote;
use crate::error::{CoreError, Result, RowError};
use std::collections::HashMap;

#[derive(Default)]
pub(super) struct Columns {
    pub(super) person: Option<usize>,
    pub(super) context: Option<usize>,
    pub(super) unit: Option<usize>,
    pub(super) rater: Option<usize>,
    pub(super) dimension: Option<usize>,
    pub(super) value: Option<usize>,
    pub(super) created_at: Option<usize>,
    pub(super) seconds: Option<usize>,
    pub(super) note: Option<usize>,
    pub(super) confidence: Option<usize>,
}

/// What the header said.
pub(super) struct Layout {
    pub(super) has_rater: bool,
    pub(super) has_dimension: bool,
    pub(super) unit_layout: bool,
    pub(super) ignored_columns: Vec<String>,
}

/// What the header line says: where each known column is, and the layout.
pub(super) struct Header {
    pub(super) cols: Columns,
    /// Every header field, lower-cased, for messages.
    pub(super) names: Vec<String>,
    pub(super) unit_layout: bool,
    pub(super) ignored: Vec<String>,
}

/// Reads and checks the header line from `rdr` (made with `has_headers(true)`).
pub(super) fn header_of(name: &str, rdr: &mut csv::Reader<&[u8]>) -> Result<Header> {
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
        // Columns named after dimensions, no value column: the wide layout other tools write.
        let hint = if cols.dimension.is_none() && !ignored.is_empty() {
            " (one column per dimension is the wide layout: give --wide)"
        } else {
            ""
        };
        errors.push(RowError::new(
            1,
            Some("value"),
            format!("required column 'value' is missing{hint}"),
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
