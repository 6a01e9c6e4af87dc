//! Questionnaires end to end: a codebook whose scale is made of items, the items' ratings
//! imported from a CSV on disk, `chameleon reliability STUDY` from the codebook's scales checked
//! against psych, the scale's scores in the analyses, and a bad codebook refused (exit 2).
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{fixture_items, ok, reliability_fixture as fixture, run, s};

use serde_json::Value;
use std::path::{Path, PathBuf};

/// A codebook whose one scale holds the fixture's items, 1..5, reverse-keyed as psych's.
fn codebook(want: &Value) -> String {
    let items: Vec<String> = fixture_items(want)
        .into_iter()
        .map(|(i, reverse)| {
            format!(
                "  {{ name = \"{i}\", text = \"item {i}\"{} }},",
                if reverse { ", reverse = true" } else { "" }
            )
        })
        .collect();
    format!(
        "[[dimensions]]\nname = \"trait\"\nlabel = \"The trait\"\n\
         scale = {{ type = \"likert\", min = 1, max = 5 }}\n\
         scoring = {{ rule = \"mean\" }}\nitems = [\n{}\n]\n",
        items.join("\n")
    )
}

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).expect("stdout is JSON")
}

fn close(a: &Value, b: &Value, tol: f64) {
    let (a, b) = (a.as_f64().unwrap(), b.as_f64().unwrap());
    assert!((a - b).abs() < tol, "got {a}, psych {b}");
}

fn study_with(dir: &Path, codebook_src: &str, ratings: &Path, wide: bool) -> PathBuf {
    let study = dir.join("s.chameleon");
    ok(&["study", "new", s(&study)]);
    let cb = dir.join("codebook.toml");
    std::fs::write(&cb, codebook_src).unwrap();
    ok(&["import", "codebook", s(&study), s(&cb)]);
    let mut args = vec!["import", "ratings", s(&study), s(ratings)];
    if wide {
        args.push("--wide");
    }
    ok(&args);
    study
}

#[test]
fn reliability_of_a_codebook_scale_matches_psych() {
    for name in ["six_items", "four_items"] {
        let (csv, want) = fixture(name);
        let tmp = tempfile::tempdir().unwrap();
        let study = study_with(tmp.path(), &codebook(&want), &csv, true);
        // No --scale: the codebook's scale, its keying and the items' bounds.
        let got = json(&["reliability", s(&study), "--json"]);
        let g = &got[0];
        assert_eq!(g["scale"], "trait");
        assert_eq!(g["n"], want["n"]);
        close(&g["raw_alpha"], &want["raw_alpha"], 1e-6);
        close(&g["std_alpha"], &want["std_alpha"], 1e-6);
        close(&g["omega_total"], &want["omega_total"], 1e-4);
        for (i, item) in g["items"].as_array().unwrap().iter().enumerate() {
            close(&item["item_rest"], &want["item_rest"][i], 1e-6);
        }
        let table = String::from_utf8(ok(&["reliability", s(&study)]).stdout).unwrap();
        assert!(
            table.contains("trait") && table.contains("item–rest"),
            "{table}"
        );
    }
}

