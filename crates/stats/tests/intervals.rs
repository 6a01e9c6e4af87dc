//! Intervals of the formula engine against lme4 (issue #12 item 3): profile-likelihood
//! intervals of every standard deviation against `confint(m, method = "profile")`, fixtures
//! written by `scripts/reference/decompose/intervals_reference.R` on the data sets of
//! `tests/fixtures/formula/`.
//!
//! Tolerance: each bound within 5e-3 relative (floor: relative to the residual SD, for bounds
//! near 0) of lme4's profile on a four times finer grid than its default (`delta.cutoff =
//! 1/32`), and within 1e-2 of its default profile: lme4 interpolates the profile by a spline
//! through the points it computed, and its default bounds differ from its own finer ones by
//! up to 8.1e-3 on these fixtures (a small rater SD's lower bound in `shared_balanced`), while
//! ours solve for the crossing exactly. A lower bound lme4 reports as 0 (profile not falling
//! to −z before 0) must be exactly 0 here.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::variance::formula::parse;
use chameleon_stats::variance::mixed::{Criterion, FitOptions, Model, Observation};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

const PROFILE_REL: f64 = 5e-3;
/// Against lme4's default (coarser) profile; see the module docs.
const PROFILE_DEFAULT_REL: f64 = 1e-2;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Rows of a fixture CSV (`person,context,rater,value`), ids in first-seen order.
fn read_rows(name: &str) -> (Vec<Observation>, bool) {
    let text =
        std::fs::read_to_string(fixtures().join("formula").join(format!("{name}.csv"))).unwrap();
    let mut ids: [HashMap<String, u32>; 3] = Default::default();
    let mut has_rater = false;
    let rows = text
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let mut id = |k: usize| {
                let n = ids[k].len() as u32;
                *ids[k].entry(f[k].to_string()).or_insert(n)
            };
            has_rater |= !f[2].is_empty();
            Observation {
                person: id(0),
                context: id(1),
                rater: id(2),
                value: f[3].parse().unwrap(),
            }
        })
        .collect();
    (rows, has_rater)
}

fn check_profiles(name: &str) -> (usize, f64) {
    let (rows, has_rater) = read_rows(name);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(
            fixtures()
                .join("intervals")
                .join(format!("{name}.profile.json")),
        )
        .unwrap(),
    )
    .unwrap();
    let mut worst: f64 = 0.0;
    let mut checked = 0;
    for fit in json["fits"].as_array().unwrap() {
        let text = fit["formula"].as_str().unwrap();
        let reml = fit["reml"].as_bool().unwrap();
        let model = Model::new(&parse(text).unwrap(), &rows, has_rater).unwrap();
        let criterion = if reml { Criterion::Reml } else { Criterion::Ml };
        // The interval does not depend on the criterion of the fit: lme4 profiles ML for both.
        model.fit(criterion, &FitOptions::default()).unwrap();
        let ours = model.profile_intervals().unwrap();
        let sigma = ours.residual.estimate;
        let mut got: Vec<(String, [f64; 2])> = ours
            .terms
            .iter()
            .map(|t| (t.label.clone(), [t.lower, t.upper]))
            .collect();
        got.push((
            "residual".into(),
            [ours.residual.lower, ours.residual.upper],
        ));
        for (key, tol) in [("ci", PROFILE_DEFAULT_REL), ("ci_fine", PROFILE_REL)] {
            let want = fit[key].as_object().unwrap();
            assert_eq!(want.len(), got.len(), "{name} {text}: parameters");
            for (label, [lo, hi]) in &got {
                let w = want
                    .get(label)
                    .unwrap_or_else(|| panic!("{name} {text}: lme4 has no '{label}'"));
                let w = [w[0].as_f64().unwrap(), w[1].as_f64().unwrap()];
                if w[0] == 0.0 {
                    assert_eq!(*lo, 0.0, "{name} {text} reml={reml} {label}: lower {lo}");
                }
                for (a, b) in [(*lo, w[0]), (*hi, w[1])] {
                    let rel = (a - b).abs() / b.abs().max(sigma);
                    if key == "ci_fine" {
                        worst = worst.max(rel);
                    }
                    assert!(
                        rel <= tol,
                        "{name} {text} reml={reml} {key} {label}: ours [{lo}, {hi}], lme4 {w:?} \
                         (rel {rel:.2e})"
                    );
                }
                checked += 1;
            }
        }
    }
    (checked, worst)
}

