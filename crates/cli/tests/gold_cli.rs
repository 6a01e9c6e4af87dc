//! Gold profiles and attention checks stay out of the statistics, and every output says how
//! many and which (issue #15).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{ok, s};

use serde_json::Value;
use std::path::Path;

fn json(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).unwrap()
}

#[test]
fn known_profiles_are_left_out_of_agreement_decomposition_reliability_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path().join("demo");
    ok(&["sample", "demo", s(&files)]);
    let study = dir.path().join("demo.db");
    ok(&["study", "new", s(&study)]);
    for (what, file) in [
        ("profiles", "profiles.jsonl"),
        ("codebook", "codebook.toml"),
        ("ratings", "ratings.csv"),
    ] {
        ok(&["import", what, s(&study), s(&files.join(file))]);
    }
    let agreement = |study: &Path| json(&["agreement", s(study), "--json", "--min-ratings", "0"]);
    let units = |v: &Value| v["dimensions"][0]["units"].as_u64().unwrap();
    let before = agreement(&study);
    assert!(before["raters"].get("known_left_out").is_none());

    // Two profiles of the ratings file: one gold, one attention check.
    let ratings = std::fs::read_to_string(files.join("ratings.csv")).unwrap();
    let mut lines = ratings.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let mut picked: Vec<(String, String)> = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        let key = (f[col("person")].to_owned(), f[col("context")].to_owned());
        if !picked.contains(&key) {
            picked.push(key);
        }
        if picked.len() == 2 {
            break;
        }
    }
    let dimension = before["dimensions"][0]["dimension"]
        .as_str()
        .unwrap()
        .to_owned();
    let gold = dir.path().join("gold.csv");
    std::fs::write(
        &gold,
        format!(
            "person,context,dimension,value,kind\n{},{},{dimension},3,gold\n{},{},{dimension},1,attention\n",
            picked[0].0, picked[0].1, picked[1].0, picked[1].1
        ),
    )
    .unwrap();
    let said = String::from_utf8(ok(&["gold", "import", s(&study), s(&gold)]).stdout).unwrap();
    assert!(said.starts_with("imported 2 known values from"), "{said}");
    let gold_name = format!("{}/{}", picked[0].0, picked[0].1);
    let check_name = format!("{}/{}", picked[1].0, picked[1].1);

    let after = agreement(&study);
    assert_eq!(units(&after), units(&before) - 2, "two profiles fewer");
    let left = &after["raters"]["known_left_out"];
    assert_eq!(left["gold"], serde_json::json!([gold_name]));
    assert_eq!(left["attention"], serde_json::json!([check_name]));
    let text =
        String::from_utf8(ok(&["agreement", s(&study), "--min-ratings", "0"]).stdout).unwrap();
    assert!(
        text.contains("1 gold profile and 1 attention check left out of the statistics"),
        "{text}"
    );

    let dec = json(&["decompose", s(&study), "--json"]);
    assert_eq!(dec["raters"]["known_left_out"], *left);

    let rel = json(&[
        "reliability",
        s(&study),
        "--scale",
        &format!("x={dimension}"),
        "--json",
    ]);
    assert_eq!(rel[0]["known_left_out"], *left);

    let html = dir.path().join("r.html");
    ok(&["report", s(&study), s(&html)]);
    let html = std::fs::read_to_string(&html).unwrap();
    assert!(
        html.contains("1 gold profile and 1 attention check left out of the statistics"),
        "the report says so"
    );
    assert!(html.contains(&gold_name));
    // The data row in words, without "(s)".
    assert!(!html.contains("(s)"), "no 'dimension(s)' in the report");
    assert!(html.contains(" dimensions, ") && html.contains(" persons, "));
}
