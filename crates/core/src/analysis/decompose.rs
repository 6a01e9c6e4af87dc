//! State–trait decomposition report per dimension (issue #4): turns a [`Dataset`] into
//! `chameleon-stats` variance inputs and the results into the report the CLI prints and the app
//! shows.
//!
//! The JSON form is the DESIGN.md contract of `chameleon decompose --json`:
//! `{"method","dimensions":[{"dimension","persons","profiles","ratings",
//! "profile_level":{"person","state","trait_share","state_share","reml_criterion"},
//! "rater_level":{"person","person_context","rater","residual","reml_criterion"} | null,
//! "ci":{"trait_share":[lo,hi]}}],"pooled":{"trait_share","state_share"}}`.
//! Extra keys come after those (shares, reliability, LST coefficients, intervals of every
//! statistic, per-rater state sensitivity, flags of negative moment estimates, warnings); no
//! contract key is renamed or dropped. A level that cannot be estimated is `null` and the reason
//! is in the dimension's `warnings`; `reml_criterion` is `null` for `--method anova`.

use super::count_distinct;
use super::minimum::Caution;
use crate::dataset::{Dataset, DimensionData};
use chameleon_stats::bootstrap::Control;
use chameleon_stats::variance::decompose::{
    bootstrap_decomposition, decompose, BootstrapOptions, DecomposeOptions, Decomposition,
    DimensionIntervals, Method, Prepared, ProfileLevel, RaterLevel,
};
use chameleon_stats::variance::formula::{self, Formula};
use chameleon_stats::variance::mixed::{
    person_cluster_bootstrap, BootstrapMethod, Criterion, FitOptions, Model, ModelBootstrap,
    ModelBootstrapOptions, ModelError, ModelFit, Observation,
};
use chameleon_stats::variance::{Rating, VarianceError};
use rayon::prelude::*;
use serde::ser::SerializeMap;
use serde::Serialize;
use std::collections::BTreeMap;

pub use chameleon_stats::variance::mixed::BootstrapMethod as ModelBootstrapMethod;
pub use chameleon_stats::variance::mixed::Criterion as ModelCriterion;

pub use chameleon_stats::variance::decompose::Method as DecomposeMethod;

/// Options of a decomposition run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DecomposeRunOptions {
    pub method: Method,
    /// Person-cluster bootstrap resamples (0 = no intervals).
    pub bootstrap: usize,
    pub seed: u64,
}

impl Default for DecomposeRunOptions {
    fn default() -> Self {
        DecomposeRunOptions {
            method: Method::Reml,
            bootstrap: 0,
            seed: 1,
        }
    }
}

