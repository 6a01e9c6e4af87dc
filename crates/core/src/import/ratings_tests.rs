//! The bulk import against the row-by-row one (its oracle): the same file into the same study
//! must leave every table the same, row for row and id for id.

use super::ROW_BY_ROW;
use crate::sample::SampleRng;
use crate::store::Study;
use rusqlite::types::Value;
use std::path::Path;

/// A random long file: ids of random lengths (some long, some non-ASCII), missing values,
/// optional columns, a nominal dimension written as text, rows in runs of a profile as exports
/// have them but with raters and dimensions interleaved.
fn random_rows(rng: &mut SampleRng, rows_wanted: usize) -> Vec<[String; 9]> {
    let id = |rng: &mut SampleRng, prefix: &str, n: usize| {
        let i = rng.below(n);
        match i % 3 {
            0 => format!("{prefix}{i}"),
            1 => format!("{prefix}-{i}-{}", "x".repeat(i % 40)),
            _ => format!("{prefix}é{i}"),
        }
    };
    let mut out = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut n = 0;
    while n < rows_wanted {
        let person = id(rng, "p", 60 + rows_wanted / 10);
        let context = id(rng, "c", 4);
        for _ in 0..rng.below(30) + 1 {
            let rater = id(rng, "r", 7);
            let dim = ["Warmth", "warmth", "Joy", "mood", "Energy"][rng.below(5)];
            let key = (
                person.clone(),
                context.clone(),
                rater.clone(),
                dim.to_lowercase(),
            );
            if !seen.insert(key) {
                continue;
            }
            let value = match (dim, rng.below(10)) {
                (_, 0) => "NA".to_string(),
                (_, 1) => String::new(),
                ("mood", _) => ["calm", "Angry", "calm ", "sad"][rng.below(4)].to_string(),
                ("Energy", _) => format!("{:.2}", rng.below(1000) as f64 / 10.0),
                _ => (rng.below(7) + 1).to_string(),
            };
            let created = match rng.below(3) {
                0 => String::new(),
                _ => (1_700_000_000_000u64 + rng.below(1_000_000) as u64).to_string(),
            };
            let seconds = match rng.below(2) {
                0 => String::new(),
                _ => format!("{}", rng.below(100)),
            };
            let note = match rng.below(4) {
                0 => "\"a note, quoted\"".to_string(),
                _ => String::new(),
            };
            let confidence = match rng.below(3) {
                0 => format!("0.{}", rng.below(10)),
                _ => String::new(),
            };
            let dim = dim.to_string();
            let (p, c) = (person.clone(), context.clone());
            out.push([p, c, rater, dim, value, created, seconds, note, confidence]);
            n += 1;
        }
    }
    out
}

fn render(rows: &[[String; 9]]) -> String {
    let mut out =
        String::from("person,context,rater,dimension,value,created_at,seconds,note,confidence\n");
    for r in rows {
        out.push_str(&r.join(","));
        out.push('\n');
    }
    out
}

/// A second file for a study that has `rows`: some of them again, some by a new rater, some
/// with the value of another row of their dimension (an edit within the dimension's scale).
fn follow_up(rng: &mut SampleRng, rows: &[[String; 9]]) -> Vec<[String; 9]> {
    let mut out = Vec::new();
    for r in rows {
        let mut r = r.clone();
        match rng.below(4) {
            0 => continue,
            1 => r[2].push('+'),
            2 => {
                let other = &rows[rng.below(rows.len())];
                if other[3] == r[3] {
                    r[4] = other[4].clone();
                }
            }
            _ => {}
        }
        out.push(r);
    }
    out
}

