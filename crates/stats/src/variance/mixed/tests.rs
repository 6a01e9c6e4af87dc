use super::*;
use crate::variance::formula::parse;

/// A small deterministic pseudo-random data set: persons in shared contexts, raters, some
/// replicate rows.
fn data(persons: u32, seed: u64) -> Vec<Observation> {
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as f64) / (1u64 << 31) as f64
    };
    let mut rows = Vec::new();
    for p in 0..persons {
        let t = next() - 0.5;
        for _ in 0..3 {
            let c = (next() * 5.0) as u32;
            for _ in 0..2 {
                let r = (next() * 4.0) as u32;
                let reps = if next() < 0.2 { 2 } else { 1 };
                for _ in 0..reps {
                    let v = 3.0 + t + 0.3 * c as f64 - 0.2 * r as f64 + next();
                    rows.push(Observation {
                        person: p,
                        context: c,
                        rater: r,
                        value: v,
                    });
                }
            }
        }
    }
    rows
}

/// The criterion from the full dense `C = W'W + diag(I, 0)`: the definition, no structure.
fn brute(formula: &Formula, rows: &[Observation], theta: &[f64], crit: Criterion) -> (f64, f64) {
    let mut cols: Vec<(usize, [u32; 2])> = Vec::new();
    for (t, term) in formula.terms.iter().enumerate() {
        let mut keys: Vec<[u32; 2]> = rows.iter().map(|o| key(term.kind, o)).collect();
        keys.sort_unstable();
        keys.dedup();
        cols.extend(keys.into_iter().map(|k| (t, k)));
    }
    let q = cols.len();
    let n = rows.len();
    let mut w = DMatrix::<f64>::zeros(n, q + 1);
    for (i, o) in rows.iter().enumerate() {
        for (j, (t, k)) in cols.iter().enumerate() {
            if key(formula.terms[*t].kind, o) == *k {
                w[(i, j)] = theta[*t];
            }
        }
        w[(i, q)] = 1.0;
    }
    let y = DVector::from_iterator(n, rows.iter().map(|o| o.value));
    let mut c = w.transpose() * &w;
    for j in 0..q {
        c[(j, j)] += 1.0;
    }
    let wy = w.transpose() * &y;
    let ch = c.clone().cholesky().unwrap();
    let sol = ch.solve(&wy);
    let pwrss = y.dot(&y) - sol.dot(&wy);
    let logdet_c: f64 = c.determinant().ln();
    let rx2 = ch.l()[(q, q)].powi(2);
    let nf = n as f64;
    let tp = 2.0 * std::f64::consts::PI;
    let d = match crit {
        Criterion::Reml => logdet_c + (nf - 1.0) * (1.0 + (tp * pwrss / (nf - 1.0)).ln()),
        Criterion::Ml => logdet_c - rx2.ln() + nf * (1.0 + (tp * pwrss / nf).ln()),
    };
    (d, sol[q])
}

use nalgebra::{DMatrix, DVector};

#[test]
fn structured_criterion_equals_the_dense_definition() {
    let rows = data(12, 7);
    let formulas = [
        "value ~ 1 + (1|person) + (1|context)",
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)",
        "value ~ (1|rater) + (1|context:rater)",
        "value ~ (1|person:rater) + (1|context)",
    ];
    for f in formulas {
        let formula = parse(f).unwrap();
        let model = Model::new(&formula, &rows, true).unwrap();
        let theta: Vec<f64> = (0..formula.terms.len())
            .map(|i| 0.3 + 0.25 * i as f64)
            .collect();
        for crit in [Criterion::Reml, Criterion::Ml] {
            let e = model.evaluate(&theta, crit).unwrap();
            let (d, intercept) = brute(&formula, &rows, &theta, crit);
            assert!(
                (e.criterion - d).abs() < 1e-8 * d.abs(),
                "{f} {crit:?}: {} vs {d}",
                e.criterion
            );
            assert!((e.intercept - intercept).abs() < 1e-9, "{f}");
        }
    }
}

