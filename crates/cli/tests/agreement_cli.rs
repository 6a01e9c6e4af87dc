//! `chameleon agreement` end to end: the published reference examples (copied from
//! shared/reference into crates/stats/tests/fixtures/reference so CI needs nothing outside the
//! repository), the JSON contract, the table, a study, exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
}

fn reference(case: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/fixtures/reference")
        .join(case)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run chameleon")
}

fn json_of(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn expected(case: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(reference(case).join("expected.json")).unwrap())
        .unwrap()
}

/// Published digits: within half a unit of the last printed decimal.
fn assert_published(what: &str, got: f64, published: &Value) {
    let text = published.to_string();
    let decimals = text.split('.').nth(1).map_or(0, str::len) as i32;
    assert!(
        (got - published.as_f64().unwrap()).abs() <= 0.5 * 10f64.powi(-decimals) + 1e-12,
        "{what}: {got} does not print as the published {text}"
    );
}

fn assert_reference(what: &str, got: f64, want: &Value, tol: &Value) {
    let (want, tol) = (want.as_f64().unwrap(), tol.as_f64().unwrap());
    assert!(
        (got - want).abs() <= tol,
        "{what}: {got} vs reference {want} (tol {tol})"
    );
}

#[test]
fn krippendorff_2011_prints_published_alphas() {
    let exp = expected("krippendorff2011");
    let v = json_of(&[
        "agreement",
        s(&reference("krippendorff2011").join("data.csv")),
        "--json",
        // Every rater of the published example, including the one with fewer than 10.
        "--min-ratings",
        "0",
    ]);
    let d = &v["dimensions"][0];
    for level in ["nominal", "ordinal", "interval", "ratio"] {
        let got = d["alpha"][level].as_f64().expect("alpha is computable");
        assert_published(&format!("alpha {level}"), got, &exp["published"][level]);
        assert_reference(
            &format!("alpha {level}"),
            got,
            &exp["alpha"][level],
            &exp["tol"],
        );
    }
    assert_eq!(d["units"], 12, "12 units, one of them with a single rating");
    assert_eq!(d["raters"], 4);
    assert_eq!(d["ratings"], 41);
    // The table shows the published digits too.
    let out = run(&[
        "agreement",
        s(&reference("krippendorff2011").join("data.csv")),
        "--min-ratings",
        "0",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    for shown in ["0.743", "0.815", "0.849", "0.797"] {
        assert!(
            text.contains(shown),
            "table must show alpha {shown}:\n{text}"
        );
    }
}

#[test]
fn shrout_fleiss_prints_published_iccs() {
    let exp = expected("shrout_fleiss");
    let v = json_of(&[
        "agreement",
        s(&reference("shrout_fleiss").join("data.csv")),
        "--json",
    ]);
    let d = &v["dimensions"][0];
    assert_eq!(d["icc_method"], "anova", "complete 6 × 4 design");
    for form in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
        let got = d["icc"][form].as_f64().expect("ICC is computable");
        assert_published(form, got, &exp["published"][form]);
        assert_reference(form, got, &exp["icc"][form], &exp["tol"]);
    }
    let text = String::from_utf8(
        run(&["agreement", s(&reference("shrout_fleiss").join("data.csv"))]).stdout,
    )
    .unwrap();
    // Six targets are below the minimum-n rule for units (issue #15): the JSON keeps the
    // published values, the table says why they are not results.
    assert_eq!(d["caution"]["rule"], "units");
    assert!(
        text.contains("too few data (n = 6)") && !text.contains("0.166"),
        "table shows the caution:\n{text}"
    );
}

#[test]
fn fleiss_example_prints_published_kappa() {
    let exp = expected("fleiss_example");
    let v = json_of(&[
        "agreement",
        s(&reference("fleiss_example").join("data.csv")),
        "--json",
    ]);
    let got = v["dimensions"][0]["fleiss_kappa"]
        .as_f64()
        .expect("computable");
    assert_published("Fleiss kappa", got, &exp["published"]["fleiss_kappa"]);
    assert_reference("Fleiss kappa", got, &exp["fleiss_kappa"], &exp["tol"]);
    assert_eq!(v["dimensions"][0]["fleiss_form"], "classic");
}

#[test]
fn cohen_example_prints_published_kappa() {
    let exp = expected("cohen_example");
    let v = json_of(&[
        "agreement",
        s(&reference("cohen_example").join("data.csv")),
        "--json",
    ]);
    let pairs = v["dimensions"][0]["pairs"].as_array().unwrap();
    assert_eq!(pairs.len(), 1);
    assert_eq!(pairs[0]["units"], 50);
    let got = pairs[0]["kappa"].as_f64().unwrap();
    assert_published("Cohen kappa", got, &exp["published"]["kappa"]);
    assert_reference("Cohen kappa", got, &exp["kappa"], &exp["tol"]);
    assert_eq!(
        v["dimensions"][0]["percent_agreement"], 70.0,
        "35 of 50 items agree"
    );
}

#[test]
fn json_carries_every_contract_key() {
    let v = json_of(&[
        "agreement",
        s(&reference("shrout_fleiss").join("data.csv")),
        "--json",
    ]);
    let top: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        top,
        vec!["dimensions", "raters"],
        "the top level holds 'dimensions' and the rater choice"
    );
    let d = v["dimensions"][0].as_object().unwrap();
    for k in [
        "dimension",
        "units",
        "raters",
        "ratings",
        "alpha",
        "fleiss_kappa",
        "icc",
        "percent_agreement",
        "pairs",
    ] {
        assert!(d.contains_key(k), "missing contract key {k}");
    }
    // Nested objects hold exactly the contract keys (compared as sets: serde_json sorts keys).
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |xs: &[&str]| {
        let mut k: Vec<String> = xs.iter().map(|x| x.to_string()).collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(&d["alpha"]),
        sorted(&["nominal", "ordinal", "interval", "ratio"])
    );
    assert_eq!(
        keys(&d["icc"]),
        sorted(&["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"])
    );
    assert_eq!(
        keys(&d["pairs"][0]),
        sorted(&[
            "a",
            "b",
            // 6 shared units: below the minimum-n rule for a pair (issue #15).
            "caution",
            "units",
            "kappa",
            "kappa_linear",
            "kappa_quadratic"
        ])
    );
    assert_eq!(d["pairs"].as_array().unwrap().len(), 6, "4 judges: 6 pairs");
}

