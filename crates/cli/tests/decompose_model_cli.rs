//! `chameleon decompose --model` end to end (issue #12): DESIGN.md's `"model"` object, the
//! numbers of lme4 on the formula fixtures of `crates/stats/tests/fixtures/formula`, bad
//! formulas and inseparable terms (exit 2, nothing on stdout), replicate rows of a no-rater
//! file, and the context check of the nested decomposition.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/fixtures/formula")
        .join(name)
}

/// A fixture's rows as a tidy file with a `dimension` column (`mood`), without the rater
/// column when the fixture has no raters.
fn tidy(name: &str) -> PathBuf {
    let text = std::fs::read_to_string(fixture(&format!("{name}.csv"))).unwrap();
    let has_rater = text
        .lines()
        .skip(1)
        .any(|l| l.split(',').nth(2) != Some(""));
    let mut out = String::from(if has_rater {
        "person,context,rater,dimension,value\n"
    } else {
        "person,context,dimension,value\n"
    });
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        if has_rater {
            out += &format!("{},{},{},mood,{}\n", f[0], f[1], f[2], f[3]);
        } else {
            out += &format!("{},{},mood,{}\n", f[0], f[1], f[3]);
        }
    }
    // One file per call: tests run in parallel and several read the same fixture, so a shared
    // name would let one test read the file while another rewrites it.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("model_{name}_{}_{n}.csv", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
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

fn model(path: &std::path::Path, formula: &str, ml: bool) -> Value {
    let mut args = vec![
        "decompose",
        path.to_str().unwrap(),
        "--json",
        "--model",
        formula,
    ];
    if ml {
        args.push("--ml");
    }
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["dimensions"][0]["model"].clone()
}

/// The lme4 fit of `formula` in fixture `name`.
fn lme4(name: &str, formula: &str, reml: bool) -> Value {
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture(&format!("{name}.json"))).unwrap())
            .unwrap();
    v["fits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["formula"] == formula && f["reml"] == reml)
        .unwrap()
        .clone()
}

fn close(ours: f64, theirs: f64, what: &str) {
    let d = (ours - theirs).abs() / theirs.abs().max(1e-3);
    assert!(d < 1e-3, "{what}: {ours} vs lme4 {theirs}");
}

#[test]
fn model_object_matches_lme4_reml_and_ml() {
    let path = tidy("shared_balanced");
    let written = "value ~ 1 + (1|person) + (1|context) + (1|context:person) + (1|rater) + (1|rater:person) + (1|rater:context)";
    let canonical = "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)";
    for ml in [false, true] {
        let m = model(&path, written, ml);
        let r = lme4("shared_balanced", canonical, !ml);
        let keys: Vec<&str> = m["components"]
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys.len(),
            7,
            "six terms and the residual, as written: {keys:?}"
        );
        for (term, lme4_name) in [
            ("person", "person"),
            ("context", "context"),
            ("context:person", "person:context"),
            ("rater", "rater"),
            ("rater:person", "rater:person"),
            ("rater:context", "rater:context"),
            ("residual", "residual"),
        ] {
            close(
                m["components"][term].as_f64().unwrap(),
                r["strict"]["components"][lme4_name].as_f64().unwrap(),
                term,
            );
            assert!(m["shares"][term].as_f64().unwrap() > 0.0);
        }
        close(
            m["intercept"].as_f64().unwrap(),
            r["strict"]["intercept"].as_f64().unwrap(),
            "intercept",
        );
        close(
            m["intercept_se"].as_f64().unwrap(),
            r["strict"]["intercept_se"].as_f64().unwrap(),
            "intercept_se",
        );
        let key = if ml { "deviance" } else { "reml_criterion" };
        let other = if ml { "reml_criterion" } else { "deviance" };
        assert!(m.get(other).is_none());
        assert!(m[key].as_f64().unwrap() <= r["best_criterion"].as_f64().unwrap() + 1e-7);
        assert_eq!(m["converged"], true);
        assert_eq!(m["levels"]["context"], 8);
        assert_eq!(m["levels"]["person"], 40);
        assert!(m["boundary"].as_array().unwrap().is_empty());
        assert!(m["warnings"].as_array().unwrap().is_empty());
    }
}

