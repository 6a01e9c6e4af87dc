//! The formula engine against lme4 (issue #12's "Done when"): fixtures written by
//! `scripts/reference/decompose/formula_reference.R` for every supported term combination,
//! balanced and unbalanced, REML and ML, boundary fits, and a no-rater data set with
//! replicate rows.
//!
//! Per fit: our criterion is no worse than the best of lme4's three optimizers + 1e-7; each
//! component within 1e-3 relative (floor 1e-3 for components near 0) of lme4 refitted with
//! bobyqa at rhoend = 1e-11; the intercept and its standard error likewise.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::prec::{rel_diff, COMPONENT_FLOOR, REML_CRIT_SLACK};
use chameleon_stats::variance::formula::{parse, Factor};
use chameleon_stats::variance::mixed::{Criterion, FitOptions, Model, Observation};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

const COMPONENT_REL: f64 = 1e-3;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formula")
}

/// Rows of a fixture CSV (`person,context,rater,value`) with ids in first-seen order.
pub fn read_rows(name: &str) -> (Vec<Observation>, bool) {
    let (rows, has_rater, _) = read_rows_named(name);
    (rows, has_rater)
}

/// [`read_rows`] and the names of the person, context and rater ids.
fn read_rows_named(name: &str) -> (Vec<Observation>, bool, [Vec<String>; 3]) {
    let text = std::fs::read_to_string(fixture_dir().join(format!("{name}.csv"))).unwrap();
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
    let names = ids.map(|m| {
        let mut v = vec![String::new(); m.len()];
        for (k, i) in m {
            v[i as usize] = k;
        }
        v
    });
    (rows, has_rater, names)
}

struct Worst {
    criterion: f64,
    component: f64,
    intercept: f64,
    se: f64,
    fits: usize,
}

fn check_fixture(name: &str, worst: &mut Worst) {
    let (rows, has_rater) = read_rows(name);
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join(format!("{name}.json"))).unwrap(),
    )
    .unwrap();
    for fit in json["fits"].as_array().unwrap() {
        let text = fit["formula"].as_str().unwrap();
        let reml = fit["reml"].as_bool().unwrap();
        assert!(fit.get("error").is_none(), "{name}: lme4 failed on {text}");
        let formula = parse(text).unwrap();
        let model = Model::new(&formula, &rows, has_rater).unwrap();
        let crit = if reml { Criterion::Reml } else { Criterion::Ml };
        let ours = model.fit(crit, &FitOptions::default()).unwrap();
        let what = format!("{name} {text} reml={reml}");
        assert!(ours.converged, "{what}");
        let best = fit["best_criterion"].as_f64().unwrap();
        let strict = &fit["strict"];
        let strict_crit = strict["criterion"].as_f64().unwrap();
        let lme4_best = best.min(strict_crit);
        assert!(
            ours.criterion <= lme4_best + REML_CRIT_SLACK,
            "{what}: criterion {} vs lme4 {lme4_best}",
            ours.criterion
        );
        worst.criterion = worst.criterion.max(ours.criterion - lme4_best);
        let comps = &strict["components"];
        let mut check = |label: &str, ours: f64| {
            let theirs = comps[label].as_f64().unwrap();
            let d = rel_diff(ours, theirs, COMPONENT_FLOOR);
            assert!(
                d <= COMPONENT_REL,
                "{what}: {label} {ours} vs lme4 {theirs} ({d:.2e})"
            );
            worst.component = worst.component.max(d);
        };
        for t in &ours.terms {
            check(t.kind.canonical(), t.variance);
        }
        check("residual", ours.residual);
        let di = rel_diff(
            ours.intercept,
            strict["intercept"].as_f64().unwrap(),
            COMPONENT_FLOOR,
        );
        let ds = rel_diff(
            ours.intercept_se,
            strict["intercept_se"].as_f64().unwrap(),
            COMPONENT_FLOOR,
        );
        assert!(
            di <= COMPONENT_REL && ds <= COMPONENT_REL,
            "{what}: intercept {di:.2e} se {ds:.2e}"
        );
        worst.intercept = worst.intercept.max(di);
        worst.se = worst.se.max(ds);
        // A term lme4's strict fit puts at 0 is at 0 here too, and reported.
        for t in &ours.terms {
            if comps[t.kind.canonical()].as_f64().unwrap() == 0.0 {
                assert!(
                    ours.boundary.contains(&t.label),
                    "{what}: {} not at the boundary",
                    t.label
                );
            }
        }
        worst.fits += 1;
    }
}

#[test]
fn every_formula_matches_lme4_on_the_fixtures() {
    let mut worst = Worst {
        criterion: f64::NEG_INFINITY,
        component: 0.0,
        intercept: 0.0,
        se: 0.0,
        fits: 0,
    };
    for name in [
        "shared_balanced",
        "shared_unbalanced",
        "boundary",
        "norater_replicates",
    ] {
        check_fixture(name, &mut worst);
    }
    assert_eq!(worst.fits, 2 * (8 * 3 + 3));
    // Shown with --nocapture: the numbers quoted in docs/decomposition.md.
    println!(
        "fits {}; worst criterion − lme4 best {:.3e}; worst component {:.3e}; intercept {:.3e}; se {:.3e}",
        worst.fits, worst.criterion, worst.component, worst.intercept, worst.se
    );
}

#[test]
fn conditional_modes_match_lme4_ranef_cond_var() {
    let (rows, has_rater, names) = read_rows_named("shared_balanced");
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(fixture_dir().join("shared_balanced.ranef.json")).unwrap(),
    )
    .unwrap();
    let formula = parse(json["formula"].as_str().unwrap()).unwrap();
    let model = Model::new(&formula, &rows, has_rater).unwrap();
    let fit = model.fit(Criterion::Reml, &FitOptions::default()).unwrap();
    let effects = model
        .conditional_modes(&fit.theta(), Criterion::Reml)
        .unwrap();
    let mut worst: f64 = 0.0;
    let mut n = 0;
    for te in &effects {
        let term = &json["terms"][te.kind.canonical()];
        let levels: Vec<&str> = term["level"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(levels.len(), te.effects.len(), "{}", te.label);
        let factors = te.kind.factors();
        for e in &te.effects {
            let name = |i: usize| {
                let f = factors[i];
                let k = match f {
                    Factor::Person => 0,
                    Factor::Context => 1,
                    Factor::Rater => 2,
                };
                names[k][e.ids[i] as usize].clone()
            };
            let level = if factors.len() == 2 {
                format!("{}:{}", name(0), name(1))
            } else {
                name(0)
            };
            let at = levels
                .iter()
                .position(|l| *l == level)
                .unwrap_or_else(|| panic!("{}: level {level} not in lme4's ranef", te.label));
            let mode = term["mode"][at].as_f64().unwrap();
            let sd = term["sd"][at].as_f64().unwrap();
            // Modes compare against the term's spread (a mode near 0 is not relatively exact).
            let scale = 1e-2_f64.max(mode.abs());
            let dm = (e.mode - mode).abs() / scale;
            let ds = rel_diff(e.sd, sd, COMPONENT_FLOOR);
            assert!(
                dm <= COMPONENT_REL,
                "{} {level}: mode {} vs {mode}",
                te.label,
                e.mode
            );
            assert!(
                ds <= COMPONENT_REL,
                "{} {level}: sd {} vs {sd}",
                te.label,
                e.sd
            );
            worst = worst.max(dm).max(ds);
            n += 1;
        }
    }
    assert!(n > 300, "every level of every term compared ({n})");
    println!("conditional modes: {n} levels, worst relative difference {worst:.3e}");
}
