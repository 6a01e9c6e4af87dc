//! The records after the header: each checked field by field, the good ones handed on.

use super::*;
use crate::error::{CoreError, Result, RowError};

/// The one reader configuration: a piece of a file must be read exactly as the whole is.
pub(super) fn csv_reader(input: &[u8], has_headers: bool) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(has_headers)
        .flexible(true)
        .from_reader(input)
}

/// A file whose records are exactly its lines, split as `(header line, body)`: no quote
/// anywhere (a quoted field may hold a newline or a comma), no bare carriage return (an old
/// Mac line end), valid UTF-8 throughout (checked once here, not field by field), and a
/// header on the first line. Such a file is cut at its newlines and commas by
/// [`parse_lines`], which the csv reader would read the same; any other goes to the csv
/// reader, whose messages name the field that is not UTF-8.
pub(super) fn plain_parts(input: &[u8]) -> Option<(&[u8], &str)> {
    if memchr::memchr(b'"', input).is_some() {
        return None;
    }
    if memchr::memchr(b'\r', input).is_some() {
        let lone_cr = (input.iter().enumerate())
            .any(|(i, &c)| c == b'\r' && input.get(i + 1) != Some(&b'\n'));
        if lone_cr {
            return None;
        }
    }
    let text = std::str::from_utf8(input).ok()?;
    let header_end = text.find('\n')?;
    // A blank first line: the csv reader skips it and takes the next line as the header.
    let first_line = &text[..header_end];
    let first_line = first_line.strip_prefix('\u{feff}').unwrap_or(first_line);
    if first_line.bytes().all(|c| c == b'\r') {
        return None;
    }
    Some((&input[..=header_end], &text[header_end + 1..]))
}

/// The header of a file's first line (with its newline), read by the csv reader as the whole
/// file's would be (a byte-order mark dropped, fields unquoted).
pub(super) fn header_of_line(name: &str, header_line: &[u8]) -> Result<Header> {
    header_of(name, &mut csv_reader(header_line, true))
}

/// [`parse_records`] for the body of a [`plain_parts`] file (or a piece of it cut at a
/// newline, whose first line is `first_line`): each line a record, each comma a field's end.
/// The usual line goes by [`FastLines::row`]; any line it declines is checked field by field
/// as before, so a message or a missing value comes out exactly as it always did.
pub(super) fn parse_lines<F: FnMut(&RowRef<'_>) + ?Sized>(
    header: &Header,
    body: &str,
    first_line: u64,
    sink: &mut F,
) -> (usize, Vec<RowError>) {
    let fast = FastLines::of(header);
    let mut errors = Vec::new();
    let mut n_rows = 0usize;
    let mut fields: Vec<&str> = Vec::with_capacity(header.names.len());
    let mut start = 0;
    let bytes = body.as_bytes();
    // A newline past the last byte ends an unterminated record.
    let ends = memchr::memchr_iter(b'\n', bytes).chain(std::iter::once(bytes.len()));
    for (this_line, end) in (first_line..).zip(ends) {
        // Newlines are ASCII, so every cut is a character boundary.
        let raw = body.get(start..end).unwrap_or_default();
        start = end + 1;
        let text = raw.strip_suffix('\r').unwrap_or(raw);
        if text.is_empty() {
            continue; // blank line (or the end after the last newline)
        }
        if fast.as_ref().is_some_and(|f| f.row(text, this_line, sink)) {
            n_rows += 1;
            continue;
        }
        fields.clear();
        fields.extend(text.split(','));
        let mut slow = |r: &RowRef<'_>| sink(r);
        check_line(
            header,
            this_line,
            &fields,
            &mut errors,
            &mut slow,
            &mut n_rows,
        );
    }
    (n_rows, errors)
}

/// The most fields [`FastLines`] takes a line apart into; wider files go field by field.
const FAST_FIELDS: usize = 12;

/// Where the usual line's fields are: the id columns, the value, and nothing optional (a file
/// with `created_at`, `seconds_spent`, `note` or `confidence` is read field by field).
struct FastLines {
    fields: usize,
    person: usize,
    context: usize,
    rater: Option<usize>,
    dimension: Option<usize>,
    value: usize,
}

impl FastLines {
    fn of(header: &Header) -> Option<FastLines> {
        let c = &header.cols;
        let optional = [c.created_at, c.seconds, c.note, c.confidence];
        if optional.iter().any(Option::is_some) || header.names.len() > FAST_FIELDS {
            return None;
        }
        let (person, context) = if header.unit_layout {
            (c.unit?, c.unit?)
        } else {
            (c.person?, c.context?)
        };
        Some(FastLines {
            fields: header.names.len(),
            person,
            context,
            rater: c.rater,
            dimension: c.dimension,
            value: c.value?,
        })
    }

