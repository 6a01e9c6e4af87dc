//! `chameleon report` end to end (issue #6): the report's numbers are the CLI's `--json`
//! numbers for the same study and options, the file is self-contained, names from the data are
//! escaped, figures are inline SVG, `--tables` writes CSV and SVG, bad input writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod common;
use common::{ok, run};

use serde_json::Value;
use std::path::Path;

fn json_of(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).expect("stdout is JSON")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// The parsed `<script type="application/json" id="chameleon-data">` block.
fn embedded(html: &str) -> Value {
    let tag = "<script type=\"application/json\" id=\"chameleon-data\">";
    let start = html.find(tag).expect("the report embeds its data") + tag.len();
    let end = start + html[start..].find("</script>").expect("data block closed");
    serde_json::from_str(&html[start..end]).expect("embedded data is JSON")
}

/// A demo study with three human raters and a model, 12 persons.
fn demo_study(dir: &Path) -> std::path::PathBuf {
    let study = dir.join("S.db");
    ok(&[
        "sample",
        "demo",
        s(&dir.join("files")),
        "--study",
        s(&study),
        "--persons",
        "12",
    ]);
    study
}

#[test]
fn report_numbers_equal_the_cli_json_issue_6() {
    let dir = tempfile::tempdir().expect("tempdir");
    let study = demo_study(dir.path());
    let out = dir.path().join("report.html");
    ok(&[
        "report",
        s(&study),
        s(&out),
        "--bootstrap",
        "50",
        "--seed",
        "3",
    ]);
    let html = std::fs::read_to_string(&out).expect("report written");
    let data = embedded(&html);

    let dec = json_of(&[
        "decompose",
        s(&study),
        "--json",
        "--bootstrap",
        "50",
        "--seed",
        "3",
    ]);
    let dims = dec["dimensions"].as_array().expect("dimensions");
    assert!(!dims.is_empty(), "the demo study has dimensions");
    for (i, d) in dims.iter().enumerate() {
        let got = &data["decomposition"]["dimensions"][i];
        assert_eq!(got["dimension"], d["dimension"]);
        assert_eq!(
            got["profile_level"]["trait_share"], d["profile_level"]["trait_share"],
            "trait share of {} must equal decompose --json exactly",
            d["dimension"]
        );
        assert_eq!(
            got["ci"]["trait_share"], d["ci"]["trait_share"],
            "bootstrap interval of {} must equal decompose --json (same seed)",
            d["dimension"]
        );
        let Some(t) = d["profile_level"]["trait_share"].as_f64() else {
            assert_eq!(
                d["dimension"], "dominant_emotion",
                "only the nominal dimension is left undecomposed"
            );
            continue;
        };
        if let Some(m) = d["caution"]["message"].as_str() {
            // A boundary fit (0 % or 100 %) is shown as its caution, not as a result.
            assert!(html.contains(&format!("<span class=\"caution\">{m}</span>")));
            continue;
        }
        assert!(
            html.contains(&format!("<strong>{t:.4}</strong>")),
            "the table shows the trait share of {} to 4 decimals",
            d["dimension"]
        );
    }
    let mut dec = dec;
    let raters = dec.as_object_mut().unwrap().remove("raters").unwrap();
    assert_eq!(data["raters"], raters, "the same rater choice");
    assert_eq!(
        data["decomposition"], dec,
        "the whole embedded decomposition report equals decompose --json"
    );

    // The report pools every rater by default; agreement pools humans with enough ratings
    // unless told otherwise (issue #15).
    let ag = json_of(&[
        "agreement",
        s(&study),
        "--json",
        "--bootstrap",
        "50",
        "--seed",
        "3",
        "--rater-kind",
        "any",
        "--min-ratings",
        "0",
    ]);
    for (i, d) in ag["dimensions"]
        .as_array()
        .expect("dimensions")
        .iter()
        .enumerate()
    {
        assert_eq!(
            data["agreement"]["dimensions"][i]["alpha"], d["alpha"],
            "alpha of {} must equal agreement --json exactly",
            d["dimension"]
        );
    }
    let mut ag = ag;
    let raters = ag.as_object_mut().unwrap().remove("raters").unwrap();
    assert_eq!(data["raters"], raters, "the same rater choice");
    assert_eq!(
        data["agreement"], ag,
        "the whole embedded agreement report equals agreement --json"
    );
    // Point estimates do not depend on the bootstrap: alpha equals the plain run too.
    let plain = json_of(&[
        "agreement",
        s(&study),
        "--json",
        "--rater-kind",
        "any",
        "--min-ratings",
        "0",
    ]);
    for (i, d) in plain["dimensions"]
        .as_array()
        .expect("dimensions")
        .iter()
        .enumerate()
    {
        assert_eq!(data["agreement"]["dimensions"][i]["alpha"], d["alpha"]);
    }

    assert_eq!(data["bootstrap"], 50);
    assert_eq!(data["seed"], 3);
    assert_eq!(
        data["data_hash"].as_str().map(str::len),
        Some(64),
        "a BLAKE3 hex data hash is recorded"
    );
    assert!(html.contains(data["data_hash"].as_str().unwrap_or("?")));
    assert!(
        html.contains(env!("CARGO_PKG_VERSION")),
        "software version shown"
    );
}

