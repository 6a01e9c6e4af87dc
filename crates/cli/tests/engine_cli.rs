//! `chameleon decompose DATA --engine datafusion` (issue #17): the engine gives the same bits
//! whatever the partitioning (1, 3 or 7 partitions, a folder of Parquet files, a small memory
//! pool); against the in-memory decomposition on the lme4 fixtures and on generated data its
//! numbers agree to 1e-12 relative where no optimiser is involved (counts, `--method anova`)
//! and to the optimiser's accuracy (2e-6, floor 1e-3) for REML estimates (the optimiser stops at a point that moves with last-bit
//! differences of the sums, which are taken in a different order); bad Parquet columns are
//! exit 2 naming file and column. On a Ballista cluster (`--cluster`) the JSON is the local
//! engine's, bit for bit; an unreachable cluster is exit 2 naming its address.
#![cfg(feature = "engine")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/fixtures/decompose")
        .join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_chameleon"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?} must succeed: {err}");
    serde_json::from_str(&out).expect("stdout must be one JSON document")
}

/// Every number of `engine` that `memory` also has agrees to 1e-12 relative; arrays of rater
/// sensitivities are matched by rater name. Returns how many numbers were compared.
fn agree(path: &str, memory: &Value, engine: &Value, rel: f64) -> usize {
    match (memory, engine) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            let floor = if rel == EXACT { 0.0 } else { 1e-3 };
            let tol = rel * a.abs().max(b.abs()).max(floor);
            assert!((a - b).abs() <= tol, "{path}: in memory {a}, engine {b}");
            1
        }
        (Value::Object(a), Value::Object(b)) => b
            .iter()
            .filter_map(|(k, vb)| {
                a.get(k)
                    .map(|va| agree(&format!("{path}.{k}"), va, vb, rel))
            })
            .sum(),
        (Value::Array(a), Value::Array(b)) if path.ends_with("rater_sensitivity") => {
            assert_eq!(a.len(), b.len(), "{path}: the same raters");
            b.iter()
                .map(|vb| {
                    let va = a
                        .iter()
                        .find(|va| va["rater"] == vb["rater"])
                        .unwrap_or_else(|| panic!("{path}: rater {} in memory", vb["rater"]));
                    agree(&format!("{path}[{}]", vb["rater"]), va, vb, rel)
                })
                .sum()
        }
        (Value::Array(a), Value::Array(b)) => {
            assert_eq!(a.len(), b.len(), "{path}: lengths");
            a.iter()
                .zip(b)
                .enumerate()
                .map(|(i, (va, vb))| agree(&format!("{path}[{i}]"), va, vb, rel))
                .sum()
        }
        (a, b) => {
            assert_eq!(a, b, "{path}");
            0
        }
    }
}

/// The engine's dimensions against the in-memory ones, by name, to `rel` relative.
fn compare(memory: &Value, engine: &Value, rel: f64) {
    assert_eq!(engine["engine"], "datafusion");
    let mem = memory["dimensions"].as_array().unwrap();
    let eng = engine["dimensions"].as_array().unwrap();
    assert_eq!(mem.len(), eng.len(), "the same dimensions");
    for e in eng {
        let m = mem
            .iter()
            .find(|m| m["dimension"] == e["dimension"])
            .expect("the dimension in memory");
        let numbers = agree(e["dimension"].as_str().unwrap(), m, e, rel);
        assert!(numbers >= 5, "compared only {numbers} numbers");
        assert_eq!(m["warnings"], e["warnings"], "the same warnings");
    }
}

fn memory_json(path: &Path) -> Value {
    json(&["decompose", path.to_str().unwrap(), "--json"])
}

fn engine_json(path: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "decompose",
        path.to_str().unwrap(),
        "--engine",
        "datafusion",
        "--json",
    ];
    args.extend_from_slice(extra);
    json(&args)
}

/// REML estimates: the optimiser's accuracy, as against lme4's strict refits
/// (`prec::REML_STRICT_REL` with `COMPONENT_FLOOR`; measured: 5e-11 on the fixtures, 5e-7 on
/// the generated data's small rater share).
const REML: f64 = 2e-6;
/// Closed-form results.
const EXACT: f64 = 1e-12;

#[test]
fn fixtures_agree_with_memory_on_any_partitioning_issue17() {
    for name in [
        "balanced.csv",
        "unbalanced.csv",
        "tiny.csv",
        "boundary.csv",
        "edge_no_replication.csv",
    ] {
        let path = fixture(name);
        for (method, rel) in [("reml", REML), ("anova", EXACT)] {
            let memory = json(&[
                "decompose",
                path.to_str().unwrap(),
                "--json",
                "--method",
                method,
            ]);
            let first = engine_json(&path, &["--target-partitions", "1", "--method", method]);
            compare(&memory, &first, rel);
            for parts in ["3", "7"] {
                let engine =
                    engine_json(&path, &["--target-partitions", parts, "--method", method]);
                assert_eq!(
                    engine, first,
                    "{name} {method}: the same bits on {parts} partitions"
                );
            }
        }
    }
}

