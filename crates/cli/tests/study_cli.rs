//! The `chameleon` binary end to end on real files: study verbs, exit codes, durability.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run chameleon")
}

fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Demo {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    study: PathBuf,
}

fn demo() -> Demo {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files), "--persons", "8"]);
    let study = dir.join("s.db");
    ok(&["study", "new", s(&study)]);
    ok(&[
        "import",
        "profiles",
        s(&study),
        s(&files.join("profiles.jsonl")),
    ]);
    ok(&[
        "import",
        "codebook",
        s(&study),
        s(&files.join("codebook.toml")),
    ]);
    ok(&[
        "import",
        "ratings",
        s(&study),
        s(&files.join("ratings.csv")),
    ]);
    Demo {
        _dir: tmp,
        dir,
        study,
    }
}

#[test]
fn readme_flow_works_and_export_round_trips() {
    let d = demo();
    let info = ok(&["info", s(&d.study)]);
    assert!(
        info.contains("openness") && info.contains("ana"),
        "info lists dimensions and raters:\n{info}"
    );
    let out = d.dir.join("back.csv");
    ok(&["export", "ratings", s(&d.study), s(&out)]);
    let original = std::fs::read_to_string(d.dir.join("demo/ratings.csv")).unwrap();
    let back = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        back.replace("\r\n", "\n"),
        original,
        "export ratings must give back the imported rows"
    );
    let json: serde_json::Value =
        serde_json::from_str(&ok(&["info", s(&d.study), "--json"])).unwrap();
    assert_eq!(json["profiles"], 24);
}

#[test]
fn bad_input_exits_2_naming_file_line_and_column_and_changes_nothing() {
    let d = demo();
    let bad = d.dir.join("bad.csv");
    std::fs::write(&bad, "person,context,rater,dimension,value\nu001,r/gaming,ana,extraversion,3\nu001,r/gaming,ben,extraversion,lots\n").unwrap();
    let before = std::fs::read(&d.study).unwrap();
    let out = run(&["import", "ratings", s(&d.study), s(&bad)]);
    assert_eq!(out.status.code(), Some(2), "bad input exits with 2");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv") && err.contains("line 3") && err.contains("'value'"),
        "{err}"
    );
    assert_eq!(before, std::fs::read(&d.study).unwrap(), "nothing written");

    // The analysis verbs validate their CSV before any statistic runs.
    for verb in ["agreement", "decompose"] {
        let out = run(&[verb, s(&bad)]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{verb} on a bad file exits with 2"
        );
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("line 3") && err.contains("'value'") && err.contains("lots"),
            "{verb}: {err}"
        );
    }
    let missing = d.dir.join("no-such-file.csv");
    let out = run(&["agreement", s(&missing)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing input file is bad input"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-file.csv"));
    let out = run(&["info", s(&d.dir.join("demo/ratings.csv"))]);
    assert_eq!(out.status.code(), Some(2), "a CSV is not a study");
}

#[test]
fn every_verb_has_help_with_an_example() {
    for verb in [
        vec!["study", "new"],
        vec!["import", "ratings"],
        vec!["import", "profiles"],
        vec!["import", "codebook"],
        vec!["export", "ratings"],
        vec!["info"],
        vec!["agreement"],
        vec!["decompose"],
        vec!["sample", "demo"],
    ] {
        let mut args = verb.clone();
        args.push("--help");
        let h = ok(&args);
        assert!(
            h.contains("Example"),
            "{verb:?} --help should show an example:\n{h}"
        );
    }
}

#[test]
fn sigkill_during_a_write_loop_loses_no_committed_rating() {
    let d = demo();
    let mut child = bin()
        .args(["debug", "write-loop", s(&d.study), "--count", "10000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    // Kill it (SIGKILL) in the middle of the loop, after 2,000 acknowledged commits; keep
    // reading what it printed before dying.
    let mut acked = Vec::new();
    {
        use std::io::BufRead;
        let mut killed = false;
        for line in std::io::BufReader::new(stdout).lines() {
            let Ok(l) = line else { break };
            acked.push(l);
            if acked.len() == 2000 && !killed {
                child.kill().unwrap();
                killed = true;
            }
        }
    }
    let status = child.wait().unwrap();
    assert!(
        !status.success(),
        "the loop must have been killed, not finished"
    );
    assert!(
        acked.len() >= 2000 && acked.len() < 10_000,
        "killed mid-loop after {} acks",
        acked.len()
    );

    let c = rusqlite::Connection::open(&d.study).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // Later writes of the same key may overwrite earlier ones: check each key's last acked value.
    let mut last = std::collections::HashMap::new();
    for a in &acked {
        let mut parts = a.split(',');
        let (p, dim, v) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        last.insert((p.to_owned(), dim.to_owned()), v.parse::<f64>().unwrap());
    }
    for ((p, dim), v) in &last {
        let stored: Option<f64> = c
            .query_row(
                "SELECT r.value FROM rating r JOIN dimension d ON d.id = r.dimension_id
                   JOIN rater t ON t.id = r.rater_id
                  WHERE t.name = 'write-loop' AND r.profile_id = ?1 AND d.name = ?2",
                rusqlite::params![p.parse::<i64>().unwrap(), dim],
                |r| r.get(0),
            )
            .ok();
        // The value may be newer than the last ack (committed, killed before printing),
        // but the rating must exist.
        assert!(
            stored.is_some(),
            "acknowledged rating {p}/{dim}={v} was lost"
        );
    }
}
