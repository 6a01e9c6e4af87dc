//! `chameleon decompose --model` intervals end to end (issue #12 item 3): `--profile-ci` gives
//! lme4's profile intervals (`sd_ci95`), `--bootstrap` a parametric bootstrap on a crossed
//! formula and the person-cluster one on a nested formula, saying which, identical for a seed
//! whatever the number of threads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures")
}

/// The no-rater fixture (contexts shared by persons, replicate rows) as a tidy file.
fn tidy() -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join("formula/norater_replicates.csv")).unwrap();
    let mut out = String::from("person,context,dimension,value\n");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        out += &format!("{},{},mood,{}\n", f[0], f[1], f[3]);
    }
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("intervals_{}_{n}.csv", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
}

fn run(args: &[&str], threads: Option<&str>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chameleon"));
    cmd.args(args);
    if let Some(t) = threads {
        cmd.env("RAYON_NUM_THREADS", t);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn model_of(out: &str) -> Value {
    let v: Value = serde_json::from_str(out).unwrap();
    v["dimensions"][0]["model"].clone()
}

const CROSSED: &str = "value ~ 1 + (1|person) + (1|context) + (1|person:context)";

#[test]
fn profile_ci_matches_lme4_confint() {
    let path = tidy();
    let fixture: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("intervals/norater_replicates.profile.json"))
            .unwrap(),
    )
    .unwrap();
    for ml in [false, true] {
        let mut args = vec![
            "decompose",
            path.to_str().unwrap(),
            "--json",
            "--model",
            CROSSED,
            "--profile-ci",
        ];
        if ml {
            args.push("--ml");
        }
        let (code, out, err) = run(&args, None);
        assert_eq!(code, 0, "{err}");
        let got = &model_of(&out)["sd_ci95"];
        let want = fixture["fits"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["formula"] == CROSSED && f["reml"] == !ml)
            .unwrap();
        let want = want["ci"].as_object().unwrap();
        assert_eq!(got.as_object().unwrap().len(), want.len(), "{got}");
        for (term, w) in want {
            for i in 0..2 {
                let (a, b) = (got[term][i].as_f64().unwrap(), w[i].as_f64().unwrap());
                assert!(
                    (a - b).abs() <= 5e-3 * b.abs(),
                    "ml={ml} {term}[{i}]: ours {a}, lme4 {b}"
                );
            }
        }
    }
}

#[test]
fn crossed_bootstrap_is_parametric_and_thread_independent() {
    let path = tidy();
    let args = [
        "decompose",
        path.to_str().unwrap(),
        "--json",
        "--model",
        CROSSED,
        "--bootstrap",
        "100",
        "--seed",
        "7",
    ];
    let (code, one, err) = run(&args, Some("1"));
    assert_eq!(code, 0, "{err}");
    let (code, two, err) = run(&args, Some("2"));
    assert_eq!(code, 0, "{err}");
    assert_eq!(one, two, "same seed, other thread count");
    let m = model_of(&one);
    assert_eq!(m["bootstrap"]["method"], "parametric");
    assert_eq!(m["bootstrap"]["resamples"], 100);
    assert_eq!(m["bootstrap"]["seed"], 7);
    for key in ["components_ci95", "shares_ci95"] {
        let ci = m[key].as_object().unwrap();
        let mut names: Vec<&str> = ci.keys().map(|k| k.as_str()).collect();
        names.sort_unstable();
        assert_eq!(names, ["context", "person", "person:context", "residual"]);
        for (term, iv) in ci {
            let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
            let est = m[if key == "shares_ci95" {
                "shares"
            } else {
                "components"
            }][term]
                .as_f64()
                .unwrap();
            assert!(lo <= hi && lo >= 0.0, "{key} {term}: [{lo}, {hi}]");
            assert!(
                lo <= est * 1.5 && est <= hi * 1.5,
                "{key} {term}: {est} vs [{lo}, {hi}]"
            );
        }
    }
    let (_, other, _) = run(
        &args[..args.len() - 1]
            .iter()
            .copied()
            .chain(["8"])
            .collect::<Vec<_>>(),
        None,
    );
    assert_ne!(model_of(&other)["components_ci95"], m["components_ci95"]);
}

