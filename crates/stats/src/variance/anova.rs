//! Closed-form method-of-moments estimators. Unlike REML they may go negative; negative
//! estimates are reported as they are and flagged.
//!
//! - Person term only (the profile level): the one-way random-effects ANOVA,
//!   `σ̂²_E = MSW`, `σ̂²_P = (MSB − MSW) / n₀`, `n₀ = (N − Σ n_p² / N) / (a − 1)`
//!   (Searle, Casella & McCulloch 1992, *Variance Components*, §3.6).
//! - Crossed terms (the rater level): Koch's (1967) symmetric-differences estimator. For two
//!   ratings `i ≠ j`, `E[(y_i − y_j)²] / 2` is the sum of the components of the terms in which
//!   they differ. The mean half squared difference over each class of pairs (same profile and
//!   different rater; same person, different profile, same rater; …) gives one linear equation
//!   per class; the components are the least-squares solution of the available equations.
//!   Class sums come from within-group sums `Σ_g (n_g Σy² − (Σy)²)` in O(ratings). For a
//!   balanced design this coincides with no standard ANOVA table but is unbiased like it.

use super::design::Design;
use super::{Components, VarianceError};
use serde::Serialize;

/// A method-of-moments fit.
#[derive(Debug, Clone, Serialize)]
pub struct MomentsFit {
    /// The estimates as computed (possibly negative).
    pub components: Components,
    /// Names of the negative components (`person`, `person_context`, `rater`, `residual`).
    pub negative: Vec<&'static str>,
}

/// Method-of-moments components of `design` (optional bootstrap person weights).
pub fn fit_moments(design: &Design, weights: Option<&[f64]>) -> Result<MomentsFit, VarianceError> {
    let terms = design.terms();
    let components = if terms.person && !terms.person_context && !terms.rater {
        one_way(design, weights)?
    } else {
        symmetric_differences(design, weights)?
    };
    let mut negative = Vec::new();
    for (name, v) in [
        ("person", components.person),
        ("person_context", components.person_context),
        ("rater", components.rater),
        ("residual", components.residual),
    ] {
        if v < 0.0 {
            negative.push(name);
        }
    }
    Ok(MomentsFit {
        components,
        negative,
    })
}

fn one_way(design: &Design, weights: Option<&[f64]>) -> Result<Components, VarianceError> {
    let persons = design.person_sums(weights);
    let (mut a, mut n, mut s, mut sn2, mut ssw, mut ssb_part) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for &(m, np, sp, ssp) in &persons {
        a += m;
        n += m * np;
        s += m * sp;
        sn2 += m * np * np;
        ssw += m * (ssp - sp * sp / np);
        ssb_part += m * sp * sp / np;
    }
    if a < 2.0 || n - a < 1.0 {
        return Err(VarianceError::NoWithinPersonReplication);
    }
    let msw = ssw / (n - a);
    let msb = (ssb_part - s * s / n) / (a - 1.0);
    let n0 = (n - sn2 / n) / (a - 1.0);
    Ok(Components {
        person: (msb - msw) / n0,
        person_context: 0.0,
        rater: 0.0,
        residual: msw,
    })
}

fn symmetric_differences(
    design: &Design,
    weights: Option<&[f64]>,
) -> Result<Components, VarianceError> {
    let terms = design.terms();
    let ps = design.pair_sums(weights);
    let sub = |a: [f64; 2], b: [f64; 2]| [a[0] - b[0], a[1] - b[1]];
    let add = |a: [f64; 2], b: [f64; 2]| [a[0] + b[0], a[1] + b[1]];
    // Classes of pairs: (pairs, Σ squared differences), and the terms in which the two ratings
    // differ: [person, person_context, rater, residual].
    let classes: [([f64; 2], [bool; 4]); 6] = [
        (ps.profile_rater, [false, false, false, true]),
        (
            sub(ps.profile, ps.profile_rater),
            [false, false, true, true],
        ),
        (
            sub(ps.person_rater, ps.profile_rater),
            [false, true, false, true],
        ),
        (
            add(
                sub(sub(ps.person, ps.profile), ps.person_rater),
                ps.profile_rater,
            ),
            [false, true, true, true],
        ),
        (sub(ps.rater, ps.person_rater), [true, true, false, true]),
        (
            add(sub(sub(ps.all, ps.person), ps.rater), ps.person_rater),
            [true, true, true, true],
        ),
    ];
    let active = [terms.person, terms.person_context, terms.rater, true];
    let cols: Vec<usize> = (0..4).filter(|&i| active[i]).collect();
    let k = cols.len();
    let mut ata = nalgebra::DMatrix::<f64>::zeros(k, k);
    let mut atb = nalgebra::DVector::<f64>::zeros(k);
    let mut rows = 0;
    for (sums, differ) in classes {
        if sums[0] < 0.5 {
            continue;
        }
        let target = sums[1] / sums[0] / 2.0;
        let row: Vec<f64> = cols
            .iter()
            .map(|&c| if differ[c] { 1.0 } else { 0.0 })
            .collect();
        for i in 0..k {
            atb[i] += row[i] * target;
            for j in 0..k {
                ata[(i, j)] += row[i] * row[j];
            }
        }
        rows += 1;
    }
    if rows < k {
        return Err(VarianceError::SingularMoments);
    }
    let sol = ata
        .clone()
        .cholesky()
        .map(|c| c.solve(&atb))
        .ok_or(VarianceError::SingularMoments)?;
    let mut out = [0.0; 4];
    for (i, &c) in cols.iter().enumerate() {
        out[c] = sol[i];
    }
    Ok(Components {
        person: out[0],
        person_context: out[1],
        rater: out[2],
        residual: out[3],
    })
}
