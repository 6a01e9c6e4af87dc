//! The decomposition against R's lme4 on the committed fixtures (issue #4).
//!
//! Data: `tests/fixtures/decompose/*.csv` from `scripts/reference/decompose/generate.py`;
//! expected values: `*.expected.json` from `scripts/reference/decompose/lme4_reference.R`.
//! For every fixture lme4 can fit, our REML criterion must be no worse than the best of lme4's
//! three optimizers (+ `REML_CRIT_SLACK`), and each component must lie within lme4's own
//! optimizer spread (measured in R by refitting with other optimizers) of lme4's default fit.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::prec::{rel_diff, COMPONENT_FLOOR, REML_CRIT_SLACK, REML_STRICT_REL};
use chameleon_stats::variance::decompose::Prepared;
use chameleon_stats::variance::{
    bootstrap_decomposition, decompose, fit_moments, fit_reml, fit_unit_rater, BootstrapOptions,
    DecomposeOptions, Design, FitOptions, Method, Rating, Terms, VarianceError,
};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;

fn fixture_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/decompose")
}

/// Reads a fixture CSV (`person,context,rater,dimension,value`) into interned ratings.
fn load(name: &str) -> (Vec<Rating>, Vec<String>) {
    let text = std::fs::read_to_string(fixture_dir().join(format!("{name}.csv"))).unwrap();
    let mut persons = HashMap::new();
    let mut profiles = HashMap::new();
    let mut raters: HashMap<String, u32> = HashMap::new();
    let mut rater_names = Vec::new();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let np = persons.len() as u32;
        let person = *persons.entry(f[0].to_string()).or_insert(np);
        let nq = profiles.len() as u32;
        let profile = *profiles
            .entry((f[0].to_string(), f[1].to_string()))
            .or_insert(nq);
        let nr = raters.len() as u32;
        let rater = *raters.entry(f[2].to_string()).or_insert_with(|| {
            rater_names.push(f[2].to_string());
            nr
        });
        out.push(Rating {
            person,
            profile,
            rater,
            value: f[4].parse().unwrap(),
        });
    }
    (out, rater_names)
}

