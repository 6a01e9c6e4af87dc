//! Agreement report per dimension (issue #3): turns a [`Dataset`] into `chameleon-stats`
//! agreement inputs and the results into the report the CLI prints and the app shows.
//!
//! The JSON form is the DESIGN.md contract of `chameleon agreement --json`:
//! `{"dimensions":[{"dimension","units","raters","ratings","alpha":{..},"fleiss_kappa",
//! "icc":{"ICC1",..},"percent_agreement","pairs":[{"a","b","units","kappa","kappa_linear",
//! "kappa_quadratic"}]}]}`. Extra keys are added after those (`level`, `icc_method`, `icc_detail`,
//! `percent_within_one`, `raters_detail`, `ci`, …); none of the contract keys is ever renamed
//! or dropped. A statistic that cannot be computed is `null` and its reason is in
//! [`AgreementRun::warnings`].

mod dimension;

use super::minimum::Caution;
use crate::dataset::Dataset;
use crate::model::Level;
use chameleon_stats::agreement::{AgreementError, KappaWeights};
use chameleon_stats::bootstrap::Control;
use dimension::dimension;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Options of an agreement run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AgreementOptions {
    /// Unit-bootstrap resamples for confidence intervals of alpha and Fleiss' kappa (0 = none).
    pub bootstrap: usize,
    /// Seed of the bootstrap: the same seed gives the same intervals.
    pub seed: u64,
}

impl Default for AgreementOptions {
    fn default() -> Self {
        AgreementOptions {
            bootstrap: 0,
            seed: 1,
        }
    }
}

/// The report and the reasons for every `null` in it.
#[derive(Debug, Clone)]
pub struct AgreementRun {
    /// The statistics per dimension.
    pub report: AgreementReport,
    /// One sentence per statistic that is `null`, naming the dimension.
    pub warnings: Vec<String>,
}

/// The `chameleon agreement --json` report: one entry per dimension, in codebook order.
#[derive(Debug, Clone, Serialize)]
pub struct AgreementReport {
    /// One entry per dimension.
    pub dimensions: Vec<DimensionAgreement>,
}

/// Krippendorff's alpha with the four difference functions; `null` when not computable.
#[derive(Debug, Clone, Serialize)]
pub struct AlphaReport {
    /// Nominal differences (categories equal or not).
    pub nominal: Option<f64>,
    /// Ordinal differences (ranks of the values used).
    pub ordinal: Option<f64>,
    /// Interval differences (squared distance).
    pub interval: Option<f64>,
    /// Ratio differences (squared relative distance).
    pub ratio: Option<f64>,
}

/// The six Shrout & Fleiss (1979) intraclass correlations; `null` when not computable.
#[derive(Debug, Clone, Serialize)]
pub struct IccReport {
    /// One-way random, single rater.
    #[serde(rename = "ICC1")]
    pub icc1: Option<f64>,
    /// Two-way random, absolute agreement, single rater.
    #[serde(rename = "ICC2")]
    pub icc2: Option<f64>,
    /// Two-way mixed, consistency, single rater.
    #[serde(rename = "ICC3")]
    pub icc3: Option<f64>,
    /// ICC1 for the mean of k raters.
    #[serde(rename = "ICC1k")]
    pub icc1k: Option<f64>,
    /// ICC2 for the mean of k raters.
    #[serde(rename = "ICC2k")]
    pub icc2k: Option<f64>,
    /// ICC3 for the mean of k raters.
    #[serde(rename = "ICC3k")]
    pub icc3k: Option<f64>,
}

/// F test and interval of one ICC form (complete designs only).
#[derive(Debug, Clone, Serialize)]
pub struct IccFormDetail {
    /// The estimate.
    pub value: f64,
    /// F statistic of the test against 0.
    #[serde(rename = "F")]
    pub f: Option<f64>,
    /// Degrees of freedom of the F test; `null` for the variance-components ICCs (no test).
    pub df1: Option<f64>,
    /// Denominator degrees of freedom (see `df1`).
    pub df2: Option<f64>,
    /// p value of the F test.
    pub p: Option<f64>,
    /// F-based 95% confidence interval.
    pub ci95: Option<[f64; 2]>,
}

