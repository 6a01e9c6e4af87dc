//! Loads the data an analysis verb was pointed at: a study file or a tidy ratings CSV.

use crate::dataset::Dataset;
use crate::error::{CoreError, Result, RowError};
use std::io::Read;
use std::path::Path;

/// A loaded dataset and what the user should be told about the load (ignored columns,
/// categories made from text values), one line each, to be shown with the results.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The analysis snapshot.
    pub dataset: Dataset,
    /// Notes for the user, each prefixed with the file's path.
    pub warnings: Vec<String>,
}

/// Reads a study (opened read-only) or a tidy ratings CSV into a dataset, with the notes the
/// user should see. When the load fails and the header has columns the tidy format does not
/// know (a misspelt `valeu` is often why), the error names them too.
pub fn load(path: &Path) -> Result<Loaded> {
    load_with(path, crate::store::ModelSamples::Mean)
}

/// As [`load`], with a study's model raters seen through `samples` (their sample mean, or one
/// sample); a CSV has no samples.
pub fn load_with(path: &Path, samples: crate::store::ModelSamples) -> Result<Loaded> {
    // A directory, a FIFO, a device or a link loop is refused here with what it is.
    crate::checks::check_regular_file(path)?;
    if crate::store::is_sqlite_file(path) {
        let study = crate::store::Study::open_read_only(path)?;
        let (dataset, scoring) = study
            .dataset_scored(false, samples)
            .map_err(|e| e.in_file(path))?;
        let scales = study.codebook()?.map(|c| c.scales).unwrap_or_default();
        let warnings = crate::analysis::scales::scoring_notes(&scoring, &scales)
            .into_iter()
            .map(|note| format!("{}: {note}", path.display()))
            .collect();
        return Ok(Loaded { dataset, warnings });
    }
    let (dataset, notes) = match crate::tidy::read_dataset(path) {
        Ok(v) => v,
        Err(CoreError::Input {
            path: p,
            mut errors,
        }) => {
            if let Some(note) = crate::checks::ignored_columns_note(&unknown_header_columns(path)) {
                errors.insert(0, RowError::new(1, None, note));
            }
            return Err(CoreError::Input { path: p, errors });
        }
        Err(e) => return Err(e),
    };
    let warnings = notes
        .iter()
        .map(|note| format!("{}: {note}", path.display()))
        .collect();
    Ok(Loaded { dataset, warnings })
}

/// Reads a wide ratings CSV (id columns and one column per dimension, see
/// [`crate::tidy::parse_wide`]) into a dataset, with the notes the user should see (which
/// columns were taken as ids).
pub fn load_wide(path: &Path, ids: Option<&crate::tidy::WideIds>) -> Result<Loaded> {
    crate::checks::check_regular_file(path)?;
    if crate::store::is_sqlite_file(path) {
        return Err(CoreError::input(
            path.display().to_string(),
            vec![RowError::new(
                1,
                None,
                "this is a study, not a wide CSV: drop --wide to analyse it",
            )],
        ));
    }
    let (dataset, notes) = crate::tidy::read_wide_dataset(path, ids)?;
    let warnings = notes
        .iter()
        .map(|note| format!("{}: {note}", path.display()))
        .collect();
    Ok(Loaded { dataset, warnings })
}

/// [`load`] without its notes, for callers that show none (tests, tools).
pub fn load_dataset(path: &Path) -> Result<Dataset> {
    load(path).map(|l| l.dataset)
}

/// [`load_with`] without its notes.
pub fn load_dataset_with(path: &Path, samples: crate::store::ModelSamples) -> Result<Dataset> {
    load_with(path, samples).map(|l| l.dataset)
}

/// The header columns of the tidy format (`tidy::header_of`); a test keeps the two in step.
const TIDY_COLUMNS: [&str; 11] = [
    "person",
    "context",
    "unit",
    "rater",
    "dimension",
    "value",
    "created_at",
    "seconds_spent",
    "seconds",
    "note",
    "confidence",
];

/// Columns of the file's header line that the tidy reader does not know, read from at most
/// the first 64 KiB (nothing when the header cannot be read).
fn unknown_header_columns(path: &Path) -> Vec<String> {
    if crate::tidy::Columnar::of(path).is_some() {
        // Its schema is no text line; the reader's own errors name its columns.
        return Vec::new();
    }
    let mut head = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| f.take(64 * 1024).read_to_end(&mut head));
    if read.is_err() {
        return Vec::new();
    }
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
    let line = head.split(|&c| c == b'\n').next().unwrap_or_default();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let Some(Ok(record)) = rdr.records().next() else {
        return Vec::new();
    };
    record
        .iter()
        .map(str::trim)
        .filter(|f| !f.is_empty() && !TIDY_COLUMNS.contains(&f.to_ascii_lowercase().as_str()))
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_columns_are_found_whether_or_not_the_load_succeeds() {
        let dir = tempfile::tempdir().unwrap();
        // Every known column plus two unknown ones: the reader and this list agree.
        let ok = dir.path().join("ok.csv");
        std::fs::write(
            &ok,
            "person,context,unit,rater,dimension,value,created_at,seconds_spent,note,confidence,Score,x\n\
             p,c,u,r,d,1,,,,,s,y\n",
        )
        .unwrap();
        let from_reader = crate::tidy::read_path(&ok).unwrap().ignored_columns;
        assert_eq!(from_reader, unknown_header_columns(&ok));
        // 'valeu' is misspelt: the load fails, and the column is still named.
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "\u{feff}person,context,rater,valeu\np,c,r,1\n").unwrap();
        assert!(load_dataset(&bad).is_err());
        assert_eq!(unknown_header_columns(&bad), vec!["valeu".to_owned()]);
    }

    #[test]
    fn load_notes_come_back_with_the_data_or_in_the_error() {
        let dir = tempfile::tempdir().unwrap();
        let ok = dir.path().join("ok.csv");
        std::fs::write(&ok, "unit,rater,value,Score\nu,a,1,x\nu,b,2,y\n").unwrap();
        let loaded = load(&ok).unwrap();
        assert_eq!(loaded.dataset.rating_count(), 2);
        assert_eq!(
            loaded.warnings,
            vec![format!("{}: ignored unknown column 'Score'", ok.display())]
        );
        let bad = dir.path().join("bad.csv");
        std::fs::write(&bad, "person,context,rater,valeu\np,c,r,1\n").unwrap();
        let err = load(&bad).unwrap_err().to_string();
        assert!(err.contains("unknown column 'valeu'"), "{err}");
    }
}
