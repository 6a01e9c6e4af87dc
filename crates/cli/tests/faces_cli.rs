//! Issue #13: rules and schemes that live in core's use-case layer hold for the CLI exactly as
//! for the app (which calls the same `chameleon_core::app` functions).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{run, s};

use chameleon_core::app::review;
use chameleon_core::Study;
use std::path::{Path, PathBuf};

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn demo(dir: &Path) -> PathBuf {
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files), "--persons", "8"]);
    let study = dir.join("s.db");
    ok(&["study", "new", s(&study)]);
    for (kind, file) in [
        ("profiles", "profiles.jsonl"),
        ("codebook", "codebook.toml"),
        ("ratings", "ratings.csv"),
    ] {
        ok(&["import", kind, s(&study), s(&files.join(file))]);
    }
    study
}

#[test]
fn assign_design_on_a_package_exits_2_and_changes_nothing_issue_13() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    ok(&[
        "assign",
        "design",
        s(&study),
        "--pool",
        "ana,ben",
        "--k",
        "1",
    ]);
    let pkg = dir.path().join("ana.chameleon");
    ok(&["package", "export", s(&study), "--rater", "ana", s(&pkg)]);
    let before = std::fs::read(&pkg).unwrap();
    let out = run(&["assign", "design", s(&pkg), "--pool", "ana,ben", "--k", "1"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a package is the user's mistake: {err}"
    );
    assert!(err.contains("annotator package"), "says why: {err}");
    assert_eq!(
        std::fs::read(&pkg).unwrap(),
        before,
        "the package is unchanged"
    );
    for args in [
        vec!["package", "export", s(&pkg), "--rater", "ana"],
        vec!["package", "merge", s(&pkg)],
    ] {
        let target = dir.path().join("again.chameleon");
        let mut args = args.clone();
        args.push(s(if args[1] == "export" { &target } else { &pkg }));
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?} refused in a package");
    }
}

#[test]
fn hidden_raters_get_the_apps_aliases_issue_13() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let shown: serde_json::Value = serde_json::from_str(&ok(&[
        "disagreements",
        s(&study),
        "--dimension",
        "openness",
        "--json",
    ]))
    .unwrap();
    let hidden: serde_json::Value = serde_json::from_str(&ok(&[
        "disagreements",
        s(&study),
        "--dimension",
        "openness",
        "--hide-raters",
        "--json",
    ]))
    .unwrap();
    // What the app's disagreements view gets from the same core function.
    let app = review::disagreements(&Study::open_read_only(&study).unwrap(), "openness").unwrap();
    let alias_of = |name: &str| {
        app.aliases
            .iter()
            .find(|a| a.rater == name)
            .map(|a| a.alias.clone())
            .expect("every rater has an alias")
    };
    let shown = shown.as_array().unwrap();
    let hidden = hidden.as_array().unwrap();
    assert_eq!(shown.len(), hidden.len());
    assert!(!shown.is_empty(), "the demo has disagreements");
    for (a, b) in shown.iter().zip(hidden) {
        assert_eq!(a["profileId"], b["profileId"], "same order of profiles");
        let mut expected: Vec<String> = a["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| alias_of(v["rater"].as_str().unwrap()))
            .collect();
        expected.sort_by_key(|x| (x.len(), x.clone()));
        let got: Vec<String> = b["values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["rater"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, expected, "the CLI's aliases are the app's");
    }
    assert_eq!(alias_of("ana"), "Rater A", "name order, not hash order");
}

#[test]
fn bootstrap_outside_the_bounds_is_a_usage_error_issue_11() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    for verb in ["decompose", "agreement"] {
        for n in ["1", "18446744073709551615", "100001"] {
            let out = run(&[verb, s(&study), "--bootstrap", n]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{verb} --bootstrap {n}: {err}");
            assert!(err.contains("100000"), "names the bounds: {err}");
        }
    }
    let out = run(&["report", s(&study), "-", "--bootstrap", "1"]);
    assert_eq!(out.status.code(), Some(2), "report checks the same bounds");
    let out = run(&[
        "decompose",
        s(&study),
        "--bootstrap",
        "20",
        "--dimension",
        "openness",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("warning") && err.contains("1000"),
        "fewer than recommended warns: {err}"
    );
    let help = ok(&["decompose", "--help"]);
    assert!(help.contains("100000") && help.contains("1000"), "{help}");
}