fn profile_fixture(name: &str, at_least: usize) {
    let (n, worst) = check_profiles(name);
    eprintln!(
        "{name}: {n} intervals checked, worst relative difference to the fine profile {worst:.2e}"
    );
    assert!(n >= at_least, "{name}: {n}");
}

#[test]
fn profile_intervals_match_lme4_shared_balanced() {
    profile_fixture("shared_balanced", 40);
}

#[test]
fn profile_intervals_match_lme4_shared_unbalanced() {
    profile_fixture("shared_unbalanced", 20);
}

#[test]
fn profile_intervals_match_lme4_boundary() {
    profile_fixture("boundary", 20);
}

#[test]
fn profile_intervals_match_lme4_no_rater_replicates() {
    profile_fixture("norater_replicates", 16);
}

/// Monte-Carlo standard error of the `p` quantile of a bootstrap distribution, from the sorted
/// sample: the spread of the order statistics `N p ± √(N p (1 − p))` (one binomial SD).
fn quantile_se(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len() as f64;
    let half = (n * p * (1.0 - p)).sqrt();
    let at = |x: f64| sorted[(x.round().max(0.0) as usize).min(sorted.len() - 1)];
    (at(n * p + half) - at(n * p - half)) / 2.0
}

/// The parametric bootstrap against lme4's `bootMer` (1000 resamples each) on a crossed design:
/// every percentile endpoint of every component and share agrees within 4 Monte-Carlo standard
/// errors of the difference of two independent bootstraps (`√2` × the SE of one, estimated
/// from lme4's sample), and the medians likewise.
#[test]
fn parametric_bootstrap_matches_bootmer() {
    use chameleon_stats::bootstrap::{quantile_sorted, Control};
    use chameleon_stats::variance::mixed::{BootstrapMethod, ModelBootstrapOptions};
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures().join("intervals/norater_replicates.bootmer.json"))
            .unwrap(),
    )
    .unwrap();
    let (rows, has_rater) = read_rows("norater_replicates");
    let formula = parse(json["formula"].as_str().unwrap()).unwrap();
    let model = Model::new(&formula, &rows, has_rater).unwrap();
    let fit = model.fit(Criterion::Reml, &FitOptions::default()).unwrap();
    assert_eq!(
        BootstrapMethod::for_formula(&formula),
        BootstrapMethod::Parametric
    );
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let b = model
        .parametric_bootstrap(
            &fit,
            Criterion::Reml,
            &ModelBootstrapOptions {
                resamples: 1000,
                seed: 12,
                level: 0.95,
            },
            &control,
        )
        .unwrap();
    assert_eq!(b.failed, 0);
    let mut checked = 0;
    for (i, label) in b.labels.iter().enumerate() {
        for (kind, ours) in [("component", b.components[i]), ("share", b.shares[i])] {
            let sample: Vec<f64> = json["samples"][format!("{kind}.{label}")]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            let [lo, hi] = ours.unwrap();
            for (p, got) in [(0.025, lo), (0.975, hi)] {
                let want = quantile_sorted(&sample, p);
                let tol = 4.0 * 2f64.sqrt() * quantile_se(&sample, p);
                assert!(
                    (got - want).abs() <= tol,
                    "{kind} {label} q{p}: ours {got}, bootMer {want}, tolerance {tol}"
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, 12);
}
