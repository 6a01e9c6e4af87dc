//! The bootstraps' intervals, bit for bit, on the committed fixtures (issue #19): a change
//! that only makes a bootstrap faster must leave every endpoint as it was.
//!
//! Expected: `tests/fixtures/bootstrap/intervals.txt`, one line per case, the intervals in
//! Rust's `Debug` form (shortest round-trip decimals, so equal text is equal bits). Written
//! by the code before issue #19's restructuring with
//! `CHAMELEON_BLESS=1 cargo test -p chameleon-stats --test bootstrap_bits`; re-bless only
//! for a change that is meant to move the numbers, and say so in its commit.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::agreement::{bootstrap, Categories, KappaWeights, Rating, RatingTable};
use chameleon_stats::bootstrap::Control;
use chameleon_stats::variance::decompose::Prepared;
use chameleon_stats::variance::{
    bootstrap_decomposition, decompose, BootstrapOptions, DecomposeOptions, Method,
    Rating as VRating,
};
use std::collections::HashMap;
use std::path::PathBuf;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The rows of a CSV after its header, split at commas.
fn rows(path: PathBuf) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(&path).expect("fixture must exist");
    text.lines()
        .skip(1)
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn intern(map: &mut HashMap<String, u32>, key: &str) -> u32 {
    let n = map.len() as u32;
    *map.entry(key.to_string()).or_insert(n)
}

fn agreement_cases(out: &mut Vec<String>) {
    let dir = fixtures().join("agreement");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".csv"))
        .collect();
    names.sort();
    for name in names {
        let (mut units, mut raters) = (HashMap::new(), HashMap::new());
        let ratings: Vec<Rating> = rows(dir.join(&name))
            .iter()
            .map(|f| {
                Rating::new(
                    intern(&mut units, &f[0]),
                    intern(&mut raters, &f[1]),
                    f[2].parse().unwrap(),
                )
            })
            .collect();
        let table = RatingTable::new(&ratings).unwrap();
        let scale = Categories::from_data(&table);
        let rank = Categories::from_data(&table).with_weights(KappaWeights::Rank);
        for (label, cats) in [
            ("none", None),
            ("scale", Some(&scale)),
            ("rank", Some(&rank)),
        ] {
            let ci = bootstrap(&table, cats, 203, 11, 0.95).unwrap();
            out.push(format!("agreement {name} {label}: {ci:?}"));
        }
    }
}

fn decomposition_cases(out: &mut Vec<String>) {
    let dir = fixtures().join("decompose");
    let never = std::sync::atomic::AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    for name in [
        "balanced",
        "boundary",
        "edge_no_replication",
        "tiny",
        "unbalanced",
    ] {
        let (mut persons, mut profiles, mut raters) =
            (HashMap::new(), HashMap::new(), HashMap::new());
        let ratings: Vec<VRating> = rows(dir.join(format!("{name}.csv")))
            .iter()
            .map(|f| VRating {
                person: intern(&mut persons, &f[0]),
                profile: intern(&mut profiles, &format!("{}\u{1f}{}", f[0], f[1])),
                rater: intern(&mut raters, &f[2]),
                value: f[4].parse().unwrap(),
            })
            .collect();
        let Ok(prepared) = Prepared::new(&ratings, true) else {
            out.push(format!("decomposition {name}: not prepared"));
            continue;
        };
        let full = decompose(&prepared, &ratings, &DecomposeOptions::default());
        for method in [Method::Reml, Method::Anova] {
            let opts = BootstrapOptions {
                // Not a multiple of a block of resamples: the last block is partial.
                resamples: 45,
                seed: 5,
                level: 0.95,
                method,
            };
            let got = bootstrap_decomposition(&[&prepared], &[&full], &opts, &control)
                .map(|b| serde_json::to_string(&b).unwrap());
            out.push(format!("decomposition {name} {method:?}: {got:?}"));
        }
    }
}

#[test]
fn bootstrap_intervals_are_bit_for_bit_those_recorded_issue19() {
    let mut got = Vec::new();
    agreement_cases(&mut got);
    decomposition_cases(&mut got);
    let path = fixtures().join("bootstrap/intervals.txt");
    if std::env::var_os("CHAMELEON_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, got.join("\n") + "\n").unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).expect("recorded intervals");
    let want: Vec<&str> = want.lines().collect();
    assert_eq!(got.len(), want.len(), "one line per case");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "a bootstrap interval changed its bits");
    }
}
