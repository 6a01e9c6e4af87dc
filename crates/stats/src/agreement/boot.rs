//! Bootstrap confidence intervals by resampling units.

use super::alpha::{AlphaScratch, AlphaUnits};
use super::kappa::{FleissUnits, PairScratch, PairUnits};
use super::{AgreementError, Categories, RatingTable};
use crate::bootstrap::{percentile_interval, Control, ResampleRng};
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Percentile intervals from a unit bootstrap (`None` where no resample gave a value).
#[derive(Debug, Clone, PartialEq)]
pub struct BootstrapCi {
    /// Resamples drawn.
    pub resamples: usize,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Nominal alpha.
    pub alpha_nominal: Option<[f64; 2]>,
    /// Ordinal alpha.
    pub alpha_ordinal: Option<[f64; 2]>,
    /// Interval alpha.
    pub alpha_interval: Option<[f64; 2]>,
    /// Ratio alpha.
    pub alpha_ratio: Option<[f64; 2]>,
    /// Fleiss' kappa (with categories).
    pub fleiss_kappa: Option<[f64; 2]>,
    /// Cohen's kappas of every pair of the original data (same order as [`super::cohen_pairs`]),
    /// when categories were given.
    pub pairs: Vec<PairCi>,
}

/// Bootstrap intervals of one rater pair's kappas.
#[derive(Debug, Clone, PartialEq)]
pub struct PairCi {
    /// First rater index (`a < b`).
    pub a: u32,
    /// Second rater index.
    pub b: u32,
    /// Unweighted kappa.
    pub kappa: Option<[f64; 2]>,
    /// Linearly weighted kappa.
    pub kappa_linear: Option<[f64; 2]>,
    /// Quadratically weighted kappa.
    pub kappa_quadratic: Option<[f64; 2]>,
}

/// Nonparametric bootstrap over units (Hayes & Krippendorff 2007 resample pairable values; we
/// resample whole units, which keeps each unit's raters together): `resamples` draws of as many
/// units as have ratings, with replacement; each statistic is recomputed with every unit counted
/// as often as it was drawn; percentile intervals (type 7) at `level`. Resample b uses
/// [`ResampleRng::new`]`(seed, b)`, and resamples are collected in index order, so the result is
/// identical for a seed whatever the number of rayon threads. With `cats`, every rater pair's
/// Cohen kappas too (a pair with no shared unit in a resample skips that resample).
pub fn bootstrap(
    table: &RatingTable,
    cats: Option<&Categories>,
    resamples: usize,
    seed: u64,
    level: f64,
) -> Result<BootstrapCi, AgreementError> {
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    bootstrap_with(table, cats, resamples, seed, level, &control)
}

/// [`bootstrap`] that reports `(done, resamples)` after each resample and stops with
/// [`AgreementError::Cancelled`] once `control` is cancelled.
pub fn bootstrap_with(
    table: &RatingTable,
    cats: Option<&Categories>,
    resamples: usize,
    seed: u64,
    level: f64,
    control: &Control,
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
    // What every resample shares, found once: each statistic's weight-free parts per unit.
    let alpha = AlphaUnits::new(table, [true; 4]).for_resamples();
    let fleiss = FleissUnits::new(table).for_resamples();
    let pairs = cats.map(|c| PairUnits::new(table, c));
    let keys: Vec<(u32, u32)> = pairs
        .as_ref()
        .map(|p| p.keys().to_vec())
        .unwrap_or_default();
    let v = |r: Result<f64, AgreementError>| r.unwrap_or(f64::NAN);
    let done = AtomicU64::new(0);
    let total = resamples as u64;
    // Per resample: alpha ×4, Fleiss, then 3 kappas per pair in `keys` order.
    let draws: Vec<Vec<f64>> = (0..resamples)
        .into_par_iter()
        .map_init(Scratch::default, |sc, b| {
            if control.is_cancelled() {
                return Err(AgreementError::Cancelled);
            }
            let mut rng = ResampleRng::new(seed, b as u64);
            sc.weights.clear();
            sc.weights.resize(table.n_units, 0);
            for _ in 0..units.len() {
                sc.weights[units[rng.index(units.len())]] += 1;
            }
            let w = &sc.weights[..];
            let a = alpha.alpha(table, Some(w), &mut sc.alpha);
            let mut out = Vec::with_capacity(5 + 3 * keys.len());
            out.extend([
                v(a.nominal),
                v(a.ordinal),
                v(a.interval),
                v(a.ratio),
                v(fleiss
                    .kappa(table, Some(w), &mut sc.margin)
                    .map(|f| f.value)),
            ]);
            if let Some(p) = &pairs {
                // A pair without a shared unit in this resample skips it.
                p.pairs(Some(w), &mut sc.pairs, |_, got| match got {
                    Some(p) => out.extend([v(p.kappa), v(p.kappa_linear), v(p.kappa_quadratic)]),
                    None => out.extend([f64::NAN; 3]),
                });
            }
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            (control.progress)(n, total);
            Ok(out)
        })
        .collect::<Result<_, _>>()?;
    // Non-finite entries (a resample where the statistic is undefined) are skipped.
    let col = |i: usize| {
        let xs: Vec<f64> = draws.iter().map(|d| d[i]).collect();
        percentile_interval(&xs, level)
    };
    let pairs = keys
        .iter()
        .enumerate()
        .map(|(j, &(a, b))| PairCi {
            a,
            b,
            kappa: col(5 + 3 * j),
            kappa_linear: col(6 + 3 * j),
            kappa_quadratic: col(7 + 3 * j),
        })
        .collect();
    Ok(BootstrapCi {
        resamples,
        level,
        alpha_nominal: col(0),
        alpha_ordinal: col(1),
        alpha_interval: col(2),
        alpha_ratio: col(3),
        fleiss_kappa: col(4),
        pairs,
    })
}

/// One worker's buffers, reused from resample to resample.
#[derive(Default)]
struct Scratch {
    weights: Vec<u32>,
    alpha: AlphaScratch,
    margin: Vec<f64>,
    pairs: PairScratch,
}