/// The ICCs with their tests, intervals and the design they were computed on.
#[derive(Debug, Clone, Serialize)]
pub struct IccDetail {
    /// Units and raters the ICC was computed on, and the k of the average-measure forms.
    pub units: usize,
    /// Raters in that design.
    pub raters: usize,
    /// `null` when no ICC form is defined.
    pub k: Option<f64>,
    /// ICC1 in detail.
    #[serde(rename = "ICC1")]
    pub icc1: Option<IccFormDetail>,
    /// ICC2 in detail.
    #[serde(rename = "ICC2")]
    pub icc2: Option<IccFormDetail>,
    /// ICC3 in detail.
    #[serde(rename = "ICC3")]
    pub icc3: Option<IccFormDetail>,
    /// ICC1k in detail.
    #[serde(rename = "ICC1k")]
    pub icc1k: Option<IccFormDetail>,
    /// ICC2k in detail.
    #[serde(rename = "ICC2k")]
    pub icc2k: Option<IccFormDetail>,
    /// ICC3k in detail.
    #[serde(rename = "ICC3k")]
    pub icc3k: Option<IccFormDetail>,
    /// Variance components (unit, rater, residual) when `icc_method` is variance-components.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variance_components: Option<VarianceComponentsReport>,
}

/// Variance components of unit + rater crossed random effects (incomplete designs).
#[derive(Debug, Clone, Serialize)]
pub struct VarianceComponentsReport {
    /// Between-unit variance.
    pub unit: f64,
    /// Between-rater variance (leniency).
    pub rater: f64,
    /// Residual variance.
    pub residual: f64,
}