#[test]
fn boundary_terms_are_listed_and_warned() {
    let path = tidy("boundary");
    let f = "value ~ 1 + (1|person) + (1|rater) + (1|rater:person)";
    let m = model(&path, f, false);
    assert_eq!(m["boundary"], serde_json::json!(["rater:person"]));
    assert_eq!(m["components"]["rater:person"], 0.0);
    assert!(m["warnings"][0].as_str().unwrap().contains("rater:person"));
}

#[test]
fn bad_formulas_and_inseparable_terms_exit_2_naming_the_term() {
    let path = tidy("shared_balanced");
    let p = path.to_str().unwrap();
    for (formula, needle) in [
        ("value ~ 1 + (day|person)", "(day|person)"),
        ("value ~ 1 + (1|person) + (1|subject)", "subject"),
        ("value ~ 1 + (1||person)", "||"),
        (
            "value ~ 1 + (1|person:context:rater)",
            "person:context:rater",
        ),
        ("value ~ 1 + age + (1|person)", "age"),
        ("value ~ (1|person) + (1|person)", "duplicate"),
    ] {
        let (code, out, err) = run(&["decompose", p, "--json", "--model", formula]);
        assert_eq!(code, 2, "{formula}: {err}");
        assert!(out.is_empty(), "nothing written for {formula}");
        assert!(err.contains(needle), "{formula}: {err}");
    }
    // No rater column at all.
    let norater = tidy("norater_replicates");
    let (code, out, err) = run(&[
        "decompose",
        norater.to_str().unwrap(),
        "--model",
        "value ~ (1|person) + (1|rater)",
    ]);
    assert_eq!(code, 2);
    assert!(
        out.is_empty() && err.contains("term 'rater'") && err.contains("no rater column"),
        "{err}"
    );
    // One rating per person × context: person:context is the residual.
    let single = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("model_single.csv");
    let mut csv = String::from("person,context,dimension,value\n");
    for p in 0..8 {
        for c in 0..3 {
            csv += &format!("p{p},c{c},mood,{}\n", (p * 7 + c * 3) % 5);
        }
    }
    std::fs::write(&single, csv).unwrap();
    let (code, out, err) = run(&[
        "decompose",
        single.to_str().unwrap(),
        "--json",
        "--model",
        "value ~ (1|person) + (1|person:context)",
    ]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("term 'person:context'") && err.contains("residual") && err.contains("mood"),
        "{err}"
    );
}

#[test]
fn no_rater_replicate_rows_decompose_like_lme4() {
    // Some person × context cells hold two rows (msqR style); refused before issue #12.
    let path = tidy("norater_replicates");
    let f = "value ~ 1 + (1|person) + (1|context) + (1|person:context)";
    let m = model(&path, f, false);
    let r = lme4("norater_replicates", f, true);
    for term in ["person", "context", "person:context", "residual"] {
        close(
            m["components"][term].as_f64().unwrap(),
            r["strict"]["components"][term].as_f64().unwrap(),
            term,
        );
    }
}