#[test]
fn design_checks_name_the_term() {
    let rows = data(10, 3);
    let err = |f: &str, rows: &[Observation], has_rater: bool| {
        Model::new(&parse(f).unwrap(), rows, has_rater).unwrap_err()
    };
    assert!(matches!(
        err("value ~ (1|person) + (1|rater)", &rows, false),
        ModelError::AbsentFactor { term, factor: "rater" } if term == "rater"
    ));
    let one_context: Vec<Observation> = rows
        .iter()
        .map(|o| Observation { context: 0, ..*o })
        .collect();
    assert!(matches!(
        err("value ~ (1|person) + (1|context)", &one_context, true),
        ModelError::SingleLevel { term, levels: 1 } if term == "context"
    ));
    // One rating per person × context and no replicates: person:context is the residual.
    let mut single: Vec<Observation> = Vec::new();
    for p in 0..6 {
        for c in 0..3 {
            single.push(Observation {
                person: p,
                context: c,
                rater: 0,
                value: (p * 7 + c * 3) as f64 % 5.0,
            });
        }
    }
    let e = err("value ~ (1|person) + (1|person:context)", &single, false);
    assert!(
        matches!(&e, ModelError::Inseparable { term, .. } if term == "person:context"),
        "{e}"
    );
    // Each rater sees each person once (one rater per person): rater:person groups the rows
    // as person does.
    let per_person: Vec<Observation> = single
        .iter()
        .map(|o| Observation {
            rater: o.person,
            ..*o
        })
        .collect();
    let e = err(
        "value ~ (1|person) + (1|context) + (1|rater:person)",
        &per_person,
        true,
    );
    assert!(
        matches!(&e, ModelError::Inseparable { term, other, .. } if term == "rater:person" && other == "'person'"),
        "{e}"
    );
    // Replicate rows make person:context separable from the residual.
    let mut reps = single.clone();
    reps.push(Observation {
        value: 9.0,
        ..single[0]
    });
    assert!(Model::new(
        &parse("value ~ (1|person) + (1|person:context)").unwrap(),
        &reps,
        false
    )
    .is_ok());
}

#[test]
fn fits_reach_a_stationary_point_and_boundary_terms_are_exactly_zero() {
    let rows = data(30, 11);
    // No rater:person signal in these data beyond noise; whichever way, components are ≥ 0.
    let formula =
        parse("value ~ 1 + (1|person) + (1|context) + (1|rater) + (1|rater:person)").unwrap();
    let model = Model::new(&formula, &rows, true).unwrap();
    for crit in [Criterion::Reml, Criterion::Ml] {
        let fit = model.fit(crit, &FitOptions::default()).unwrap();
        assert!(fit.converged);
        let th = fit.theta();
        for i in 0..th.len() {
            assert!(th[i] >= 0.0);
            for h in [1e-3, -1e-3] {
                let mut t = th.clone();
                t[i] = (t[i] + h).abs();
                let e = model.evaluate(&t, crit).unwrap();
                assert!(e.criterion >= fit.criterion - 1e-9, "{crit:?} term {i}");
            }
        }
        for b in &fit.boundary {
            let t = fit.terms.iter().find(|t| &t.label == b).unwrap();
            assert_eq!(t.variance, 0.0);
        }
        let total: f64 = fit.terms.iter().map(|t| t.share).sum::<f64>() + fit.residual_share;
        assert!((total - 1.0).abs() < 1e-12);
    }
}

/// Every person sees the same contexts and raters (with replicates in the same cells): one
/// signature, whose grouped elimination must equal the person-by-person one.
fn balanced(persons: u32, seed: u64) -> Vec<Observation> {
    let noisy = data(persons, seed);
    let mut rows = Vec::new();
    let mut k = 0;
    for p in 0..persons {
        for c in 0..3 {
            for r in 0..2 {
                let reps = if (c + r) % 3 == 0 { 2 } else { 1 };
                for _ in 0..reps {
                    rows.push(Observation {
                        person: p,
                        context: c,
                        rater: r,
                        value: noisy[k % noisy.len()].value + 0.4 * c as f64,
                    });
                    k += 1;
                }
            }
        }
    }
    rows
}

#[test]
fn grouped_signatures_equal_the_person_by_person_elimination() {
    let rows = balanced(25, 5);
    let formulas = [
        "value ~ 1 + (1|person) + (1|context)",
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person)",
        "value ~ (1|person:context) + (1|rater) + (1|rater:context)",
    ];
    for f in formulas {
        let formula = parse(f).unwrap();
        let grouped = Model::new(&formula, &rows, true).unwrap();
        assert_eq!(
            grouped.signatures.len(),
            1,
            "{f}: balanced persons share one signature"
        );
        let mut single = grouped.clone();
        single.group_signatures(false);
        assert_eq!(single.signatures.len(), 25);
        let theta: Vec<f64> = (0..formula.terms.len())
            .map(|i| 0.2 + 0.3 * i as f64)
            .collect();
        for crit in [Criterion::Reml, Criterion::Ml] {
            let a = grouped.evaluate(&theta, crit).unwrap();
            let b = single.evaluate(&theta, crit).unwrap();
            let (d, _) = brute(&formula, &rows, &theta, crit);
            assert!(
                (a.criterion - b.criterion).abs() < 1e-9 * b.criterion.abs(),
                "{f}"
            );
            assert!((a.criterion - d).abs() < 1e-8 * d.abs(), "{f}");
            assert!((a.pwrss - b.pwrss).abs() < 1e-10 * b.pwrss, "{f}");
            assert!((a.intercept - b.intercept).abs() < 1e-12, "{f}");
            let fa = grouped.fit(crit, &FitOptions::default()).unwrap();
            let fb = single.fit(crit, &FitOptions::default()).unwrap();
            assert!((fa.criterion - fb.criterion).abs() < 1e-8, "{f}");
            for (x, y) in fa.terms.iter().zip(&fb.terms) {
                assert!(
                    (x.variance - y.variance).abs() <= 1e-6 * y.variance.max(1e-3),
                    "{f} {}: {} vs {}",
                    x.label,
                    x.variance,
                    y.variance
                );
            }
        }
    }
}

