//! Multilevel reliability against psych's `multilevel.reliability` (aov estimates) on the
//! fixtures of `scripts/reference/reliability/psych_multilevel.R`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::reliability::multilevel::multilevel_reliability;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/multilevel")
}

/// `person,occasion,item,value` rows into `y[person][occasion][item]`, ids in sorted order.
fn load(name: &str) -> Vec<Vec<Vec<Option<f64>>>> {
    let text = std::fs::read_to_string(dir().join(format!("{name}.csv"))).unwrap();
    let mut cells: BTreeMap<(String, String, String), f64> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        cells.insert(
            (f[0].to_owned(), f[1].to_owned(), f[2].to_owned()),
            f[3].parse().unwrap(),
        );
    }
    let ids = |k: usize| {
        let mut v: Vec<String> = cells
            .keys()
            .map(|c| [&c.0, &c.1, &c.2][k].clone())
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let (ps, ts, is) = (ids(0), ids(1), ids(2));
    ps.iter()
        .map(|p| {
            ts.iter()
                .map(|t| {
                    is.iter()
                        .map(|i| cells.get(&(p.clone(), t.clone(), i.clone())).copied())
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn matches_psych_multilevel_reliability() {
    for name in ["small", "diary", "two_items"] {
        let want: Value = serde_json::from_str(
            &std::fs::read_to_string(dir().join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        let got = multilevel_reliability(&load(name)).unwrap();
        let got = serde_json::to_value(&got).unwrap();
        for key in ["n_persons", "n_occasions", "n_items"] {
            assert_eq!(got[key], want[key], "{name} {key}");
        }
        let close = |path: &str, g: &Value, w: &Value| {
            let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
            assert!((g - w).abs() < 1e-9, "{name} {path}: {g} vs psych {w}");
        };
        for (k, w) in want["components"].as_object().unwrap() {
            close(k, &got["components"][k], w);
        }
        for k in ["r1f", "rkf", "r1r", "rkr", "rc"] {
            close(k, &got[k], &want[k]);
        }
    }
}
