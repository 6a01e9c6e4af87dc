//! Without the `engine` feature, `decompose --engine datafusion` says that this build lacks it
//! (issue #17), exits 2 as for any argument the user can fix, and prints nothing on stdout.
#![cfg(not(feature = "engine"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;

#[test]
fn engine_flag_without_the_feature_says_so_issue17() {
    let csv = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/fixtures/decompose/tiny.csv");
    let out = Command::new(env!("CARGO_BIN_EXE_chameleon"))
        .args(["decompose", csv.to_str().unwrap(), "--engine", "datafusion"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "bad input: {err}");
    assert!(out.stdout.is_empty());
    assert!(
        err.contains("no query engine") && err.contains("--features engine"),
        "{err}"
    );
}
