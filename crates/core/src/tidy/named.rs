//! A tidy ratings file read for a study import: each row's texts as numbers into one table of
//! the file's distinct texts.

use super::{parse_rows, FxMap, Input, RowRef, TidyFile, TidyRow};
use crate::error::Result;
use std::path::Path;

/// One data row, its texts as indexes into [`NamedRows::text`] (see [`TidyRow`] for the fields).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NamedRow {
    /// Line of the file where the record starts (header is line 1).
    pub line: u64,
    /// The person.
    pub person: u32,
    /// The context.
    pub context: u32,
    /// The rater, when the file has a `rater` column.
    pub rater: Option<u32>,
    /// The dimension.
    pub dimension: u32,
    /// `None` for a missing rating and for a text value.
    pub value: Option<f64>,
    /// The value cell when it is text (a category label).
    pub label: Option<u32>,
    /// ms since the Unix epoch.
    pub created_at: Option<i64>,
    /// Seconds spent on the rating.
    pub seconds_spent: Option<f64>,
    /// The rater's note.
    pub note: Option<u32>,
    /// The rater's confidence, 0–1.
    pub confidence: Option<f64>,
}

/// A ratings file's rows with every distinct text (an id, a dimension, a label, a note) held
/// once. A file of a million ratings names a few thousand persons, contexts and raters: rows of
/// numbers keep a study import's memory near the ratings' own size, where rows of strings
/// allocated four strings per rating and faulted in six times the file.
#[derive(Debug, Clone, Default)]
pub struct NamedRows {
    /// The data rows, in file order.
    pub rows: Vec<NamedRow>,
    texts: Vec<Box<str>>,
    /// The file has a `rater` column.
    pub has_rater: bool,
    /// Extra columns that were ignored.
    pub ignored_columns: Vec<String>,
}

impl NamedRows {
    /// The text numbered `i` by a row.
    pub fn text(&self, i: u32) -> &str {
        &self.texts[i as usize]
    }

    /// The text numbered `i`, if any.
    pub fn text_of(&self, i: Option<u32>) -> Option<&str> {
        i.map(|i| self.text(i))
    }

    /// The rows of a file already read into [`TidyRow`]s (a wide file).
    pub fn from_file(file: &TidyFile) -> NamedRows {
        let mut b = Texts::default();
        let rows = file
            .rows
            .iter()
            .map(|r: &TidyRow| b.row(&r.as_ref()))
            .collect();
        NamedRows {
            rows,
            texts: b.finish(),
            has_rater: file.has_rater,
            ignored_columns: file.ignored_columns.clone(),
        }
    }
}

/// Reads a tidy ratings file from disk into [`NamedRows`] (errors as [`super::read_path`]).
pub fn read_named_path(path: &Path) -> Result<NamedRows> {
    let input = Input::read(path)?;
    let mut rows =
        parse_named(&path.display().to_string(), &input.bytes).map_err(|e| input.relabel(e))?;
    if input.is_columnar() {
        for r in &mut rows.rows {
            r.line = input.line(r.line);
        }
    }
    Ok(rows)
}

/// Parses tidy ratings from bytes into [`NamedRows`]; the same rows and errors as
/// [`super::parse`].
pub fn parse_named(name: &str, input: &[u8]) -> Result<NamedRows> {
    let mut texts = Texts::default();
    let mut rows = Vec::new();
    let layout = parse_rows(name, input, &mut |r| rows.push(texts.row(r)))?;
    Ok(NamedRows {
        rows,
        texts: texts.finish(),
        has_rater: layout.has_rater,
        ignored_columns: layout.ignored_columns,
    })
}

/// The distinct texts in order of first appearance. A column repeats its previous row's text
/// in long runs (a profile's ratings, a rater's), so each column's last text is compared
/// before any hashing.
#[derive(Default)]
struct Texts {
    index: FxMap<Box<str>, u32>,
    last: [Option<(Box<str>, u32)>; 4],
}

const PERSON: usize = 0;
const CONTEXT: usize = 1;
const RATER: usize = 2;
const DIMENSION: usize = 3;

