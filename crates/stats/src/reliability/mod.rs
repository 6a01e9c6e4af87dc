//! Reliability of a scale made of items: Cronbach's α (raw and standardized), item–rest
//! correlations, α if an item is dropped, and McDonald's ω total from a one-factor model.
//!
//! The numbers are psych's (`alpha`, `omega(nfactors = 1, fm = "minres")`), checked on
//! fixtures from `scripts/reference/reliability/psych_reliability.R`:
//!
//! - raw α = k/(k−1) · (1 − tr C / ΣC) on the item covariance matrix C;
//! - standardized α = k/(k−1) · (1 − k / ΣR) on the correlation matrix R;
//! - item–rest r = the correlation of an item with the sum of the other items (psych `r.drop`);
//! - ω total = (ΣR − Σu²) / ΣR, u² = 1 − λ² the uniquenesses of a one-factor minres (unweighted
//!   least squares) fit of R, items loading negatively flipped first as psych does.
//!
//! Items are expected already scored (reverse-keyed items reversed with the scale's bounds).
//! A person missing any item is left out (listwise); the caller says how many were.

pub mod multilevel;

use nalgebra::{DMatrix, SymmetricEigen};

/// What can make a scale's reliability undefined.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
#[allow(missing_docs)] // the variants' fields: each message names them
pub enum ReliabilityError {
    /// α and ω need at least two items.
    #[error("a scale needs at least two items for its reliability, found {found}")]
    TooFewItems { found: usize },
    /// Fewer than three persons answered every item.
    #[error("only {found} person(s) answered every item; reliability needs at least 3")]
    TooFewPersons { found: usize },
    /// A person's row does not have one value per item.
    #[error("person {person}: {found} values for {items} items")]
    RaggedRow {
        person: usize,
        found: usize,
        items: usize,
    },
    /// An item has no variance: its correlations are undefined.
    #[error("item {item} has the same value for every person (no variance)")]
    ConstantItem { item: usize },
    /// A value is NaN or infinite.
    #[error("person {person}, item {item}: value is not a finite number")]
    NotFinite { person: usize, item: usize },
    /// The items' sum has no variance (items cancelling each other out: a reverse-keyed item
    /// not marked as one), so α is undefined.
    #[error("the sum of the items has no variance (is a reverse-keyed item not marked?)")]
    ConstantTotal,
    /// The one-factor fit did not converge.
    #[error("the one-factor model for ω did not converge")]
    NoConvergence,
}

/// One item of a scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ItemReliability {
    /// Correlation of the item with the sum of the other items.
    pub item_rest: f64,
    /// Raw α of the scale without this item (`None` for a two-item scale: one item has no α).
    pub alpha_if_dropped: Option<f64>,
    /// Standardized α without this item.
    pub std_alpha_if_dropped: Option<f64>,
    /// The item's loading on the one factor (after psych's flip of negative loadings).
    pub loading: f64,
}

/// The reliability of one scale.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScaleReliability {
    /// Persons used (those who answered every item).
    pub n: usize,
    /// Cronbach's α from the covariances (psych's `raw_alpha`).
    pub raw_alpha: f64,
    /// α from the correlations (psych's `std.alpha`).
    pub std_alpha: f64,
    /// Mean inter-item correlation.
    pub average_r: f64,
    /// McDonald's ω total from the one-factor model (psych's `omega.tot`).
    pub omega_total: f64,
    /// Per item, in the scale's order.
    pub items: Vec<ItemReliability>,
}

