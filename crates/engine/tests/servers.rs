//! The cluster's server binaries (`chameleon-scheduler`, `chameleon-executor`; docs/scale.md):
//! bad arguments are exit 2 naming what was wrong, before anything listens or connects.
//!
//! Being an integration test of this package also makes `cargo test` build both binaries
//! (with the test's features), so `scripts/cluster-loopback.sh` runs after the engine step of
//! `scripts/test.sh` without a build of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::process::Command;

fn run(bin: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(bin).args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_executor_with_a_bad_scheduler_or_memory_limit_is_exit_2_naming_it() {
    let exe = env!("CARGO_BIN_EXE_chameleon-executor");
    for (args, named) in [
        (&["--scheduler", "127.0.0.1:50050"][..], "127.0.0.1:50050"),
        (&["--scheduler", "df://127.0.0.1"][..], "df://127.0.0.1"),
        (
            &["--scheduler", "df://127.0.0.1:1", "--memory-limit", "lots"][..],
            "lots",
        ),
    ] {
        let (code, err) = run(exe, args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(named), "{args:?}: {err}");
    }
}

#[test]
fn a_scheduler_with_a_bad_bind_host_is_exit_2_naming_it() {
    let (code, err) = run(
        env!("CARGO_BIN_EXE_chameleon-scheduler"),
        &["--bind-host", "no host", "--bind-port", "1"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no host"), "{err}");
}