#[test]
fn generated_data_in_parquet_parts_agrees_with_memory_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bench.csv");
    let (code, _, err) = run(&[
        "sample",
        "bench",
        csv.to_str().unwrap(),
        "--persons",
        "300",
        "--dimensions",
        "3",
        "--seed",
        "7",
    ]);
    assert_eq!(code, 0, "{err}");
    let memory = memory_json(&csv);
    assert!(memory["dimensions"][0]["rater_level"].is_object());
    let parts = dir.path().join("parts");
    chameleon_engine::csv_to_parquet_parts(&csv, &parts, 4).unwrap();
    let files = std::fs::read_dir(&parts).unwrap().count();
    assert_eq!(files, 4, "four Parquet files");
    let first = engine_json(&csv, &["--target-partitions", "1"]);
    compare(&memory, &first, REML);
    for p in ["1", "3", "7"] {
        assert_eq!(
            engine_json(&csv, &["--target-partitions", p]),
            first,
            "CSV, {p} partitions"
        );
        assert_eq!(
            engine_json(&parts, &["--target-partitions", p]),
            first,
            "Parquet parts, {p}"
        );
    }
    // A memory pool far below the data: the aggregation spills and the bits stay.
    assert_eq!(
        engine_json(
            &parts,
            &["--memory-limit", "2M", "--target-partitions", "2"]
        ),
        first
    );
    let anova = json(&[
        "decompose",
        csv.to_str().unwrap(),
        "--json",
        "--method",
        "anova",
    ]);
    compare(&anova, &engine_json(&parts, &["--method", "anova"]), EXACT);
}

#[test]
fn bad_parquet_columns_are_exit_2_naming_file_and_column_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    std::fs::write(
        &csv,
        "person,context,rater,dimension,score\np1,c1,r1,d,1\np1,c2,r2,d,2\n",
    )
    .unwrap();
    let parts = dir.path().join("parts");
    chameleon_engine::csv_to_parquet_parts(&csv, &parts, 1).unwrap();
    let (code, out, err) = run(&[
        "decompose",
        parts.to_str().unwrap(),
        "--engine",
        "datafusion",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains(".parquet") && err.contains("'value'"), "{err}");
    // A text value column.
    let csv2 = dir.path().join("t.csv");
    std::fs::write(
        &csv2,
        "person,context,rater,dimension,value\np1,c1,r1,d,high\np1,c2,r2,d,low\n",
    )
    .unwrap();
    let parts2 = dir.path().join("parts2");
    chameleon_engine::csv_to_parquet_parts(&csv2, &parts2, 1).unwrap();
    let (code, _, err) = run(&[
        "decompose",
        parts2.to_str().unwrap(),
        "--engine",
        "datafusion",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'value'") && err.contains("Utf8"), "{err}");
    // An unreadable memory limit is bad input too.
    let (code, _, err) = run(&[
        "decompose",
        csv2.to_str().unwrap(),
        "--engine",
        "datafusion",
        "--memory-limit",
        "lots",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lots"), "{err}");
}

/// `--cluster` (issue #17, Ballista): a scheduler and two executors in this test's process
/// (`StandaloneCluster`, the same code as `chameleon-scheduler` and `chameleon-executor`) give
/// the local engine's JSON bit for bit, on CSV and on Parquet parts, at any partitioning.
#[test]
fn a_cluster_of_two_executors_gives_the_local_bits_issue17() {
    let cluster = chameleon_engine::cluster::StandaloneCluster::start(2, 2).unwrap();
    let url = cluster.url();
    for name in ["unbalanced.csv", "boundary.csv"] {
        let path = fixture(name);
        for method in ["reml", "anova"] {
            let local = engine_json(&path, &["--method", method]);
            for parts in ["1", "4"] {
                let remote = engine_json(
                    &path,
                    &[
                        "--method",
                        method,
                        "--cluster",
                        &url,
                        "--target-partitions",
                        parts,
                    ],
                );
                assert_eq!(remote, local, "{name} {method}, {parts} partitions");
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bench.csv");
    let (code, _, err) = run(&[
        "sample",
        "bench",
        csv.to_str().unwrap(),
        "--persons",
        "120",
        "--dimensions",
        "2",
        "--seed",
        "11",
    ]);
    assert_eq!(code, 0, "{err}");
    let parts = dir.path().join("parts");
    chameleon_engine::csv_to_parquet_parts(&csv, &parts, 3).unwrap();
    let local = engine_json(&csv, &[]);
    let remote = engine_json(&parts, &["--cluster", &url, "--target-partitions", "3"]);
    assert_eq!(remote, local, "Parquet parts on the cluster");
    compare(&memory_json(&csv), &remote, REML);
}

/// A cluster address that is malformed, closed, or answered by something that is no
/// scheduler: exit 2, the address named, nothing on stdout.
#[test]
fn an_unreachable_cluster_is_exit_2_naming_it_issue17() {
    let path = fixture("tiny.csv");
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    // Accepts and hangs up at once, as a wrong service or a firewall's reset would.
    let rude = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let rude_port = rude.local_addr().unwrap().port();
    std::thread::spawn(move || rude.incoming().take(64).for_each(drop));
    for url in [
        format!("df://127.0.0.1:{closed}"),
        format!("df://127.0.0.1:{rude_port}"),
        "127.0.0.1:50050".to_owned(),
        "df://127.0.0.1".to_owned(),
    ] {
        let (code, out, err) = run(&[
            "decompose",
            path.to_str().unwrap(),
            "--engine",
            "datafusion",
            "--cluster",
            &url,
            "--json",
        ]);
        assert_eq!(code, 2, "{url}: {err}");
        assert!(out.is_empty(), "{url}: nothing on stdout");
        assert!(err.contains(&url), "{url}: {err}");
    }
}