/// Cohen's kappa of one rater pair on the units both rated.
#[derive(Debug, Clone, Serialize)]
pub struct PairReport {
    /// The first rater's name.
    pub a: String,
    /// The second rater's name.
    pub b: String,
    /// Units both raters rated.
    pub units: usize,
    /// Unweighted kappa.
    pub kappa: Option<f64>,
    /// Linearly weighted kappa (ordered scales).
    pub kappa_linear: Option<f64>,
    /// Quadratically weighted kappa (ordered scales).
    pub kappa_quadratic: Option<f64>,
    /// Set when a minimum-n rule is not met (docs/agreement.md): the value is kept but is not
    /// a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// One rater's diagnostics on one dimension.
#[derive(Debug, Clone, Serialize)]
pub struct RaterReport {
    /// The rater's name.
    pub rater: String,
    /// The rater's ratings.
    pub n: usize,
    /// Of those, ratings of units someone else rated too.
    pub n_shared: usize,
    /// Mean deviation from the other raters of the same units (positive = more lenient).
    pub leniency: Option<f64>,
    /// Correlation with the leave-one-out consensus.
    pub consensus_r: Option<f64>,
    /// Percent of pairs with another rater on a shared unit rated identically.
    pub consensus_agreement: Option<f64>,
    /// Mean absolute deviation from the consensus in the first third of the rater's ratings.
    pub drift_early_abs_dev: Option<f64>,
    /// The same in the last third.
    pub drift_late_abs_dev: Option<f64>,
    /// Exact agreement with the consensus in the first third, percent.
    pub drift_early_agreement: Option<f64>,
    /// The same in the last third.
    pub drift_late_agreement: Option<f64>,
    /// Median seconds spent per rating, when recorded.
    pub median_seconds: Option<f64>,
    /// Set when a minimum-n rule is not met (docs/agreement.md): the value is kept but is not
    /// a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Bootstrap percentile intervals (only with `--bootstrap N`).
#[derive(Debug, Clone, Serialize)]
pub struct CiReport {
    /// Resamples the intervals come from.
    pub resamples: usize,
    /// The bootstrap's seed.
    pub seed: u64,
    /// Confidence level of the intervals.
    pub level: f64,
    /// Intervals of the four alphas.
    pub alpha: CiAlpha,
    /// Interval of Fleiss' kappa.
    pub fleiss_kappa: Option<[f64; 2]>,
    /// Cohen's kappas per rater pair, in the order of `pairs`.
    pub pairs: Vec<PairCiReport>,
    /// Set when a minimum-n rule is not met (docs/agreement.md): the value is kept but is not
    /// a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Bootstrap intervals of one rater pair's kappas.
#[derive(Debug, Clone, Serialize)]
pub struct PairCiReport {
    /// The first rater's name.
    pub a: String,
    /// The second rater's name.
    pub b: String,
    /// Interval of the unweighted kappa.
    pub kappa: Option<[f64; 2]>,
    /// Interval of the linearly weighted kappa.
    pub kappa_linear: Option<[f64; 2]>,
    /// Interval of the quadratically weighted kappa.
    pub kappa_quadratic: Option<[f64; 2]>,
}

/// Bootstrap intervals of the four alphas.
#[derive(Debug, Clone, Serialize)]
pub struct CiAlpha {
    /// Nominal alpha.
    pub nominal: Option<[f64; 2]>,
    /// Ordinal alpha.
    pub ordinal: Option<[f64; 2]>,
    /// Interval alpha.
    pub interval: Option<[f64; 2]>,
    /// Ratio alpha.
    pub ratio: Option<[f64; 2]>,
}

/// One dimension's agreement. The first ten fields are the DESIGN.md contract, in its order.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionAgreement {
    /// The dimension's name.
    pub dimension: String,
    /// Units (profiles) with at least one rating.
    pub units: usize,
    /// Raters with at least one rating.
    pub raters: usize,
    /// Ratings of the dimension.
    pub ratings: usize,
    /// Krippendorff's alpha.
    pub alpha: AlphaReport,
    /// Fleiss' kappa (categorical scales).
    pub fleiss_kappa: Option<f64>,
    /// The intraclass correlations.
    pub icc: IccReport,
    /// Pairwise exact agreement, percent (0–100).
    pub percent_agreement: Option<f64>,
    /// Cohen's kappa per rater pair (categorical scales).
    pub pairs: Vec<PairReport>,
    // ---- extra keys (not part of the contract) ----
    /// The level of measurement the codebook gives (else the scale's, else interval): the
    /// alpha to read first.
    pub level: Level,
    /// Units with two or more ratings (what alpha, kappa and percent agreement use).
    pub pairable_units: usize,
    /// "classic" (constant ratings per unit) or "generalised" (see docs/agreement.md).
    pub fleiss_form: Option<&'static str>,
    /// "anova" (Shrout & Fleiss on a complete design), "variance-components-reml" (incomplete
    /// design: REML components of unit + rater crossed random effects, the decomposition's
    /// engine) or "variance-components-moments" (the symmetric-sums moment estimator, used when
    /// the REML fit fails); see docs/agreement.md.
    pub icc_method: &'static str,
    /// The ICCs with tests and intervals (`null` on nominal dimensions).
    pub icc_detail: Option<IccDetail>,
    /// Shrout & Fleiss ICCs on the units rated by every rater, when the design is incomplete but
    /// at least two such units exist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icc_complete_case: Option<IccDetail>,
    /// Pairwise agreement within one scale point, percent (ordinal/interval discrete scales).
    pub percent_within_one: Option<f64>,
    /// The categories (scale points) weighted kappas are computed over.
    pub categories: Option<Vec<f64>>,
    /// Per-rater diagnostics.
    pub raters_detail: Vec<RaterReport>,
    /// Bootstrap intervals, with `bootstrap > 0`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiReport>,
    /// Set when the units behind α, κ and the ICCs are too few: the values are not results.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Marks every value of `d` that a minimum-n rule (or a degenerate interval) keeps from being
/// a result.
fn cautions(d: &mut DimensionAgreement) {
    use super::minimum::{
        degenerate_interval, first, CLUSTERS_FOR_INTERVAL, RATINGS_PER_RATER, UNITS_FOR_AGREEMENT,
        UNITS_PER_PAIR,
    };
    d.caution = UNITS_FOR_AGREEMENT.check(d.pairable_units);
    for p in &mut d.pairs {
        p.caution = UNITS_PER_PAIR.check(p.units);
    }
    for r in &mut d.raters_detail {
        r.caution = RATINGS_PER_RATER.check(r.n);
    }
    let level = d.level;
    let units = d.units;
    if let Some(ci) = &mut d.ci {
        let at_level = match level {
            Level::Nominal => ci.alpha.nominal,
            Level::Ordinal => ci.alpha.ordinal,
            Level::Interval => ci.alpha.interval,
            Level::Ratio => ci.alpha.ratio,
        };
        ci.caution = first([
            CLUSTERS_FOR_INTERVAL.check(units),
            degenerate_interval(at_level),
        ]);
    }
}

/// The caller cancelled an agreement run (its bootstrap).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the agreement run was cancelled")]
pub struct Cancelled;

/// Agreement statistics for every dimension of `ds`, in parallel across dimensions.
pub fn agreement(ds: &Dataset, opts: &AgreementOptions) -> AgreementRun {
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    // Nobody else holds `never`: the run cannot be cancelled, so it needs no error.
    run(ds, opts, KappaWeights::Scale, &control)
}

/// [`agreement`] that reports bootstrap progress as `(done, total)` resamples summed over the
/// dimensions (`total` = resamples × dimensions; a dimension whose bootstrap cannot run counts
/// as done) and stops once `control` is cancelled.
pub fn agreement_with(
    ds: &Dataset,
    opts: &AgreementOptions,
    control: &Control,
) -> Result<AgreementRun, Cancelled> {
    agreement_weighted(ds, opts, KappaWeights::Scale, control)
}

/// [`agreement_with`] with the weighted kappas' category distances taken by `weights`
/// (`KappaWeights::Rank` reproduces R psych's `cohen.kappa`; see docs/agreement.md).
pub fn agreement_weighted(
    ds: &Dataset,
    opts: &AgreementOptions,
    weights: KappaWeights,
    control: &Control,
) -> Result<AgreementRun, Cancelled> {
    let out = run(ds, opts, weights, control);
    if control.is_cancelled() {
        return Err(Cancelled);
    }
    Ok(out)
}

/// The run behind [`agreement_weighted`]; what it returns after a cancel is incomplete.
fn run(
    ds: &Dataset,
    opts: &AgreementOptions,
    weights: KappaWeights,
    control: &Control,
) -> AgreementRun {
    let per_dim_total = opts.bootstrap as u64;
    let total = per_dim_total * ds.dimensions.len() as u64;
    let done = AtomicU64::new(0);
    let per_dim: Vec<(DimensionAgreement, Vec<String>)> = ds
        .dimensions
        .par_iter()
        .map(|d| {
            let mine = AtomicU64::new(0);
            let progress = |_: u64, _: u64| {
                mine.fetch_add(1, Ordering::Relaxed);
                (control.progress)(done.fetch_add(1, Ordering::Relaxed) + 1, total);
            };
            let dim_control = Control {
                progress: &progress,
                cancel: control.cancel,
            };
            let out = dimension(ds, d, opts, weights, &dim_control);
            let rest = per_dim_total.saturating_sub(mine.load(Ordering::Relaxed));
            if rest > 0 && !control.is_cancelled() {
                (control.progress)(done.fetch_add(rest, Ordering::Relaxed) + rest, total);
            }
            out
        })
        .collect();
    let mut warnings = Vec::new();
    let mut dimensions = Vec::with_capacity(per_dim.len());
    for (mut d, w) in per_dim {
        cautions(&mut d);
        dimensions.push(d);
        warnings.extend(w);
    }
    AgreementRun {
        report: AgreementReport { dimensions },
        warnings,
    }
}

/// Collects `null` reasons for one dimension.
struct Notes<'a> {
    dim: &'a str,
    out: Vec<String>,
}

impl Notes<'_> {
    fn take<T>(&mut self, what: &str, r: Result<T, AgreementError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.out
                    .push(format!("dimension '{}': {what} is null: {e}", self.dim));
                None
            }
        }
    }
    fn note(&mut self, what: &str, why: &str) {
        self.out
            .push(format!("dimension '{}': {what} is null: {why}", self.dim));
    }
}

#[cfg(test)]
mod tests;
