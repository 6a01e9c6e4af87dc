//! REML fits of the crossed design (reference: lme4 `lmer(..., REML = TRUE)`).

use super::anova::fit_moments;
use super::design::{Design, Rating, Terms};
use super::optimize::{minimize, NewtonOptions};
use super::suff::Suff;
use super::{Components, VarianceError};
use crate::prec;
use serde::Serialize;

/// Options of [`fit_reml`].
#[derive(Debug, Clone, Copy, Default)]
pub struct FitOptions<'a> {
    /// Starting `θ` (relative standard deviations, lme4's `getME(m, "theta")`); default: from
    /// the method-of-moments estimates.
    pub start: Option<[f64; 3]>,
    /// Person weights indexed by person id (a bootstrap resample); `None` = all 1.
    pub weights: Option<&'a [f64]>,
    /// Reduce persons on rayon inside each evaluation (for one large fit; leave off when the
    /// caller already runs fits in parallel).
    pub parallel: bool,
}

/// A REML fit.
#[derive(Debug, Clone, Serialize)]
pub struct RemlFit {
    /// The variance components.
    pub components: Components,
    /// lme4's `θ`: each term's standard deviation relative to the residual one.
    pub theta: [f64; 3],
    /// The estimated intercept μ.
    pub intercept: f64,
    /// −2 × REML log-likelihood, as lme4's `REMLcrit()`.
    pub reml_criterion: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// Criterion evaluations made.
    pub evaluations: usize,
    /// False when the iteration limit was reached first.
    pub converged: bool,
}

/// Fits `design` by REML: minimises lme4's profiled REML criterion over `θ ≥ 0` with a
/// Newton method (see [`super::optimize`]). Components at the boundary are exactly 0.
///
/// Errors when the design cannot identify its terms: fewer than two persons, no person in two
/// or more profiles (with a person:context term) or with two or more ratings (person term
/// only), no profile with two or more ratings (person:context term), fewer than two raters
/// (rater term), or constant values. Weighted fits (bootstrap) skip the design checks and fail
/// with [`VarianceError::Undefined`] when the criterion has no value.
pub fn fit_reml(design: &Design, opts: &FitOptions) -> Result<RemlFit, VarianceError> {
    if opts.weights.is_none() {
        check_identifiable(design)?;
    }
    let suff = Suff::new(design, opts.weights, opts.parallel);
    let start = opts
        .start
        .unwrap_or_else(|| moments_start(design, opts.weights));
    fit_reml_suff(design, &suff, start, prec::REML_DECREMENT)
}

/// [`fit_reml`] from precomputed sufficient statistics (e.g. a bootstrap resample from a
/// [`super::suff::SuffBasis`]), starting at `start`, stopping when Newton's predicted decrease
/// is below `decrement_tol`. No identifiability checks.
pub fn fit_reml_suff(
    design: &Design,
    suff: &Suff,
    start: [f64; 3],
    decrement_tol: f64,
) -> Result<RemlFit, VarianceError> {
    let terms = design.terms();
    let mask = terms.mask();
    let free: Vec<usize> = (0..3).filter(|&i| mask[i]).collect();
    let to_theta = |x: &[f64]| {
        let mut t = [0.0; 3];
        for (&i, &v) in free.iter().zip(x) {
            t[i] = v;
        }
        t
    };
    let crit = |x: &[f64]| suff.evaluate(design, to_theta(x)).map(|e| e.criterion);
    let x0: Vec<f64> = free.iter().map(|&i| start[i].abs()).collect();
    let min = minimize(
        crit,
        &x0,
        NewtonOptions {
            decrement_tol,
            ..NewtonOptions::default()
        },
    )
    .ok_or(VarianceError::Undefined)?;
    let mut theta = to_theta(&min.x);
    let mut best = min.value;
    let mut evaluations = min.evaluations;
    // Snap components that sit at the boundary to exactly 0 when that is no worse.
    for i in free.iter().copied() {
        if theta[i] > 0.0 && theta[i] < prec::THETA_BOUNDARY {
            let mut t = theta;
            t[i] = 0.0;
            evaluations += 1;
            if let Some(e) = suff.evaluate(design, t) {
                if e.criterion <= best + prec::REML_DECREMENT {
                    theta = t;
                    best = best.min(e.criterion);
                }
            }
        }
    }
    let e = suff
        .evaluate(design, theta)
        .ok_or(VarianceError::Undefined)?;
    let sigma2 = e.pwrss / (e.n - 1.0);
    let components = Components {
        person: theta[0] * theta[0] * sigma2,
        person_context: theta[1] * theta[1] * sigma2,
        rater: theta[2] * theta[2] * sigma2,
        residual: sigma2,
    };
    Ok(RemlFit {
        components,
        theta,
        intercept: e.intercept,
        reml_criterion: e.criterion,
        iterations: min.iterations,
        evaluations: evaluations + 1,
        converged: min.converged,
    })
}