#[test]
fn analytic_gradient_equals_finite_differences() {
    let rows = data(20, 9);
    let formulas = [
        "value ~ 1 + (1|person) + (1|context)",
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:person) + (1|rater:context)",
        "value ~ (1|rater) + (1|context:rater)",
        "value ~ (1|person:rater) + (1|context)",
        "value ~ (1|person) + (1|person:context)",
    ];
    for f in formulas {
        let formula = parse(f).unwrap();
        for (rows, what) in [(rows.clone(), "unbalanced"), (balanced(15, 2), "balanced")] {
            let model = Model::new(&formula, &rows, true).unwrap();
            let k = formula.terms.len();
            let theta: Vec<f64> = (0..k).map(|i| 0.4 + 0.2 * i as f64).collect();
            for crit in [Criterion::Reml, Criterion::Ml] {
                let d = model.derivatives(&theta, crit).unwrap();
                let e = model.evaluate(&theta, crit).unwrap();
                assert!((d.value - e.criterion).abs() < 1e-9 * e.criterion.abs());
                for i in 0..k {
                    let h = 1e-5;
                    let mut a = theta.clone();
                    a[i] += h;
                    let mut b = theta.clone();
                    b[i] -= h;
                    let fd = (model.evaluate(&a, crit).unwrap().criterion
                        - model.evaluate(&b, crit).unwrap().criterion)
                        / (2.0 * h);
                    assert!(
                        (d.gradient[i] - fd).abs() < 1e-5 * fd.abs().max(1.0),
                        "{f} {what} {crit:?} term {i}: {} vs {fd}",
                        d.gradient[i]
                    );
                }
            }
        }
    }
}

/// Level numbering takes a dense table for compact ids and a hash map for spread-out ones:
/// the same data under either give the same model, bit for bit.
#[test]
fn spread_out_ids_give_the_same_model_as_compact_ones() {
    let rows = data(40, 21);
    let spread: Vec<Observation> = rows
        .iter()
        .map(|o| Observation {
            person: o.person * 1_000_003 + 7,
            context: o.context * 999_983,
            rater: o.rater * 65_537 + 1,
            value: o.value,
        })
        .collect();
    let formula = parse(
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater) + (1|rater:context)",
    )
    .unwrap();
    let a = Model::new(&formula, &rows, true).unwrap();
    let b = Model::new(&formula, &spread, true).unwrap();
    assert!(matches!(
        LevelIndex::new(TermKind::Person, &spread),
        LevelIndex::Sparse(_)
    ));
    assert!(matches!(
        LevelIndex::new(TermKind::Person, &rows),
        LevelIndex::Dense { .. }
    ));
    assert_eq!(a.levels(), b.levels());
    for theta in [[1.0, 0.5, 0.7, 0.3, 0.2], [0.2, 1.5, 0.1, 0.9, 0.4]] {
        let (ea, eb) = (
            a.evaluate(&theta, Criterion::Reml).unwrap(),
            b.evaluate(&theta, Criterion::Reml).unwrap(),
        );
        assert_eq!(ea.criterion.to_bits(), eb.criterion.to_bits());
    }
}

/// The full sort `Model::new` used to do: rows by cell key, ties in row order.
fn sorted_cell_order(rows: &[Observation], has_rater: bool) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    let rater = |o: &Observation| if has_rater { o.rater } else { 0 };
    order.sort_by_key(|&i| {
        let o = &rows[i as usize];
        (o.person, o.context, rater(o))
    });
    order
}

