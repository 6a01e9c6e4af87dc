//! Bootstrap confidence intervals by resampling units.

use super::alpha::alpha_weighted;
use super::kappa::fleiss_weighted;
use super::{AgreementError, RatingTable};
use crate::bootstrap::{percentile_interval, ResampleRng};
use rayon::prelude::*;

/// Percentile intervals from a unit bootstrap (`None` where no resample gave a value).
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapCi {
    pub resamples: usize,
    pub level: f64,
    pub alpha_nominal: Option<[f64; 2]>,
    pub alpha_ordinal: Option<[f64; 2]>,
    pub alpha_interval: Option<[f64; 2]>,
    pub alpha_ratio: Option<[f64; 2]>,
    pub fleiss_kappa: Option<[f64; 2]>,
}

/// Nonparametric bootstrap over units (Hayes & Krippendorff 2007 resample pairable values; we
/// resample whole units, which keeps each unit's raters together): `resamples` draws of as many
/// units as have ratings, with replacement; each statistic is recomputed with every unit counted
/// as often as it was drawn; percentile intervals (type 7) at `level`. Resample b uses
/// [`ResampleRng::new`]`(seed, b)`, and resamples are collected in index order, so the result is
/// identical for a seed whatever the number of rayon threads.
pub fn bootstrap(
    table: &RatingTable,
    resamples: usize,
    seed: u64,
    level: f64,
) -> Result<BootstrapCi, AgreementError> {
    if !(level > 0.0 && level < 1.0) {
        return Err(AgreementError::InvalidParameter("level must be in (0, 1)"));
    }
    let units: Vec<usize> = (0..table.n_units)
        .filter(|&u| !table.range(u).is_empty())
        .collect();
    if units.is_empty() {
        return Err(AgreementError::NoPairableUnits);
    }
    let draws: Vec<[f64; 5]> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = ResampleRng::new(seed, b as u64);
            let mut w = vec![0u32; table.n_units];
            for _ in 0..units.len() {
                w[units[rng.index(units.len())]] += 1;
            }
            let a = alpha_weighted(table, Some(&w), [true; 4]);
            let v = |r: Result<f64, AgreementError>| r.unwrap_or(f64::NAN);
            [
                v(a.nominal),
                v(a.ordinal),
                v(a.interval),
                v(a.ratio),
                v(fleiss_weighted(table, Some(&w)).map(|f| f.value)),
            ]
        })
        .collect();
    // Non-finite entries (a resample where the statistic is undefined) are skipped.
    let col = |i: usize| {
        let xs: Vec<f64> = draws.iter().map(|d| d[i]).collect();
        percentile_interval(&xs, level)
    };
    Ok(BootstrapCi {
        resamples,
        level,
        alpha_nominal: col(0),
        alpha_ordinal: col(1),
        alpha_interval: col(2),
        alpha_ratio: col(3),
        fleiss_kappa: col(4),
    })
}
