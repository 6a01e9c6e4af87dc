//! `chameleon reliability`: the psych fixtures end to end (wide CSV, long CSV, a study with
//! scale bounds), and its bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{fixture_items, reliability_fixture as fixture, run, s};

use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let out = run(args);
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// `NAME=i1,-i2,...` from the fixture's items and reverse-keyed items.
fn scale_arg(want: &Value) -> String {
    let items: Vec<String> = fixture_items(want)
        .into_iter()
        .map(|(i, reverse)| {
            if reverse {
                format!("-{i}")
            } else {
                i.to_owned()
            }
        })
        .collect();
    format!("scale={}", items.join(","))
}

fn check(got: &Value, want: &Value) {
    let close = |a: &Value, b: &Value, tol: f64| {
        let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
        assert!((a - b).abs() < tol, "got {a}, psych {b}");
    };
    let g = &got[0];
    assert_eq!(g["n"], want["n"]);
    close(&g["raw_alpha"], &want["raw_alpha"], 1e-6);
    close(&g["std_alpha"], &want["std_alpha"], 1e-6);
    close(&g["omega_total"], &want["omega_total"], 1e-4);
    for (i, item) in g["items"].as_array().unwrap().iter().enumerate() {
        close(&item["item_rest"], &want["item_rest"][i], 1e-6);
        close(
            &item["alpha_if_dropped"],
            &want["alpha_if_dropped"][i],
            1e-6,
        );
    }
}

#[test]
fn wide_long_and_study_inputs_match_psych() {
    let (csv, want) = fixture("six_items");
    let scale = scale_arg(&want);
    let wide = json(&[
        "reliability",
        s(&csv),
        "--wide",
        "--scale",
        &scale,
        "--min",
        "1",
        "--max",
        "5",
        "--json",
    ]);
    check(&wide, &want);

    // The same data long, and in a study whose inferred 1..5 scales give the bounds.
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("s.db");
    assert!(run(&["study", "new", s(&study)]).status.success());
    let out = run(&["import", "ratings", s(&study), s(&csv), "--wide"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_study = json(&["reliability", s(&study), "--scale", &scale, "--json"]);
    check(&from_study, &want);
    let long = tmp.path().join("long.csv");
    assert!(run(&["export", "ratings", s(&study), s(&long)])
        .status
        .success());
    let from_long = json(&[
        "reliability",
        s(&long),
        "--scale",
        &scale,
        "--min",
        "1",
        "--max",
        "5",
        "--json",
    ]);
    assert_eq!(from_long, wide);
}

#[test]
fn bootstrap_intervals_are_seeded_and_bracket_the_estimates() {
    let (csv, want) = fixture("four_items");
    let scale = scale_arg(&want);
    let args = |seed: &'static str| {
        vec![
            "reliability",
            s(&csv),
            "--wide",
            "--scale",
            &scale,
            "--min",
            "1",
            "--max",
            "5",
            "--json",
            "--bootstrap",
            "200",
            "--seed",
            seed,
        ]
    };
    let a = json(&args("5"));
    assert_eq!(a, json(&args("5")));
    assert_ne!(a, json(&args("6")));
    let g = &a[0];
    assert_eq!(g["bootstrap"], 200);
    for (est, ci) in [
        ("raw_alpha", "raw_alpha_ci95"),
        ("omega_total", "omega_total_ci95"),
    ] {
        let x = g[est].as_f64().unwrap();
        let lo = g[ci][0].as_f64().unwrap();
        let hi = g[ci][1].as_f64().unwrap();
        assert!(lo < x && x < hi, "{est}: {lo} {x} {hi}");
    }
}

#[test]
fn bad_scales_are_exit_2() {
    let (csv, _) = fixture("four_items");
    for (args, want) in [
        (vec!["--scale", "s=i1,-i2"], "--min and --max"),
        (vec!["--scale", "s=i1,nope"], "'nope' is not a dimension"),
        (vec!["--scale", "s"], "expected NAME=item1,item2,-item3"),
        (
            vec!["--scale", "s=i1,i2", "--min", "5", "--max", "1"],
            "below the maximum",
        ),
    ] {
        let mut all = vec!["reliability", s(&csv), "--wide"];
        all.extend(args);
        let out = run(&all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{all:?}: {err}");
        assert!(err.contains(want), "{all:?}: {err}");
    }
}