/// The whole report (`chameleon decompose --json`).
#[derive(Debug, Clone, Serialize)]
pub struct DecomposeReport {
    pub method: &'static str,
    pub dimensions: Vec<DimensionReport>,
    pub pooled: PooledReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileLevelReport {
    pub person: f64,
    pub state: f64,
    pub trait_share: f64,
    pub state_share: f64,
    pub reml_criterion: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SharesReport {
    pub person: f64,
    pub person_context: f64,
    pub rater: f64,
    pub residual: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaterLevelReport {
    pub person: f64,
    pub person_context: f64,
    pub rater: f64,
    pub residual: f64,
    pub reml_criterion: Option<f64>,
    /// Each component over their total.
    pub shares: SharesReport,
    /// Raters per profile (harmonic mean) for the k-rater coefficients.
    pub k: f64,
    pub reliability_1: f64,
    pub reliability_k: f64,
    pub consistency: f64,
    pub occasion_specificity: f64,
    /// False when there is one rater and its term was dropped (rater variance 0).
    pub rater_term: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RaterSensitivityReport {
    pub rater: String,
    pub kind: &'static str,
    pub ratings: usize,
    pub persons: usize,
    /// Within-person share of this rater's own ratings (profile-level model).
    pub state_share: Option<f64>,
    /// `state_share` below 0.10.
    pub state_blind: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Set when `ci` is degenerate ([1, 1]): the share may still be a finding (a state-blind
    /// model rates a person alike in every context), its interval is not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci_caution: Option<Caution>,
    /// Set when a minimum-n rule is not met or the value is degenerate (docs/decompose.md):
    /// the value is kept but is not a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Negative method-of-moments estimates (only with `--method anova`).
#[derive(Debug, Clone, Serialize)]
pub struct NegativeComponents {
    pub profile_level: Vec<&'static str>,
    pub rater_level: Vec<&'static str>,
}

impl From<&ProfileLevel> for ProfileLevelReport {
    fn from(p: &ProfileLevel) -> Self {
        ProfileLevelReport {
            person: p.person,
            state: p.state,
            trait_share: p.trait_share,
            state_share: p.state_share,
            reml_criterion: p.reml_criterion,
        }
    }
}

impl From<&RaterLevel> for RaterLevelReport {
    fn from(r: &RaterLevel) -> Self {
        RaterLevelReport {
            person: r.components.person,
            person_context: r.components.person_context,
            rater: r.components.rater,
            residual: r.components.residual,
            reml_criterion: r.reml_criterion,
            shares: SharesReport {
                person: r.shares.person,
                person_context: r.shares.person_context,
                rater: r.shares.rater,
                residual: r.shares.residual,
            },
            k: r.k,
            reliability_1: r.reliability_1,
            reliability_k: r.reliability_k,
            consistency: r.consistency,
            occasion_specificity: r.occasion_specificity,
            rater_term: r.rater_term,
        }
    }
}

impl NegativeComponents {
    /// The moment estimates below 0 of each level; `None` for REML, which has none.
    pub fn of(d: &Decomposition, method: Method) -> Option<Self> {
        (method == Method::Anova).then(|| NegativeComponents {
            profile_level: (d.profile_level.iter())
                .flat_map(|p| p.negative_components.clone())
                .collect(),
            rater_level: (d.rater_level.iter())
                .flat_map(|r| r.negative_components.clone())
                .collect(),
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct DimensionReport {
    pub dimension: String,
    pub persons: usize,
    pub profiles: usize,
    pub ratings: usize,
    pub profile_level: Option<ProfileLevelReport>,
    pub rater_level: Option<RaterLevelReport>,
    /// Percentile intervals (only with a bootstrap): `trait_share` and `state_share` of the
    /// profile level, then `profile_level` and `rater_level` maps of every statistic.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<CiReport>,
    pub rater_sensitivity: Vec<RaterSensitivityReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub negative_components: Option<NegativeComponents>,
    pub warnings: Vec<String>,
    /// The `--model` fit (DESIGN.md's `"model"` object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelReport>,
    /// When contexts are shared by persons: the profile level with a context term.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub context_check: Option<ContextCheck>,
    /// Persons with two or more contexts behind the profile level.
    pub persons_with_two_contexts: usize,
    /// Set when a minimum-n rule is not met or the value is degenerate (docs/decompose.md):
    /// the value is kept but is not a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

/// Keys in insertion order (formula order), serialised as a JSON object.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T: Serialize> Serialize for Ordered<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl<T: Copy> Ordered<T> {
    pub fn get(&self, key: &str) -> Option<T> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

/// A fitted formula: DESIGN.md's `"model"` object. Terms are keyed as written in the formula.
#[derive(Debug, Clone, Serialize)]
pub struct ModelReport {
    pub formula: String,
    pub components: Ordered<f64>,
    pub shares: Ordered<f64>,
    pub intercept: f64,
    pub intercept_se: f64,
    /// `REMLcrit()` (REML, the default).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reml_criterion: Option<f64>,
    /// `deviance()` (with `--ml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deviance: Option<f64>,
    pub converged: bool,
    pub boundary: Vec<String>,
    pub levels: Ordered<usize>,
    pub warnings: Vec<String>,
    /// With `--profile-ci`: 95 % profile-likelihood intervals of every standard deviation
    /// (terms, then `residual`), as lme4's `confint(m, method = "profile")`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd_ci95: Option<Ordered<[f64; 2]>>,
    /// With `--bootstrap`: which bootstrap made `components_ci95` and `shares_ci95`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bootstrap: Option<ModelBootstrapReport>,
    /// Percentile intervals of the components (`null` where every resample failed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components_ci95: Option<Ordered<Option<[f64; 2]>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares_ci95: Option<Ordered<Option<[f64; 2]>>>,
}

/// The bootstrap of a `--model` fit: `parametric` (as lme4's `bootMer`) when a term's levels
/// are shared across persons, `person-cluster` when every term is nested in person.
#[derive(Debug, Clone, Serialize)]
pub struct ModelBootstrapReport {
    pub method: BootstrapMethod,
    pub resamples: usize,
    pub seed: u64,
    /// Resamples whose refit failed (left out of the intervals).
    pub failed: usize,
}

/// Intervals of `--model` fits.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ModelIntervalOptions {
    /// Profile-likelihood intervals of the standard deviations (`--profile-ci`).
    pub profile_ci: bool,
    /// Bootstrap resamples for the components and shares (0 = none).
    pub bootstrap: usize,
    pub seed: u64,
}

impl ModelReport {
    pub fn from_fit(fit: &ModelFit) -> ModelReport {
        let mut components: Vec<(String, f64)> = fit
            .terms
            .iter()
            .map(|t| (t.label.clone(), t.variance))
            .collect();
        components.push(("residual".into(), fit.residual));
        let mut shares: Vec<(String, f64)> = fit
            .terms
            .iter()
            .map(|t| (t.label.clone(), t.share))
            .collect();
        shares.push(("residual".into(), fit.residual_share));
        let reml = fit.criterion_kind == Criterion::Reml;
        ModelReport {
            formula: fit.formula.clone(),
            components: Ordered(components),
            shares: Ordered(shares),
            intercept: fit.intercept,
            intercept_se: fit.intercept_se,
            reml_criterion: reml.then_some(fit.criterion),
            deviance: (!reml).then_some(fit.criterion),
            converged: fit.converged,
            boundary: fit.boundary.clone(),
            levels: Ordered(
                fit.terms
                    .iter()
                    .map(|t| (t.label.clone(), t.levels))
                    .collect(),
            ),
            warnings: fit.warnings.clone(),
            sd_ci95: None,
            bootstrap: None,
            components_ci95: None,
            shares_ci95: None,
        }
    }

    fn set_bootstrap(&mut self, b: &ModelBootstrap) {
        self.bootstrap = Some(ModelBootstrapReport {
            method: b.method,
            resamples: b.resamples,
            seed: b.seed,
            failed: b.failed,
        });
        let keyed = |v: &[Option<[f64; 2]>]| {
            Ordered(b.labels.iter().cloned().zip(v.iter().copied()).collect())
        };
        self.components_ci95 = Some(keyed(&b.components));
        self.shares_ci95 = Some(keyed(&b.shares));
        if b.failed > 0 {
            self.warnings.push(format!(
                "bootstrap: {} of {} resamples could not be refitted and are left out of the \
                 intervals",
                b.failed, b.resamples
            ));
        }
    }
}

/// The profile level refitted with a context term, `score ~ 1 + (1|person) + (1|context)`,
/// reported when a context is shared by two or more persons: the nested model counts a
/// context's own pull as every person's state, and this says how much of it that is.
#[derive(Debug, Clone, Serialize)]
pub struct ContextCheck {
    pub formula: String,
    pub person: f64,
    pub context: f64,
    /// The state left once the context is separated (person × context, plus error).
    pub person_context: f64,
    /// `context / (context + person_context)`: the part of the state that is the context's.
    pub context_share_of_state: f64,
    pub reml_criterion: f64,
    pub contexts: usize,
    pub note: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CiReport {
    pub trait_share: Option<[f64; 2]>,
    pub state_share: Option<[f64; 2]>,
    pub level: f64,
    pub resamples: usize,
    pub profile_level: BTreeMap<&'static str, Option<[f64; 2]>>,
    pub rater_level: BTreeMap<&'static str, Option<[f64; 2]>>,
    /// Resamples in which the level could not be fitted (left out of the intervals).
    pub failed_profile_level: usize,
    pub failed_rater_level: usize,
    /// Set when a minimum-n rule is not met or the value is degenerate (docs/decompose.md):
    /// the value is kept but is not a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

impl CiReport {
    /// The report of a dimension's bootstrap intervals (`resamples` drawn), without a caution.
    pub fn from_intervals(iv: &DimensionIntervals, resamples: usize) -> CiReport {
        let find = |name: &str| {
            iv.profile_level
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, v)| *v)
        };
        CiReport {
            trait_share: find("trait_share"),
            state_share: find("state_share"),
            level: super::CI_LEVEL,
            resamples,
            profile_level: iv.profile_level.iter().copied().collect(),
            rater_level: iv.rater_level.iter().copied().collect(),
            failed_profile_level: iv.failed_profile,
            failed_rater_level: iv.failed_rater,
            caution: None,
        }
    }

    /// Sets the caution of intervals resampled from `persons` persons: too few clusters, or a
    /// trait-share interval of zero width (docs/decomposition.md, *Too few data*).
    pub fn set_caution(&mut self, persons: usize) {
        use super::minimum::{degenerate_interval, first, CLUSTERS_FOR_INTERVAL};
        self.caution = first([
            CLUSTERS_FOR_INTERVAL.check(persons),
            degenerate_interval(self.trait_share),
        ]);
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PooledReport {
    /// Mean over dimensions of the profile-level trait share (the paper's headline).
    pub trait_share: Option<f64>,
    pub state_share: Option<f64>,
    /// Dimensions that entered the means.
    pub dimensions: usize,
    /// Rater-level decomposition of all dimensions standardised to unit total variance: the
    /// mean over dimensions of each component's share of the total.
    pub standardised: Option<SharesReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ci: Option<PooledCi>,
    /// Set when a pooled dimension's shares carry a caution: the mean includes them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caution: Option<Caution>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PooledCi {
    pub trait_share: Option<[f64; 2]>,
    pub state_share: Option<[f64; 2]>,
}

/// Persons and profiles numbered in name order (a profile by its person's name, then its
/// context's), as the query engine numbers them (crates/engine, issue #17). The designs then
/// sum in the same order on both paths, so an in-memory decomposition and the engine's agree
/// to the last bit instead of to the optimiser's accuracy, and neither depends on the order
/// of the file's rows.
pub struct NameOrder {
    person: Vec<u32>,
    profile: Vec<u32>,
}

impl NameOrder {
    /// The name ranks of `ds`'s persons and profiles (byte order, as the engine sorts).
    pub fn new(ds: &Dataset) -> NameOrder {
        let person = ranks(&ds.persons);
        let context = ranks(&ds.contexts);
        let key = |i: u32| {
            let p = &ds.profiles[i as usize];
            (person[p.person as usize], context[p.context as usize])
        };
        let mut by_key: Vec<u32> = (0..ds.profiles.len() as u32).collect();
        by_key.sort_unstable_by_key(|&i| key(i));
        let mut profile = vec![0u32; by_key.len()];
        for (rank, &id) in by_key.iter().enumerate() {
            profile[id as usize] = rank as u32;
        }
        NameOrder { person, profile }
    }
}

/// Each name's rank among `names` (distinct) in byte order.
fn ranks(names: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    let mut rank = vec![0u32; order.len()];
    for (r, &id) in order.iter().enumerate() {
        rank[id as usize] = r as u32;
    }
    rank
}

/// Ratings of one dimension as the stats crate wants them, numbered by `order`, raters by
/// their name rank among this dimension's raters (as the engine numbers them); the second
/// value maps those rater numbers back to indices into [`Dataset::raters`].
pub fn dimension_ratings(
    ds: &Dataset,
    dim: &DimensionData,
    order: &NameOrder,
) -> (Vec<Rating>, Vec<u32>) {
    let finite = || dim.observations.iter().filter(|o| o.value.is_finite());
    let mut present = vec![false; ds.raters.len()];
    for r in finite().filter_map(|o| o.rater) {
        present[r as usize] = true;
    }
    let mut rater_of: Vec<u32> = (0..ds.raters.len() as u32)
        .filter(|&r| present[r as usize])
        .collect();
    rater_of.sort_unstable_by(|&a, &b| ds.raters[a as usize].name.cmp(&ds.raters[b as usize].name));
    let mut number = vec![0u32; ds.raters.len()];
    for (rank, &id) in rater_of.iter().enumerate() {
        number[id as usize] = rank as u32;
    }
    let ratings = finite()
        .map(|o| Rating {
            person: order.person[ds.profiles[o.profile as usize].person as usize],
            profile: order.profile[o.profile as usize],
            rater: o.rater.map_or(0, |r| number[r as usize]),
            value: o.value,
        })
        .collect();
    (in_name_order(ratings, ds.profiles.len()), rater_of)
}

/// `ratings` in (person, profile, rater, value) order, the order the stats crate sums them in
/// (its `sort_order`, which then finds them sorted and sorts nothing): a counting sort by
/// profile rank, whose order is the persons' too, and a short sort within each profile. A file
/// in row order other than the names' (`p2` before `p10`) would otherwise be sorted whole by
/// each of a dimension's designs.
fn in_name_order(ratings: Vec<Rating>, profiles: usize) -> Vec<Rating> {
    let within = |a: &Rating, b: &Rating| a.rater.cmp(&b.rater).then(a.value.total_cmp(&b.value));
    let key = |r: &Rating| (r.person, r.profile);
    let sorted = ratings.windows(2).all(|w| {
        key(&w[0])
            .cmp(&key(&w[1]))
            .then_with(|| within(&w[0], &w[1]))
            .is_le()
    });
    if sorted {
        return ratings;
    }
    let mut start = vec![0usize; profiles + 1];
    for r in &ratings {
        start[r.profile as usize + 1] += 1;
    }
    for p in 0..profiles {
        start[p + 1] += start[p];
    }
    let mut next = start.clone();
    let mut out = ratings.clone();
    for r in ratings {
        let at = &mut next[r.profile as usize];
        out[*at] = r;
        *at += 1;
    }
    for p in 0..profiles {
        out[start[p]..start[p + 1]].sort_unstable_by(within);
    }
    out
}

const NOMINAL_WARNING: &str = "nominal categories have no mean or variance; not decomposed \
     (use agreement for nominal dimensions)";

/// Runs the decomposition of every dimension of `ds`. `control` reports bootstrap progress
/// and lets the caller cancel; the only error is [`VarianceError::Cancelled`].
pub fn run_decomposition(
    ds: &Dataset,
    opts: &DecomposeRunOptions,
    control: &Control,
) -> Result<DecomposeReport, VarianceError> {
    let dec_opts = DecomposeOptions {
        method: opts.method,
        parallel: true,
    };
    let order = NameOrder::new(ds);
    let per_dim: Vec<(Option<Prepared>, Option<Decomposition>, Vec<String>)> = ds
        .dimensions
        .par_iter()
        .map(|dim| {
            if dim.is_nominal() {
                // Category codes are labels, not quantities: a variance of them would be an
                // artefact of the coding, so the dimension is reported but not decomposed.
                return (None, None, vec![NOMINAL_WARNING.to_string()]);
            }
            let (ratings, rater_of) = dimension_ratings(ds, dim, &order);
            match Prepared::new(&ratings, ds.has_rater) {
                Ok(p) => {
                    let mut d = decompose(&p, &ratings, &dec_opts);
                    // Reported by the dataset's rater index, in the designs' (name) order.
                    for s in &mut d.rater_sensitivity {
                        s.rater = rater_of.get(s.rater as usize).copied().unwrap_or(s.rater);
                    }
                    // The designs serve the bootstrap only: without one they go now, not
                    // after every dimension (tens of MB each at millions of ratings).
                    (Some(p).filter(|_| opts.bootstrap > 0), Some(d), Vec::new())
                }
                // Whoever shows a dimension's warnings names the dimension.
                Err(e) => (None, None, vec![e.to_string()]),
            }
        })
        .collect();
    let mut intervals: Vec<Option<DimensionIntervals>> = vec![None; ds.dimensions.len()];
    let mut pooled_ci = None;
    if opts.bootstrap > 0 {
        let (idx, prepared, full): (Vec<usize>, Vec<&Prepared>, Vec<&Decomposition>) = {
            let mut idx = Vec::new();
            let mut prepared = Vec::new();
            let mut full = Vec::new();
            for (i, (p, d, _)) in per_dim.iter().enumerate() {
                if let (Some(p), Some(d)) = (p, d) {
                    idx.push(i);
                    prepared.push(p);
                    full.push(d);
                }
            }
            (idx, prepared, full)
        };
        if !prepared.is_empty() {
            let b = bootstrap_decomposition(
                &prepared,
                &full,
                &BootstrapOptions {
                    resamples: opts.bootstrap,
                    seed: opts.seed,
                    level: super::CI_LEVEL,
                    method: opts.method,
                },
                control,
            )?;
            pooled_ci = Some(PooledCi {
                trait_share: b.pooled_trait_share,
                state_share: b.pooled_state_share,
            });
            for (i, iv) in idx.into_iter().zip(b.dimensions) {
                intervals[i] = Some(iv);
            }
        }
    }
    let mut dimensions: Vec<DimensionReport> = ds
        .dimensions
        .iter()
        .zip(per_dim)
        .zip(intervals)
        .map(|((dim, (_, d, errs)), iv)| dimension_report(ds, dim, d, errs, iv, opts))
        .collect();
    let checks: Vec<Option<ContextCheck>> = ds
        .dimensions
        .par_iter()
        .zip(dimensions.par_iter())
        .map(|(dim, rep)| {
            let nested = rep.profile_level.as_ref()?;
            if opts.method != Method::Reml {
                return None;
            }
            context_check(ds, dim, nested.state)
        })
        .collect();
    for ((d, c), dim) in dimensions.iter_mut().zip(checks).zip(&ds.dimensions) {
        d.context_check = c;
        cautions(ds, dim, d);
    }
    let mut pooled = pooled(&dimensions, pooled_ci);
    pooled.caution = dimensions
        .iter()
        .filter(|d| d.profile_level.is_some())
        .find_map(|d| d.caution.clone());
    Ok(DecomposeReport {
        method: opts.method.as_str(),
        dimensions,
        pooled,
    })
}

/// The report a `--model` run fills: every dimension with its counts (and why it is not
/// decomposed, if it is nominal), the nested levels `null`. A formula run asks for its own
/// model only, so neither the nested fit nor the context check (which the formula's own
/// `(1|context)` answers) is paid for.
pub fn model_only_report(ds: &Dataset, method: Method) -> DecomposeReport {
    let dimensions: Vec<DimensionReport> = ds
        .dimensions
        .par_iter()
        .map(|dim| {
            let errs = if dim.is_nominal() {
                vec![NOMINAL_WARNING.to_string()]
            } else {
                Vec::new()
            };
            dimension_report(ds, dim, None, errs, None, &DecomposeRunOptions::default())
        })
        .collect();
    let pooled = pooled(&dimensions, None);
    DecomposeReport {
        method: method.as_str(),
        dimensions,
        pooled,
    }
}

/// Observations of one dimension for the formula engine: one per rating.
pub fn model_rows(ds: &Dataset, dim: &DimensionData) -> Vec<Observation> {
    dim.observations
        .iter()
        .filter(|o| o.value.is_finite())
        .map(|o| {
            let p = ds.profiles[o.profile as usize];
            Observation {
                person: p.person,
                context: p.context,
                rater: o.rater.unwrap_or(0),
                value: o.value,
            }
        })
        .collect()
}

/// One observation per profile: the mean of its ratings (the profile level's score).
fn profile_score_rows(ds: &Dataset, dim: &DimensionData) -> Vec<Observation> {
    // Profile ids are dense: a table indexed by them sums each profile in observation order
    // and lists them ascending, as an ordered map would, without its per-rating lookups.
    let mut sums = vec![(0.0, 0.0); ds.profiles.len()];
    for o in dim.observations.iter().filter(|o| o.value.is_finite()) {
        let e = &mut sums[o.profile as usize];
        e.0 += o.value;
        e.1 += 1.0;
    }
    (sums.into_iter().zip(&ds.profiles))
        .filter(|((_, n), _)| *n > 0.0)
        .map(|((sum, n), p)| Observation {
            person: p.person,
            context: p.context,
            rater: 0,
            value: sum / n,
        })
        .collect()
}

/// True when some context holds profiles of two or more persons.
fn contexts_shared(rows: &[Observation]) -> bool {
    let n = rows
        .iter()
        .map(|o| o.context as usize + 1)
        .max()
        .unwrap_or(0);
    let mut first = vec![u32::MAX; n];
    rows.iter().any(|o| {
        let f = &mut first[o.context as usize];
        if *f == u32::MAX {
            *f = o.person;
        }
        *f != o.person
    })
}

const CONTEXT_CHECK_FORMULA: &str = "score ~ 1 + (1|person) + (1|context)";

/// The context check of one dimension (see [`ContextCheck`]); `None` when contexts are not
/// shared or the crossed model cannot be fitted to these data.
fn context_check(ds: &Dataset, dim: &DimensionData, nested_state: f64) -> Option<ContextCheck> {
    let rows = profile_score_rows(ds, dim);
    if !contexts_shared(&rows) {
        return None;
    }
    let formula = formula::parse(CONTEXT_CHECK_FORMULA).ok()?;
    let model = Model::new(&formula, &rows, false).ok()?;
    let fit = model.fit(Criterion::Reml, &FitOptions::default()).ok()?;
    let context = fit.terms[1].variance;
    let state = context + fit.residual;
    let share = if state > 0.0 { context / state } else { 0.0 };
    Some(ContextCheck {
        formula: fit.formula.clone(),
        person: fit.terms[0].variance,
        context,
        person_context: fit.residual,
        context_share_of_state: share,
        reml_criterion: fit.criterion,
        contexts: fit.terms[1].levels,
        note: format!(
            "contexts are shared by persons: {:.0}% of the state variance is the contexts' own \
             pull (context {context:.4} of {state:.4}; the nested model's state is \
             {nested_state:.4}); fit --model \"value ~ 1 + (1|person) + (1|context) + \
             (1|person:context)\" to separate it",
            100.0 * share
        ),
    })
}

/// One level's conditional mode and conditional SD.
#[derive(Debug, Clone, Serialize)]
pub struct LevelEffect {
    pub level: String,
    pub mode: f64,
    pub sd: f64,
    /// The level's factor names one by one (`[rater, person]` for `rater:person`): `level`
    /// joins them with ':', which names holding a ':' would make ambiguous.
    #[serde(skip)]
    pub names: Vec<String>,
}

/// The conditional modes of one term in one dimension, highest first.
#[derive(Debug, Clone, Serialize)]
pub struct DimensionEffects {
    pub dimension: String,
    pub term: String,
    pub levels: Vec<LevelEffect>,
}

/// A `--model` formula checked against every decomposed dimension, ready to fit.
pub struct PreparedModel {
    formula: Formula,
    /// Per dimension: the model, or why this dimension has none (nominal, no data).
    models: Vec<Result<Model, String>>,
}

/// Parses `text` and checks it against every non-nominal dimension of `ds`. A bad formula,
/// a factor the data lack, a term with one level or a term the design cannot separate is
/// [`CoreError::Invalid`] naming the dimension, the term and the reason.
pub fn prepare_model(ds: &Dataset, text: &str) -> Result<PreparedModel, crate::CoreError> {
    let formula = formula::parse(text).map_err(|e| crate::CoreError::Invalid(e.to_string()))?;
    let outcome = |dim: &DimensionData, built: Result<Model, ModelError>| match built {
        Ok(m) => Ok(Ok(m)),
        Err(e @ (ModelError::Empty | ModelError::ConstantValues)) => Ok(Err(e.to_string())),
        Err(e) => Err(crate::CoreError::Invalid(format!(
            "{}: dimension '{}': {e}",
            ds.source, dim.name
        ))),
    };
    // Dimensions usually share their rows' design (every rater rates every profile on every
    // dimension): the first one's model is checked and compressed, and the others take
    // their values on it unless their design differs.
    // (Each dimension's rows are made where they are used: alive all at once they would be
    // most of the peak memory.)
    let first = ds.dimensions.iter().position(|d| !d.is_nominal());
    let first_built = match first {
        Some(i) => {
            let dim = &ds.dimensions[i];
            let built = Model::new_reusable(&formula, &model_rows(ds, dim), ds.has_rater);
            Some(outcome(dim, built)?)
        }
        None => None,
    };
    let shared: Option<&Model> = first_built.as_ref().and_then(|r| r.as_ref().ok());
    let mut models = (ds.dimensions.par_iter().enumerate())
        .map(|(i, dim)| {
            if dim.is_nominal() {
                return Ok(Err(NOMINAL_WARNING.to_string()));
            }
            if Some(i) == first {
                // Its place, filled below.
                return Ok(Err(String::new()));
            }
            let rows = model_rows(ds, dim);
            let built = match shared.and_then(|m| m.with_values(&rows)) {
                Some(built) => built,
                None => Model::new(&formula, &rows, ds.has_rater),
            };
            outcome(dim, built)
        })
        .collect::<Result<Vec<_>, _>>()?;
    if let (Some(i), Some(built)) = (first, first_built) {
        models[i] = built;
    }
    Ok(PreparedModel { formula, models })
}

impl PreparedModel {
    pub fn formula(&self) -> &Formula {
        &self.formula
    }

    /// Dimensions with a model to fit (the rest are nominal or without data).
    pub fn fittable(&self) -> usize {
        self.models.iter().filter(|m| m.is_ok()).count()
    }

    /// The term of the formula written `label` (as written, or in lme4's canonical spelling).
    pub fn term_index(&self, label: &str) -> Result<usize, crate::CoreError> {
        let compact: String = label.chars().filter(|c| !c.is_whitespace()).collect();
        let wanted = formula::parse(&format!("y ~ (1|{compact})"))
            .ok()
            .map(|f| f.terms[0].kind);
        self.formula
            .terms
            .iter()
            .position(|t| t.label == compact || Some(t.kind) == wanted)
            .ok_or_else(|| {
                crate::CoreError::Invalid(format!(
                    "--effects: '{label}' is not a term of the model '{}'",
                    self.formula.text
                ))
            })
    }

    /// Conditional modes of term `term` (see [`Self::term_index`]) for every fitted dimension,
    /// each dimension's levels ranked by mode (highest first); `sd` is lme4's conditional SD
    /// (`ranef(condVar = TRUE)`).
    pub fn effects(
        &self,
        ds: &Dataset,
        fits: &[Option<ModelFit>],
        term: usize,
        criterion: Criterion,
    ) -> Vec<DimensionEffects> {
        let kind = self.formula.terms[term].kind;
        let mut out = Vec::new();
        for ((dim, model), fit) in ds.dimensions.iter().zip(&self.models).zip(fits) {
            let (Ok(model), Some(fit)) = (model, fit) else {
                continue;
            };
            let Some(effects) = model.conditional_modes(&fit.theta(), criterion) else {
                continue;
            };
            let mut levels: Vec<LevelEffect> = effects[term]
                .effects
                .iter()
                .map(|e| {
                    let name = |i: usize| -> String {
                        let id = e.ids[i] as usize;
                        match kind.factors()[i] {
                            formula::Factor::Person => ds.persons.get(id).cloned(),
                            formula::Factor::Context => ds.contexts.get(id).cloned(),
                            formula::Factor::Rater => ds.raters.get(id).map(|r| r.name.clone()),
                        }
                        .unwrap_or_else(|| id.to_string())
                    };
                    let names: Vec<String> = (0..kind.factors().len()).map(name).collect();
                    LevelEffect {
                        level: names.join(":"),
                        mode: e.mode,
                        sd: e.sd,
                        names,
                    }
                })
                .collect();
            levels.sort_by(|a, b| {
                b.mode
                    .total_cmp(&a.mode)
                    .then_with(|| a.level.cmp(&b.level))
            });
            out.push(DimensionEffects {
                dimension: dim.name.clone(),
                term: self.formula.terms[term].label.clone(),
                levels,
            });
        }
        out
    }

    /// [`Self::effects`] as CSV `dimension,term,level,mode,sd`.
    pub fn effects_csv(
        &self,
        ds: &Dataset,
        fits: &[Option<ModelFit>],
        term: usize,
        criterion: Criterion,
    ) -> String {
        let mut out = String::from("dimension,term,level,mode,sd\n");
        for d in self.effects(ds, fits, term, criterion) {
            for l in d.levels {
                out += &format!(
                    "{},{},{},{},{}\n",
                    csv_field(&d.dimension),
                    d.term,
                    csv_field(&l.level),
                    l.mode,
                    l.sd
                );
            }
        }
        out
    }

    /// Fits every dimension's model and attaches it to `report` (same dimension order);
    /// returns the fits.
    pub fn fit_into(
        &self,
        report: &mut DecomposeReport,
        criterion: Criterion,
    ) -> Vec<Option<ModelFit>> {
        let fits: Vec<Result<ModelFit, String>> = self
            .models
            .par_iter()
            .map(|m| match m {
                Ok(m) => m
                    .fit(criterion, &FitOptions::default())
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.clone()),
            })
            .collect();
        let mut kept = Vec::with_capacity(fits.len());
        for (d, f) in report.dimensions.iter_mut().zip(fits) {
            match f {
                Ok(f) => {
                    tracing::debug!(
                        dimension = %d.dimension,
                        iterations = f.iterations,
                        evaluations = f.evaluations,
                        "model fitted"
                    );
                    for w in &f.warnings {
                        d.warnings.push(format!("model: {w}"));
                    }
                    d.model = Some(ModelReport::from_fit(&f));
                    kept.push(Some(f));
                    continue;
                }
                Err(e) if e == NOMINAL_WARNING => {}
                Err(e) => d.warnings.push(format!("model: {e}")),
            }
            kept.push(None);
        }
        kept
    }
}

impl PreparedModel {
    /// Adds the intervals `opts` asks for to every fitted dimension's `"model"` object of
    /// `report` (`fits` from [`Self::fit_into`]). A dimension whose intervals cannot be
    /// computed gets a warning; the only error is [`ModelError::Cancelled`]. `control`
    /// reports bootstrap progress over all dimensions.
    pub fn intervals_into(
        &self,
        ds: &Dataset,
        report: &mut DecomposeReport,
        fits: &[Option<ModelFit>],
        criterion: Criterion,
        opts: &ModelIntervalOptions,
        control: &Control,
    ) -> Result<(), ModelError> {
        if opts.profile_ci {
            let profiles: Vec<Option<Result<Ordered<[f64; 2]>, String>>> = self
                .models
                .par_iter()
                .zip(fits.par_iter())
                .map(|(m, f)| {
                    let (Ok(m), Some(_)) = (m, f) else {
                        return None;
                    };
                    Some(
                        m.profile_intervals()
                            .map(|p| {
                                let mut v: Vec<(String, [f64; 2])> = p
                                    .terms
                                    .iter()
                                    .map(|t| (t.label.clone(), [t.lower, t.upper]))
                                    .collect();
                                v.push(("residual".into(), [p.residual.lower, p.residual.upper]));
                                Ordered(v)
                            })
                            .map_err(|e| e.to_string()),
                    )
                })
                .collect();
            for (d, p) in report.dimensions.iter_mut().zip(profiles) {
                match (d.model.as_mut(), p) {
                    (Some(m), Some(Ok(ci))) => m.sd_ci95 = Some(ci),
                    (Some(m), Some(Err(e))) => {
                        let w = format!("profile intervals: {e}");
                        d.warnings.push(format!("model: {w}"));
                        m.warnings.push(w);
                    }
                    _ => {}
                }
            }
        }
        if opts.bootstrap == 0 {
            return Ok(());
        }
        let method = BootstrapMethod::for_formula(&self.formula);
        let fitted: Vec<usize> = (0..fits.len())
            .filter(|&i| fits[i].is_some() && self.models[i].is_ok())
            .collect();
        let total = (opts.bootstrap * fitted.len()) as u64;
        let bopts = ModelBootstrapOptions {
            resamples: opts.bootstrap,
            seed: opts.seed,
            level: 0.95,
        };
        for (k, &i) in fitted.iter().enumerate() {
            let (Ok(model), Some(fit)) = (&self.models[i], &fits[i]) else {
                continue;
            };
            let offset = (k * opts.bootstrap) as u64;
            let progress = |done: u64, _: u64| (control.progress)(offset + done, total);
            let ctl = Control {
                progress: &progress,
                cancel: control.cancel,
            };
            let b = match method {
                BootstrapMethod::Parametric => {
                    model.parametric_bootstrap(fit, criterion, &bopts, &ctl)?
                }
                BootstrapMethod::PersonCluster => person_cluster_bootstrap(
                    &self.formula,
                    &model_rows(ds, &ds.dimensions[i]),
                    ds.has_rater,
                    fit,
                    criterion,
                    &bopts,
                    &ctl,
                )?,
            };
            if let Some(m) = report.dimensions[i].model.as_mut() {
                m.set_bootstrap(&b);
            }
        }
        Ok(())
    }
}

/// A CSV field, quoted when it holds a comma, quote or line break.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Distinct persons, distinct profiles and ratings among `dim`'s observations.
fn observed_counts(ds: &Dataset, dim: &DimensionData) -> (usize, usize, usize) {
    let obs = &dim.observations;
    let persons = count_distinct(obs.iter().map(|o| ds.profiles[o.profile as usize].person));
    let profiles = count_distinct(obs.iter().map(|o| o.profile));
    (persons, profiles, obs.len())
}

fn dimension_report(
    ds: &Dataset,
    dim: &DimensionData,
    d: Option<Decomposition>,
    errs: Vec<String>,
    iv: Option<DimensionIntervals>,
    opts: &DecomposeRunOptions,
) -> DimensionReport {
    let Some(d) = d else {
        // Not decomposed (nominal, or too little data): the counts still say what there was.
        let (persons, profiles, ratings) = observed_counts(ds, dim);
        return DimensionReport {
            dimension: dim.name.clone(),
            persons,
            profiles,
            ratings,
            profile_level: None,
            rater_level: None,
            ci: None,
            rater_sensitivity: Vec::new(),
            negative_components: None,
            warnings: errs,
            model: None,
            context_check: None,
            persons_with_two_contexts: 0,
            caution: None,
        };
    };
    let profile_level = d.profile_level.as_ref().map(ProfileLevelReport::from);
    let rater_level = d.rater_level.as_ref().map(RaterLevelReport::from);
    let sens_ci: Vec<Option<[f64; 2]>> = iv
        .as_ref()
        .map(|i| i.rater_state_share.clone())
        .unwrap_or_default();
    let rater_sensitivity = d
        .rater_sensitivity
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let entry = ds.raters.get(s.rater as usize);
            RaterSensitivityReport {
                rater: entry
                    .map(|e| e.name.clone())
                    .unwrap_or_else(|| s.rater.to_string()),
                kind: entry.map(|e| e.kind.as_str()).unwrap_or("human"),
                ratings: s.ratings,
                persons: s.persons,
                state_share: s.state_share,
                state_blind: s.state_blind,
                ci: sens_ci.get(i).copied().flatten(),
                note: s.note.clone(),
                ci_caution: None,
                caution: None,
            }
        })
        .collect();
    let ci = iv.map(|iv| CiReport::from_intervals(&iv, opts.bootstrap));
    let negative_components = NegativeComponents::of(&d, opts.method);
    let mut warnings = errs;
    warnings.extend(d.warnings.iter().cloned());
    DimensionReport {
        dimension: dim.name.clone(),
        persons: d.persons,
        profiles: d.profiles,
        ratings: d.ratings,
        profile_level,
        rater_level,
        ci,
        rater_sensitivity,
        negative_components,
        warnings,
        model: None,
        context_check: None,
        persons_with_two_contexts: 0,
        caution: None,
    }
}

/// Persons of `dim` rated in two or more contexts.
fn persons_with_two_contexts(ds: &Dataset, dim: &DimensionData) -> usize {
    // A profile is one (person, context): a person's distinct contexts are its distinct
    // profiles, counted through tables indexed by the dense ids rather than a sort.
    let mut seen = vec![false; ds.profiles.len()];
    for o in &dim.observations {
        seen[o.profile as usize] = true;
    }
    let mut contexts = vec![0u32; ds.persons.len()];
    for (key, _) in ds.profiles.iter().zip(&seen).filter(|(_, s)| **s) {
        contexts[key.person as usize] += 1;
    }
    contexts.iter().filter(|&&n| n >= 2).count()
}

/// Marks every value of `d` that a minimum-n rule keeps from being a result, and degenerate
/// intervals and boundary shares (docs/decompose.md).
fn cautions(ds: &Dataset, dim: &DimensionData, d: &mut DimensionReport) {
    use super::minimum::{
        boundary_share, degenerate_interval, first, PERSONS_WITH_TWO_CONTEXTS, RATINGS_PER_RATER,
    };
    d.persons_with_two_contexts = persons_with_two_contexts(ds, dim);
    if let Some(p) = &d.profile_level {
        d.caution = first([
            PERSONS_WITH_TWO_CONTEXTS.check(d.persons_with_two_contexts),
            boundary_share(Some(p.trait_share)),
        ]);
    }
    let persons = d.persons;
    if let Some(ci) = &mut d.ci {
        ci.set_caution(persons);
    }
    for s in &mut d.rater_sensitivity {
        s.caution = RATINGS_PER_RATER.check(s.ratings);
        s.ci_caution = degenerate_interval(s.ci);
    }
}

fn pooled(dimensions: &[DimensionReport], ci: Option<PooledCi>) -> PooledReport {
    let shares: Vec<(f64, f64)> = dimensions
        .iter()
        .filter_map(|d| d.profile_level.as_ref())
        .map(|p| (p.trait_share, p.state_share))
        .collect();
    let n = shares.len();
    let mean =
        |f: fn(&(f64, f64)) -> f64| (n > 0).then(|| shares.iter().map(f).sum::<f64>() / n as f64);
    let rl: Vec<&SharesReport> = dimensions
        .iter()
        .filter_map(|d| d.rater_level.as_ref())
        .map(|r| &r.shares)
        .collect();
    let m = rl.len() as f64;
    let standardised = (!rl.is_empty()).then(|| SharesReport {
        person: rl.iter().map(|s| s.person).sum::<f64>() / m,
        person_context: rl.iter().map(|s| s.person_context).sum::<f64>() / m,
        rater: rl.iter().map(|s| s.rater).sum::<f64>() / m,
        residual: rl.iter().map(|s| s.residual).sum::<f64>() / m,
    });
    PooledReport {
        trait_share: mean(|s| s.0),
        state_share: mean(|s| s.1),
        dimensions: n,
        standardised,
        ci,
        caution: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, Level, Scale};
    use std::sync::atomic::AtomicBool;

    #[test]
    fn ratings_come_in_name_order_whatever_the_rows_order_issue19() {
        // Profiles 0..4 of persons 0..1, two raters, replicates with unequal values.
        let rating = |person, profile, rater, value| Rating {
            person,
            profile,
            rater,
            value,
        };
        let sorted = vec![
            rating(0, 0, 0, 1.0),
            rating(0, 0, 0, 2.0),
            rating(0, 0, 1, -3.0),
            rating(0, 1, 0, 4.0),
            rating(1, 2, 1, 0.5),
            rating(1, 3, 0, 2.0),
            rating(1, 3, 1, 1.0),
            rating(1, 3, 1, 1.5),
        ];
        assert_eq!(in_name_order(sorted.clone(), 4), sorted);
        let mut rows = sorted.clone();
        for turn in 1..rows.len() {
            rows.rotate_left(turn);
            rows.swap(0, turn);
            assert_eq!(in_name_order(rows.clone(), 4), sorted, "rows {rows:?}");
        }
    }

    /// Dimensions on the same rows share one compressed design; one with other rows, or
    /// with constant values, is built on its own: every model equals `Model::new` on its
    /// dimension's rows, fitted bit for bit.
    #[test]
    fn dimensions_sharing_rows_share_the_design_and_fit_as_alone_issue12() {
        let mut csv = String::from("person,context,rater,dimension,value\n");
        for p in 0..12 {
            for k in 0..2 {
                let c = (p * 5 + k * 3) % 7;
                for r in 0..3 {
                    let rater = (p + r) % 5;
                    let v = |d: usize| 1 + (p * 7 + c * 3 + rater * (d + 1) + d * k) % 6;
                    csv += &format!("p{p},c{c},r{rater},a,{}\n", v(0));
                    csv += &format!("p{p},c{c},r{rater},b,{}\n", v(1));
                    // Dimension c misses one rating in three; d is constant.
                    if (p + r) % 3 != 0 {
                        csv += &format!("p{p},c{c},r{rater},c,{}\n", v(2));
                    }
                    csv += &format!("p{p},c{c},r{rater},d,4\n");
                }
            }
        }
        let ds = crate::tidy::parse("t.csv", csv.as_bytes())
            .unwrap()
            .to_dataset("t.csv")
            .unwrap();
        let text = "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)";
        let prepared = prepare_model(&ds, text).unwrap();
        let formula = formula::parse(text).unwrap();
        for (dim, model) in ds.dimensions.iter().zip(&prepared.models) {
            let alone = Model::new(&formula, &model_rows(&ds, dim), true);
            match (model, alone) {
                (Ok(shared), Ok(alone)) => {
                    let a = shared.fit(Criterion::Reml, &FitOptions::default()).unwrap();
                    let b = alone.fit(Criterion::Reml, &FitOptions::default()).unwrap();
                    assert_eq!(a.criterion.to_bits(), b.criterion.to_bits(), "{}", dim.name);
                    assert_eq!(a.theta(), b.theta(), "{}", dim.name);
                    assert_eq!(a.intercept.to_bits(), b.intercept.to_bits());
                }
                (Err(shared), Err(alone)) => {
                    assert_eq!(dim.name, "d");
                    assert_eq!(shared, &alone.to_string());
                }
                (m, alone) => panic!("{}: {:?} vs {:?}", dim.name, m.is_ok(), alone.is_ok()),
            }
        }
        assert_eq!(prepared.fittable(), 3);
    }

    fn run(ds: &Dataset, opts: &DecomposeRunOptions) -> DecomposeReport {
        let cancel = AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &cancel,
        };
        run_decomposition(ds, opts, &control).unwrap()
    }

    fn dataset() -> Dataset {
        let mut csv = String::from("person,context,rater,dimension,value\n");
        for p in 0..6 {
            for c in 0..3 {
                for r in 0..2 {
                    let v = 1 + (p + c * r) % 5;
                    csv += &format!(
                        "p{p},c{c},r{r},mood,{v}\np{p},c{c},r{r},emotion,{}\n",
                        v % 3
                    );
                }
            }
        }
        crate::tidy::parse("t.csv", csv.as_bytes())
            .unwrap()
            .to_dataset("t.csv")
            .unwrap()
    }

    #[test]
    fn nominal_dimensions_are_reported_but_not_decomposed() {
        let mut ds = dataset();
        let emotion = ds
            .dimensions
            .iter()
            .position(|d| d.name == "emotion")
            .unwrap();
        let before = run(&ds, &DecomposeRunOptions::default());
        assert_eq!(before.pooled.dimensions, 2, "numeric codes are decomposed");

        ds.dimensions[emotion].scale = Some(Scale::Nominal {
            categories: (0..3)
                .map(|value| Anchor {
                    value,
                    label: format!("category {value}"),
                })
                .collect(),
        });
        ds.dimensions[emotion].level = Some(Level::Nominal);
        let opts = DecomposeRunOptions {
            bootstrap: 20,
            ..Default::default()
        };
        let after = run(&ds, &opts);
        let e = after
            .dimensions
            .iter()
            .find(|d| d.dimension == "emotion")
            .unwrap();
        assert!(e.profile_level.is_none() && e.rater_level.is_none() && e.ci.is_none());
        assert!(e.warnings[0].contains("nominal"), "{:?}", e.warnings);
        let b = before
            .dimensions
            .iter()
            .find(|d| d.dimension == "emotion")
            .unwrap();
        assert_eq!(
            (e.persons, e.profiles, e.ratings),
            (b.persons, b.profiles, b.ratings),
            "the counts say what there was"
        );
        assert!(e.ratings > 0);
        assert_eq!(
            after.pooled.dimensions, 1,
            "only mood enters the pooled split"
        );
        let mood = after
            .dimensions
            .iter()
            .find(|d| d.dimension == "mood")
            .unwrap();
        assert!(mood.profile_level.is_some() && mood.ci.is_some());
    }
}
