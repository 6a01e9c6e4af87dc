//! Checks on the raw text the csv reader is lenient about: quoting, record size, and the
//! physical line of a byte (what a user's editor shows).

use crate::checks::{MAX_FIELD_BYTES, MAX_RECORD_BYTES};
use crate::error::RowError;

/// A record too long to be data (a missing newline, a runaway field): refused with the limit,
/// before any field is quoted in a message.
pub(crate) fn oversized(record: &csv::ByteRecord, line: u64, names: &[String]) -> Option<RowError> {
    oversized_fields(
        record.as_slice().len(),
        record.iter().map(<[u8]>::len),
        line,
        names,
    )
}

/// [`oversized`] for a record given by its fields' lengths and their sum, `total`.
pub(crate) fn oversized_fields(
    total: usize,
    lens: impl Iterator<Item = usize>,
    line: u64,
    names: &[String],
) -> Option<RowError> {
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
    let (i, len) = lens.enumerate().find(|&(_, len)| len > MAX_FIELD_BYTES)?;
    Some(RowError::new(
        line,
        names.get(i).map(String::as_str),
        format!("the field holds {len} bytes; a field may hold at most {MAX_FIELD_BYTES}"),
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
