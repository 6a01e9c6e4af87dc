//! Parquet and Arrow IPC files wherever a CSV is taken: a pandas-written wide Parquet gives
//! the agreement and decomposition of the long CSV of the same data; a wrong-typed column is
//! exit 2 naming file, column and row, with nothing imported. Without the `parquet` feature
//! such a file is refused with how to build a chameleon that reads it.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{ok, run, s};

#[cfg(feature = "parquet")]
use serde_json::Value;
#[cfg(feature = "parquet")]
use std::path::Path;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/fixtures/columnar")
        .join(name)
}

#[cfg(feature = "parquet")]
fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).expect("stdout is JSON")
}

/// Drops what names the input file, the only thing allowed to differ.
#[cfg(feature = "parquet")]
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

#[cfg(feature = "parquet")]
#[test]
fn pandas_wide_parquet_gives_the_numbers_of_the_long_csv() {
    let long = fixture("ratings_long.csv");
    let wide = fixture("wide_pandas.parquet");
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
        let c = json(&[
            verb,
            s(&fixture("long.feather")),
            "--json",
            "--bootstrap",
            "50",
            "--seed",
            "3",
        ]);
        assert_eq!(
            without_paths(c),
            without_paths(json(&[
                verb,
                s(&long),
                "--json",
                "--bootstrap",
                "50",
                "--seed",
                "3"
            ])),
            "{verb} feather"
        );
    }
}

#[cfg(feature = "parquet")]
#[test]
fn import_export_and_bad_types_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("s.db");
    ok(&["study", "new", s(&study)]);
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&fixture("wide_pandas.parquet")),
        "--wide",
    ]);
    let out = dir.path().join("out.parquet");
    ok(&["export", "ratings", s(&study), s(&out)]);
    let copy = dir.path().join("copy.db");
    ok(&["study", "new", s(&copy)]);
    ok(&["import", "ratings", s(&copy), s(&out)]);
    let csv = |st: &Path| {
        let text = String::from_utf8(ok(&["export", "ratings", s(st), "-"]).stdout).unwrap();
        let mut l: Vec<String> = text.lines().map(str::to_owned).collect();
        l.sort();
        l
    };
    assert_eq!(csv(&copy), csv(&study));
    assert_eq!(csv(&study).len(), 136);

    let empty = dir.path().join("e.db");
    ok(&["study", "new", s(&empty)]);
    let bad = fixture("bad_list.parquet");
    let out = run(&["import", "ratings", s(&empty), s(&bad), "--wide"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!("{}: row 2, column 'tags'", s(&bad))),
        "{err}"
    );
    assert_eq!(csv(&empty).len(), 1, "nothing imported");
    let out = run(&["agreement", s(&fixture("bad_text.parquet")), "--wide"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("row 3, column 'anger'"));
}

/// `sample bench --format parquet` (issue #17's benchmark input): the rows of the CSV it
/// writes for the same shape, so every analysis gives the same numbers from either.
#[cfg(feature = "parquet")]
#[test]
fn sample_bench_writes_parquet_with_the_numbers_of_its_csv() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bench.csv");
    let pq = dir.path().join("bench.parquet");
    let by_format = dir.path().join("bench.data");
    let shape = [
        "--persons",
        "40",
        "--dimensions",
        "2",
        "--seed",
        "5",
        "--context-pool",
        "9",
    ];
    ok(&[&["sample", "bench", s(&csv)], &shape[..]].concat());
    ok(&[&["sample", "bench", s(&pq)], &shape[..]].concat());
    ok(&[
        &["sample", "bench", s(&by_format), "--format", "parquet"],
        &shape[..],
    ]
    .concat());
    assert_eq!(&std::fs::read(&pq).unwrap()[..4], b"PAR1");
    assert_eq!(
        std::fs::read(&pq).unwrap(),
        std::fs::read(&by_format).unwrap()
    );
    let a = json(&["decompose", s(&csv), "--json"]);
    let b = json(&["decompose", s(&pq), "--json"]);
    assert_eq!(without_paths(a), without_paths(b));
    // Not a format sample bench writes: exit 2 before anything is written.
    let arrow = dir.path().join("bench.arrow");
    let out = run(&["sample", "bench", s(&arrow)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CSV or Parquet"));
    assert!(!arrow.exists());
}

#[cfg(not(feature = "parquet"))]
#[test]
fn without_the_feature_a_parquet_file_says_how_to_build() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("s.db");
    ok(&["study", "new", s(&study)]);
    for args in [
        vec!["agreement", s(&fixture("long_pyarrow.parquet"))],
        vec![
            "import",
            "ratings",
            s(&study),
            s(&fixture("wide_pandas.parquet")),
            "--wide",
        ],
    ] {
        let out = run(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("--features parquet"), "{err}");
    }
    let out = run(&[
        "export",
        "ratings",
        s(&study),
        s(&dir.path().join("x.parquet")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.path().join("x.parquet").exists());
    let out = run(&["sample", "bench", s(&dir.path().join("b.parquet"))]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--features parquet"), "{err}");
    assert!(!dir.path().join("b.parquet").exists());
}