/// The checks [`fit_reml`] makes before fitting an unweighted design.
pub fn check_identifiable(design: &Design) -> Result<(), VarianceError> {
    let terms = design.terms();
    if design.n_ratings() < 2 || design.total_variance() <= 0.0 {
        return Err(VarianceError::ConstantValues);
    }
    if terms.person && design.n_persons() < 2 {
        return Err(VarianceError::TooFewPersons);
    }
    if terms.person_context {
        if !design.has_within_person_replication() {
            return Err(VarianceError::NoWithinPersonReplication);
        }
        if !design.has_within_profile_replication() {
            return Err(VarianceError::NoWithinProfileReplication);
        }
    } else if terms.person && design.n_ratings() <= design.n_persons() {
        return Err(VarianceError::NoWithinPersonReplication);
    }
    if terms.rater && design.n_rater_levels() < 2 {
        return Err(VarianceError::SingleRater);
    }
    Ok(())
}

/// Starting `θ` from the method-of-moments components, kept away from 0 so that Newton starts
/// where the criterion is curved.
fn moments_start(design: &Design, weights: Option<&[f64]>) -> [f64; 3] {
    let Ok(m) = fit_moments(design, weights) else {
        return [1.0; 3];
    };
    let c = m.components;
    let total = c.total().abs().max(f64::MIN_POSITIVE);
    let floor = 0.05 * total;
    let e = c.residual.max(floor);
    [
        (c.person.max(floor) / e).sqrt(),
        (c.person_context.max(floor) / e).sqrt(),
        (c.rater.max(floor) / e).sqrt(),
    ]
}

/// Variance components of `value ~ 1 + (1|unit) + (1|rater)` by REML, for a
/// variance-components ICC on incomplete unit × rater designs (each unit rated by any subset
/// of raters, possibly more than once).
///
/// `units[i]`, `raters[i]` and `values[i]` describe rating `i`; ids are dense-ish indices
/// (memory is proportional to the largest id). Returns `components.person` = σ²_unit,
/// `components.rater` = σ²_rater, `components.residual` = σ²_error (`person_context` is 0):
/// e.g. ICC(1) = σ²_u / (σ²_u + σ²_r + σ²_e), ICC(A,k) = σ²_u / (σ²_u + (σ²_r + σ²_e)/k).
/// Reference: lme4 `lmer(value ~ 1 + (1|unit) + (1|rater))`. With a single rater the rater term
/// is dropped (its component is 0) instead of failing.
pub fn fit_unit_rater(
    units: &[u32],
    raters: &[u32],
    values: &[f64],
) -> Result<RemlFit, VarianceError> {
    if units.len() != raters.len() || units.len() != values.len() {
        return Err(VarianceError::Undefined);
    }
    let ratings: Vec<Rating> = (0..units.len())
        .map(|i| Rating {
            person: units[i],
            profile: units[i],
            rater: raters[i],
            value: values[i],
        })
        .collect();
    let mut terms = Terms {
        person: true,
        person_context: false,
        rater: true,
    };
    let mut design = Design::new(&ratings, terms)?;
    if design.n_rater_levels() < 2 {
        terms.rater = false;
        design = Design::new(&ratings, terms)?;
    }
    fit_reml(
        &design,
        &FitOptions {
            parallel: true,
            ..Default::default()
        },
    )
}