#[test]
fn report_is_self_contained_with_inline_svg_figures() {
    let dir = tempfile::tempdir().expect("tempdir");
    let study = demo_study(dir.path());
    let out = dir.path().join("r.html");
    ok(&["report", s(&study), s(&out)]);
    let html = std::fs::read_to_string(&out).expect("report written");
    let lower = html.to_ascii_lowercase();
    for bad in [
        "src=\"http://",
        "src=\"https://",
        "href=\"http://",
        "href=\"https://",
        "src='http",
        "href='http",
        "url(http",
        "@import",
        "<link",
        "<script src",
        "<img",
        "<iframe",
    ] {
        assert!(!lower.contains(bad), "self-contained: found {bad}");
    }
    assert_eq!(
        lower.matches("<script").count(),
        1,
        "the only script element is the JSON data block"
    );
    for id in [
        "fig-trait_state_shares",
        "fig-rater_level_shares",
        "fig-pooled_split",
    ] {
        let at = html.find(&format!("id=\"{id}\"")).expect("figure present");
        assert!(
            html[at..].trim_start_matches(|c| c != '<').contains("<svg"),
            "{id} holds an inline SVG"
        );
    }
    assert!(
        html.matches("<svg").count() >= 3,
        "three inline SVG figures"
    );
    assert!(
        html.contains("<rect"),
        "the figures are drawn (bars present)"
    );
}

#[test]
fn names_from_the_data_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("evil.csv");
    let mut text = String::from("person,context,rater,dimension,value\n");
    let raters = ["<script>alert(1)</script>", "r2\"><b>x</b>", "r3"];
    let dim = "<img src=x onerror=alert(2)>";
    let values = [
        [1, 2, 1],
        [3, 3, 4],
        [4, 5, 4],
        [2, 2, 3],
        [5, 4, 5],
        [1, 2, 2],
    ];
    for p in 0..3 {
        for c in 0..2 {
            for (r, rater) in raters.iter().enumerate() {
                let v = values[p * 2 + c][r];
                text.push_str(&format!(
                    "p{p},c{c},\"{}\",{dim},{v}\n",
                    rater.replace('"', "\"\"")
                ));
            }
        }
    }
    std::fs::write(&csv, text).expect("write csv");
    let out = dir.path().join("r.html");
    ok(&["report", s(&csv), s(&out)]);
    let html = std::fs::read_to_string(&out).expect("report written");
    assert!(
        !html.contains("<script>alert(1)"),
        "a rater name must never become a script element"
    );
    assert!(
        !html.contains("<img"),
        "a dimension name must never become an element"
    );
    assert!(
        !html.contains("<b>x</b>"),
        "a rater name must never become markup"
    );
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the rater name is shown as text"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    let data = embedded(&html);
    assert_eq!(
        data["decomposition"]["dimensions"][0]["dimension"], dim,
        "the embedded JSON gives the original name back"
    );
    let names: Vec<&str> = data["decomposition"]["dimensions"][0]["rater_sensitivity"]
        .as_array()
        .expect("sensitivity rows")
        .iter()
        .filter_map(|r| r["rater"].as_str())
        .collect();
    assert!(
        names.contains(&raters[0]),
        "rater names round-trip: {names:?}"
    );
}