#[test]
fn cell_order_is_the_full_sort_s_order_issue12() {
    let rows = data(40, 5);
    // In cell order already (persons ascending, each person's rows shuffled below).
    assert!(cell_order(&sorted_rows(&rows), true).is_empty());
    let mut shuffled = rows.clone();
    // A deterministic shuffle that keeps persons together, one that does not, reversed rows
    // and person ids too spread out for the counting sort.
    for chunk in shuffled.chunks_mut(7) {
        chunk.reverse();
    }
    let mut interleaved = rows.clone();
    interleaved.sort_by_key(|o| (o.rater, o.context));
    let reversed: Vec<Observation> = rows.iter().rev().copied().collect();
    let spread: Vec<Observation> = rows
        .iter()
        .map(|o| Observation {
            person: o.person * 1_000_003,
            ..*o
        })
        .collect();
    for (name, r) in [
        ("shuffled", &shuffled),
        ("interleaved", &interleaved),
        ("reversed", &reversed),
        ("spread", &spread),
    ] {
        for has_rater in [true, false] {
            assert_eq!(
                cell_order(r, has_rater),
                sorted_cell_order(r, has_rater),
                "{name}, has_rater {has_rater}"
            );
        }
    }
}

fn sorted_rows(rows: &[Observation]) -> Vec<Observation> {
    sorted_cell_order(rows, true)
        .into_iter()
        .map(|i| rows[i as usize])
        .collect()
}

/// Another response on the same rows: the values change, the design does not.
fn other_values(rows: &[Observation], seed: u64) -> Vec<Observation> {
    let values = data(rows.len() as u32 / 8 + 1, seed);
    rows.iter()
        .zip(values.iter().cycle())
        .map(|(o, v)| Observation {
            value: v.value * 1.7 - 0.3,
            ..*o
        })
        .collect()
}

#[test]
fn with_values_equals_a_new_model_bit_for_bit_issue12() {
    let base = data(60, 11);
    let mut shuffled = base.clone();
    for chunk in shuffled.chunks_mut(5) {
        chunk.reverse();
    }
    let formulas = [
        "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)",
        "value ~ 1 + (1|person) + (1|rater:person) + (1|context)",
        "value ~ 1 + (1|person) + (1|person:context)",
    ];
    for text in formulas {
        let f = parse(text).unwrap();
        for rows in [&base, &sorted_rows(&base), &shuffled] {
            for has_rater in [true, false] {
                let Ok(first) = Model::new_reusable(&f, rows, has_rater) else {
                    assert!(!has_rater && text.contains("rater"), "{text}");
                    continue;
                };
                let second = other_values(rows, 3);
                let reused = first.with_values(&second).expect("same design").unwrap();
                let fresh = Model::new_reusable(&f, &second, has_rater).unwrap();
                assert_eq!(format!("{reused:?}"), format!("{fresh:?}"), "{text}");
                let a = reused.fit(Criterion::Reml, &FitOptions::default()).unwrap();
                let b = fresh.fit(Criterion::Reml, &FitOptions::default()).unwrap();
                assert_eq!(a.criterion.to_bits(), b.criterion.to_bits());
                assert_eq!(a.theta(), b.theta());
            }
        }
    }
}

#[test]
fn with_values_refuses_another_design_and_checks_the_values_issue12() {
    let f = parse("value ~ 1 + (1|person) + (1|context) + (1|rater)").unwrap();
    let rows = data(30, 2);
    let m = Model::new_reusable(&f, &rows, true).unwrap();
    // Not kept by `new`.
    assert!(Model::new(&f, &rows, true)
        .unwrap()
        .with_values(&rows)
        .is_none());
    // One row's rater, one row fewer, the rows in another order: another design.
    let mut moved = rows.clone();
    moved[7].rater += 1;
    assert!(m.with_values(&moved).is_none());
    assert!(m.with_values(&rows[1..]).is_none());
    let reversed: Vec<Observation> = rows.iter().rev().copied().collect();
    assert!(m.with_values(&reversed).is_none());
    // The same design with values Model::new refuses: the same errors.
    let constant: Vec<Observation> = rows
        .iter()
        .map(|o| Observation { value: 2.0, ..*o })
        .collect();
    assert_eq!(
        m.with_values(&constant).unwrap().unwrap_err(),
        ModelError::ConstantValues
    );
    let mut nan = rows.clone();
    nan[3].value = f64::NAN;
    assert_eq!(
        m.with_values(&nan).unwrap().unwrap_err(),
        ModelError::NonFinite
    );
    // Without a rater column the rater ids do not make the design.
    let m = Model::new_reusable(
        &parse("value ~ 1 + (1|person) + (1|context)").unwrap(),
        &rows,
        false,
    )
    .unwrap();
    assert!(m.with_values(&moved).is_some());
}
