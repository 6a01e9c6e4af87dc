//! What every CLI test file needs: run the built `chameleon`, insist it succeeded, a path as
//! an argument. Each test crate uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `chameleon` binary this test crate was built with.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
        .args(args)
        .output()
        .expect("run chameleon")
}

/// Runs it and fails the test with its stderr unless it exited 0.
pub fn ok(args: &[&str]) -> Output {
    let out = run(args);
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A path as a command-line argument (the tests' paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A psych reliability fixture (crates/stats/tests/fixtures/reliability): its CSV and the
/// expected values.
pub fn reliability_fixture(name: &str) -> (PathBuf, serde_json::Value) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures/reliability");
    let want =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap())
            .unwrap();
    (dir.join(format!("{name}.csv")), want)
}

/// The fixture's items in order, each with whether psych keyed it in reverse.
pub fn fixture_items(want: &serde_json::Value) -> Vec<(&str, bool)> {
    let reverse: Vec<&str> = want["reverse"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    want["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let i = v.as_str().unwrap();
            (i, reverse.contains(&i))
        })
        .collect()
}