#[test]
fn rotating_design_dimension_filter_and_nulls() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    // Two dimensions; raters rotate (each profile rated by two of three raters);
    // 'flat' has one value only, so its alphas are undefined (null + reason on stderr).
    let mut csv = String::from("person,context,rater,dimension,value\n");
    let raters = ["ann", "bob", "cy"];
    for i in 0..12 {
        for k in 0..2 {
            let r = raters[(i + k) % 3];
            let v = 1 + (i * 7 + k * (i % 2)) % 5;
            csv.push_str(&format!("p{},c{},{r},warmth,{v}\n", i / 3, i % 3));
            csv.push_str(&format!("p{},c{},{r},flat,3\n", i / 3, i % 3));
        }
    }
    std::fs::write(&p, csv).unwrap();
    let out = run(&["agreement", s(&p), "--json"]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let dims = v["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 2);
    let flat = dims.iter().find(|d| d["dimension"] == "flat").unwrap();
    assert!(
        flat["alpha"]["interval"].is_null(),
        "one value: alpha is null"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("flat") && err.contains("alpha"),
        "reason on stderr: {err}"
    );
    let warmth = dims.iter().find(|d| d["dimension"] == "warmth").unwrap();
    assert_eq!(
        warmth["icc_method"], "variance-components-reml",
        "rotating pool is incomplete: REML variance components"
    );
    assert_eq!(warmth["pairs"].as_array().unwrap().len(), 3);
    for p in warmth["pairs"].as_array().unwrap() {
        assert_eq!(p["units"], 4, "each pair shares 4 of the 12 profiles");
    }
    let one = json_of(&["agreement", s(&p), "--json", "--dimension", "WARMTH"]);
    assert_eq!(
        one["dimensions"].as_array().unwrap().len(),
        1,
        "--dimension keeps one"
    );
    let missing = run(&["agreement", s(&p), "--dimension", "nope"]);
    assert!(
        !missing.status.success(),
        "an unknown dimension is an error"
    );
}

#[test]
fn bootstrap_is_seeded_and_thread_independent() {
    let data = reference("krippendorff2011").join("data.csv");
    let args = [
        "agreement",
        s(&data),
        "--json",
        "--bootstrap",
        "200",
        "--seed",
        "7",
    ];
    let with = |threads: &str| {
        let out = bin()
            .args(args)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let (a, b) = (with("1"), with("2"));
    assert_eq!(a, b, "same seed, 1 vs 2 threads: identical output");
    let v: Value = serde_json::from_slice(&a).unwrap();
    let ci = &v["dimensions"][0]["ci"]["alpha"]["interval"];
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    let point = v["dimensions"][0]["alpha"]["interval"].as_f64().unwrap();
    assert!(
        lo < point && point < hi,
        "interval [{lo}, {hi}] must contain {point}"
    );
}

#[test]
fn bad_csv_exits_2_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.csv");
    std::fs::write(&p, "unit,rater,value\na,x,1\na,y,notanumber\n").unwrap();
    let out = run(&["agreement", s(&p), "--json"]);
    assert_eq!(out.status.code(), Some(2), "bad input is exit code 2");
    assert!(out.stdout.is_empty(), "nothing on stdout for bad input");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("line 3"),
        "names file and line: {err}"
    );
}

#[test]
fn kappa_weights_rank_matches_r_psych() {
    // scripts/reference/agreement/psych_kappa.R (issue 11, item 22).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/reference/agreement");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("psych_kappa.json")).unwrap())
            .unwrap();
    let csv = dir.join("psych_kappa.csv");
    let got = json_of(&["agreement", s(&csv), "--kappa-weights", "rank", "--json"]);
    let pairs = got["dimensions"][0]["pairs"].as_array().unwrap();
    for (g, w) in pairs.iter().zip(want["pairs"].as_array().unwrap()) {
        for key in ["kappa", "kappa_linear", "kappa_quadratic"] {
            let (g, w) = (g[key].as_f64().unwrap(), w[key].as_f64().unwrap());
            assert!((g - w).abs() <= 1e-9, "{key}: {g} vs psych {w}");
        }
    }
    let by_scale = json_of(&["agreement", s(&csv), "--json"]);
    assert_ne!(
        by_scale["dimensions"][0]["pairs"][0]["kappa_quadratic"], pairs[0]["kappa_quadratic"],
        "the default weights by scale position"
    );
}

#[test]
fn unknown_column_is_named_when_the_load_fails_without_colour_codes() {
    // Issue 11, item 21: the note survives a failed load; stderr is a pipe, so no ANSI codes.
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("r.csv");
    std::fs::write(&p, "unit,rater,valeu\na,x,1\n").unwrap();
    let out = run(&["agreement", s(&p)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown column 'valeu'"), "{err}");
    assert!(
        !err.contains('\u{1b}'),
        "no colour codes into a pipe: {err:?}"
    );
}
