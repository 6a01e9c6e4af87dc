//! Parquet and Arrow IPC files as pandas and pyarrow write them (fixtures from
//! `scripts/reference/columnar/generate.py`): every type reads to the rows of the long CSV of
//! the same data, exports round-trip, and a wrong-typed column is refused naming its row.
#![cfg(feature = "parquet")]

use chameleon_core::export::RatingsExportOptions;
use chameleon_core::tidy::{read_path, read_wide_path, TidyRow};
use chameleon_core::{CoreError, Study};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/columnar")
        .join(name)
}

type Key = (String, String, Option<String>, String, f64);

/// The ratings of rows, missing ones dropped, in file order.
fn keys(rows: &[TidyRow]) -> Vec<Key> {
    rows.iter()
        .filter_map(|r| {
            Some((
                r.person.clone(),
                r.context.clone(),
                r.rater.clone(),
                r.dimension.clone(),
                r.value?,
            ))
        })
        .collect()
}

#[test]
fn every_writer_type_reads_as_the_long_csv() {
    let truth = keys(&read_path(&fixture("ratings_long.csv")).unwrap().rows);
    assert_eq!(truth.len(), 135, "144 cells, 9 missing");
    for long in ["long_pyarrow.parquet", "long.feather", "long.arrows"] {
        let file = read_path(&fixture(long)).unwrap();
        assert!(file.has_rater && file.has_dimension, "{long}");
        assert_eq!(keys(&file.rows), truth, "{long}");
    }
    for wide in ["wide_pandas.parquet", "wide_typed.parquet", "wide.arrow"] {
        let w = read_wide_path(&fixture(wide), None).unwrap();
        assert_eq!(w.dimensions, ["warmth", "anger", "calm"], "{wide}");
        assert_eq!(keys(&w.file.rows), truth, "{wide}");
        // NaN (pandas' missing value) and <NA> are missing ratings, not values.
        assert_eq!(w.file.rows.len(), 144, "{wide}");
    }
}

fn input_errors(e: CoreError) -> (String, Vec<chameleon_core::RowError>) {
    let text = e.to_string();
    match e {
        CoreError::Input { errors, .. } => (text, errors),
        other => panic!("expected input errors, got {other}"),
    }
}

#[test]
fn a_wrong_typed_column_names_file_column_and_row() {
    let path = fixture("bad_list.parquet");
    let (text, errors) = input_errors(read_wide_path(&path, None).unwrap_err());
    assert_eq!(errors.len(), 1, "{text}");
    // The first value of the list column is on the second row.
    assert!(
        text.contains(&format!(
            "{}: row 2, column 'tags': a column of type List",
            path.display()
        )),
        "{text}"
    );
    let (text, _) = input_errors(read_wide_path(&fixture("bad_text.parquet"), None).unwrap_err());
    assert!(
        text.contains("row 3, column 'anger': expected a number, found 'lots'"),
        "{text}"
    );
    // Row 3's note spans three lines of the CSV it is read as: the error is still on row 4.
    let (text, errors) = input_errors(read_path(&fixture("bad_after_note.parquet")).unwrap_err());
    assert!(text.contains("row 4, column 'value'"), "{text}");
    assert_eq!(
        errors[0].line, 5,
        "row 4 is the line it would have in a CSV"
    );
}

fn ratings_of(s: &Study) -> Vec<String> {
    let mut out = Vec::new();
    s.export_ratings(&mut out, RatingsExportOptions::default())
        .unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1..].sort();
    lines
}

fn study(dir: &Path, name: &str) -> Study {
    Study::create(&dir.join(name)).unwrap()
}

#[test]
fn imports_exports_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = study(dir.path(), "csv.db");
    csv.import_ratings(&fixture("ratings_long.csv"), &Default::default())
        .unwrap();
    let mut pq = study(dir.path(), "pq.db");
    let report = pq
        .import_ratings_wide(&fixture("wide_typed.parquet"), None, &Default::default())
        .unwrap();
    assert_eq!(report.added, 135, "{report}");
    assert_eq!(ratings_of(&pq), ratings_of(&csv));

    // Out and back in, long and wide, both formats; ids that look like numbers stay text.
    let mut odd = study(dir.path(), "odd.db");
    let ids = dir.path().join("ids.csv");
    std::fs::write(
        &ids,
        "person,context,rater,dimension,value\n007,1,ana,warmth,2.5\n007,1,ben,warmth,3\n",
    )
    .unwrap();
    odd.import_ratings(&ids, &Default::default()).unwrap();
    for (s, want) in [(&csv, 135), (&odd, 2)] {
        for (name, wide) in [
            ("l.parquet", false),
            ("w.parquet", true),
            ("l.arrow", false),
            ("w.feather", true),
        ] {
            let out = dir.path().join(name);
            let n = s
                .export_ratings_to(&out, RatingsExportOptions::default(), wide)
                .unwrap();
            assert_eq!(n, want, "{name}");
            let mut back = study(dir.path(), &format!("back-{want}-{name}.db"));
            if wide {
                back.import_ratings_wide(&out, None, &Default::default())
            } else {
                back.import_ratings(&out, &Default::default())
            }
            .unwrap();
            assert_eq!(ratings_of(&back), ratings_of(s), "{name}");
        }
    }
    assert!(ratings_of(&odd)[1].starts_with("007,1,"));
}

#[test]
fn profiles_from_parquet_are_the_csv_profiles() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = study(dir.path(), "a.db");
    a.import_profiles(&fixture("profiles.csv")).unwrap();
    let mut b = study(dir.path(), "b.db");
    let report = b.import_profiles(&fixture("profiles.parquet")).unwrap();
    assert_eq!(report.added, 3, "{report}");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    a.export_profiles(&mut x).unwrap();
    b.export_profiles(&mut y).unwrap();
    let (x, y) = (String::from_utf8(x).unwrap(), String::from_utf8(y).unwrap());
    assert_eq!(x, y);
    assert!(y.contains("First line.\\nSecond line."), "{y}");
    assert!(y.contains("2024-05-02T08:30:00"), "{y}");
}