#[test]
fn tables_dir_gets_csv_svg_and_png() {
    let dir = tempfile::tempdir().expect("tempdir");
    let study = demo_study(dir.path());
    let out = dir.path().join("r.html");
    let tables = dir.path().join("tables");
    ok(&[
        "report",
        s(&study),
        s(&out),
        "--dimension",
        "extraversion",
        "--tables",
        s(&tables),
    ]);
    let dec = json_of(&[
        "decompose",
        s(&study),
        "--json",
        "--dimension",
        "extraversion",
    ]);
    let csv = std::fs::read_to_string(tables.join("decomposition.csv")).expect("csv written");
    // No quoting needed: these names and numbers hold no commas or quotes.
    let mut lines = csv.lines();
    let headers: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = headers
        .iter()
        .position(|h| *h == "trait_share")
        .expect("trait_share column");
    let first: Vec<&str> = lines.next().expect("a row").split(',').collect();
    assert_eq!(first[0], "extraversion", "--dimension keeps one dimension");
    let want = dec["dimensions"][0]["profile_level"]["trait_share"]
        .as_f64()
        .expect("number");
    let got: f64 = first[col].parse().expect("number");
    assert!(
        (got - want).abs() <= 1e-15 * want.abs().max(1.0),
        "CSV trait share {got} equals decompose --json {want}"
    );
    for f in [
        "agreement.csv",
        "rater_sensitivity.csv",
        "person_profiles.csv",
        "trait_state_shares.svg",
        "pooled_split.svg",
        "person_profiles.svg",
    ] {
        assert!(tables.join(f).exists(), "{f} written");
    }
    for f in [
        "trait_state_shares.png",
        "rater_level_shares.png",
        "pooled_split.png",
        "person_profiles.png",
    ] {
        let png = std::fs::read(tables.join(f)).expect("PNG next to the SVG");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{f} is a PNG");
        assert!(
            png.len() > 5_000,
            "{f} holds a drawing ({} bytes)",
            png.len()
        );
    }
}

#[test]
fn bad_input_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("bad.csv");
    std::fs::write(
        &csv,
        // Text among numbers (all-text values are nominal categories since issue #11).
        "person,context,rater,dimension,value\np1,a,r1,x,3\np1,a,r2,x,notanumber\n",
    )
    .expect("write");
    let out = dir.path().join("r.html");
    let res = run(&["report", s(&csv), s(&out)]);
    assert_eq!(res.status.code(), Some(2), "bad input exits with 2");
    assert!(!out.exists(), "no report is written for bad input");
    let res = run(&["report", s(&dir.path().join("missing.db")), s(&out)]);
    assert!(!res.status.success());
    assert!(!out.exists());
}

#[test]
fn unknown_dimension_is_bad_input_and_dash_writes_stdout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let study = demo_study(dir.path());
    let out = dir.path().join("r.html");
    let res = run(&["report", s(&study), s(&out), "--dimension", "nope"]);
    assert_eq!(
        res.status.code(),
        Some(2),
        "an unknown dimension is bad input"
    );
    assert!(
        String::from_utf8_lossy(&res.stderr).contains("nope"),
        "the message names the dimension"
    );
    assert!(!out.exists(), "nothing written");
    let res = ok(&["report", s(&study), "-", "--dimension", "openness"]);
    let html = String::from_utf8(res.stdout).expect("utf-8 HTML");
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "`-` writes the report to stdout"
    );
    assert_eq!(
        embedded(&html)["decomposition"]["dimensions"]
            .as_array()
            .map(Vec::len),
        Some(1),
        "--dimension keeps one dimension"
    );
}