#[test]
fn nested_bootstrap_is_person_cluster() {
    let path = tidy();
    let (code, out, err) = run(
        &[
            "decompose",
            path.to_str().unwrap(),
            "--json",
            "--model",
            "value ~ 1 + (1|person) + (1|person:context)",
            "--bootstrap",
            "50",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let m = model_of(&out);
    assert_eq!(m["bootstrap"]["method"], "person-cluster");
    assert!(m["components_ci95"]["person:context"][1].as_f64().unwrap() > 0.0);
}

#[test]
fn interval_flags_need_a_model_and_bounded_resamples() {
    let path = tidy();
    let p = path.to_str().unwrap();
    let (code, out, _) = run(&["decompose", p, "--json", "--profile-ci"], None);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let (code, out, err) = run(
        &[
            "decompose",
            p,
            "--json",
            "--model",
            CROSSED,
            "--bootstrap",
            "1",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(err.contains("bootstrap resamples"), "{err}");
}

#[test]
fn report_with_a_model_names_it_and_a_bad_formula_writes_nothing() {
    let path = tidy();
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("model_report_{}.html", std::process::id()));
    let _ = std::fs::remove_file(&out);
    let (code, _, err) = run(
        &[
            "report",
            path.to_str().unwrap(),
            out.to_str().unwrap(),
            "--model",
            CROSSED,
            "--profile-ci",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains(
        "<code class=\"model-formula\">value ~ 1 + (1 | person) + (1 | context) + (1 | \
         person:context)</code>"
    ));
    assert!(html.contains("<h3>Context effects</h3>"));
    assert!(html.contains("SD 95% profile CI"));
    // The same numbers as decompose --json.
    let (_, json, _) = run(
        &[
            "decompose",
            path.to_str().unwrap(),
            "--json",
            "--model",
            CROSSED,
            "--profile-ci",
        ],
        None,
    );
    let m = model_of(&json);
    let [lo, hi] = [0, 1].map(|i| m["sd_ci95"]["context"][i].as_f64().unwrap());
    assert!(
        html.contains(&format!("[{lo:.4}, {hi:.4}]")),
        "context SD interval"
    );
    std::fs::remove_file(&out).unwrap();

    let (code, _, err) = run(
        &[
            "report",
            path.to_str().unwrap(),
            out.to_str().unwrap(),
            "--model",
            "value ~ 1 + (1|person) + (1|school)",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("school"), "{err}");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn the_table_shows_the_intervals_and_the_bootstrap_used() {
    let path = tidy();
    let p = path.to_str().unwrap();
    let common = ["--model", CROSSED, "--profile-ci", "--bootstrap", "20"];
    let (code, table, err) = run(&[&["decompose", p][..], &common[..]].concat(), None);
    assert_eq!(code, 0, "{err}");
    let (_, json, _) = run(
        &[&["decompose", p, "--json"][..], &common[..]].concat(),
        None,
    );
    let m = model_of(&json);
    assert!(
        table.contains("mood: 95% intervals; parametric bootstrap, 20 resamples"),
        "{table}"
    );
    let line = table
        .lines()
        .find(|l| l.starts_with("person:context "))
        .expect("a row per term");
    let f = |v: &Value| {
        format!(
            "[{:.4}, {:.4}]",
            v[0].as_f64().unwrap(),
            v[1].as_f64().unwrap()
        )
    };
    assert!(line.contains(&f(&m["sd_ci95"]["person:context"])), "{line}");
    assert!(
        line.contains(&f(&m["shares_ci95"]["person:context"])),
        "{line}"
    );
}
