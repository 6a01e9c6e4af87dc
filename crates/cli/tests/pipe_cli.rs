//! A reader that stops early (`chameleon … | head -1`) closes stdout before the verb is done:
//! every verb ends quietly with exit code 0 (not a panic, not an error). The pipe's reading end
//! is closed before the child starts, so its first write always meets a closed pipe.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::Path;
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
}

/// Runs `chameleon args` with stdout a pipe nobody reads.
fn into_closed_pipe(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    bin()
        .args(args)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn demo(dir: &Path) -> String {
    let study = dir.join("demo.db");
    let out = bin()
        .args(["sample", "demo"])
        .arg(dir.join("files"))
        .arg("--study")
        .arg(&study)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    study.to_str().unwrap().to_owned()
}

#[test]
fn a_closed_stdout_ends_every_kind_of_output_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let study = demo(dir.path());
    let ratings = dir.path().join("files/ratings.csv");
    let ratings = ratings.to_str().unwrap();
    for args in [
        // println! (panics on a closed pipe unless main catches it)
        vec!["agreement", ratings],
        vec!["info", &study],
        vec!["model", "runs", &study],
        // a writer (returns the error)
        vec!["decompose", &study, "--json"],
        vec!["agreement", ratings, "--json"],
    ] {
        let out = into_closed_pipe(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success(),
            "chameleon {args:?}: {:?}, stderr: {stderr}",
            out.status
        );
        assert!(
            !stderr.contains("panicked") && !stderr.contains("error"),
            "chameleon {args:?} said: {stderr}"
        );
    }
}

#[test]
fn other_failures_still_fail() {
    let out = into_closed_pipe(&["agreement", "/nonexistent/ratings.csv"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/ratings.csv"));
}