    /// Hands the line's row to `sink` when it is the usual one: as many fields as the header,
    /// ids that need no trimming and are not missing, a short decimal value
    /// ([`short_decimal`]). False sends the line to [`check_line`], which gives the same row
    /// or the message. (The row is made in the call: returned, its 180 bytes were copied.)
    fn row<F: FnMut(&RowRef<'_>) + ?Sized>(&self, text: &str, line: u64, sink: &mut F) -> bool {
        self.fields_of(text, line).map(|row| sink(&row)).is_some()
    }

    #[inline(always)]
    fn fields_of<'a>(&self, text: &'a str, line: u64) -> Option<RowRef<'a>> {
        if text.len() > crate::checks::MAX_FIELD_BYTES {
            return None;
        }
        let b = text.as_bytes();
        let mut cuts = [0usize; FAST_FIELDS + 1];
        let mut n = 0;
        let mut cut = |i: usize| {
            n += 1;
            let room = n < self.fields;
            if room {
                cuts[n] = i + 1;
            }
            room
        };
        if !commas(b, &mut cut) {
            return None;
        }
        if n + 1 != self.fields {
            return None;
        }
        cuts[self.fields] = b.len() + 1;
        // Commas are ASCII: every cut is a character boundary.
        let field = |i: usize| text.get(cuts[i]..cuts[i + 1] - 1).unwrap_or_default();
        let id = |i: usize| Some(field(i)).filter(|f| plain_id(f));
        let person = id(self.person)?;
        let context = id(self.context)?;
        let rater = match self.rater {
            Some(i) => Some(id(i)?),
            None => None,
        };
        let dimension = match self.dimension {
            Some(i) => id(i)?,
            None => DEFAULT_DIMENSION,
        };
        let value = short_decimal(field(self.value))?;
        Some(RowRef {
            line,
            person,
            context,
            rater,
            dimension,
            value: Some(value),
            label: None,
            created_at: None,
            seconds_spent: None,
            note: None,
            confidence: None,
        })
    }
}

/// Calls `each` with the position of every comma of `b` in order, eight bytes at a time,
/// until it returns false; false then. The fields of a ratings line are a few bytes each, too
/// short to repay a memchr call per field.
fn commas(b: &[u8], each: &mut impl FnMut(usize) -> bool) -> bool {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const COMMAS: u64 = 0x2c2c_2c2c_2c2c_2c2c;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let x = le_word(chunk) ^ COMMAS;
        // The high bit of each byte that is 0 in x, i.e. a comma (exact: no borrow between
        // bytes, unlike the shorter `(x - 0x01…) & !x` test).
        let mut hits = !(((x & LOW7) + LOW7) | x | LOW7);
        while hits != 0 {
            if !each(at + hits.trailing_zeros() as usize / 8) {
                return false;
            }
            hits &= hits - 1;
        }
        at += 8;
    }
    (chunks.remainder().iter().enumerate())
        .filter(|&(_, &c)| c == b',')
        .all(|(i, _)| each(at + i))
}

/// An id that [`check_record`] keeps as it is: not empty, not `NA`, and starting and ending in
/// a printable ASCII character (so [`trim`] leaves it alone).
fn plain_id(f: &str) -> bool {
    let b = f.as_bytes();
    match (b.first(), b.last()) {
        (Some(a), Some(z)) => {
            a.is_ascii_graphic() && z.is_ascii_graphic() && !f.eq_ignore_ascii_case("na")
        }
        _ => false,
    }
}

