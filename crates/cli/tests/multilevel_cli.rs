//! `chameleon reliability --multilevel` on psych's multilevel.reliability fixtures
//! (`scripts/reference/reliability/psych_multilevel.R`): contexts are the occasions.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn multilevel_reliability_matches_psych_through_the_cli() {
    let fixtures =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../stats/tests/fixtures/multilevel");
    let dir = tempfile::tempdir().unwrap();
    for name in ["small", "diary"] {
        let text = std::fs::read_to_string(fixtures.join(format!("{name}.csv"))).unwrap();
        // person,occasion,item,value is the long layout with occasions as contexts.
        let long = text.replacen(
            "person,occasion,item,value",
            "person,context,dimension,value",
            1,
        );
        let path = dir.path().join(format!("{name}.csv"));
        std::fs::write(&path, long).unwrap();
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(fixtures.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let items: Vec<String> = (1..=want["n_items"].as_u64().unwrap())
            .map(|i| format!("i{i}"))
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_chameleon"))
            .args([
                "reliability",
                path.to_str().unwrap(),
                "--multilevel",
                "--json",
            ])
            .arg(format!("--scale=s={}", items.join(",")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let got: Value = serde_json::from_slice(&out.stdout).unwrap();
        let got = &got[0]["reliability"];
        for k in ["r1f", "rkf", "r1r", "rkr", "rc"] {
            let (g, w) = (got[k].as_f64().unwrap(), want[k].as_f64().unwrap());
            assert!((g - w).abs() < 1e-9, "{name} {k}: {g} vs {w}");
        }
        let (g, w) = (
            got["components"]["person_time"].as_f64().unwrap(),
            want["components"]["person_time"].as_f64().unwrap(),
        );
        assert!((g - w).abs() < 1e-9, "{name}: {g} vs {w}");
    }
}
