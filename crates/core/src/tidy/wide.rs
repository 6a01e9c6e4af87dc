//! The wide ratings layout other tools write (pandas, R, SPSS, Qualtrics): id columns
//! (person, context, optionally rater; or one `unit`) and one column per dimension. Read into
//! the same rows the long reader makes, so everything after the reader is shared.
//!
//! Values must be numbers (a nominal category by its code): a text cell in a wide file is far
//! more often a shifted column than a label. Reading is all-or-nothing, as for the long file.

use super::*;
use crate::checks::quote;
use crate::error::{CoreError, Result, RowError};
use std::collections::HashMap;

/// Which columns of a wide file are ids, by their header names (case-insensitive).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WideIds {
    /// The person id column.
    pub person: String,
    /// `None`: one id column names a unit, its own person and context.
    pub context: Option<String>,
    /// The rater id column, if the file has one.
    pub rater: Option<String>,
}

impl WideIds {
    /// `--id-columns person,context[,rater]` (or a single unit column).
    pub fn parse(list: &str) -> std::result::Result<WideIds, String> {
        let names: Vec<&str> = list.split(',').map(str::trim).collect();
        if names.iter().any(|n| n.is_empty()) || names.len() > 3 {
            return Err(format!(
                "'{}': expected one to three column names, person,context[,rater]",
                quote(list)
            ));
        }
        Ok(WideIds {
            person: names[0].to_owned(),
            context: names.get(1).map(|s| (*s).to_owned()),
            rater: names.get(2).map(|s| (*s).to_owned()),
        })
    }
}

/// Names taken as id columns when `--id-columns` is not given.
const PERSON_NAMES: [&str; 5] = ["person", "participant", "subject", "respondent", "id"];
const CONTEXT_NAMES: [&str; 3] = ["context", "situation", "occasion"];
const RATER_NAMES: [&str; 4] = ["rater", "annotator", "coder", "judge"];
/// Columns of a wide file that are never dimensions: notes and provenance, ignored with a note.
const NOT_DIMENSIONS: [&str; 7] = [
    "note",
    "notes",
    "comment",
    "comments",
    "created_at",
    "seconds_spent",
    "seconds",
];

/// A wide file read into long rows, with the notes for the user (which columns were taken as
/// ids, which as dimensions).
#[derive(Debug, Clone)]
pub struct WideFile {
    /// The rows, as the long reader makes them.
    pub file: TidyFile,
    /// The dimension columns, in file order, as written in the header.
    pub dimensions: Vec<String>,
    /// For the user: which columns were taken as ids, which as dimensions.
    pub notes: Vec<String>,
}

/// Reads a wide ratings file from disk.
pub fn read_wide_path(path: &Path, ids: Option<&WideIds>) -> Result<WideFile> {
    let input = Input::read(path)?;
    let mut wide =
        parse_wide(&path.display().to_string(), &input.bytes, ids).map_err(|e| input.relabel(e))?;
    if input.is_columnar() {
        for r in &mut wide.file.rows {
            r.line = input.line(r.line);
        }
    }
    Ok(wide)
}

/// Reads a wide ratings file straight into an analysis snapshot, with its notes.
pub fn read_wide_dataset(path: &Path, ids: Option<&WideIds>) -> Result<(Dataset, Vec<String>)> {
    let name = path.display().to_string();
    let wide = read_wide_path(path, ids)?;
    let mut b = Builder::default();
    for r in &wide.file.rows {
        b.push(&RowRef {
            line: r.line,
            person: &r.person,
            context: &r.context,
            rater: r.rater.as_deref(),
            dimension: &r.dimension,
            value: r.value,
            label: None,
            created_at: None,
            seconds_spent: None,
            note: None,
            confidence: None,
        });
    }
    let (ds, more) = b.finish(&name, wide.file.has_rater)?;
    let mut notes = wide.notes;
    notes.extend(crate::checks::ignored_columns_note(
        &wide.file.ignored_columns,
    ));
    notes.extend(more);
    Ok((ds, notes))
}