#[test]
fn shared_contexts_get_a_context_check_nested_ones_do_not() {
    let path = tidy("shared_balanced");
    let (code, out, err) = run(&["decompose", path.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = &v["dimensions"][0];
    assert!(d.get("model").is_none(), "no model without --model");
    let c = &d["context_check"];
    let (ctx, pc) = (
        c["context"].as_f64().unwrap(),
        c["person_context"].as_f64().unwrap(),
    );
    assert!(ctx > 0.0 && pc > 0.0);
    assert!((c["context_share_of_state"].as_f64().unwrap() - ctx / (ctx + pc)).abs() < 1e-12);
    assert!(c["note"].as_str().unwrap().contains('%'));
    // Contexts named per person: nothing is shared, no check.
    let text = std::fs::read_to_string(&path).unwrap();
    let mut nested = String::new();
    for (i, l) in text.lines().enumerate() {
        let f: Vec<&str> = l.split(',').collect();
        nested += &if i == 0 {
            format!("{l}\n")
        } else {
            format!("{},{}-{},{},{},{}\n", f[0], f[0], f[1], f[2], f[3], f[4])
        };
    }
    let np = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("model_nested.csv");
    std::fs::write(&np, nested).unwrap();
    let (code, out, _) = run(&["decompose", np.to_str().unwrap(), "--json"]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert!(v["dimensions"][0].get("context_check").is_none());
}

#[test]
fn effects_csv_has_lme4_conditional_modes_ranked() {
    let path = tidy("shared_balanced");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("model_effects.csv");
    let _ = std::fs::remove_file(&out);
    let formula = "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)";
    let ranef: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("shared_balanced.ranef.json")).unwrap(),
    )
    .unwrap();
    for term in ["context", "rater:person"] {
        let (code, _, err) = run(&[
            "decompose",
            path.to_str().unwrap(),
            "--json",
            "--model",
            formula,
            "--effects",
            term,
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 0, "{err}");
        let text = std::fs::read_to_string(&out).unwrap();
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some("dimension,term,level,mode,sd"));
        let rows: Vec<Vec<String>> = lines
            .map(|l| l.split(',').map(String::from).collect())
            .collect();
        let t = &ranef["terms"][term];
        assert_eq!(rows.len(), t["level"].as_array().unwrap().len());
        let modes: Vec<f64> = rows.iter().map(|r| r[3].parse().unwrap()).collect();
        assert!(modes.windows(2).all(|w| w[0] >= w[1]), "ranked by mode");
        for r in &rows {
            assert_eq!((r[0].as_str(), r[1].as_str()), ("mood", term));
            let at = t["level"]
                .as_array()
                .unwrap()
                .iter()
                .position(|l| l == r[2].as_str())
                .unwrap();
            let mode = t["mode"][at].as_f64().unwrap();
            assert!((r[3].parse::<f64>().unwrap() - mode).abs() <= 1e-3 * mode.abs().max(1e-2));
            close(r[4].parse().unwrap(), t["sd"][at].as_f64().unwrap(), "sd");
        }
    }
    // A term the model does not have: exit 2, nothing written.
    let _ = std::fs::remove_file(&out);
    let (code, stdout, err) = run(&[
        "decompose",
        path.to_str().unwrap(),
        "--model",
        "value ~ (1|person) + (1|context)",
        "--effects",
        "rater",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(stdout.is_empty() && !out.exists() && err.contains("rater"));
}

/// A formula run fits its model only: no nested levels, no context check (the formula's own
/// context term answers it), the counts kept; the table shows the model alone.
#[test]
fn a_model_run_fits_the_model_only() {
    let path = tidy("shared_balanced");
    let p = path.to_str().unwrap();
    let f = "value ~ 1 + (1|person) + (1|context) + (1|person:context)";
    let (code, out, err) = run(&["decompose", p, "--json", "--model", f]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let d = &v["dimensions"][0];
    assert!(d["model"]["components"]["context"].as_f64().unwrap() > 0.0);
    assert!(
        d["profile_level"].is_null() && d["rater_level"].is_null(),
        "{d}"
    );
    assert!(d.get("context_check").is_none(), "{d}");
    assert!(d["ratings"].as_u64().unwrap() > 0 && d["persons"].as_u64().unwrap() > 0);
    let (code, text, err) = run(&["decompose", p, "--model", f]);
    assert_eq!(code, 0, "{err}");
    assert!(text.contains("Model value ~"), "{text}");
    assert!(!text.contains("σ²_trait"), "{text}");
}
