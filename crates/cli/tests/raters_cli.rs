//! Rater subsets and minimum-n cautions in `agreement`, `decompose` and `report` (issue #15).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{run, s};

use serde_json::Value;
use std::fmt::Write as _;
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

fn json(args: &[&str]) -> Value {
    serde_json::from_str(&ok(args)).unwrap()
}

/// The demo study: three annotators and the imported model rater `model-gpt`.
fn demo(dir: &Path) -> PathBuf {
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files)]);
    let study = dir.join("demo.db");
    ok(&["study", "new", s(&study)]);
    for (what, file) in [
        ("profiles", "profiles.jsonl"),
        ("codebook", "codebook.toml"),
        ("ratings", "ratings.csv"),
    ] {
        ok(&["import", what, s(&study), s(&files.join(file))]);
    }
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&files.join("model_ratings.csv")),
        "--rater-kind",
        "model",
    ]);
    study
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn agreement_defaults_to_humans_and_rater_kind_changes_alpha() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let default = json(&["agreement", s(&study), "--json"]);
    let excluded = default["raters"]["excluded"].as_array().unwrap();
    assert!(
        excluded
            .iter()
            .any(|e| e["name"] == "model-gpt" && e["reason"] == "kind model"),
        "{excluded:?}"
    );
    assert!(!names(&default["raters"]["included"]).contains(&"model-gpt".to_owned()));
    let human = json(&["agreement", s(&study), "--json", "--rater-kind", "human"]);
    let any = json(&["agreement", s(&study), "--json", "--rater-kind", "any"]);
    assert!(names(&any["raters"]["included"]).contains(&"model-gpt".to_owned()));
    let alpha = |v: &Value| v["dimensions"][0]["alpha"]["interval"].as_f64().unwrap();
    assert_eq!(alpha(&human), alpha(&default));
    assert_ne!(alpha(&human), alpha(&any), "the model rater moves alpha");
    assert_eq!(
        any["dimensions"][0]["raters"].as_u64().unwrap(),
        human["dimensions"][0]["raters"].as_u64().unwrap() + 1
    );
    let text = ok(&["agreement", s(&study)]);
    assert!(
        text.contains("Raters: kind human; at least 10 ratings"),
        "{text}"
    );
    assert!(text.contains("model-gpt (kind model)"), "{text}");
    // Decomposition keeps every rater unless asked.
    let dec = json(&["decompose", s(&study), "--json"]);
    assert!(names(&dec["raters"]["included"]).contains(&"model-gpt".to_owned()));
    let dec_h = json(&["decompose", s(&study), "--json", "--rater-kind", "human"]);
    assert!(!names(&dec_h["raters"]["included"]).contains(&"model-gpt".to_owned()));
}

/// `units` profiles of one person each, in two contexts, rated by `raters` (name, how many
/// profiles they rate).
fn csv(dir: &Path, name: &str, persons: usize, raters: &[(&str, usize)]) -> PathBuf {
    let mut text = String::from("person,context,rater,dimension,value\n");
    for (ri, (r, n)) in raters.iter().enumerate() {
        let mut done = 0;
        'outer: for p in 0..persons {
            for c in 0..2 {
                if done == *n {
                    break 'outer;
                }
                let v = 1 + (p * 3 + c * 2 + ri) % 5;
                writeln!(text, "p{p},c{c},{r},mood,{v}").unwrap();
                done += 1;
            }
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn default_agreement_leaves_out_a_rater_with_four_ratings_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(
        dir.path(),
        "r.csv",
        6,
        &[("ana", 12), ("ben", 12), ("new", 4)],
    );
    let v = json(&["agreement", s(&path), "--json"]);
    assert_eq!(names(&v["raters"]["included"]), ["ana", "ben"]);
    assert_eq!(v["raters"]["excluded"][0]["name"], "new");
    assert_eq!(
        v["raters"]["excluded"][0]["reason"],
        "4 ratings, fewer than 10"
    );
    assert_eq!(v["dimensions"][0]["raters"], 2);
    assert!(v["raters"]["note"]
        .as_str()
        .unwrap()
        .contains("no rater kinds"));
    let all = json(&["agreement", s(&path), "--json", "--min-ratings", "0"]);
    assert_eq!(all["dimensions"][0]["raters"], 3);
    let named = json(&["agreement", s(&path), "--json", "--raters", "ana,new"]);
    assert_eq!(names(&named["raters"]["included"]), ["ana", "new"]);
    // The newcomer's own figures carry a caution.
    let rater = &all["dimensions"][0]["raters_detail"][2];
    assert_eq!(rater["rater"], "new");
    assert_eq!(rater["caution"]["rule"], "ratings_per_rater");
    let text = ok(&["agreement", s(&path)]);
    assert!(
        text.contains("excluded: new (4 ratings, fewer than 10)"),
        "{text}"
    );
    // An unknown name is bad input: exit 2, naming it.
    let bad = run(&["agreement", s(&path), "--raters", "ana,zoe"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("'zoe'"));
    let none = run(&["agreement", s(&path), "--min-ratings", "100"]);
    assert_eq!(none.status.code(), Some(2));
}

#[test]
fn a_three_person_pilot_gives_cautions_instead_of_shares() {
    let dir = tempfile::tempdir().unwrap();
    let path = csv(dir.path(), "pilot.csv", 3, &[("ana", 6), ("ben", 6)]);
    let v = json(&["decompose", s(&path), "--json"]);
    let d = &v["dimensions"][0];
    assert!(
        d["profile_level"]["trait_share"].is_number(),
        "the value is kept"
    );
    assert_eq!(d["caution"]["rule"], "persons_with_two_contexts");
    assert_eq!(d["caution"]["n"], 3);
    assert_eq!(d["caution"]["minimum"], 10);
    assert_eq!(d["caution"]["message"], "too few data (n = 3)");
    assert_eq!(v["pooled"]["caution"]["rule"], "persons_with_two_contexts");
    let text = ok(&["decompose", s(&path)]);
    let line = text.lines().find(|l| l.starts_with("mood")).unwrap();
    assert!(line.contains("too few data (n = 3)"), "{text}");
    assert!(!line.contains('%'), "no share shown: {line}");
    let a = json(&["agreement", s(&path), "--json"]);
    assert_eq!(a["dimensions"][0]["caution"]["rule"], "units");
    // Nobody has 10 ratings yet: the default minimum gives way, and says so.
    assert_eq!(names(&a["raters"]["included"]), ["ana", "ben"]);
    assert!(a["raters"]["note"]
        .as_str()
        .unwrap()
        .contains("fewer than two raters have 10 ratings"));
    let text = ok(&["agreement", s(&path)]);
    assert!(text.contains("too few data (n = 6)"), "{text}");
    let html = dir.path().join("r.html");
    ok(&["report", s(&path), s(&html)]);
    let html = std::fs::read_to_string(html).unwrap();
    assert!(
        html.contains("<span class=\"caution\">too few data (n = 3)</span>"),
        "the report shows the caution"
    );
    assert!(html.contains("<tr><th>Raters</th><td>all raters"));
}