/// Every table's rows in rowid (or key) order, and the schema's names and statements.
fn contents(study: &Path) -> Vec<(String, Vec<Vec<Value>>)> {
    let conn = rusqlite::Connection::open(study).unwrap();
    let mut tables: Vec<(String, Vec<Vec<Value>>)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema ORDER BY name")
        .unwrap()
        .query_map([], |r| {
            Ok((
                format!("schema {}", r.get::<_, String>(0)?),
                vec![vec![r.get::<_, Option<String>>(1)?.into()]],
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let names: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for name in names {
        let width = conn
            .prepare(&format!("SELECT * FROM \"{name}\""))
            .unwrap()
            .column_count();
        let order: Vec<String> = (1..=width).map(|i| i.to_string()).collect();
        // The study's own id and creation time are its own.
        let mine = match name.as_str() {
            "study_meta" => "WHERE key NOT IN ('study_id', 'created_at')",
            _ => "",
        };
        let mut st = conn
            .prepare(&format!(
                "SELECT * FROM \"{name}\" {mine} ORDER BY {}",
                order.join(", ")
            ))
            .unwrap();
        let rows = st
            .query_map([], |r| (0..width).map(|i| r.get::<_, Value>(i)).collect())
            .unwrap()
            .collect::<rusqlite::Result<Vec<Vec<Value>>>>()
            .unwrap();
        tables.push((name, rows));
    }
    tables
}

/// A study made as a lab makes one (some with profiles and a rater already in), then `files`
/// imported one after the other, bulk or row by row.
fn study_after(
    dir: &Path,
    name: &str,
    prepared: bool,
    files: &[&Path],
    row_by_row: bool,
) -> Vec<(String, Vec<Vec<Value>>)> {
    let path = dir.join(name);
    let mut s = Study::create(&path).unwrap();
    s.set_clock(std::sync::Arc::new(|| 1_764_000_000_000));
    s.set_actor("tester");
    if prepared {
        let profiles = dir.join("profiles.jsonl");
        std::fs::write(
            &profiles,
            "{\"person\":\"p1\",\"context\":\"c1\",\"text\":\"hello\"}\n{\"person\":\"q\",\"context\":\"c2\",\"text\":\"x\"}\n",
        )
        .unwrap();
        s.import_profiles(&profiles).unwrap();
        s.ensure_rater("r4", crate::model::RaterKind::Model)
            .unwrap();
    }
    ROW_BY_ROW.with(|c| c.set(row_by_row));
    let opts = super::RatingsImportOptions::default();
    let reports: Vec<String> = files
        .iter()
        .map(|f| format!("{:?}", s.import_ratings(f, &opts).unwrap()))
        .collect();
    ROW_BY_ROW.with(|c| c.set(false));
    let mut out = contents(&path);
    out.push((
        "reports".into(),
        vec![reports.into_iter().map(Value::Text).collect()],
    ));
    out
}

#[test]
fn a_bulk_import_leaves_the_study_the_row_by_row_import_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = SampleRng::new(35);
    for case in 0..6 {
        // Small files and ones past the index rebuild's threshold.
        let rows = if case == 5 {
            10_500
        } else {
            50 + rng.below(800)
        };
        let first = dir.path().join(format!("a{case}.csv"));
        let first_rows = random_rows(&mut rng, rows);
        std::fs::write(&first, render(&first_rows)).unwrap();
        let second = dir.path().join(format!("b{case}.csv"));
        std::fs::write(&second, render(&follow_up(&mut rng, &first_rows))).unwrap();
        let prepared = case % 2 == 1;
        let files = [first.as_path(), second.as_path()];
        let bulk = study_after(
            dir.path(),
            &format!("bulk{case}.db"),
            prepared,
            &files,
            false,
        );
        let oracle = study_after(dir.path(), &format!("row{case}.db"), prepared, &files, true);
        assert_eq!(bulk.len(), oracle.len(), "case {case}: tables");
        for ((name, rows), (oracle_name, oracle_rows)) in bulk.iter().zip(&oracle) {
            assert_eq!(name, oracle_name, "case {case}");
            assert_eq!(rows.len(), oracle_rows.len(), "case {case}: {name} rows");
            for (i, (r, o)) in rows.iter().zip(oracle_rows).enumerate() {
                assert_eq!(r, o, "case {case}: {name} row {i}");
            }
        }
        let ratings = bulk.iter().find(|t| t.0 == "rating").map(|t| t.1.len());
        assert!(
            ratings.unwrap_or(0) > rows / 2,
            "case {case}: the file's ratings are in"
        );
    }
}

/// The snapshot an import takes beside its writes (on a thread of its own, into a journal-less
/// `.partial` copy) is the study as it was before the import, complete and alone: no journal,
/// no partial copy left, none of the import's rows. A refused import takes none.
#[test]
fn the_snapshot_taken_during_an_import_is_the_study_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = SampleRng::new(19);
    let file = dir.path().join("r.csv");
    std::fs::write(&file, render(&random_rows(&mut rng, 14_000))).unwrap();
    let path = dir.path().join("s.db");
    let mut s = Study::create(&path).unwrap();
    let profiles = dir.path().join("profiles.jsonl");
    std::fs::write(
        &profiles,
        "{\"person\":\"p1\",\"context\":\"c1\",\"text\":\"hello\"}\n",
    )
    .unwrap();
    s.import_profiles(&profiles).unwrap();
    let before = contents(&path);
    let backups = crate::store::backups_dir(&path);
    let listed = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&backups)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        names
    };
    let already = listed();

    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "person,context,rater,dimension,value\np1,c1,r1,x,1\np1,c1,r1,x,2\n",
    )
    .unwrap();
    let opts = super::RatingsImportOptions::default();
    let err = s.import_ratings(&bad, &opts).unwrap_err().to_string();
    assert!(err.contains("line 3"), "the refusal names its line: {err}");
    assert_eq!(listed(), already, "a refused import takes no snapshot");

    let report = s.import_ratings(&file, &opts).unwrap();
    assert!(report.added > 10_000, "the bulk path ran: {report:?}");
    let new: Vec<String> = listed()
        .into_iter()
        .filter(|n| !already.contains(n))
        .collect();
    assert_eq!(
        new.len(),
        1,
        "one snapshot, nothing else left beside it: {new:?}"
    );
    assert!(new[0].ends_with("-import.db"), "{new:?}");
    let snap = backups.join(&new[0]);
    assert!(crate::store::audit::is_valid_snapshot(&snap), "{snap:?}");
    let check: String = rusqlite::Connection::open(&snap)
        .unwrap()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(
        contents(&snap),
        before,
        "the snapshot holds the study as it was before the import"
    );
}