fn expected(name: &str) -> Value {
    let text =
        std::fs::read_to_string(fixture_dir().join(format!("{name}.expected.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Checks one of our fits against lme4's entry (`components` named as in lme4).
fn check(label: &str, ours: &[(&str, f64)], crit: f64, exp: &Value) {
    let best = exp["best_reml_criterion"].as_f64().unwrap();
    assert!(
        crit <= best + REML_CRIT_SLACK,
        "{label}: our REML criterion {crit} must be no worse than lme4's best {best}"
    );
    eprintln!(
        "{label}: criterion ours {crit:.12} lme4 best {best:.12} (diff {:.3e})",
        crit - best
    );
    for (name, v) in ours {
        let e = exp["components"][name].as_f64().unwrap();
        eprintln!(
            "  {name}: ours {v:.10} lme4 {e:.10} rel {:.2e}",
            rel_diff(*v, e, COMPONENT_FLOOR)
        );
        let spread = exp["optimizer_spread"][name].as_f64().unwrap();
        // lme4's default fit is within `spread` of its other optimizers; ours may differ from
        // it by that much (plus a relative 1e-6 for values printed by R).
        let tol = spread + 1e-6 * e.abs().max(COMPONENT_FLOOR);
        assert!(
            (v - e).abs() <= tol,
            "{label}: {name} = {v}, lme4 {e}, allowed {tol} (rel {})",
            rel_diff(*v, e, COMPONENT_FLOOR)
        );
        // Tighter than lme4: close to lme4's strict-tolerance refit.
        let strict = exp["strict"]["components"][name].as_f64().unwrap();
        assert!(
            rel_diff(*v, strict, COMPONENT_FLOOR) <= REML_STRICT_REL,
            "{label}: {name} = {v} must be within {REML_STRICT_REL} of lme4's strict fit {strict}"
        );
    }
}

const FITTABLE: [&str; 4] = ["balanced", "unbalanced", "boundary", "tiny"];

#[test]
fn rater_level_matches_lme4_issue4() {
    for name in FITTABLE {
        let (ratings, _) = load(name);
        let exp = expected(name);
        let design = Design::new(&ratings, Terms::RATER_LEVEL).unwrap();
        let fit = fit_reml(&design, &FitOptions::default()).unwrap();
        let c = fit.components;
        check(
            &format!("{name} rater level"),
            &[
                ("person", c.person),
                ("person:context", c.person_context),
                ("rater", c.rater),
                ("Residual", c.residual),
            ],
            fit.reml_criterion,
            &exp["rater_level"],
        );
        let b0 = exp["rater_level"]["intercept"].as_f64().unwrap();
        assert!(
            (fit.intercept - b0).abs() < 1e-4,
            "{name}: intercept {} vs {b0}",
            fit.intercept
        );
    }
}

#[test]
fn profile_level_matches_lme4_issue4() {
    for name in FITTABLE {
        let (ratings, _) = load(name);
        let exp = expected(name);
        let prepared = Prepared::new(&ratings, true).unwrap();
        let d = decompose(&prepared, &ratings, &DecomposeOptions::default());
        let p = d.profile_level.as_ref().expect("profile level must fit");
        check(
            &format!("{name} profile level"),
            &[("person", p.person), ("Residual", p.state)],
            p.reml_criterion.unwrap(),
            &exp["profile_level"],
        );
        assert!(
            (p.trait_share + p.state_share - 1.0).abs() < 1e-12,
            "shares must add to 1"
        );
        let r = d.rater_level.as_ref().expect("rater level must fit");
        let rc = exp["rater_level"]["reml_criterion"].as_f64().unwrap();
        assert!(
            r.reml_criterion.unwrap() <= rc + REML_CRIT_SLACK,
            "{name}: decompose uses REML"
        );
    }
}

#[test]
fn per_rater_sensitivity_matches_lme4_issue4() {
    for name in ["balanced", "unbalanced"] {
        let (ratings, rater_names) = load(name);
        let exp = expected(name);
        let prepared = Prepared::new(&ratings, true).unwrap();
        let d = decompose(&prepared, &ratings, &DecomposeOptions::default());
        let mut checked = 0;
        for s in &d.rater_sensitivity {
            let e = &exp["per_rater"][&rater_names[s.rater as usize]];
            if e.get("error").is_some() {
                assert!(
                    s.state_share.is_none(),
                    "{name}: lme4 could not fit this rater"
                );
                continue;
            }
            let c = &e["components"];
            let (t, st) = (
                c["person"].as_f64().unwrap(),
                c["Residual"].as_f64().unwrap(),
            );
            let share = st / (t + st);
            let ours = s.state_share.expect("lme4 fitted this rater");
            assert!(
                (ours - share).abs() < 1e-4,
                "{name} rater {}: {ours} vs {share}",
                s.rater
            );
            checked += 1;
        }
        assert!(checked >= 3, "{name}: several raters must be compared");
    }
}

#[test]
fn edge_case_without_replication_is_a_typed_error_issue4() {
    let (ratings, _) = load("edge_no_replication");
    let exp = expected("edge_no_replication");
    assert!(
        exp["rater_level"]["error"].is_string(),
        "lme4 refuses this design too"
    );
    let design = Design::new(&ratings, Terms::RATER_LEVEL).unwrap();
    assert_eq!(
        fit_reml(&design, &FitOptions::default()).unwrap_err(),
        VarianceError::NoWithinPersonReplication
    );
    let prepared = Prepared::new(&ratings, true).unwrap();
    let d = decompose(&prepared, &ratings, &DecomposeOptions::default());
    assert!(
        d.profile_level.is_none() && d.rater_level.is_none(),
        "nothing is identifiable"
    );
    assert!(
        d.warnings.len() >= 2,
        "each missing level must say why: {:?}",
        d.warnings
    );
}

#[test]
fn degenerate_inputs_give_defined_results_or_typed_errors() {
    let (mut ratings, _) = load("balanced");
    // Constant ratings.
    let constant: Vec<Rating> = ratings
        .iter()
        .map(|r| Rating { value: 3.0, ..*r })
        .collect();
    let d = Design::new(&constant, Terms::RATER_LEVEL).unwrap();
    assert_eq!(
        fit_reml(&d, &FitOptions::default()).unwrap_err(),
        VarianceError::ConstantValues
    );
    // One rater: the rater term is dropped, the rest is estimated.
    for r in &mut ratings {
        r.rater = 0;
    }
    let prepared = Prepared::new(&ratings, true).unwrap();
    let dec = decompose(&prepared, &ratings, &DecomposeOptions::default());
    let rl = dec
        .rater_level
        .as_ref()
        .expect("one rater still gives a rater level");
    assert!(
        !rl.rater_term && rl.components.rater == 0.0,
        "single rater: rater variance is 0"
    );
    assert!(rl.components.total().is_finite() && rl.reliability_k.is_finite());
    // Two persons, one context each, one rater: no NaN, no panic.
    let tiny: Vec<Rating> = (0..2)
        .map(|p| Rating {
            person: p,
            profile: p,
            rater: 0,
            value: p as f64,
        })
        .collect();
    let prepared = Prepared::new(&tiny, true).unwrap();
    let dec = decompose(&prepared, &tiny, &DecomposeOptions::default());
    assert!(dec.profile_level.is_none() && dec.rater_level.is_none());
    assert!(
        Design::new(&[], Terms::RATER_LEVEL).is_err(),
        "empty input is an error"
    );
}

#[test]
fn moments_estimator_recovers_components_roughly_and_flags_negatives() {
    let (ratings, _) = load("balanced");
    let design = Design::new(&ratings, Terms::RATER_LEVEL).unwrap();
    let reml = fit_reml(&design, &FitOptions::default())
        .unwrap()
        .components;
    let mom = fit_moments(&design, None).unwrap();
    // Both estimators are consistent: on 540 ratings they agree to within sampling noise.
    for (a, b) in [
        (mom.components.person, reml.person),
        (mom.components.person_context, reml.person_context),
        (mom.components.residual, reml.residual),
    ] {
        assert!((a - b).abs() < 0.25, "moments {a} vs REML {b}");
    }
    // A boundary data set: the moment estimate of the state variance may be negative; it is
    // flagged whenever it is.
    let (ratings, _) = load("boundary");
    let design = Design::new(&ratings, Terms::RATER_LEVEL).unwrap();
    let mom = fit_moments(&design, None).unwrap();
    assert_eq!(
        mom.negative.contains(&"person_context"),
        mom.components.person_context < 0.0,
        "negative estimates must be flagged"
    );
}

#[test]
fn unit_rater_fit_for_icc_drops_the_context_term() {
    let (ratings, _) = load("unbalanced");
    // Treat each profile as a unit.
    let units: Vec<u32> = ratings.iter().map(|r| r.profile).collect();
    let raters: Vec<u32> = ratings.iter().map(|r| r.rater).collect();
    let values: Vec<f64> = ratings.iter().map(|r| r.value).collect();
    let fit = fit_unit_rater(&units, &raters, &values).unwrap();
    assert_eq!(fit.components.person_context, 0.0, "no person:context term");
    let c = fit.components;
    assert!(
        c.person > 0.0 && c.rater >= 0.0 && c.residual > 0.0,
        "{c:?}"
    );
    // The unit variance of profiles absorbs trait and state of the crossed fit.
    let full = fit_reml(
        &Design::new(&ratings, Terms::RATER_LEVEL).unwrap(),
        &FitOptions::default(),
    )
    .unwrap()
    .components;
    assert!((c.person - (full.person + full.person_context)).abs() < 0.1);
}

#[test]
fn bootstrap_is_identical_for_one_and_two_threads_issue4() {
    let (ratings, _) = load("unbalanced");
    let p = Prepared::new(&ratings, true).unwrap();
    let d = decompose(&p, &ratings, &DecomposeOptions::default());
    let (prepared, full) = (vec![&p], vec![&d]);
    let opts = BootstrapOptions {
        resamples: 40,
        seed: 9,
        level: 0.95,
        method: Method::Reml,
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let ctl = chameleon_stats::bootstrap::Control {
                progress: &|_, _| {},
                cancel: &cancel,
            };
            serde_json::to_string(&bootstrap_decomposition(&prepared, &full, &opts, &ctl).unwrap())
                .unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one, run(2), "bootstrap must not depend on the thread count");
    let b = bootstrap_decomposition(
        &prepared,
        &full,
        &opts,
        &chameleon_stats::bootstrap::Control {
            progress: &|_, _| {},
            cancel: &cancel,
        },
    )
    .unwrap();
    let iv = b.dimensions[0].profile_level[2]
        .1
        .expect("trait share interval");
    let est = d.profile_level.as_ref().unwrap().trait_share;
    assert!(
        iv[0] < est && est < iv[1],
        "interval {iv:?} must cover the estimate {est}"
    );
    let cancel = std::sync::atomic::AtomicBool::new(true);
    let ctl = chameleon_stats::bootstrap::Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    assert_eq!(
        bootstrap_decomposition(&prepared, &full, &opts, &ctl).unwrap_err(),
        VarianceError::Cancelled
    );
}

#[test]
fn sufficient_statistics_reproduce_the_person_by_person_criterion() {
    use chameleon_stats::variance::suff::Suff;
    for name in FITTABLE {
        let (ratings, _) = load(name);
        for terms in [
            Terms::RATER_LEVEL,
            Terms::PERSON_ONLY,
            Terms {
                person: true,
                person_context: false,
                rater: true,
            },
        ] {
            let d = Design::new(&ratings, terms).unwrap();
            let bound = d.person_id_bound();
            let w: Vec<f64> = (0..bound).map(|i| (i % 3) as f64).collect();
            for weights in [None, Some(&w[..])] {
                let s = Suff::new(&d, weights, true);
                for theta in [[0.7, 1.3, 0.4], [0.0, 0.5, 0.0], [2.0, 0.0, 1.0]] {
                    let a = d.evaluate(theta, weights, false).map(|e| e.criterion);
                    let b = s.evaluate(&d, theta).map(|e| e.criterion);
                    match (a, b) {
                        (Some(a), Some(b)) => assert!(
                            (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                            "{name} {terms:?} {theta:?}: {a} vs {b}"
                        ),
                        (a, b) => assert_eq!(a.is_some(), b.is_some(), "{name}: both defined"),
                    }
                }
            }
        }
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Small random crossed designs: 3–12 persons, 1–4 contexts, 1–3 ratings per profile from
    /// a pool of 4 raters, values on a 1..7 scale.
    fn ratings() -> impl Strategy<Value = Vec<Rating>> {
        (
            3u32..12,
            prop::collection::vec((1u32..5, 1u32..4, any::<u64>()), 12),
        )
            .prop_map(|(persons, shapes)| {
                let mut out = Vec::new();
                let mut profile = 0;
                for p in 0..persons {
                    let (contexts, raters, seed) = shapes[p as usize];
                    for c in 0..contexts {
                        for r in 0..raters {
                            let bits = seed.rotate_left(7 * (c * 3 + r) + p) ^ (p as u64 * 31);
                            let v = 1.0 + (bits % 7) as f64;
                            out.push(Rating {
                                person: p,
                                profile,
                                rater: (r + c) % 4,
                                value: v,
                            });
                        }
                        profile += 1;
                    }
                }
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn reml_components_are_finite_and_never_negative(rs in ratings()) {
            let prepared = Prepared::new(&rs, true).unwrap();
            let d = decompose(&prepared, &rs, &DecomposeOptions::default());
            if let Some(p) = &d.profile_level {
                prop_assert!(p.person >= 0.0 && p.state >= 0.0, "{p:?}");
                prop_assert!((0.0..=1.0).contains(&p.trait_share));
            }
            if let Some(r) = &d.rater_level {
                let c = r.components;
                prop_assert!(c.person >= 0.0 && c.person_context >= 0.0 && c.rater >= 0.0);
                prop_assert!(c.residual >= 0.0 && c.total().is_finite(), "{c:?}");
                prop_assert!(r.reliability_k.is_finite());
            }
        }

        #[test]
        fn rating_order_does_not_change_the_fit(rs in ratings()) {
            let design = Design::new(&rs, Terms::RATER_LEVEL).unwrap();
            let mut rev = rs.clone();
            rev.reverse();
            let design_rev = Design::new(&rev, Terms::RATER_LEVEL).unwrap();
            let (a, b) = (
                fit_reml(&design, &FitOptions::default()),
                fit_reml(&design_rev, &FitOptions::default()),
            );
            match (a, b) {
                (Ok(a), Ok(b)) => prop_assert!(
                    (a.reml_criterion - b.reml_criterion).abs() < 1e-8 * a.reml_criterion.abs().max(1.0),
                    "{} vs {}", a.reml_criterion, b.reml_criterion
                ),
                (a, b) => prop_assert_eq!(a.is_ok(), b.is_ok()),
            }
        }
    }
}

#[test]
fn recorded_person_contributions_reproduce_weighted_statistics() {
    use chameleon_stats::variance::suff::{Suff, SuffBasis};
    for name in FITTABLE {
        let (ratings, _) = load(name);
        for terms in [
            Terms::RATER_LEVEL,
            Terms::PERSON_ONLY,
            Terms {
                person: true,
                person_context: false,
                rater: true,
            },
        ] {
            let d = Design::new(&ratings, terms).unwrap();
            let w: Vec<f64> = (0..d.person_id_bound())
                .map(|i| ((i * 7) % 4) as f64)
                .collect();
            let basis = SuffBasis::new(&d);
            let (a, b) = (Suff::new(&d, Some(&w), false), basis.weighted(&w));
            for theta in [[0.7, 1.3, 0.4], [1.5, 0.2, 0.9]] {
                let (x, y) = (a.evaluate(&d, theta), b.evaluate(&d, theta));
                match (x, y) {
                    (Some(x), Some(y)) => assert!(
                        (x.criterion - y.criterion).abs() <= 1e-9 * x.criterion.abs().max(1.0),
                        "{name} {terms:?}: {} vs {}",
                        x.criterion,
                        y.criterion
                    ),
                    (x, y) => assert_eq!(x.is_some(), y.is_some(), "{name} {terms:?}"),
                }
            }
        }
    }
}

#[test]
fn a_block_of_resamples_weighs_each_as_it_would_alone_issue19() {
    use chameleon_stats::variance::suff::SuffBasis;
    for name in FITTABLE {
        let (ratings, _) = load(name);
        for terms in [Terms::RATER_LEVEL, Terms::PERSON_ONLY] {
            let d = Design::new(&ratings, terms).unwrap();
            let basis = SuffBasis::new(&d);
            // More resamples than one block holds, some persons drawn by no resample.
            let ws: Vec<Vec<f64>> = (0..11)
                .map(|s| {
                    (0..d.person_id_bound())
                        .map(|i| ((i * 7 + s * 3) % 4) as f64)
                        .collect()
                })
                .collect();
            let refs: Vec<&[f64]> = ws.iter().map(|w| &w[..]).collect();
            let block = basis.weighted_block(&refs);
            assert_eq!(block.len(), ws.len(), "one result per resample");
            for (l, w) in ws.iter().enumerate() {
                let alone = basis.weighted(w);
                for theta in [[0.7, 1.3, 0.4], [1.5, 0.2, 0.9]] {
                    let bits = |e: Option<chameleon_stats::variance::design::Evaluation>| {
                        e.map(|e| {
                            (
                                e.criterion.to_bits(),
                                e.pwrss.to_bits(),
                                e.intercept.to_bits(),
                            )
                        })
                    };
                    assert_eq!(
                        bits(block[l].evaluate(&d, theta)),
                        bits(alone.evaluate(&d, theta)),
                        "{name} {terms:?}: resample {l} in a block must be bit for bit itself alone"
                    );
                }
            }
        }
    }
}
