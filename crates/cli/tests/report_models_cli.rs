//! The HTML report's model-raters section (issue #14): shown when the study has raters of kind
//! model, with the numbers of `chameleon model report --json` for the same bootstrap and seed,
//! the demo's state-blind model flagged; absent for data without model raters.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::Path;
use std::process::{Command, Output};

fn ok(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_chameleon"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn embedded(html: &str) -> Value {
    let tag = "<script type=\"application/json\" id=\"chameleon-data\">";
    let start = html.find(tag).unwrap() + tag.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// The part of the document between `<section id="models">` and its end.
fn models_section(html: &str) -> Option<&str> {
    let start = html.find("<section id=\"models\">")?;
    let end = start + html[start..].find("</section>")?;
    Some(&html[start..end])
}

#[test]
fn a_study_with_model_raters_gets_the_models_section_with_the_cli_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("S.db");
    ok(&[
        "sample",
        "demo",
        s(&dir.path().join("files")),
        "--study",
        s(&study),
        "--persons",
        "12",
    ]);
    let out = dir.path().join("r.html");
    ok(&[
        "report",
        s(&study),
        s(&out),
        "--bootstrap",
        "20",
        "--seed",
        "3",
    ]);
    let html = std::fs::read_to_string(&out).unwrap();
    let cli: Value = serde_json::from_slice(
        &ok(&[
            "model",
            "report",
            s(&study),
            "--json",
            "--bootstrap",
            "20",
            "--seed",
            "3",
        ])
        .stdout,
    )
    .unwrap();
    assert_eq!(
        embedded(&html)["models"],
        cli,
        "the report's numbers are the CLI's"
    );

    let section = models_section(&html).expect("a models section");
    assert!(section.contains("<strong>Methods.</strong>"));
    for heading in [
        "Humans vs each model",
        "State sensitivity",
        "State sensitivity by model",
    ] {
        assert!(
            section.contains(&format!("<h3>{heading}</h3>")),
            "{heading}"
        );
    }
    let blind: Vec<&str> = cli["summary"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["state_blind"] == true)
        .map(|m| m["model"].as_str().unwrap())
        .collect();
    assert!(
        blind.contains(&"model-gpt"),
        "the demo's model is state-blind: {cli}"
    );
    // Its summary row carries the flag.
    let row_start = section.find("<td class=\"name\">model-gpt</td>").unwrap();
    let row = &section[row_start..row_start + section[row_start..].find("</tr>").unwrap()];
    assert!(row.contains("<span class=\"flag\">yes</span>"), "{row}");
    // An interval from the bootstrap is shown (α vs humans of the first dimension).
    let a = &cli["dimensions"][0]["models"][0]["alpha_ci"];
    assert!(a.is_array(), "{a}");
    assert!(section.contains(&format!("{:.4}", a[0].as_f64().unwrap())));

    // --dimension keeps only that dimension's rows.
    let one = dir.path().join("one.html");
    let dim = cli["dimensions"][0]["dimension"]
        .as_str()
        .unwrap()
        .to_owned();
    ok(&["report", s(&study), s(&one), "--dimension", &dim]);
    let data = embedded(&std::fs::read_to_string(&one).unwrap());
    let dims = data["models"]["dimensions"].as_array().unwrap();
    assert_eq!(dims.len(), 1);
    assert_eq!(dims[0]["dimension"], dim.as_str());
}

#[test]
fn data_without_model_raters_has_no_models_section() {
    let dir = tempfile::tempdir().unwrap();
    ok(&["sample", "demo", s(&dir.path().join("files"))]);
    // The ratings CSV (no study: no model runs and no section).
    let out = dir.path().join("r.html");
    ok(&["report", s(&dir.path().join("files/ratings.csv")), s(&out)]);
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(models_section(&html).is_none());
    assert!(embedded(&html).get("models").is_none());
}

/// Two persons (six profiles): α, ICC and the state shares rest on too few data; the JSON
/// carries the caution, the text and the report show it instead of the numbers (issue #14,
/// with #15's minimum-n rules), and the model is not judged state-blind on two persons.
#[test]
fn too_few_profiles_give_cautions_not_results_in_json_text_and_report() {
    let dir = tempfile::tempdir().unwrap();
    let study = dir.path().join("S.db");
    ok(&[
        "sample",
        "demo",
        s(&dir.path().join("files")),
        "--study",
        s(&study),
        "--persons",
        "2",
    ]);
    let json: Value =
        serde_json::from_slice(&ok(&["model", "report", s(&study), "--json"]).stdout).unwrap();
    let rows: Vec<&Value> = json["dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["models"].as_array().unwrap())
        .collect();
    assert!(!rows.is_empty());
    for m in &rows {
        assert_eq!(m["agreement_caution"]["rule"], "units", "{m}");
        assert_eq!(m["agreement_caution"]["message"], "too few data (n = 6)");
        if !m["model_state_share"].is_null() {
            assert_eq!(m["state_caution"]["message"], "too few data (n = 2)", "{m}");
            assert!(m["state_blind"].is_null(), "{m}");
        }
    }
    assert!(json["summary"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["state_blind"] == false && s["judged"] == 0));
    let text = String::from_utf8(ok(&["model", "report", s(&study)]).stdout).unwrap();
    assert!(text.contains("too few data (n = 6)"), "{text}");
    let out = dir.path().join("r.html");
    ok(&["report", s(&study), s(&out)]);
    let html = std::fs::read_to_string(&out).unwrap();
    let section = models_section(&html).expect("the models section");
    assert!(section.contains("too few data (n = 6)"), "{section}");
}