/// Reliability of the scale whose item scores are `rows` (one row per person, one value per
/// item; `None` = not answered).
pub fn scale_reliability(rows: &[Vec<Option<f64>>]) -> Result<ScaleReliability, ReliabilityError> {
    let k = rows.first().map_or(0, Vec::len);
    if k < 2 {
        return Err(ReliabilityError::TooFewItems { found: k });
    }
    let mut complete: Vec<&[Option<f64>]> = Vec::with_capacity(rows.len());
    for (p, r) in rows.iter().enumerate() {
        if r.len() != k {
            return Err(ReliabilityError::RaggedRow {
                person: p,
                found: r.len(),
                items: k,
            });
        }
        for (i, v) in r.iter().enumerate() {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(ReliabilityError::NotFinite { person: p, item: i });
            }
        }
        if r.iter().all(Option::is_some) {
            complete.push(r);
        }
    }
    let n = complete.len();
    if n < 3 {
        return Err(ReliabilityError::TooFewPersons { found: n });
    }
    let x = DMatrix::from_fn(n, k, |p, i| complete[p][i].unwrap_or(0.0));
    let cov = covariance(&x);
    for i in 0..k {
        if cov[(i, i)] <= 0.0 {
            return Err(ReliabilityError::ConstantItem { item: i });
        }
    }
    let cor = DMatrix::from_fn(k, k, |i, j| {
        cov[(i, j)] / (cov[(i, i)] * cov[(j, j)]).sqrt()
    });
    let all: Vec<usize> = (0..k).collect();
    // Relative to the item variances: a sum that cancels out leaves only rounding.
    let scale: f64 = (0..k).map(|i| cov[(i, i)]).sum();
    if sum_over(&cov, &all) <= 1e-12 * scale || sum_over(&cor, &all) <= 1e-12 * k as f64 {
        return Err(ReliabilityError::ConstantTotal);
    }
    let loadings = one_factor_minres(&cor)?;
    let signs: Vec<f64> = loadings
        .iter()
        .map(|&l| if l < 0.0 { -1.0 } else { 1.0 })
        .collect();
    let flipped_sum: f64 = (0..k)
        .flat_map(|i| (0..k).map(move |j| (i, j)))
        .map(|(i, j)| signs[i] * signs[j] * cor[(i, j)])
        .sum();
    let uniq: f64 = loadings.iter().map(|l| 1.0 - l * l).sum();
    let omega_total = (flipped_sum - uniq) / flipped_sum;

    let items = (0..k)
        .map(|j| {
            let rest: Vec<usize> = all.iter().copied().filter(|&i| i != j).collect();
            let cov_jr: f64 = rest.iter().map(|&i| cov[(j, i)]).sum();
            let var_r = sum_over(&cov, &rest);
            ItemReliability {
                item_rest: cov_jr / (cov[(j, j)] * var_r).sqrt(),
                alpha_if_dropped: (k > 2).then(|| alpha(&cov, &rest)),
                std_alpha_if_dropped: (k > 2).then(|| alpha(&cor, &rest)),
                loading: loadings[j].abs(),
            }
        })
        .collect();
    let sum_r = sum_over(&cor, &all);
    Ok(ScaleReliability {
        n,
        raw_alpha: alpha(&cov, &all),
        std_alpha: alpha(&cor, &all),
        average_r: (sum_r - k as f64) / (k * (k - 1)) as f64,
        omega_total,
        items,
    })
}

/// Percentile bootstrap intervals of raw α and ω total over responses.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReliabilityIntervals {
    /// Interval of raw α; `None` when too few resamples had one.
    pub raw_alpha: Option<[f64; 2]>,
    /// Interval of ω total; `None` when too few resamples had one.
    pub omega_total: Option<[f64; 2]>,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples with no reliability (an item constant in the resample), left out.
    pub failed: usize,
}

/// Resamples the complete responses of `rows` (with replacement, `resamples` times, each from
/// its own seeded stream so the result does not depend on threads) and gives the `level`
/// percentile intervals of raw α and ω total.
pub fn bootstrap_intervals(
    rows: &[Vec<Option<f64>>],
    resamples: usize,
    seed: u64,
    level: f64,
) -> ReliabilityIntervals {
    use rayon::prelude::*;
    let complete: Vec<&Vec<Option<f64>>> = rows
        .iter()
        .filter(|r| r.iter().all(Option::is_some))
        .collect();
    let fits: Vec<Option<(f64, f64)>> = (0..resamples as u64)
        .into_par_iter()
        .map(|b| {
            if complete.is_empty() {
                return None;
            }
            let mut rng = crate::bootstrap::ResampleRng::new(seed, b);
            let sample: Vec<Vec<Option<f64>>> = rng
                .resample_indices(complete.len())
                .into_iter()
                .map(|i| complete[i].clone())
                .collect();
            scale_reliability(&sample)
                .ok()
                .map(|s| (s.raw_alpha, s.omega_total))
        })
        .collect();
    let ok: Vec<(f64, f64)> = fits.iter().flatten().copied().collect();
    let alphas: Vec<f64> = ok.iter().map(|x| x.0).collect();
    let omegas: Vec<f64> = ok.iter().map(|x| x.1).collect();
    ReliabilityIntervals {
        raw_alpha: crate::bootstrap::percentile_interval(&alphas, level),
        omega_total: crate::bootstrap::percentile_interval(&omegas, level),
        resamples,
        failed: resamples - ok.len(),
    }
}

/// Sample covariance (n − 1) of the columns of `x`.
fn covariance(x: &DMatrix<f64>) -> DMatrix<f64> {
    let (n, k) = x.shape();
    let means: Vec<f64> = (0..k).map(|i| x.column(i).sum() / n as f64).collect();
    DMatrix::from_fn(k, k, |i, j| {
        (0..n)
            .map(|p| (x[(p, i)] - means[i]) * (x[(p, j)] - means[j]))
            .sum::<f64>()
            / (n - 1) as f64
    })
}

fn sum_over(m: &DMatrix<f64>, idx: &[usize]) -> f64 {
    idx.iter()
        .flat_map(|&i| idx.iter().map(move |&j| m[(i, j)]))
        .sum()
}

/// α of the items `idx` from their covariance (raw) or correlation (standardized) matrix.
fn alpha(m: &DMatrix<f64>, idx: &[usize]) -> f64 {
    let k = idx.len() as f64;
    let trace: f64 = idx.iter().map(|&i| m[(i, i)]).sum();
    k / (k - 1.0) * (1.0 - trace / sum_over(m, idx))
}