impl Texts {
    fn row(&mut self, r: &RowRef<'_>) -> NamedRow {
        NamedRow {
            line: r.line,
            person: self.column(PERSON, r.person),
            context: self.column(CONTEXT, r.context),
            rater: r.rater.map(|t| self.column(RATER, t)),
            dimension: self.column(DIMENSION, r.dimension),
            value: r.value,
            label: r.label.map(|t| self.id(t)),
            created_at: r.created_at,
            seconds_spent: r.seconds_spent,
            note: r.note.map(|t| self.id(t)),
            confidence: r.confidence,
        }
    }

    fn column(&mut self, column: usize, text: &str) -> u32 {
        if let Some((last, id)) = &self.last[column] {
            if **last == *text {
                return *id;
            }
        }
        let id = self.id(text);
        self.last[column] = Some((text.into(), id));
        id
    }

    fn id(&mut self, text: &str) -> u32 {
        if let Some(&id) = self.index.get(text) {
            return id;
        }
        let id = self.index.len() as u32;
        self.index.insert(text.into(), id);
        id
    }

    fn finish(self) -> Vec<Box<str>> {
        let mut texts: Vec<(u32, Box<str>)> = self.index.into_iter().map(|(t, i)| (i, t)).collect();
        texts.sort_unstable_by_key(|&(i, _)| i);
        texts.into_iter().map(|(_, t)| t).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same rows as the reader of [`TidyRow`]s, field by field, in both of its paths
    /// (plain lines and the csv reader for quoted fields), and from a file's rows.
    #[test]
    fn named_rows_are_the_tidy_rows() {
        let files: [&[u8]; 3] = [
            b"person,context,rater,dimension,value,note,confidence,seconds_spent,created_at\n\
              p1,c1,ana,mood,3,,0.5,12,2026-01-02T03:04:05Z\n\
              p1,c1,ben,mood,joy,late,,,\n\
              p1,c2,ana,Mood,NA,,,,\n\
              p2,c1,ana,mood,4,late,1,,\n\
              p1,c1,ana,energy,5,,,,\n",
            b"person,context,rater,dimension,value,note\n\
              p1,c1,ana,mood,3,\"a note, quoted\"\n\
              \"p,2\",c1,ana,mood,4,\n\
              p1,c1,\"ben\",mood,2,\"two\nlines\"\n",
            b"unit,rater,value\nu1,ana,3\nu1,ben,NA\nu2,ana,x\n",
        ];
        for bytes in files {
            let file = super::super::parse("r.csv", bytes).unwrap();
            let named = parse_named("r.csv", bytes).unwrap();
            let from_file = NamedRows::from_file(&file);
            for n in [&named, &from_file] {
                assert_eq!(n.rows.len(), file.rows.len());
                assert_eq!(n.has_rater, file.has_rater);
                assert_eq!(n.ignored_columns, file.ignored_columns);
                for (a, b) in n.rows.iter().zip(&file.rows) {
                    let back = TidyRow {
                        line: a.line,
                        person: n.text(a.person).into(),
                        context: n.text(a.context).into(),
                        rater: n.text_of(a.rater).map(Into::into),
                        dimension: n.text(a.dimension).into(),
                        value: a.value,
                        label: n.text_of(a.label).map(Into::into),
                        created_at: a.created_at,
                        seconds_spent: a.seconds_spent,
                        note: n.text_of(a.note).map(Into::into),
                        confidence: a.confidence,
                    };
                    assert_eq!(&back, b);
                }
            }
        }
        // Each distinct text once, the repeated ones sharing a number.
        let named = parse_named("r.csv", files[0]).unwrap();
        assert_eq!(named.rows[0].person, named.rows[2].person);
        assert_eq!(named.rows[1].note, named.rows[3].note);
        assert_ne!(
            named.rows[0].dimension, named.rows[2].dimension,
            "Mood is its own text"
        );
        assert_eq!(named.texts.len(), 11);
    }

    #[test]
    fn named_rows_give_the_reader_s_errors() {
        let bad = b"person,context,rater,dimension,value\np1,c1,ana,mood,3\np1,,ana,mood,4\n";
        let a = super::super::parse("r.csv", bad).unwrap_err().to_string();
        let b = parse_named("r.csv", bad).unwrap_err().to_string();
        assert_eq!(a, b);
        assert!(a.contains("line 3"), "{a}");
    }
}