#[test]
fn a_scale_is_scored_into_the_analyses_and_never_stored() {
    let tmp = tempfile::tempdir().unwrap();
    // Two raters answer two items (one reverse-keyed) for four profiles; u4's second item is
    // missing, so with every item required u4 has no score from ana.
    let mut csv = String::from("person,context,rater,dimension,value\n");
    for (p, e1, e2r) in [("u1", 1, 5), ("u2", 2, 4), ("u3", 4, 2), ("u4", 5, 0)] {
        for (rater, shift) in [("ana", 0), ("ben", 1)] {
            csv += &format!("{p},c,{rater},e1,{}\n", (e1 + shift).min(5));
            if e2r > 0 {
                csv += &format!("{p},c,{rater},e2r,{}\n", (e2r - shift).max(1));
            }
        }
    }
    let ratings = tmp.path().join("items.csv");
    std::fs::write(&ratings, csv).unwrap();
    let cb = "[[dimensions]]\nname = \"extraversion\"\nscale = { type = \"likert\", max = 5 }\n\
              items = [{ name = \"e1\", text = \"is outgoing\" }, \
              { name = \"e2r\", text = \"is reserved\", reverse = true }]\n";
    let study = study_with(tmp.path(), cb, &ratings, false);
    let out = ok(&["agreement", s(&study), "--json"]);
    let got: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = got.to_string();
    assert!(
        text.contains("\"extraversion\""),
        "the scale is analysed: {text}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("scale 'extraversion': 2 response(s) with fewer than 2 of its 2 items"),
        "{stderr}"
    );
    // Scores are computed, not ratings: the export holds the items only.
    let export = tmp.path().join("out.csv");
    ok(&["export", "ratings", s(&study), s(&export)]);
    let exported = std::fs::read_to_string(&export).unwrap();
    assert!(exported.contains(",e2r,"), "{exported}");
    assert!(!exported.contains("extraversion"), "{exported}");
    // Rating the scale itself is refused: it is no dimension of the study.
    let bad = tmp.path().join("scale.csv");
    std::fs::write(
        &bad,
        "person,context,rater,dimension,value\nu1,c,ana,extraversion,3\n",
    )
    .unwrap();
    let out = run(&["import", "ratings", s(&study), s(&bad)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'extraversion' is a questionnaire scale") && err.contains("e2r"),
        "{err}"
    );
}

#[test]
fn a_bad_questionnaire_codebook_is_exit_2_naming_file_and_field() {
    for (src, field, want) in [
        (
            "[[dimensions]]\nname = \"s\"\nitems = [{ name = \"ghost\" }]\n",
            "dimensions[0].items[0].scale",
            "not in the codebook",
        ),
        (
            "[[dimensions]]\nname = \"s\"\nitems = [{ name = \"x\", text = \"t\", reverse = true }]\n",
            "dimensions[0].items[0].scale",
            "reverse-keyed",
        ),
        (
            "[[dimensions]]\nname = \"x\"\nscale = { type = \"likert\", max = 5 }\n\
             [[dimensions]]\nname = \"a\"\nitems = [{ name = \"x\" }]\n\
             [[dimensions]]\nname = \"b\"\nitems = [{ name = \"x\" }]\n",
            "dimensions[2].items[0]",
            "listed in two scales",
        ),
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let study = tmp.path().join("s.chameleon");
        ok(&["study", "new", s(&study)]);
        let cb = tmp.path().join("bad.toml");
        std::fs::write(&cb, src).unwrap();
        let out = run(&["import", "codebook", s(&study), s(&cb)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains("bad.toml") && err.contains(field) && err.contains(want), "{err}");
        let info = String::from_utf8(ok(&["info", s(&study), "--json"]).stdout).unwrap();
        let info: Value = serde_json::from_str(&info).unwrap();
        assert_eq!(info["dimensions"].as_array().map(Vec::len), Some(0), "nothing written");
    }
    // A study without scales says so when asked for its reliability.
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("s.chameleon");
    ok(&["study", "new", s(&study)]);
    let out = run(&["reliability", s(&study)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scale"));
}

#[test]
fn the_demo_questionnaire_matches_psych() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures/reliability");
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("demo_bfi10.json")).unwrap())
            .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let study = tmp.path().join("demo.chameleon");
    ok(&[
        "sample",
        "demo",
        s(tmp.path()),
        "--study",
        s(&study),
        "--questionnaire",
    ]);
    // The fixture psych read is what the generator writes.
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("questionnaire_ratings.csv")).unwrap(),
        std::fs::read_to_string(dir.join("demo_bfi10.csv")).unwrap(),
        "regenerate the fixture: see scripts/reference/reliability/psych_demo_bfi10.R"
    );
    let got = json(&["reliability", s(&study), "--json"]);
    let got = got.as_array().unwrap();
    assert_eq!(got.len(), 5);
    for g in got {
        let w = &want[g["scale"].as_str().unwrap()];
        assert_eq!(g["n"], w["n"]);
        close(&g["raw_alpha"], &w["raw_alpha"], 1e-6);
        close(&g["std_alpha"], &w["std_alpha"], 1e-6);
        close(&g["omega_total"], &w["omega_total"], 1e-4);
        for (i, item) in g["items"].as_array().unwrap().iter().enumerate() {
            close(&item["item_rest"], &w["item_rest"][i], 1e-6);
        }
    }
    let ml = json(&["reliability", s(&study), "--multilevel", "--json"]);
    for g in ml.as_array().unwrap() {
        let w = &want[g["scale"].as_str().unwrap()]["multilevel"];
        let r = &g["reliability"];
        for (k, v) in w["components"].as_object().unwrap() {
            close(&r["components"][k], v, 1e-9);
        }
        for k in ["r1f", "rkf", "r1r", "rkr", "rc"] {
            close(&r[k], &w[k], 1e-9);
        }
    }
}