/// psych bounds uniquenesses below at 0.005 (`fa`'s `lower`), so communalities stay ≤ 0.995.
const MAX_COMMUNALITY: f64 = 0.995;

/// Loadings of one factor fitted by unweighted least squares on the off-diagonal of `r`
/// (psych's minres): principal axes with the communalities iterated to their fixed point,
/// started from the squared multiple correlations. Signed so that their sum is positive.
fn one_factor_minres(r: &DMatrix<f64>) -> Result<Vec<f64>, ReliabilityError> {
    let k = r.nrows();
    let mut h: Vec<f64> = match r.clone().try_inverse() {
        Some(inv) => (0..k).map(|i| 1.0 - 1.0 / inv[(i, i)]).collect(),
        None => vec![0.5; k],
    };
    for _ in 0..100_000 {
        let mut reduced = r.clone();
        for (i, hi) in h.iter().enumerate() {
            reduced[(i, i)] = *hi;
        }
        let eig = SymmetricEigen::new(reduced);
        let top = eig.eigenvalues.imax();
        let value = eig.eigenvalues[top].max(0.0);
        let v = eig.eigenvectors.column(top);
        let sign = if v.sum() < 0.0 { -1.0 } else { 1.0 };
        let l: Vec<f64> = v.iter().map(|x| sign * x * value.sqrt()).collect();
        let next: Vec<f64> = l.iter().map(|x| (x * x).min(MAX_COMMUNALITY)).collect();
        let change = next
            .iter()
            .zip(&h)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        h = next;
        if change < 1e-13 {
            return Ok(l
                .iter()
                .zip(&h)
                .map(|(l, h)| l.signum() * h.sqrt())
                .collect());
        }
    }
    Err(ReliabilityError::NoConvergence)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(v: &[&[f64]]) -> Vec<Vec<Option<f64>>> {
        v.iter()
            .map(|r| r.iter().map(|x| Some(*x)).collect())
            .collect()
    }

    #[test]
    fn degenerate_scales_are_typed_errors() {
        let one = rows(&[&[1.0], &[2.0], &[3.0]]);
        assert_eq!(
            scale_reliability(&one),
            Err(ReliabilityError::TooFewItems { found: 1 })
        );
        let constant = rows(&[&[1.0, 2.0], &[2.0, 2.0], &[3.0, 2.0]]);
        assert_eq!(
            scale_reliability(&constant),
            Err(ReliabilityError::ConstantItem { item: 1 })
        );
        let mut missing = rows(&[&[1.0, 2.0], &[2.0, 3.0], &[3.0, 3.0], &[4.0, 5.0]]);
        missing[1][0] = None;
        missing[2][1] = None;
        assert_eq!(
            scale_reliability(&missing),
            Err(ReliabilityError::TooFewPersons { found: 2 })
        );
        let opposite = rows(&[&[1.0, 5.0], &[2.0, 4.0], &[4.0, 2.0]]);
        assert_eq!(
            scale_reliability(&opposite),
            Err(ReliabilityError::ConstantTotal)
        );
    }

    #[test]
    fn bootstrap_is_seeded_and_brackets_the_estimate() {
        // Two correlated items and a third, from a fixed arithmetic sequence.
        let data: Vec<Vec<Option<f64>>> = (0..60)
            .map(|p| {
                let f = ((p * 37) % 11) as f64;
                vec![
                    Some(f + ((p * 7) % 3) as f64),
                    Some(f + ((p * 5) % 4) as f64),
                    Some(f / 2.0 + ((p * 3) % 5) as f64),
                ]
            })
            .collect();
        let est = scale_reliability(&data).unwrap();
        let a = bootstrap_intervals(&data, 400, 7, 0.95);
        assert_eq!(a, bootstrap_intervals(&data, 400, 7, 0.95));
        assert_ne!(a, bootstrap_intervals(&data, 400, 8, 0.95));
        let [lo, hi] = a.raw_alpha.unwrap();
        assert!(
            lo < est.raw_alpha && est.raw_alpha < hi,
            "{lo} {} {hi}",
            est.raw_alpha
        );
        let [lo, hi] = a.omega_total.unwrap();
        assert!(lo < est.omega_total && est.omega_total < hi);
        assert_eq!((a.resamples, a.failed), (400, 0));
        // Incomplete responses are not resampled: the same intervals with one added.
        let mut more = data.clone();
        more.push(vec![Some(1.0), None, Some(2.0)]);
        assert_eq!(bootstrap_intervals(&more, 400, 7, 0.95), a);
    }

    #[test]
    fn a_person_missing_an_item_is_left_out() {
        let full = rows(&[
            &[1.0, 2.0, 1.0],
            &[2.0, 3.0, 3.0],
            &[3.0, 3.0, 2.0],
            &[4.0, 5.0, 5.0],
        ]);
        let mut more = full.clone();
        more.push(vec![Some(5.0), None, Some(1.0)]);
        let a = scale_reliability(&full).unwrap();
        let b = scale_reliability(&more).unwrap();
        assert_eq!(b.n, 4);
        assert_eq!(a, b);
    }
}
