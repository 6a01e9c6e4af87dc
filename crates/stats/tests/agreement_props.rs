//! Invariants of the agreement estimators (proptest), degenerate inputs, and bootstrap
//! determinism across thread counts.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::agreement::*;
use proptest::prelude::*;

/// Random reliability data: `units` × `raters` with values in 1..=k and some cells missing.
fn data() -> impl Strategy<Value = Vec<Rating>> {
    (2usize..12, 2usize..5, 2u32..7).prop_flat_map(|(units, raters, k)| {
        prop::collection::vec(prop::option::weighted(0.8, 1..=k), units * raters).prop_map(
            move |cells| {
                cells
                    .iter()
                    .enumerate()
                    .filter_map(|(i, v)| {
                        v.map(|v| Rating::new((i / raters) as u32, (i % raters) as u32, v as f64))
                    })
                    .collect()
            },
        )
    })
}

fn same(a: &Result<f64, AgreementError>, b: &Result<f64, AgreementError>) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => (x - y).abs() <= 1e-12 * x.abs().max(1.0),
        (Err(x), Err(y)) => x == y,
        _ => false,
    }
}

fn finite_or_error(r: &Result<f64, AgreementError>) -> bool {
    r.as_ref().map_or(true, |x| x.is_finite())
}

proptest! {
    #[test]
    fn alpha_invariant_to_rater_relabelling(rows in data(), seed in 0u64..1000) {
        let t = RatingTable::new(&rows).unwrap();
        let nr = t.n_raters() as u32;
        // A permutation of rater labels (rotation by seed, then reversal).
        let perm = |r: u32| nr - 1 - ((r + seed as u32) % nr);
        let relabelled: Vec<Rating> =
            rows.iter().map(|x| Rating::new(x.unit, perm(x.rater), x.value)).collect();
        let t2 = RatingTable::new(&relabelled).unwrap();
        let (a, b) = (alpha_all(&t), alpha_all(&t2));
        for m in Metric::ALL {
            prop_assert!(same(a.get(m), b.get(m)), "{m:?}: relabelling raters changed alpha");
        }
        prop_assert!(
            fleiss_kappa(&t).map(|k| k.value).ok().zip(fleiss_kappa(&t2).map(|k| k.value).ok())
                .is_none_or(|(x, y)| (x - y).abs() < 1e-12),
            "relabelling raters changed Fleiss' kappa"
        );
    }

    #[test]
    fn alpha_invariant_to_unit_order(rows in data(), shift in 0u32..50) {
        let t = RatingTable::new(&rows).unwrap();
        let nu = t.n_units() as u32;
        let moved: Vec<Rating> = rows
            .iter()
            .rev()
            .map(|x| Rating::new(nu - 1 - (x.unit + shift) % nu, x.rater, x.value))
            .collect();
        let t2 = RatingTable::new(&moved).unwrap();
        let (a, b) = (alpha_all(&t), alpha_all(&t2));
        for m in Metric::ALL {
            prop_assert!(same(a.get(m), b.get(m)), "{m:?}: reordering units changed alpha");
        }
    }

    #[test]
    fn perfect_agreement_gives_one(truth in prop::collection::vec(1u32..6, 2..20), raters in 2u32..5) {
        prop_assume!(truth.iter().any(|&v| v != truth[0]));
        let rows: Vec<Rating> = truth
            .iter()
            .enumerate()
            .flat_map(|(u, &v)| (0..raters).map(move |r| Rating::new(u as u32, r, v as f64)))
            .collect();
        let t = RatingTable::new(&rows).unwrap();
        let a = alpha_all(&t);
        for m in Metric::ALL {
            prop_assert_eq!(a.get(m).clone(), Ok(1.0), "{:?}: identical ratings must give 1", m);
        }
        prop_assert_eq!(fleiss_kappa(&t).unwrap().value, 1.0);
        for p in cohen_pairs(&t, &Categories::from_data(&t)) {
            prop_assert_eq!(p.kappa, Ok(1.0));
            prop_assert_eq!(p.kappa_quadratic, Ok(1.0));
        }
        let icc = icc_complete(&t);
        prop_assert!((icc.icc2.unwrap().value - 1.0).abs() < 1e-12, "ICC2 of identical raters is 1");
    }

    #[test]
    fn cohen_kappa_is_symmetric(rows in data()) {
        let t = RatingTable::new(&rows).unwrap();
        let swapped: Vec<Rating> = rows
            .iter()
            .map(|x| Rating::new(x.unit, match x.rater { 0 => 1, 1 => 0, r => r }, x.value))
            .collect();
        let t2 = RatingTable::new(&swapped).unwrap();
        let p = cohen_pairs(&t, &Categories::from_data(&t));
        let q = cohen_pairs(&t2, &Categories::from_data(&t2));
        let p01 = p.iter().find(|x| (x.a, x.b) == (0, 1));
        let q01 = q.iter().find(|x| (x.a, x.b) == (0, 1));
        prop_assert_eq!(p01.is_some(), q01.is_some());
        if let (Some(a), Some(b)) = (p01, q01) {
            prop_assert!(same(&a.kappa, &b.kappa), "kappa(a, b) must equal kappa(b, a)");
            prop_assert!(same(&a.kappa_linear, &b.kappa_linear));
            prop_assert!(same(&a.kappa_quadratic, &b.kappa_quadratic));
            prop_assert_eq!(a.units, b.units);
        }
    }

    #[test]
    fn never_nan_never_panic(rows in data()) {
        let t = RatingTable::new(&rows).unwrap();
        let a = alpha_all(&t);
        for m in Metric::ALL {
            prop_assert!(finite_or_error(a.get(m)), "alpha {m:?} must be finite or an error");
            prop_assert!(same(&alpha(&t, m), a.get(m)), "alpha({m:?}) alone must equal alpha_all");
            if let Ok(x) = a.get(m) { prop_assert!(*x <= 1.0 + 1e-12); }
        }
        prop_assert!(finite_or_error(&fleiss_kappa(&t).map(|k| k.value)));
        for p in cohen_pairs(&t, &Categories::from_data(&t)) {
            prop_assert!(finite_or_error(&p.kappa) && finite_or_error(&p.kappa_linear)
                && finite_or_error(&p.kappa_quadratic));
        }
        for icc in [icc_complete(&t), icc_variance_components(&t).0] {
            for r in [&icc.icc1, &icc.icc2, &icc.icc3, &icc.icc1k, &icc.icc2k, &icc.icc3k] {
                prop_assert!(finite_or_error(&r.clone().map(|e| e.value)), "ICC must be finite or an error");
                if let Ok(e) = r {
                    if let Some(ci) = e.ci95 { prop_assert!(ci[0].is_finite() && ci[1].is_finite()); }
                }
            }
        }
        let _ = rater_diagnostics(&t);
        let _ = percent_agreement(&t, None);
    }
}

