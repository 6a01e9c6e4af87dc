//! `chameleon decompose DATA --engine datafusion` (issue #17): the engine gives the same bits
//! whatever the partitioning (1, 3 or 7 partitions, a folder of Parquet files, a small memory
//! pool); against the in-memory decomposition on the lme4 fixtures and on generated data every
//! number, REML's included, agrees to 1e-12 relative (both number persons, profiles and raters
//! in name order and sum replicates in value order); bad Parquet columns are
//! exit 2 naming file and column. On a Ballista cluster (`--cluster`) the JSON is the local
//! engine's, bit for bit; an unreachable cluster is exit 2 naming its address. The Poisson
//! bootstrap (`--bootstrap N`) gives the same intervals on any partitioning and on the cluster,
//! and agrees with the in-memory multinomial bootstrap within Monte-Carlo error.
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

/// Every key of `engine` is one of `memory`'s and its numbers agree to `rel` relative; arrays of
/// rater sensitivities are matched by rater name. Returns how many numbers were compared.
fn agree(path: &str, memory: &Value, engine: &Value, rel: f64) -> usize {
    match (memory, engine) {
        (Value::Number(a), Value::Number(b)) => {
            let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
            let floor = if rel == EXACT { 0.0 } else { 1e-3 };
            let tol = rel * a.abs().max(b.abs()).max(floor);
            assert!((a - b).abs() <= tol, "{path}: in memory {a}, engine {b}");
            1
        }
        // The same keys as in memory (DESIGN.md's contract), not only the same numbers.
        (Value::Object(a), Value::Object(b)) => b
            .iter()
            .map(|(k, vb)| {
                let va = (a.get(k)).unwrap_or_else(|| panic!("{path}.{k}: not in memory's JSON"));
                agree(&format!("{path}.{k}"), va, vb, rel)
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

/// `chameleon decompose PATH --engine datafusion EXTRA…`.
fn run_engine(path: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "decompose",
        path.to_str().unwrap(),
        "--engine",
        "datafusion",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn engine_json(path: &Path, extra: &[&str]) -> Value {
    let (code, out, err) = run_engine(path, &[&["--json"][..], extra].concat());
    assert_eq!(code, 0, "{extra:?} must succeed: {err}");
    serde_json::from_str(&out).expect("stdout must be one JSON document")
}

/// Every number, REML's included: both paths number persons, profiles and raters in name order
/// and sum a cell's replicates in value order, so their designs, and so the optimiser's path,
/// are the same bits.
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
        for method in ["reml", "anova"] {
            let memory = json(&[
                "decompose",
                path.to_str().unwrap(),
                "--json",
                "--method",
                method,
            ]);
            let first = engine_json(&path, &["--target-partitions", "1", "--method", method]);
            compare(&memory, &first, EXACT);
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
    compare(&memory, &first, EXACT);
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
    let (code, out, err) = run_engine(&parts, &[]);
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
    let (code, _, err) = run_engine(&parts2, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'value'") && err.contains("Utf8"), "{err}");
    // An unreadable memory limit is bad input too.
    let (code, _, err) = run_engine(&csv2, &["--memory-limit", "lots"]);
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
    compare(&memory_json(&csv), &remote, EXACT);
    // The Poisson bootstrap: the cluster's intervals are the local ones, bit for bit.
    let boot = ["--bootstrap", "50", "--seed", "4"];
    let local = engine_json(&csv, &boot);
    assert_eq!(local["bootstrap"]["method"], "poisson");
    let mut args = boot.to_vec();
    args.extend(["--cluster", &url, "--target-partitions", "3"]);
    assert_eq!(
        engine_json(&parts, &args),
        local,
        "bootstrap on the cluster"
    );
}

/// Bench data (`chameleon sample bench`: persons × 3 contexts × 3 of 12 raters).
fn bench(dir: &Path, persons: &str, dimensions: &str, seed: &str) -> PathBuf {
    let csv = dir.join("bench.csv");
    let (code, _, err) = run(&[
        "sample",
        "bench",
        csv.to_str().unwrap(),
        "--persons",
        persons,
        "--dimensions",
        dimensions,
        "--seed",
        seed,
    ]);
    assert_eq!(code, 0, "{err}");
    csv
}

/// Every interval of a dimension's `ci` (`profile_level`, `rater_level`) and each rater's, by
/// name.
fn intervals(d: &Value) -> Vec<(String, [f64; 2])> {
    let pair = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
    let mut out = Vec::new();
    for level in ["profile_level", "rater_level"] {
        for (k, v) in d["ci"][level].as_object().unwrap() {
            out.push((format!("{level}.{k}"), pair(v)));
        }
    }
    for s in d["rater_sensitivity"].as_array().unwrap() {
        if !s["ci"].is_null() {
            out.push((format!("rater {}", s["rater"]), pair(&s["ci"])));
        }
    }
    // Raters by name (in memory they come in order of appearance).
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The Poisson bootstrap (`--engine datafusion --bootstrap N`, issue #17) gives the same
/// intervals, bit for bit, on one CSV and on four Parquet files, at 1 and 4 partitions: a
/// person's weight is keyed by its id, not by where its rows arrive.
#[test]
fn the_poisson_bootstrap_is_the_same_on_any_partitioning_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let csv = bench(dir.path(), "200", "2", "5");
    let parts = dir.path().join("parts");
    chameleon_engine::csv_to_parquet_parts(&csv, &parts, 4).unwrap();
    let boot = ["--bootstrap", "100", "--seed", "9"];
    let first = engine_json(&csv, &[&boot[..], &["--target-partitions", "1"]].concat());
    let b = &first["bootstrap"];
    assert_eq!(b["method"], "poisson");
    assert_eq!(b["resamples"], 100);
    assert_eq!(b["seed"], 9);
    assert!(b["pooled_ci"]["trait_share"].is_array(), "{b}");
    for d in first["dimensions"].as_array().unwrap() {
        let ci = &d["ci"];
        assert_eq!(ci["resamples"], 100);
        assert_eq!(ci["failed_profile_level"], 0);
        let [lo, hi] = [
            ci["trait_share"][0].as_f64().unwrap(),
            ci["trait_share"][1].as_f64().unwrap(),
        ];
        let share = d["profile_level"]["trait_share"].as_f64().unwrap();
        assert!(lo < share && share < hi, "{lo} < {share} < {hi}");
        assert!(intervals(d).len() > 17, "every statistic has an interval");
    }
    for (path, p) in [(&csv, "4"), (&parts, "1"), (&parts, "4")] {
        let again = engine_json(path, &[&boot[..], &["--target-partitions", p]].concat());
        assert_eq!(again, first, "{} on {p} partitions", path.display());
    }
    // Another seed, other intervals; the point estimates stay those without a bootstrap.
    let other = engine_json(&csv, &["--bootstrap", "100", "--seed", "10"]);
    assert_ne!(other["dimensions"][0]["ci"], first["dimensions"][0]["ci"]);
    let plain = engine_json(&csv, &[]);
    assert_eq!(
        plain["dimensions"][0]["profile_level"],
        first["dimensions"][0]["profile_level"]
    );
    // `--bootstrap 0` is no bootstrap, as in memory.
    assert_eq!(engine_json(&csv, &["--bootstrap", "0"]), plain);
}

/// The Poisson bootstrap against the in-memory multinomial person bootstrap on
/// Chameleon-scale data (`chameleon sample bench`: 1,667 persons × 3 contexts × 3 of 12
/// raters, one dimension), N = 1,000 resamples each: every interval endpoint (profile and
/// rater level, each rater's state share, the pooled shares) within 4 Monte-Carlo SEs of the
/// difference of two independent bootstraps. For a roughly normal statistic a 2.5 % or 97.5 %
/// endpoint has an MC SE of `√(p(1−p)/N) / φ(1.96) · σ ≈ 0.68 · width / √N` (`width` = 3.92 σ),
/// so the difference of two bootstraps `0.96 · width / √N`; required within 4 of those,
/// `0.12 · width` at N = 1,000 (measured: at most 0.057 · width). A Poisson(2) weight (intervals
/// narrower by √2: each endpoint 0.15 · width inside) fails. Standard errors are compared in
/// `chameleon-stats` (`poisson_and_multinomial_bootstraps_agree_within_monte_carlo_error`).
#[test]
fn the_poisson_bootstrap_agrees_with_the_multinomial_one_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let csv = bench(dir.path(), "1667", "1", "3");
    let boot = ["--bootstrap", "1000", "--seed", "1"];
    let memory = json(
        &[
            &["decompose", csv.to_str().unwrap(), "--json"][..],
            &boot[..],
        ]
        .concat(),
    );
    let engine = engine_json(&csv, &boot);
    let n = 1000f64;
    let tol = 4.0 * 0.96 / n.sqrt();
    let (m, e) = (&memory["dimensions"][0], &engine["dimensions"][0]);
    let (mi, ei) = (intervals(m), intervals(e));
    assert_eq!(mi.len(), ei.len(), "the same intervals");
    assert!(mi.len() >= 17 + 12, "every statistic and rater");
    let pooled = |name: &str| {
        let get = |v: &Value| [v[0].as_f64().unwrap(), v[1].as_f64().unwrap()];
        (
            name.to_owned(),
            get(&memory["pooled"]["ci"][name]),
            get(&engine["bootstrap"]["pooled_ci"][name]),
        )
    };
    let pooled = [pooled("trait_share"), pooled("state_share")];
    let mut worst = 0.0f64;
    for (name, a, b) in mi
        .iter()
        .zip(&ei)
        .map(|((na, a), (nb, b))| {
            assert_eq!(na, nb);
            (na.clone(), *a, *b)
        })
        .chain(pooled)
    {
        let width = ((a[1] - a[0]) + (b[1] - b[0])) / 2.0;
        if width == 0.0 {
            // A share at its boundary in every resample (none in these data).
            assert_eq!(a, b, "{name}");
            continue;
        }
        for k in 0..2 {
            let off = (a[k] - b[k]).abs() / width;
            worst = worst.max(off);
            assert!(
                off <= tol,
                "{name}: endpoint {k}: multinomial {a:?}, Poisson {b:?} ({off:.3} widths apart)"
            );
        }
    }
    assert!(worst > 0.0, "two different bootstraps");
    assert_eq!(e["ci"]["failed_profile_level"], 0);
    assert_eq!(e["ci"]["failed_rater_level"], 0);
}

/// Bad input to the bootstrap: a resample count out of range, or data with nothing to
/// resample: exit 2, nothing on stdout. Data so small that Poisson resamples weigh fewer than
/// two persons: those resamples are counted as failed, with a warning.
#[test]
fn bootstrap_bad_input_is_exit_2_and_failed_resamples_are_counted_issue17() {
    let tiny = fixture("tiny.csv");
    for n in ["1", "100001", "lots"] {
        let (code, out, err) = run_engine(&tiny, &["--bootstrap", n]);
        assert_eq!(code, 2, "--bootstrap {n}: {err}");
        assert!(out.is_empty(), "--bootstrap {n}: nothing on stdout");
        assert!(err.contains("--bootstrap"), "{err}");
    }
    // One profile per person: no dimension can be decomposed, nothing to resample.
    let none = fixture("edge_no_replication.csv");
    let (code, out, err) = run_engine(&none, &["--bootstrap", "100"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("--bootstrap") && err.contains("nothing to resample"),
        "{err}"
    );
    // Two persons: a Poisson resample weighs both with probability (1 − e^-1)² = 0.40.
    let (code, out, err) = run_engine(&tiny, &["--bootstrap", "200", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let ci = &v["dimensions"][0]["ci"];
    let failed = ci["failed_profile_level"].as_u64().unwrap();
    assert!((90..=150).contains(&failed), "{failed} of 200 failed");
    assert_eq!(ci["caution"]["rule"], "clusters_for_interval");
    assert!(
        err.contains("Poisson bootstrap: ") && err.contains(&format!("{failed} of 200")),
        "{err}"
    );
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
        let (code, out, err) = run_engine(&path, &["--cluster", &url, "--json"]);
        assert_eq!(code, 2, "{url}: {err}");
        assert!(out.is_empty(), "{url}: nothing on stdout");
        assert!(err.contains(&url), "{url}: {err}");
    }
}

/// Every ratings CSV the agreement tests use: the reference-tool fixtures and the published
/// examples (`unit,rater,value`), and files of `person,context,rater,dimension,value` (the
/// decomposition's fixtures, several dimensions in one file).
fn agreement_fixtures() -> Vec<PathBuf> {
    let stats = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures");
    let mut out: Vec<PathBuf> = std::fs::read_dir(stats.join("agreement"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    out.sort();
    assert_eq!(out.len(), 8, "the agreement fixtures");
    for r in [
        "krippendorff2011",
        "cohen_example",
        "fleiss_example",
        "shrout_fleiss",
    ] {
        out.push(stats.join("reference").join(r).join("data.csv"));
    }
    for d in ["unbalanced.csv", "tiny.csv", "boundary.csv"] {
        out.push(fixture(d));
    }
    out.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../core/tests/fixtures/columnar/ratings_long.csv"),
    );
    out
}

fn agreement_engine(path: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec![
        "agreement",
        path.to_str().unwrap(),
        "--engine",
        "datafusion",
    ];
    args.extend_from_slice(extra);
    run(&args)
}

fn agreement_engine_json(path: &Path, extra: &[&str]) -> Value {
    let (code, out, err) = agreement_engine(path, &[&["--json"][..], extra].concat());
    assert_eq!(code, 0, "{} {extra:?} must succeed: {err}", path.display());
    serde_json::from_str(&out).expect("stdout must be one JSON document")
}

/// The engine's alphas and counts against `chameleon agreement --json` (default rater
/// selection on both), dimension by dimension: alpha to 1e-12 relative, the rest exactly.
fn compare_agreement(name: &str, memory: &Value, engine: &Value) -> usize {
    assert_eq!(engine["engine"], "datafusion");
    let mem = memory["dimensions"].as_array().unwrap();
    let eng = engine["dimensions"].as_array().unwrap();
    assert_eq!(mem.len(), eng.len(), "{name}: the same dimensions");
    let mut alphas = 0;
    for e in eng {
        let m = mem
            .iter()
            .find(|m| m["dimension"] == e["dimension"])
            .unwrap_or_else(|| panic!("{name}: dimension {} in memory", e["dimension"]));
        let at = format!("{name} {}", e["dimension"]);
        for k in [
            "units",
            "raters",
            "ratings",
            "pairable_units",
            "level",
            "caution",
        ] {
            assert_eq!(m[k], e[k], "{at}: {k}");
        }
        for level in ["nominal", "ordinal", "interval", "ratio"] {
            let (a, b) = (&m["alpha"][level], &e["alpha"][level]);
            match (a.as_f64(), b.as_f64()) {
                (Some(a), Some(b)) => {
                    assert!(
                        (a - b).abs() <= EXACT * a.abs().max(b.abs()),
                        "{at}: alpha {level}: in memory {a:e}, engine {b:e}"
                    );
                    alphas += 1;
                }
                _ => assert_eq!(a, b, "{at}: alpha {level} null on both"),
            }
        }
    }
    let set = |v: &Value| {
        let mut names: Vec<String> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                x.as_str()
                    .map_or_else(|| x["name"].to_string(), str::to_owned)
            })
            .collect();
        names.sort();
        names
    };
    let (mr, er) = (&memory["raters"], &engine["raters"]);
    assert_eq!(mr["selection"], er["selection"], "{name}: rater selection");
    assert_eq!(
        set(&mr["included"]),
        set(&er["included"]),
        "{name}: raters in"
    );
    assert_eq!(
        set(&mr["excluded"]),
        set(&er["excluded"]),
        "{name}: raters out"
    );
    alphas
}

/// `chameleon agreement DATA --engine datafusion` (issue #17): on every agreement fixture
/// Krippendorff's alpha at the four levels equals the in-memory `chameleon agreement --json`
/// to 1e-12 relative (with the same units, raters, ratings, level and rater selection), and
/// the engine gives the same bits on 1, 2 and 7 partitions and from Parquet parts.
#[test]
fn agreement_alpha_agrees_with_memory_on_every_fixture_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let mut alphas = 0;
    for (i, path) in agreement_fixtures().into_iter().enumerate() {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let memory = json(&["agreement", path.to_str().unwrap(), "--json"]);
        let first = agreement_engine_json(&path, &["--target-partitions", "1"]);
        alphas += compare_agreement(&name, &memory, &first);
        for parts in ["2", "7"] {
            let again = agreement_engine_json(&path, &["--partitions", parts]);
            assert_eq!(again, first, "{name}: the same bits on {parts} partitions");
        }
        let parquet = dir.path().join(format!("parts-{i}"));
        chameleon_engine::csv_to_parquet_parts(&path, &parquet, 3).unwrap();
        for parts in ["1", "7"] {
            let from_parquet = agreement_engine_json(&parquet, &["--partitions", parts]);
            assert_eq!(
                from_parquet, first,
                "{name}: Parquet parts, {parts} partitions"
            );
        }
    }
    assert!(alphas >= 12 * 4, "compared only {alphas} alphas");
}

/// The engine's own options and refusals: one dimension (case-insensitively, as in memory),
/// a rater selection, the text output, and what only the in-memory path computes (exit 2,
/// saying what to use instead).
#[test]
fn agreement_engine_options_and_refusals_issue17() {
    let path = fixture("unbalanced.csv");
    let p = path.to_str().unwrap();
    let all = agreement_engine_json(&path, &[]);
    let dim = all["dimensions"][0]["dimension"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = agreement_engine_json(&path, &["--dimension", &dim.to_uppercase()]);
    assert_eq!(one["dimensions"].as_array().unwrap().len(), 1);
    compare_agreement(
        "one dimension",
        &json(&["agreement", p, "--json", "--dimension", &dim]),
        &one,
    );
    let rated = json(&["agreement", p, "--json", "--min-ratings", "0"]);
    compare_agreement(
        "--min-ratings 0",
        &rated,
        &agreement_engine_json(&path, &["--min-ratings", "0"]),
    );
    let (code, out, err) = agreement_engine(&path, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("α interval") && out.contains("datafusion"),
        "{out}"
    );
    for (extra, what) in [
        (&["--bootstrap", "100"][..], "--bootstrap"),
        (&["--kappa-weights", "rank"][..], "--kappa-weights"),
        (&["--dimension", "nope"][..], "no dimension named 'nope'"),
        (&["--raters", "nobody"][..], "no rater named 'nobody'"),
        (&["--memory-limit", "lots"][..], "lots"),
    ] {
        let (code, out, err) = agreement_engine(&path, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(out.is_empty(), "{extra:?}: nothing on stdout");
        assert!(err.contains(what), "{extra:?}: {err}");
    }
    let (_, _, err) = agreement_engine(&path, &["--bootstrap", "100"]);
    assert!(err.contains("without --engine"), "says what to use: {err}");
}

/// Bad input to `agreement --engine`: a missing or mistyped column names file and column, a
/// rater who rates a unit twice names the unit, exit 2 and nothing on stdout.
#[test]
fn agreement_bad_input_is_exit_2_naming_file_and_column_issue17() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let no_value = write("nv.csv", "unit,rater,score\nu1,a,1\nu1,b,2\n");
    let (code, out, err) = agreement_engine(&no_value, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("nv.csv") && err.contains("'value'"), "{err}");
    let no_unit = write("nu.csv", "rater,value\na,1\nb,2\n");
    let (code, _, err) = agreement_engine(&no_unit, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("nu.csv") && err.contains("'person'"), "{err}");
    // A text value column in Parquet.
    let text = write("t.csv", "unit,rater,value\nu1,a,high\nu1,b,low\n");
    let parts = dir.path().join("parts");
    chameleon_engine::csv_to_parquet_parts(&text, &parts, 1).unwrap();
    let (code, out, err) = agreement_engine(&parts, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(".parquet") && err.contains("'value'") && err.contains("Utf8"),
        "{err}"
    );
    let twice = write(
        "d.csv",
        "unit,rater,value\nu1,a,1\nu1,a,2\nu2,a,1\nu2,b,1\n",
    );
    let (code, out, err) = agreement_engine(&twice, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("duplicate rating: u1 by rater 'a'"), "{err}");
    // Without a rater column every alpha is null, with the in-memory reason.
    let no_rater = write("nr.csv", "unit,value\nu1,1\nu1,2\nu2,3\n");
    let memory = json(&["agreement", no_rater.to_str().unwrap(), "--json"]);
    let (code, out, err) = agreement_engine(&no_rater, &["--json"]);
    assert_eq!(code, 0, "{err}");
    let engine: Value = serde_json::from_str(&out).unwrap();
    compare_agreement("no rater", &memory, &engine);
    assert!(err.contains("no rater column"), "{err}");
}

/// `agreement --engine datafusion --cluster`: the same plan on a Ballista cluster of two
/// executors gives the local JSON bit for bit.
#[test]
fn agreement_on_a_cluster_gives_the_local_bits_issue17() {
    let cluster = chameleon_engine::cluster::StandaloneCluster::start(2, 2).unwrap();
    let url = cluster.url();
    let dir = tempfile::tempdir().unwrap();
    for (i, path) in agreement_fixtures().into_iter().step_by(4).enumerate() {
        let local = agreement_engine_json(&path, &[]);
        let remote = agreement_engine_json(&path, &["--cluster", &url, "--partitions", "3"]);
        assert_eq!(remote, local, "{}", path.display());
        let parts = dir.path().join(format!("p{i}"));
        chameleon_engine::csv_to_parquet_parts(&path, &parts, 2).unwrap();
        let remote = agreement_engine_json(&parts, &["--cluster", &url]);
        assert_eq!(remote, local, "{} from Parquet", path.display());
    }
    let (code, _, err) = agreement_engine(
        &fixture("tiny.csv"),
        &["--cluster", &url, "--memory-limit", "1G"],
    );
    assert_eq!(code, 2, "{err}");
}

/// What `decompose --engine` cannot do, an engine it does not have, `--memory-limit` with
/// `--cluster`, and a memory limit below one batch of the query: exit 2 (the user's to fix),
/// saying what to do, nothing on stdout.
#[test]
fn decompose_engine_refusals_are_bad_input_issue17() {
    let path = fixture("unbalanced.csv");
    for (extra, what) in [
        (&["--wide"][..], "without --engine"),
        (
            &["--model", "value ~ 1 + (1|person)"][..],
            "does not support --model",
        ),
        (&["--memory-limit", "lots"][..], "lots"),
        (
            &["--memory-limit", "1K"][..],
            "--memory-limit 1 KiB is too small",
        ),
        (
            &["--memory-limit", "8M", "--cluster", "df://127.0.0.1:1"][..],
            "give each executor its own",
        ),
    ] {
        let (code, out, err) = run_engine(&path, extra);
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert!(out.is_empty(), "{extra:?}: nothing on stdout");
        assert!(err.contains(what), "{extra:?}: {err}");
    }
    let p = path.to_str().unwrap();
    let (code, out, err) = run(&["decompose", p, "--engine", "polars"]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    assert!(err.contains("possible values: datafusion"), "{err}");
    let (code, _, err) = run(&[
        "agreement",
        p,
        "--engine",
        "datafusion",
        "--memory-limit",
        "1K",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("too small for this query"), "{err}");
}
