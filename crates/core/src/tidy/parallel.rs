//! Reading a large file in pieces side by side, with the same outcome as one pass.

use super::*;
use crate::error::{CoreError, Result, RowError};
use rayon::prelude::*;

/// Below this many bytes per thread, splitting the file costs more than it saves.
pub(super) const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// One pass over the whole file.
pub(super) fn build(name: &str, input: &[u8]) -> Result<(Builder, Layout)> {
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
pub(super) fn build_in_parallel(
    name: &str,
    input: &[u8],
    chunks: usize,
) -> Result<(Builder, Layout)> {
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
pub(super) fn split_at_lines(body: &[u8], n: usize) -> Vec<&[u8]> {
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