fn table(rows: &[(u32, u32, f64)]) -> RatingTable {
    let r: Vec<Rating> = rows.iter().map(|&(u, r, v)| Rating::new(u, r, v)).collect();
    RatingTable::new(&r).unwrap()
}

#[test]
fn degenerate_one_rater() {
    let t = table(&[(0, 0, 1.0), (1, 0, 2.0), (2, 0, 3.0)]);
    assert_eq!(
        alpha(&t, Metric::Interval),
        Err(AgreementError::NoPairableUnits),
        "one rater: nothing pairable"
    );
    assert_eq!(fleiss_kappa(&t), Err(AgreementError::NoPairableUnits));
    assert!(
        cohen_pairs(&t, &Categories::from_data(&t)).is_empty(),
        "no pair of raters"
    );
    assert!(matches!(
        icc_complete(&t).icc1,
        Err(AgreementError::TooFewRaters { .. })
    ));
    assert!(
        icc_variance_components(&t).0.icc2.is_err(),
        "no within-unit pairs"
    );
    assert_eq!(
        percent_agreement(&t, None),
        Err(AgreementError::NoPairableUnits)
    );
}

#[test]
fn degenerate_one_unit() {
    let t = table(&[(0, 0, 1.0), (0, 1, 2.0), (0, 2, 2.0)]);
    // One unit: expected and observed disagreement come from the same pairs, so alpha = 0.
    assert!(
        alpha(&t, Metric::Nominal).is_ok_and(|a| a.abs() < 1e-12),
        "a single unit carries no information beyond chance"
    );
    assert!(matches!(
        icc_complete(&t).icc2,
        Err(AgreementError::TooFewUnits { .. })
    ));
    let pct = percent_agreement(&t, None).unwrap().exact;
    assert!(
        (pct - 100.0 / 3.0).abs() < 1e-12,
        "one agreeing pair of three: {pct}"
    );
}

#[test]
fn degenerate_all_identical() {
    let t = table(&[(0, 0, 4.0), (0, 1, 4.0), (1, 0, 4.0), (1, 1, 4.0)]);
    for m in Metric::ALL {
        assert_eq!(
            alpha(&t, m),
            Err(AgreementError::NoVariation),
            "{m:?}: 0/0 is undefined"
        );
    }
    assert_eq!(fleiss_kappa(&t), Err(AgreementError::NoVariation));
    let p = cohen_pairs(&t, &Categories::from_data(&t));
    assert_eq!(p[0].kappa, Err(AgreementError::NoVariation));
    assert_eq!(p[0].kappa_linear, Err(AgreementError::NoVariation));
    assert_eq!(icc_complete(&t).icc1, Err(AgreementError::NoVariation));
    assert_eq!(
        percent_agreement(&t, None).unwrap().exact,
        100.0,
        "identical ratings agree"
    );
}

