//! `--wide`: a wide CSV (id columns, one column per dimension) imports, exports and analyses as
//! the long CSV of the same data does; bad wide input is exit 2 naming line and column.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{ok, run, s};

use serde_json::Value;
use std::path::{Path, PathBuf};

struct Demo {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    files: PathBuf,
}

fn study_with_codebook(d: &Demo, name: &str) -> PathBuf {
    let study = d.dir.join(name);
    ok(&["study", "new", s(&study)]);
    ok(&[
        "import",
        "profiles",
        s(&study),
        s(&d.files.join("profiles.jsonl")),
    ]);
    ok(&[
        "import",
        "codebook",
        s(&study),
        s(&d.files.join("codebook.toml")),
    ]);
    study
}

fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files), "--persons", "8"]);
    Demo {
        _tmp: tmp,
        dir,
        files,
    }
}

/// The long CSV of a study, its rows sorted (the two imports store them in different orders).
fn long_rows(study: &Path) -> Vec<String> {
    let out = ok(&["export", "ratings", s(study), "-"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[1..].sort();
    lines
}

fn wide_of(d: &Demo) -> (PathBuf, PathBuf) {
    let study = study_with_codebook(d, "long.db");
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&d.files.join("ratings.csv")),
    ]);
    let wide = d.dir.join("wide.csv");
    ok(&["export", "ratings", s(&study), s(&wide), "--wide"]);
    (study, wide)
}

#[test]
fn wide_import_and_export_round_trip() {
    let d = demo();
    let (long_study, wide) = wide_of(&d);
    let text = std::fs::read_to_string(&wide).unwrap();
    assert!(text.starts_with("person,context,rater,"), "{text}");
    let study = study_with_codebook(&d, "wide.db");
    let out = ok(&["import", "ratings", s(&study), s(&wide), "--wide"]);
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(
        note.contains("id columns inferred") && note.contains("'rater' as rater"),
        "{note}"
    );
    assert_eq!(long_rows(&study), long_rows(&long_study));
    let again = d.dir.join("again.csv");
    ok(&["export", "ratings", s(&study), s(&again), "--wide"]);
    assert_eq!(std::fs::read_to_string(&again).unwrap(), text);
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).expect("stdout is JSON")
}

/// Drops what names the input file, the only thing allowed to differ.
fn without_paths(mut v: Value) -> Value {
    if let Value::Object(m) = &mut v {
        m.retain(|k, _| !matches!(k.as_str(), "input" | "source" | "path" | "file"));
        for x in m.values_mut() {
            *x = without_paths(x.take());
        }
    } else if let Value::Array(a) = &mut v {
        for x in a.iter_mut() {
            *x = without_paths(x.take());
        }
    }
    v
}

#[test]
fn wide_csv_gives_the_numbers_of_the_long_csv() {
    let d = demo();
    let (_, wide) = wide_of(&d);
    let long = d.files.join("ratings.csv");
    for verb in ["agreement", "decompose"] {
        let a = json(&[verb, s(&long), "--json", "--bootstrap", "50", "--seed", "3"]);
        let b = json(&[
            verb,
            s(&wide),
            "--wide",
            "--json",
            "--bootstrap",
            "50",
            "--seed",
            "3",
        ]);
        assert_eq!(without_paths(a), without_paths(b), "{verb}");
    }
    let html = d.dir.join("r.html");
    ok(&["report", s(&wide), s(&html), "--wide"]);
    assert!(std::fs::metadata(&html).unwrap().len() > 1000);
}

#[test]
fn bad_wide_input_is_exit_2_naming_line_and_column_and_imports_nothing() {
    let d = demo();
    let study = study_with_codebook(&d, "s.db");
    let (_, wide) = wide_of(&d);
    let text = std::fs::read_to_string(&wide).unwrap();
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let cases = [
        (
            "bogus",
            {
                let mut l = lines.clone();
                l[0].push_str(",bogus");
                for x in &mut l[1..] {
                    x.push_str(",1");
                }
                l
            },
            "line 1, column 'bogus': column 'bogus' is not a dimension",
        ),
        (
            "text",
            {
                let mut l = lines.clone();
                let mut f: Vec<String> = l[2].split(',').map(str::to_owned).collect();
                f[3] = "lots".into();
                l[2] = f.join(",");
                l
            },
            "line 3, column '",
        ),
        (
            "dup",
            {
                let mut l = lines.clone();
                l.push(l[1].clone());
                l
            },
            "duplicate row",
        ),
    ];
    for (name, l, want) in cases {
        let path = d.dir.join(format!("{name}.csv"));
        std::fs::write(&path, l.join("\n") + "\n").unwrap();
        let out = run(&["import", "ratings", s(&study), s(&path), "--wide"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(want) && err.contains(s(&path)),
            "{name}: {err}"
        );
        assert_eq!(long_rows(&study).len(), 1, "{name}: nothing imported");
    }
    let out = run(&[
        "agreement",
        s(&wide),
        "--wide",
        "--id-columns",
        "person,nope",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("column 'nope'"));
}

#[test]
fn category_labels_on_request_long_and_wide_the_long_reads_back_to_the_same_codes() {
    let d = demo();
    let (study, _) = wide_of(&d);
    for (name, wide) in [("labels.csv", false), ("labels-wide.csv", true)] {
        let out = d.dir.join(name);
        let mut args = vec!["export", "ratings", s(&study), s(&out), "--labels"];
        if wide {
            args.push("--wide");
        }
        ok(&args);
        let text = std::fs::read_to_string(&out).unwrap();
        // The nominal dimension's cells are its labels, never its codes; the others numbers.
        // No quoting in the demo's ids and labels: plain splits suffice.
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |h: &str| header.iter().position(|x| *x == h).unwrap();
        let mut emotions = Vec::new();
        for line in lines {
            let r: Vec<&str> = line.split(',').collect();
            if wide {
                if !r[col("dominant_emotion")].is_empty() {
                    emotions.push(r[col("dominant_emotion")].to_owned());
                }
            } else if r[col("dimension")] == "dominant_emotion" {
                emotions.push(r[col("value")].to_owned());
            }
        }
        assert!(!emotions.is_empty(), "{name}");
        assert!(
            emotions.iter().all(|e| e.parse::<f64>().is_err()),
            "labels, not codes: {emotions:?}"
        );
        if !wide {
            // A long file's labels import back to the same codes. (A wide file takes codes:
            // a text cell there is more often a shifted column, docs/data-formats.md.)
            let back = study_with_codebook(&d, &format!("back-{name}.db"));
            ok(&["import", "ratings", s(&back), s(&out)]);
            assert_eq!(long_rows(&back), long_rows(&study), "{name}");
        }
    }
    // Without --labels the codes, as before.
    let plain = ok(&["export", "ratings", s(&study), "-"]);
    let plain = String::from_utf8(plain.stdout).unwrap();
    assert!(plain
        .lines()
        .any(|l| l.contains(",dominant_emotion,")
            && l.split(',').nth(4).unwrap().parse::<f64>().is_ok()));
}