/// Parses a wide ratings file. `name` is used in messages (usually the path).
pub fn parse_wide(name: &str, input: &[u8], ids: Option<&WideIds>) -> Result<WideFile> {
    if input.contains(&b'"') {
        check_quotes(input, MAX_QUOTED_LINES).map_err(|e| CoreError::input(name, vec![e]))?;
    }
    let input = input.strip_prefix(b"\xef\xbb\xbf").unwrap_or(input);
    let mut rdr = csv_reader(input, true);
    let header: Vec<String> = match rdr.headers() {
        Ok(h) => h.iter().map(|f| f.trim().to_owned()).collect(),
        Err(e) => return Err(CoreError::input(name, vec![csv_error(e, 1, 0)])),
    };
    if header.iter().all(String::is_empty) {
        return Err(one(
            name,
            1,
            None,
            "the file is empty: a header line is required",
        ));
    }
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if h.is_empty() {
            errors.push(RowError::new(
                1,
                None,
                format!("header field {} is empty", i + 1),
            ));
        } else if let Some(first) = seen.insert(h.to_lowercase(), i) {
            errors.push(RowError::new(
                1,
                Some(h),
                format!(
                    "column '{}' appears twice in the header (fields {} and {})",
                    quote(h),
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    let find = |n: &str| header.iter().position(|h| h.eq_ignore_ascii_case(n));
    let inferred = ids.is_none();
    let (person, context, rater) = match ids {
        Some(ids) => {
            let mut col = |n: &str| {
                let i = find(n);
                if i.is_none() {
                    errors.push(RowError::new(
                        1,
                        Some(n),
                        format!(
                            "id column '{}' is not in the header ({})",
                            quote(n),
                            crate::checks::list_names(&header)
                        ),
                    ));
                }
                i
            };
            let p = col(&ids.person);
            let c = ids.context.as_deref().map(&mut col);
            let r = ids.rater.as_deref().map(&mut col);
            if !errors.is_empty() {
                return Err(CoreError::input(name, errors));
            }
            (p, c.flatten(), r.flatten())
        }
        None => {
            let first_of = |names: &[&str]| names.iter().find_map(|n| find(n));
            match (
                first_of(&PERSON_NAMES),
                first_of(&CONTEXT_NAMES),
                find("unit"),
            ) {
                (None, None, Some(u)) => (Some(u), None, first_of(&RATER_NAMES)),
                (p, c, _) => (p, c, first_of(&RATER_NAMES)),
            }
        }
    };
    let Some(person) = person else {
        return Err(one(
            name,
            1,
            Some("person"),
            "no id column found: name it person (with context, and rater if there is one) or \
             unit, or give --id-columns person,context[,rater]",
        ));
    };
    if inferred && context.is_none() && !header[person].eq_ignore_ascii_case("unit") {
        return Err(one(
            name,
            1,
            Some("context"),
            "no context column found: name it context, or give --id-columns (one column \
             alone is a unit: its own person and context)",
        ));
    }
    let id_cols: Vec<usize> = [Some(person), context, rater]
        .into_iter()
        .flatten()
        .collect();
    // A rater's note or a timestamp beside the scores (a Qualtrics export's comment box) is
    // no dimension: its text would be refused as a shifted column.
    let (ignored, dims): (Vec<usize>, Vec<usize>) = (0..header.len())
        .filter(|i| !id_cols.contains(i))
        .partition(|&i| NOT_DIMENSIONS.contains(&header[i].to_ascii_lowercase().as_str()));
    let ignored_columns: Vec<String> = ignored.iter().map(|&i| header[i].clone()).collect();
    if dims.is_empty() {
        return Err(one(
            name,
            1,
            None,
            "no dimension columns: a wide file has one column per dimension after its ids",
        ));
    }
    let dimensions: Vec<String> = dims.iter().map(|&i| header[i].clone()).collect();
    let said = |i: Option<usize>| i.map(|i| format!("'{}'", quote(&header[i])));
    let id_text = match (said(Some(person)), said(context), said(rater)) {
        (Some(p), None, r) => {
            format!(
                "{p} as unit{}",
                r.map(|r| format!(", {r} as rater")).unwrap_or_default()
            )
        }
        (Some(p), Some(c), r) => format!(
            "{p} as person, {c} as context{}",
            r.map(|r| format!(", {r} as rater")).unwrap_or_default()
        ),
        (None, ..) => String::new(),
    };
    let notes = vec![format!(
        "wide file: {} {id_text}; {} dimension column(s): {}",
        if inferred {
            "id columns inferred from their names (give --id-columns to choose):"
        } else {
            "id columns"
        },
        dimensions.len(),
        crate::checks::list_names(&dimensions)
    )];

    let mut lines = LineCounter::new(input);
    let mut rows = Vec::new();
    let mut first_line: HashMap<(String, String, String), u64> = HashMap::new();
    let mut record = csv::StringRecord::new();
    loop {
        let fallback = rdr.position().line().max(2);
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                errors.push(csv_error(e, fallback, 0));
                if errors.len() > 1000 {
                    break;
                }
                continue;
            }
        }
        let line = record
            .position()
            .map(|p| lines.line_at(p.byte()))
            .unwrap_or(fallback);
        if record.len() == 1 && record.get(0).is_some_and(str::is_empty) {
            continue;
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
        let mut bad = false;
        let get = |i: usize| trim(record.get(i).unwrap_or_default());
        let p = require(
            Some(get(person)),
            &header[person],
            line,
            &mut errors,
            &mut bad,
        );
        let c = match context {
            Some(i) => require(Some(get(i)), &header[i], line, &mut errors, &mut bad),
            None => p,
        };
        let r = rater.map(|i| require(Some(get(i)), &header[i], line, &mut errors, &mut bad));
        if bad {
            continue;
        }
        let key = (p.to_owned(), c.to_owned(), r.unwrap_or_default().to_owned());
        if let Some(first) = first_line.insert(key, line) {
            errors.push(RowError::new(
                line,
                None,
                format!(
                    "duplicate row: {}/{}{} was already given on line {first}",
                    quote(p),
                    quote(c),
                    r.map(|r| format!(" by rater '{}'", quote(r)))
                        .unwrap_or_default()
                ),
            ));
            continue;
        }
        for (&i, dim) in dims.iter().zip(&dimensions) {
            let cell = get(i);
            let value = if is_missing(cell) {
                None
            } else {
                match parse_value(cell) {
                    Ok(Cell::Number(v)) => Some(v),
                    Ok(Cell::Text(t)) => {
                        errors.push(RowError::new(
                            line,
                            Some(dim),
                            format!(
                                "expected a number, found '{}' (a wide file takes numbers; a \
                                 category by its code)",
                                quote(t)
                            ),
                        ));
                        continue;
                    }
                    Err(m) => {
                        errors.push(RowError::new(line, Some(dim), m));
                        continue;
                    }
                }
            };
            rows.push(TidyRow {
                line,
                person: p.to_owned(),
                context: c.to_owned(),
                rater: r.map(str::to_owned),
                dimension: dim.clone(),
                value,
                label: None,
                created_at: None,
                seconds_spent: None,
                note: None,
                confidence: None,
            });
        }
    }
    if !errors.is_empty() {
        return Err(CoreError::input(name, errors));
    }
    if rows.is_empty() {
        return Err(one(name, 2, None, "the file has a header but no ratings"));
    }
    Ok(WideFile {
        file: TidyFile {
            rows,
            has_rater: rater.is_some(),
            has_dimension: true,
            unit_layout: context.is_none(),
            ignored_columns,
        },
        dimensions,
        notes,
    })
}

fn one(name: &str, line: u64, column: Option<&str>, message: &str) -> CoreError {
    CoreError::input(name, vec![RowError::new(line, column, message)])
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONG: &str = "person,context,rater,dimension,value\n\
        p1,c1,r1,warmth,3\np1,c1,r1,anger,1\np1,c1,r2,warmth,4\np1,c1,r2,anger,2\n\
        p2,c1,r1,warmth,5\np2,c1,r2,warmth,5\np2,c1,r2,anger,1\n";
    const WIDE: &str = "Person,Context,Rater,warmth,anger\n\
        p1,c1,r1,3,1\np1,c1,r2,4,2\np2,c1,r1,5,NA\np2,c1,r2,5,1\n";

    type Key = (String, String, Option<String>, String, Option<f64>);

    fn key(rows: &[TidyRow]) -> Vec<Key> {
        let mut v: Vec<_> = rows
            .iter()
            .filter(|r| r.value.is_some())
            .map(|r| {
                (
                    r.person.clone(),
                    r.context.clone(),
                    r.rater.clone(),
                    r.dimension.clone(),
                    r.value,
                )
            })
            .collect();
        v.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        v
    }

    #[test]
    fn wide_rows_are_the_long_rows() {
        let long = parse("l.csv", LONG.as_bytes()).unwrap();
        let wide = parse_wide("w.csv", WIDE.as_bytes(), None).unwrap();
        assert_eq!(key(&long.rows), key(&wide.file.rows));
        assert!(wide.file.has_rater);
        assert_eq!(wide.dimensions, ["warmth", "anger"]);
        assert!(
            wide.notes[0].contains("'Person' as person"),
            "{:?}",
            wide.notes
        );
        // Read as long, a wide file says what it is.
        let e = parse("w.csv", WIDE.as_bytes()).unwrap_err().to_string();
        assert!(e.contains("give --wide"), "{e}");
        let e = parse("l.csv", b"person,context,dimension\np,c,d\n").unwrap_err();
        assert!(!e.to_string().contains("--wide"), "{e}");
    }

    #[test]
    fn id_columns_are_chosen_by_name() {
        let csv = "pid,situation_id,warmth\nA,x,1\nA,y,2\n";
        assert!(parse_wide("w.csv", csv.as_bytes(), None).is_err());
        let ids = WideIds::parse("pid,situation_id").unwrap();
        let w = parse_wide("w.csv", csv.as_bytes(), Some(&ids)).unwrap();
        assert_eq!(w.file.rows.len(), 2);
        assert_eq!(w.file.rows[1].context, "y");
        assert!(!w.file.has_rater);
        let unit = WideIds::parse("pid").unwrap();
        let e = parse_wide("w.csv", csv.as_bytes(), Some(&unit)).unwrap_err();
        // situation_id becomes a dimension, and its text is no number
        assert!(e.to_string().contains("column 'situation_id'"), "{e}");
    }

    #[test]
    fn bom_crlf_and_the_unit_layout() {
        let csv = "\u{feff}unit,coder,warmth\r\nu1,a,3\r\nu1,b,\r\nu2,a,4\r\n";
        let w = parse_wide("w.csv", csv.as_bytes(), None).unwrap();
        assert!(w.file.unit_layout && w.file.has_rater);
        let rows: Vec<_> = w
            .file
            .rows
            .iter()
            .map(|r| (r.line, r.person.as_str(), r.context.as_str(), r.value))
            .collect();
        assert_eq!(
            rows,
            [
                (2, "u1", "u1", Some(3.0)),
                (3, "u1", "u1", None),
                (4, "u2", "u2", Some(4.0))
            ]
        );
        assert!(
            w.notes[0].contains("'unit' as unit, 'coder' as rater"),
            "{:?}",
            w.notes
        );
    }

    #[test]
    fn a_note_column_is_no_dimension() {
        let csv = "person,context,warmth,Note\np1,c1,3,\"tired, distracted\"\np2,c1,4,\n";
        let w = parse_wide("w.csv", csv.as_bytes(), None).unwrap();
        assert_eq!(w.dimensions, ["warmth"]);
        assert_eq!(w.file.ignored_columns, ["Note"]);
        assert_eq!(w.file.rows.len(), 2);
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let csv = "person,context,warmth,anger\np1,c1,3,x\np1,c1,2,2\np2,c1,1e999,1\n";
        let e = parse_wide("w.csv", csv.as_bytes(), None)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 2, column 'anger': expected a number"),
            "{e}"
        );
        assert!(
            e.contains("line 3: duplicate row: p1/c1 was already given on line 2"),
            "{e}"
        );
        assert!(e.contains("line 4, column 'warmth'"), "{e}");
    }
}
