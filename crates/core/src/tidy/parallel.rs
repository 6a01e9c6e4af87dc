//! Reading a large file in pieces side by side, with the same outcome as one pass.

use super::*;
use crate::error::{CoreError, Result, RowError};
use rayon::prelude::*;

/// Below this many bytes per thread, splitting the file costs more than it saves.
pub(super) const PARALLEL_MIN_BYTES: usize = 256 * 1024;

/// One pass over the whole file, keeping every row's line or not (see [`Builder::new`]).
pub(super) fn build(name: &str, input: &[u8], keep_lines: bool) -> Result<(Builder, Layout)> {
    let mut b = Builder::new(keep_lines);
    match parse_rows(name, input, &mut |r| b.push(r)) {
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

/// The builder of the whole file in `chunks` pieces (one when below 2), without lines: only a
/// duplicate's message needs them, and then the file is read again with them.
pub(super) fn build_fast(name: &str, input: &[u8], chunks: usize) -> Result<(Builder, Layout)> {
    let (mut b, layout) = if chunks > 1 {
        build_in_parallel(name, input, chunks, false)?
    } else {
        build(name, input, false)?
    };
    if b.unlocated_duplicates(layout.has_rater) {
        b = build(name, input, true)?.0;
    }
    Ok((b, layout))
}

/// The same result as [`build`], from `chunks` pieces of the file parsed side by side and
/// merged in file order. Only files whose records are exactly their lines ([`plain_parts`])
/// can be cut at any newline: any other is read in one pass.
pub(super) fn build_in_parallel(
    name: &str,
    input: &[u8],
    chunks: usize,
    keep_lines: bool,
) -> Result<(Builder, Layout)> {
    let Some((header_line, body)) = plain_parts(input) else {
        return build(name, input, keep_lines);
    };
    let header = header_of_line(name, header_line)?;
    let mut pieces = Vec::with_capacity(chunks);
    let mut first_lines = Vec::with_capacity(chunks);
    let (mut line, mut at) = (2, 0);
    for piece in split_at_lines(body.as_bytes(), chunks) {
        // Cut after a newline: a character boundary.
        pieces.push(&body[at..at + piece.len()]);
        at += piece.len();
        first_lines.push(line);
        line += piece.iter().filter(|&&c| c == b'\n').count() as u64;
    }
    let parts: Vec<(Builder, usize, Vec<RowError>)> = pieces
        .par_iter()
        .zip(first_lines)
        .map(|(piece, first_line)| {
            let mut b = Builder::new(keep_lines);
            let (rows, errors) = parse_lines(&header, piece, first_line, &mut |r| b.push(r));
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
    let whole = whole.unwrap_or_else(|| Builder::new(keep_lines));
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