/// One line of [`parse_lines`], cut into its fields.
fn check_line(
    header: &Header,
    line: u64,
    fields: &[&str],
    errors: &mut Vec<RowError>,
    sink: &mut dyn FnMut(&RowRef<'_>),
    n_rows: &mut usize,
) {
    let names = &header.names;
    let total = fields.iter().map(|f| f.len()).sum();
    if let Some(e) = oversized_fields(total, fields.iter().map(|f| f.len()), line, names) {
        errors.push(e);
        return;
    }
    if fields.len() != names.len() {
        errors.push(RowError::new(
            line,
            None,
            format!(
                "expected {} fields as in the header, found {}",
                names.len(),
                fields.len()
            ),
        ));
        return;
    }
    let field = |idx: Option<usize>| idx.map(|i| Ok(fields[i]));
    if check_record(header, line, &field, errors, sink) {
        *n_rows += 1;
    }
}

pub(super) fn parse_rows(
    name: &str,
    input: &[u8],
    sink: &mut dyn FnMut(&RowRef<'_>),
) -> Result<Layout> {
    if let Some((header_line, body)) = plain_parts(input) {
        let header = header_of_line(name, header_line)?;
        let (rows, errors) = parse_lines(&header, body, 2, sink);
        return conclude(name, header, rows, errors);
    }
    parse_rows_csv(name, input, sink)
}

/// [`parse_rows`] by the csv reader, for any file.
pub(super) fn parse_rows_csv(
    name: &str,
    input: &[u8],
    sink: &mut dyn FnMut(&RowRef<'_>),
) -> Result<Layout> {
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

/// Validates the records `rdr` yields and hands the good ones to `sink`; returns how many
/// there were and the errors of the others. `lines` maps `rdr`'s byte positions to lines and
/// `line_offset` is added to the lines the csv reader counts itself (a piece of a file starting
/// at line L has L − 1; the whole file 0).
pub(super) fn parse_records(
    header: &Header,
    mut rdr: csv::Reader<&[u8]>,
    mut lines: LineCounter<'_>,
    line_offset: u64,
    sink: &mut dyn FnMut(&RowRef<'_>),
) -> (usize, Vec<RowError>) {
    let names = &header.names;
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
        if check_record(header, line, &field, &mut errors, sink) {
            n_rows += 1;
        }
    }
    (n_rows, errors)
}

/// Checks one record field by field (`field` gives the text of a column, or its UTF-8 error)
/// and hands it to `sink` when good; `false` with its errors pushed when not.
fn check_record<'a, F>(
    header: &Header,
    line: u64,
    field: &F,
    errors: &mut Vec<RowError>,
    sink: &mut dyn FnMut(&RowRef<'_>),
) -> bool
where
    F: Fn(Option<usize>) -> Option<std::result::Result<&'a str, RowError>>,
{
    let Header {
        cols, unit_layout, ..
    } = header;
    let unit_layout = *unit_layout;
    let mut bad = false;
    let text = |idx: Option<usize>, bad: &mut bool, errors: &mut Vec<RowError>| match field(idx) {
        None => None,
        Some(Ok(s)) => Some(trim(s)),
        Some(Err(e)) => {
            errors.push(e);
            *bad = true;
            None
        }
    };
    let person_raw = if unit_layout {
        text(cols.unit, &mut bad, errors)
    } else {
        text(cols.person, &mut bad, errors)
    };
    let context_raw = if unit_layout {
        person_raw
    } else {
        text(cols.context, &mut bad, errors)
    };
    let rater_raw = text(cols.rater, &mut bad, errors);
    let dimension_raw = text(cols.dimension, &mut bad, errors);
    let value_raw = text(cols.value, &mut bad, errors);
    let created_raw = text(cols.created_at, &mut bad, errors);
    let seconds_raw = text(cols.seconds, &mut bad, errors);
    let note_raw = text(cols.note, &mut bad, errors);
    let confidence_raw = text(cols.confidence, &mut bad, errors);
    if bad {
        return false;
    }
    let id_col = if unit_layout { "unit" } else { "person" };
    let person = require(person_raw, id_col, line, errors, &mut bad);
    let context = require(
        context_raw,
        if unit_layout { "unit" } else { "context" },
        line,
        errors,
        &mut bad,
    );
    let rater = rater_raw.map(|r| require(Some(r), "rater", line, errors, &mut bad));
    let dimension = match dimension_raw {
        None => DEFAULT_DIMENSION,
        Some(d) => require(Some(d), "dimension", line, errors, &mut bad),
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
    let mut optional_number = |raw: Option<&str>,
                               col: &str,
                               range: fn(f64) -> std::result::Result<(), String>,
                               errors: &mut Vec<RowError>| match raw {
        Some(v) if !is_missing(v) => match parse_number(v).and_then(|x| range(x).map(|_| x)) {
            Ok(x) => Some(x),
            Err(m) => {
                errors.push(RowError::new(line, Some(col), m));
                bad = true;
                None
            }
        },
        _ => None,
    };
    let seconds_spent = optional_number(
        seconds_raw,
        "seconds_spent",
        crate::checks::seconds_spent,
        errors,
    );
    let confidence = optional_number(
        confidence_raw,
        "confidence",
        crate::checks::confidence,
        errors,
    );
    if bad {
        return false;
    }
    sink(&RowRef {
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
    true
}

/// The outcome of reading a whole file: its errors, or the layout when there were none.
pub(super) fn conclude(
    name: &str,
    header: Header,
    n_rows: usize,
    errors: Vec<RowError>,
) -> Result<Layout> {
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

pub(super) fn csv_error(e: csv::Error, fallback_line: u64, line_offset: u64) -> RowError {
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
