//! What every CLI test file needs: run the built `chameleon`, insist it succeeded, a path as
//! an argument. Each test crate uses only some of them.
#![allow(dead_code)]

use std::path::Path;
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
