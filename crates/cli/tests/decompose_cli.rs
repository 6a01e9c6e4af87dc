//! `chameleon decompose` end to end (issue #4): the DESIGN.md JSON contract, agreement with the
//! lme4 fixtures of `crates/stats/tests/fixtures/decompose`, seeded bootstrap, bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::PathBuf;
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
    assert_eq!(code, 0, "decompose must succeed: {err}");
    serde_json::from_str(&out).expect("stdout must be one JSON document")
}

#[test]
fn json_contract_and_lme4_values_issue4() {
    let path = fixture("balanced.csv");
    let v = json(&["decompose", path.to_str().unwrap(), "--json"]);
    assert_eq!(v["method"], "reml");
    let d = &v["dimensions"][0];
    for key in [
        "dimension",
        "persons",
        "profiles",
        "ratings",
        "profile_level",
        "rater_level",
    ] {
        assert!(d.get(key).is_some(), "contract key {key} must be present");
    }
    assert!(d.get("ci").is_none(), "no ci without --bootstrap");
    assert_eq!(d["persons"], 60);
    assert_eq!(d["profiles"], 180);
    assert_eq!(d["ratings"], 540);
    let pl = &d["profile_level"];
    for key in [
        "person",
        "state",
        "trait_share",
        "state_share",
        "reml_criterion",
    ] {
        assert!(pl[key].is_f64(), "profile_level.{key} must be a number");
    }
    let rl = &d["rater_level"];
    for key in [
        "person",
        "person_context",
        "rater",
        "residual",
        "reml_criterion",
    ] {
        assert!(rl[key].is_f64(), "rater_level.{key} must be a number");
    }
    let exp: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("balanced.expected.json")).unwrap())
            .unwrap();
    let c = &exp["profile_level"]["components"];
    let (t, s) = (
        c["person"].as_f64().unwrap(),
        c["Residual"].as_f64().unwrap(),
    );
    let share = pl["trait_share"].as_f64().unwrap();
    assert!(
        (share - t / (t + s)).abs() < 1e-5,
        "trait share {share} vs lme4 {}",
        t / (t + s)
    );
    let crit = rl["reml_criterion"].as_f64().unwrap();
    let best = exp["rater_level"]["best_reml_criterion"].as_f64().unwrap();
    assert!(
        crit <= best + 1e-7,
        "REML criterion {crit} must be no worse than lme4's {best}"
    );
    assert!((v["pooled"]["trait_share"].as_f64().unwrap() - share).abs() < 1e-12);
}

#[test]
fn bootstrap_is_seeded_and_brackets_the_estimate_issue4() {
    let path = fixture("unbalanced.csv");
    let p = path.to_str().unwrap();
    let args = ["decompose", p, "--json", "--bootstrap", "60", "--seed", "3"];
    let a = json(&args);
    let b = json(&args);
    assert_eq!(a, b, "the same seed must give the same intervals");
    let ci = a["dimensions"][0]["ci"]["trait_share"]
        .as_array()
        .expect("ci.trait_share");
    let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
    let est = a["dimensions"][0]["profile_level"]["trait_share"]
        .as_f64()
        .unwrap();
    assert!(lo <= est && est <= hi, "[{lo}, {hi}] must contain {est}");
    let other = json(&["decompose", p, "--json", "--bootstrap", "60", "--seed", "4"]);
    assert_ne!(
        a["dimensions"][0]["ci"], other["dimensions"][0]["ci"],
        "seeds must matter"
    );
}

#[test]
fn anova_method_flags_and_has_no_reml_criterion() {
    let path = fixture("boundary.csv");
    let v = json(&[
        "decompose",
        path.to_str().unwrap(),
        "--json",
        "--method",
        "anova",
    ]);
    assert_eq!(v["method"], "anova");
    let d = &v["dimensions"][0];
    assert!(
        d["profile_level"]["reml_criterion"].is_null(),
        "moments have no REML criterion"
    );
    assert!(
        d["negative_components"]["rater_level"].is_array(),
        "negative estimates are listed"
    );
}

#[test]
fn degenerate_data_give_nulls_with_reasons_not_a_crash() {
    let path = fixture("edge_no_replication.csv");
    let (code, out, err) = run(&["decompose", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["dimensions"][0]["profile_level"].is_null());
    assert!(
        err.contains("contexts"),
        "the reason must be on stderr: {err}"
    );
    assert!(!out.contains("NaN"), "no NaN in the JSON");
}

#[test]
fn table_without_json_and_bad_input_exit_code() {
    let path = fixture("balanced.csv");
    let (code, out, _) = run(&["decompose", path.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        out.contains("trait") && out.contains("pooled"),
        "a readable table: {out}"
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.csv");
    // Text among numbers (all-text values are nominal categories since issue #11).
    std::fs::write(
        &bad,
        "person,context,rater,value\np1,c1,r1,3\np1,c1,r2,abc\n",
    )
    .unwrap();
    let (code, out, err) = run(&["decompose", bad.to_str().unwrap(), "--json"]);
    assert_eq!(code, 2, "bad input exits with 2: {err}");
    assert!(out.is_empty(), "nothing on stdout for bad input");
    assert!(err.contains("bad.csv"), "the message names the file: {err}");
}

/// The decomposition is a function of the ratings, not of their rows' order: persons,
/// profiles and raters are numbered in name order and a profile's replicates summed in value
/// order (issue #17: that is also what makes the query engine's numbers the same bits).
/// Reversed rows give the same dimensions to the last digit, with raters and without them
/// (where the raters' ratings of a profile become its replicates).
#[test]
fn row_order_does_not_move_a_bit_issue17() {
    let text = std::fs::read_to_string(fixture("unbalanced.csv")).unwrap();
    let without_rater: String = text
        .lines()
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            format!("{},{},{},{}\n", f[0], f[1], f[3], f[4])
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("raters", text.as_str()), ("replicates", &without_rater)] {
        let mut lines: Vec<&str> = text.lines().collect();
        let header = lines.remove(0);
        let write = |file: &str, rows: &[&str]| {
            let p = dir.path().join(format!("{name}-{file}.csv"));
            std::fs::write(&p, format!("{header}\n{}\n", rows.join("\n"))).unwrap();
            p
        };
        let forward = write("forward", &lines);
        lines.reverse();
        let backward = write("backward", &lines);
        for extra in [&[][..], &["--method", "anova"][..]] {
            let run = |p: &PathBuf| {
                let mut args = vec!["decompose", p.to_str().unwrap(), "--json"];
                args.extend_from_slice(extra);
                // The nested decomposition; not the `--model` engine's context check, nor the
                // rater list, which keep the file's order.
                let mut v = json(&args)["dimensions"].clone();
                for d in v.as_array_mut().unwrap() {
                    d.as_object_mut().unwrap().remove("context_check");
                }
                v
            };
            let (a, b) = (run(&forward), run(&backward));
            assert!(a[0]["profile_level"].is_object(), "{a}");
            assert_eq!(
                a, b,
                "{name} {extra:?}: the same bits whatever the rows' order"
            );
        }
    }
}