#[test]
fn degenerate_non_finite_and_duplicates() {
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let r = RatingTable::new(&[Rating::new(0, 0, v)]);
        assert!(
            matches!(r, Err(AgreementError::NonFiniteValue { .. })),
            "{v} must be rejected"
        );
    }
    let dup = RatingTable::new(&[Rating::new(3, 1, 1.0), Rating::new(3, 1, 1.0)]);
    assert_eq!(
        dup.err(),
        Some(AgreementError::DuplicateRating { unit: 3, rater: 1 })
    );
}

#[test]
fn pairs_match_by_unit_not_position_regression_3() {
    // Rater 0 rates units 0..4; rater 1 rates units 2..6; only units 2 and 3 are shared.
    // Lining the two rating lists up by position would pair unit 0 with unit 2, etc.
    let t = table(&[
        (0, 0, 1.0),
        (1, 0, 2.0),
        (2, 0, 1.0),
        (3, 0, 2.0),
        (2, 1, 1.0),
        (3, 1, 2.0),
        (4, 1, 1.0),
        (5, 1, 1.0),
    ]);
    let p = cohen_pairs(&t, &Categories::from_data(&t));
    assert_eq!(p[0].units, 2, "only shared units count");
    assert_eq!(p[0].kappa, Ok(1.0), "they agree on both shared units");
}

#[test]
fn bootstrap_is_identical_across_thread_counts() {
    let mut rows = Vec::new();
    for u in 0..60u32 {
        for r in 0..3u32 {
            if (u + r) % 7 != 0 {
                rows.push(Rating::new(u, r, ((u * 7 + r * 3) % 5 + 1) as f64));
            }
        }
    }
    let t = RatingTable::new(&rows).unwrap();
    let cats = Categories::from_data(&t);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| bootstrap(&t, Some(&cats), 300, 42, 0.95).unwrap())
    };
    let (one, two, four) = (run(1), run(2), run(4));
    assert_eq!(
        one, two,
        "1 and 2 threads must give bit-identical intervals"
    );
    assert_eq!(
        one, four,
        "1 and 4 threads must give bit-identical intervals"
    );
    assert_eq!(one.pairs.len(), 3, "three raters: three pairs");
    let points = cohen_pairs(&t, &cats);
    for (p, c) in points.iter().zip(&one.pairs) {
        let k = p.kappa_quadratic.clone().unwrap();
        let iv = c.kappa_quadratic.expect("pair interval");
        assert!(
            iv[0] <= k && k <= iv[1],
            "pair {}-{}: {k} outside {iv:?}",
            p.a,
            p.b
        );
    }
    let ci = one.alpha_interval.expect("interval");
    let point = alpha(&t, Metric::Interval).unwrap();
    assert!(
        ci[0] < point && point < ci[1],
        "the point estimate lies inside its 95% interval"
    );
    assert_ne!(
        run(1),
        bootstrap(&t, Some(&cats), 300, 43, 0.95).unwrap(),
        "a different seed gives other draws"
    );
    assert!(
        bootstrap(&t, None, 10, 1, 1.5).is_err(),
        "level must be in (0, 1)"
    );
}

#[test]
fn bootstrap_reports_progress_and_stops_when_cancelled() {
    use chameleon_stats::agreement::bootstrap_with;
    use chameleon_stats::bootstrap::Control;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    let rows: Vec<Rating> = (0..40u32)
        .flat_map(|u| (0..2u32).map(move |r| Rating::new(u, r, ((u + r) % 4) as f64)))
        .collect();
    let t = RatingTable::new(&rows).unwrap();
    let calls = AtomicU64::new(0);
    let highest = AtomicU64::new(0);
    let progress = |done: u64, total: u64| {
        assert_eq!(total, 50);
        calls.fetch_add(1, Ordering::Relaxed);
        highest.fetch_max(done, Ordering::Relaxed);
    };
    let go = AtomicBool::new(false);
    let control = Control {
        progress: &progress,
        cancel: &go,
    };
    let ci = bootstrap_with(&t, None, 50, 3, 0.95, &control).unwrap();
    assert_eq!(
        ci,
        bootstrap(&t, None, 50, 3, 0.95).unwrap(),
        "same numbers"
    );
    assert_eq!(calls.load(Ordering::Relaxed), 50, "one report per resample");
    assert_eq!(highest.load(Ordering::Relaxed), 50);

    let stop = AtomicBool::new(true);
    let control = Control {
        progress: &|_, _| {},
        cancel: &stop,
    };
    assert_eq!(
        bootstrap_with(&t, None, 10_000, 3, 0.95, &control),
        Err(chameleon_stats::agreement::AgreementError::Cancelled)
    );
}
