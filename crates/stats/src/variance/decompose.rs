//! The state–trait decomposition of one dimension, and its person-cluster bootstrap.
//!
//! - Profile level (the Chameleon paper): `s_pc = μ + T_p + S_pc` on profile means;
//!   trait share `σ²_T / (σ²_T + σ²_S)`.
//! - Rater level (a G study): `y_pcr = μ + T_p + S_pc + R_r + E_pcr`; shares of the total, the
//!   reliability of a profile score averaged over `k` raters and the LST coefficients.
//! - Per-rater state sensitivity: the profile-level model on one rater's own ratings.
//!
//! Formulas and conventions: `docs/decomposition.md`.

use super::anova::fit_moments;
use super::design::{Design, Rating, Terms};
use super::reml::{check_identifiable, fit_reml, fit_reml_suff, FitOptions};
use super::suff::{Suff, SuffBasis, LANES};
use super::{Components, VarianceError};
use crate::bootstrap::poisson::poisson1_weight;
use crate::bootstrap::{percentile_interval, Control, ResampleRng};
use crate::prec;
use rayon::prelude::*;
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};

/// A rater whose within-person (state) share is below this is flagged state-blind.
pub const STATE_BLIND_SHARE: f64 = 0.10;

/// Estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// Restricted maximum likelihood (lme4's default); components never negative.
    Reml,
    /// Closed-form method of moments; components may be negative (flagged).
    Anova,
}

impl Method {
    /// `reml` or `anova`, as in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Reml => "reml",
            Method::Anova => "anova",
        }
    }
}

/// Options of [`decompose`].
#[derive(Debug, Clone, Copy)]
pub struct DecomposeOptions {
    /// The estimator.
    pub method: Method,
    /// Evaluate each large fit's likelihood in parallel over persons.
    pub parallel: bool,
}

impl Default for DecomposeOptions {
    fn default() -> Self {
        DecomposeOptions {
            method: Method::Reml,
            parallel: true,
        }
    }
}

/// Profile-level result: `s_pc = μ + T_p + S_pc`.
#[derive(Debug, Clone, Serialize)]
pub struct ProfileLevel {
    /// σ²_T, the person (trait) variance.
    pub person: f64,
    /// σ²_S, the person × context (state) variance.
    pub state: f64,
    /// σ²_T / (σ²_T + σ²_S).
    pub trait_share: f64,
    /// 1 − trait share.
    pub state_share: f64,
    /// REML criterion (−2 REML log-likelihood); `None` for the method of moments.
    pub reml_criterion: Option<f64>,
    /// Components the method of moments estimated below 0 (reported as computed).
    pub negative_components: Vec<&'static str>,
    #[serde(skip)]
    theta: [f64; 3],
}

/// Rater-level result: `y_pcr = μ + T_p + S_pc + R_r + E_pcr`.
#[derive(Debug, Clone, Serialize)]
pub struct RaterLevel {
    /// The four variance components.
    pub components: Components,
    /// REML criterion (−2 REML log-likelihood); `None` for the method of moments.
    pub reml_criterion: Option<f64>,
    /// Each component over the total.
    pub shares: Components,
    /// Raters per profile used for the k-rater coefficients (harmonic mean).
    pub k: f64,
    /// Reliability of a single rating of a profile: `(σ²_P+σ²_S) / total`.
    pub reliability_1: f64,
    /// Reliability of a profile score averaged over `k` raters (LST reliability).
    pub reliability_k: f64,
    /// LST consistency `σ²_P / (σ²_P + σ²_S + (σ²_R+σ²_E)/k)`.
    pub consistency: f64,
    /// LST occasion specificity `σ²_S / (σ²_P + σ²_S + (σ²_R+σ²_E)/k)`.
    pub occasion_specificity: f64,
    /// False when the data have one rater and the rater term was dropped.
    pub rater_term: bool,
    /// Components the method of moments estimated below 0.
    pub negative_components: Vec<&'static str>,
    #[serde(skip)]
    theta: [f64; 3],
}

/// One rater's state sensitivity.
#[derive(Debug, Clone, Serialize)]
pub struct RaterSensitivity {
    /// The rater's index.
    pub rater: u32,
    /// The rater's ratings of the dimension.
    pub ratings: usize,
    /// Persons the rater rated.
    pub persons: usize,
    /// Within-person share of the rater's own ratings; `None` with a reason when the rater's
    /// ratings cannot separate state from trait.
    pub state_share: Option<f64>,
    /// True below the state-blind threshold (0.10); `None` without a state share.
    pub state_blind: Option<bool>,
    /// Why there is no state share, or what to keep in mind (absent without one, as in the
    /// CLI's report).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip)]
    theta: [f64; 3],
}

/// The decomposition of one dimension.
#[derive(Debug, Clone, Serialize)]
pub struct Decomposition {
    /// The estimator used.
    pub method: Method,
    /// Persons in the data.
    pub persons: usize,
    /// Profiles in the data.
    pub profiles: usize,
    /// Ratings in the data.
    pub ratings: usize,
    /// Trait and state from profile scores; `None` when it cannot be fitted (see `warnings`).
    pub profile_level: Option<ProfileLevel>,
    /// The generalizability study of the ratings; `None` without raters or a fit.
    pub rater_level: Option<RaterLevel>,
    /// Per rater: the state share of their own ratings.
    pub rater_sensitivity: Vec<RaterSensitivity>,
    /// Why a level is missing, or what to keep in mind, one sentence each.
    pub warnings: Vec<String>,
}

/// The designs of one dimension, built once and reused by the fit and the bootstrap.
pub struct Prepared {
    profile: Design,
    rater: Option<Design>,
    per_rater: Vec<(u32, Design)>,
    n_ratings: usize,
    /// Ratings per profile (harmonic mean) when built from summaries (`variance::partial`);
    /// `None`: computed from the ratings passed to [`decompose`].
    k: Option<f64>,
}

impl Prepared {
    /// `ratings` of one dimension; `has_rater` false when the data carry no rater (then the
    /// `rater` fields are ignored and only the profile level is computed).
    pub fn new(ratings: &[Rating], has_rater: bool) -> Result<Prepared, VarianceError> {
        if ratings.is_empty() {
            return Err(VarianceError::Empty);
        }
        // One sort here; every design below then finds its input in order.
        let sorted: Vec<Rating> = super::design::sort_order(ratings)
            .into_iter()
            .map(|i| ratings[i as usize])
            .collect();
        let ratings = &sorted[..];
        let profile = Design::new(&profile_means(ratings), Terms::PERSON_ONLY)?;
        let (rater, per_rater) = if has_rater {
            let mut terms = Terms::RATER_LEVEL;
            let probe = Design::new(ratings, terms)?;
            if probe.n_rater_levels() < 2 {
                terms.rater = false;
            }
            let rater = if terms.rater {
                probe
            } else {
                Design::new(ratings, terms)?
            };
            let n_raters = ratings
                .iter()
                .map(|r| r.rater as usize + 1)
                .max()
                .unwrap_or(0);
            let mut by_rater: Vec<Vec<Rating>> = vec![Vec::new(); n_raters];
            for r in ratings {
                by_rater[r.rater as usize].push(*r);
            }
            let mut per_rater = Vec::new();
            for (id, rs) in by_rater.into_iter().enumerate() {
                if !rs.is_empty() {
                    per_rater.push((
                        id as u32,
                        Design::new(&profile_means(&rs), Terms::PERSON_ONLY)?,
                    ));
                }
            }
            (Some(rater), per_rater)
        } else {
            (None, Vec::new())
        };
        Ok(Prepared {
            profile,
            rater,
            per_rater,
            n_ratings: ratings.len(),
            k: None,
        })
    }

    /// Designs built from per-person summaries (`variance::partial`), with `k` the harmonic
    /// mean of the ratings per profile.
    pub(super) fn from_designs(
        profile: Design,
        rater: Option<Design>,
        per_rater: Vec<(u32, Design)>,
        n_ratings: usize,
        k: f64,
    ) -> Prepared {
        Prepared {
            profile,
            rater,
            per_rater,
            n_ratings,
            k: Some(k),
        }
    }
}

/// One observation per profile: the mean of its ratings (rater field 0).
fn profile_means(ratings: &[Rating]) -> Vec<Rating> {
    let sorted = super::design::sort_order(ratings)
        .into_iter()
        .map(|i| &ratings[i as usize]);
    let mut out: Vec<Rating> = Vec::new();
    let mut count = 0.0;
    for r in sorted {
        match out.last_mut() {
            Some(last) if last.person == r.person && last.profile == r.profile => {
                last.value += r.value;
                count += 1.0;
            }
            _ => {
                if let Some(last) = out.last_mut() {
                    last.value /= count;
                }
                out.push(Rating {
                    person: r.person,
                    profile: r.profile,
                    rater: 0,
                    value: r.value,
                });
                count = 1.0;
            }
        }
    }
    if let Some(last) = out.last_mut() {
        last.value /= count;
    }
    out
}

fn share(part: f64, total: f64) -> f64 {
    if total > 0.0 {
        part / total
    } else {
        0.0
    }
}

/// Fits a design with the chosen method: `(components, criterion, negative, θ)`.
type LevelFit = (Components, Option<f64>, Vec<&'static str>, [f64; 3]);

fn fit_level(
    design: &Design,
    method: Method,
    start: Option<[f64; 3]>,
    weights: Option<&[f64]>,
    parallel: bool,
) -> Result<LevelFit, VarianceError> {
    // An infinite or NaN total variance is an overflow of the squares, not constant values or
    // an undefined criterion: say so before either estimator reports a consequence of it.
    if !design.total_variance().is_finite() {
        return Err(VarianceError::Overflow);
    }
    if let Some(fit) = state_at_boundary(design, weights) {
        return Ok(fit);
    }
    match method {
        Method::Reml => {
            let f = fit_reml(
                design,
                &FitOptions {
                    start,
                    weights,
                    parallel,
                },
            )?;
            Ok((f.components, Some(f.reml_criterion), Vec::new(), f.theta))
        }
        Method::Anova => {
            if weights.is_none() {
                check_identifiable(design)?;
            }
            let f = fit_moments(design, weights)?;
            if !f.components.total().is_finite() {
                return Err(VarianceError::Overflow);
            }
            Ok((f.components, None, f.negative, [0.0; 3]))
        }
    }
}

/// Within-person share of the sum of squares below which a person-only design is taken to
/// have no within-person variance at all (identical profiles up to rounding).
const STATE_BOUNDARY: f64 = 1e-12;

/// A person-only design whose persons' observations are all equal within each person: the
/// within-person (state) variance is exactly 0, where the REML criterion tends to −∞ and an
/// optimizer stops anywhere. The answer is the boundary itself: residual 0, the person
/// variance the one-way moment estimate MSB / n₀, no criterion; θ = 1 only seeds bootstrap
/// refits (as when the moment start fails).
fn state_at_boundary(design: &Design, weights: Option<&[f64]>) -> Option<LevelFit> {
    let terms = design.terms();
    if !(terms.person && !terms.person_context && !terms.rater) {
        return None;
    }
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
    let ssb = ssb_part - s * s / n;
    if a < 2.0 || n - a < 1.0 || ssb <= 0.0 || ssw > STATE_BOUNDARY * (ssw + ssb) {
        return None;
    }
    let n0 = (n - sn2 / n) / (a - 1.0);
    let c = Components {
        person: ssb / (a - 1.0) / n0,
        person_context: 0.0,
        rater: 0.0,
        residual: 0.0,
    };
    Some((c, None, Vec::new(), [1.0; 3]))
}

fn profile_level(fit: LevelFit) -> ProfileLevel {
    let (c, crit, negative, theta) = fit;
    let (t, s) = (c.person, c.residual);
    // Shares of a negative moments estimate are reported as computed (flagged), but the
    // total must be positive.
    let total = t + s;
    ProfileLevel {
        person: t,
        state: s,
        trait_share: share(t, total),
        state_share: share(s, total),
        reml_criterion: crit,
        negative_components: negative
            .into_iter()
            .map(|n| if n == "residual" { "state" } else { n })
            .collect(),
        theta,
    }
}

fn rater_level(fit: LevelFit, k: f64, rater_term: bool) -> RaterLevel {
    let (c, crit, negative, theta) = fit;
    let total = c.total();
    let true_var = c.person + c.person_context;
    let total_k = true_var + (c.rater + c.residual) / k;
    RaterLevel {
        components: c,
        reml_criterion: crit,
        shares: Components {
            person: share(c.person, total),
            person_context: share(c.person_context, total),
            rater: share(c.rater, total),
            residual: share(c.residual, total),
        },
        k,
        reliability_1: share(true_var, total),
        reliability_k: share(true_var, total_k),
        consistency: share(c.person, total_k),
        occasion_specificity: share(c.person_context, total_k),
        rater_term,
        negative_components: negative,
        theta,
    }
}

/// Harmonic mean of the number of ratings per profile (summed in profile order, so the value
/// is the same in every process).
fn harmonic_k(ratings: &[Rating]) -> f64 {
    let (mut profiles, mut inv) = (0usize, 0.0f64);
    let bound = ratings
        .iter()
        .map(|r| r.profile as usize + 1)
        .max()
        .unwrap_or(0);
    if bound <= 4 * ratings.len() + 1024 {
        // Dense ids (a dataset's): counted in a table indexed by them, summed ascending.
        let mut counts = vec![0.0f64; bound];
        for r in ratings {
            counts[r.profile as usize] += 1.0;
        }
        for &c in counts.iter().filter(|&&c| c > 0.0) {
            profiles += 1;
            inv += 1.0 / c;
        }
    } else {
        let mut ids: Vec<u32> = ratings.iter().map(|r| r.profile).collect();
        ids.sort_unstable();
        for run in ids.chunk_by(|a, b| a == b) {
            profiles += 1;
            inv += 1.0 / run.len() as f64;
        }
    }
    if inv > 0.0 {
        profiles as f64 / inv
    } else {
        1.0
    }
}

/// Decomposes one dimension. Never fails as a whole: a level that cannot be estimated is
/// `None` with the reason in `warnings`.
pub fn decompose(
    prepared: &Prepared,
    ratings: &[Rating],
    opts: &DecomposeOptions,
) -> Decomposition {
    let mut warnings = Vec::new();
    let profile = fit_profile_level(&prepared.profile, opts, &mut warnings);
    let rater = prepared.rater.as_ref().and_then(|d| {
        let k = prepared.k.unwrap_or_else(|| harmonic_k(ratings));
        fit_rater_level(d, k, opts, &mut warnings)
    });
    let sensitivity = prepared
        .per_rater
        .par_iter()
        .map(|(id, d)| fit_sensitivity(*id, d, opts))
        .collect();
    assemble(
        LevelCounts {
            persons: prepared.profile.n_persons(),
            profiles: prepared.profile.n_profiles(),
            ratings: prepared.n_ratings,
        },
        profile,
        rater,
        sensitivity,
        warnings,
        opts,
    )
}

/// Persons, profiles and ratings of a dimension, as [`Decomposition`] reports them.
pub(super) struct LevelCounts {
    pub(super) persons: usize,
    pub(super) profiles: usize,
    pub(super) ratings: usize,
}

/// The profile level of [`decompose`], its reason pushed to `warnings` when it cannot be fitted.
pub(super) fn fit_profile_level(
    design: &Design,
    opts: &DecomposeOptions,
    warnings: &mut Vec<String>,
) -> Option<ProfileLevel> {
    match fit_level(design, opts.method, None, None, opts.parallel) {
        Ok(f) => {
            let p = profile_level(f);
            if p.state == 0.0 && p.person > 0.0 {
                warnings.push(
                    "profile level: the state variance is at its boundary 0 (every person's \
                     profiles have the same score): trait share is exactly 1 and the REML \
                     criterion is not defined there (it tends to −∞)"
                        .into(),
                );
            }
            Some(p)
        }
        Err(e) => {
            warnings.push(format!("profile level: {e}"));
            None
        }
    }
}

/// The rater level of [`decompose`] with `k` ratings per profile.
pub(super) fn fit_rater_level(
    design: &Design,
    k: f64,
    opts: &DecomposeOptions,
    warnings: &mut Vec<String>,
) -> Option<RaterLevel> {
    let rater_term = design.terms().rater;
    if !rater_term {
        warnings.push("rater level: one rater only, the rater variance is set to 0".into());
    }
    match fit_level(design, opts.method, None, None, opts.parallel) {
        Ok(f) => Some(rater_level(f, k, rater_term)),
        Err(e) => {
            warnings.push(format!("rater level: {e}"));
            None
        }
    }
}

/// One rater's state sensitivity from the profile-level design of their own ratings.
pub(super) fn fit_sensitivity(
    id: u32,
    design: &Design,
    opts: &DecomposeOptions,
) -> RaterSensitivity {
    let base = RaterSensitivity {
        rater: id,
        ratings: design.n_ratings(),
        persons: design.n_persons(),
        state_share: None,
        state_blind: None,
        note: None,
        theta: [0.0; 3],
    };
    match fit_level(design, opts.method, None, None, false) {
        Ok(f) => {
            let pl = profile_level(f);
            RaterSensitivity {
                state_share: Some(pl.state_share),
                state_blind: Some(pl.state_share < STATE_BLIND_SHARE),
                theta: pl.theta,
                ..base
            }
        }
        Err(e) => RaterSensitivity {
            note: Some(e.to_string()),
            ..base
        },
    }
}

/// The levels fitted, with the warnings every level's negative moment estimates add.
pub(super) fn assemble(
    counts: LevelCounts,
    profile: Option<ProfileLevel>,
    rater: Option<RaterLevel>,
    sensitivity: Vec<RaterSensitivity>,
    mut warnings: Vec<String>,
    opts: &DecomposeOptions,
) -> Decomposition {
    if let Some(r) = &rater {
        if !r.negative_components.is_empty() {
            warnings.push(format!(
                "rater level: negative moment estimates for {}",
                r.negative_components.join(", ")
            ));
        }
    }
    if let Some(p) = &profile {
        if !p.negative_components.is_empty() {
            warnings.push(format!(
                "profile level: negative moment estimates for {}",
                p.negative_components.join(", ")
            ));
        }
    }
    Decomposition {
        method: opts.method,
        persons: counts.persons,
        profiles: counts.profiles,
        ratings: counts.ratings,
        profile_level: profile,
        rater_level: rater,
        rater_sensitivity: sensitivity,
        warnings,
    }
}

/// Names of the statistics bootstrapped for each dimension, in [`DimensionIntervals`] order.
pub const PROFILE_STATS: [&str; 4] = ["person", "state", "trait_share", "state_share"];
/// Rater-level statistics bootstrapped, in order.
pub const RATER_STATS: [&str; 13] = [
    "person",
    "person_context",
    "rater",
    "residual",
    "person_share",
    "person_context_share",
    "rater_share",
    "residual_share",
    "reliability_1",
    "reliability_k",
    "consistency",
    "occasion_specificity",
    "total",
];

/// Options of [`bootstrap_decomposition`].
#[derive(Debug, Clone, Copy)]
pub struct BootstrapOptions {
    /// Resamples to draw.
    pub resamples: usize,
    /// Seed: the same seed gives the same intervals, whatever the threads.
    pub seed: u64,
    /// Confidence level of the percentile intervals (0.95).
    pub level: f64,
    /// The estimator refitted on each resample.
    pub method: Method,
}

/// Percentile intervals of one dimension (`None` where no resample gave a value).
#[derive(Debug, Clone, Serialize)]
pub struct DimensionIntervals {
    /// Intervals of the profile-level statistics, by name.
    pub profile_level: Vec<(&'static str, Option<[f64; 2]>)>,
    /// Intervals of the rater-level statistics, by name.
    pub rater_level: Vec<(&'static str, Option<[f64; 2]>)>,
    /// Per rater (same order as [`Decomposition::rater_sensitivity`]): the state share.
    pub rater_state_share: Vec<Option<[f64; 2]>>,
    /// Resamples in which a level could not be fitted.
    pub failed_profile: usize,
    /// The same for the rater level.
    pub failed_rater: usize,
}

/// Bootstrap result over all dimensions.
#[derive(Debug, Clone, Serialize)]
pub struct BootstrapResult {
    /// Resamples drawn.
    pub resamples: usize,
    /// The seed.
    pub seed: u64,
    /// Confidence level.
    pub level: f64,
    /// Per dimension, in input order.
    pub dimensions: Vec<DimensionIntervals>,
    /// Mean over dimensions of the profile-level trait share, per resample.
    pub pooled_trait_share: Option<[f64; 2]>,
    /// The same for the state share.
    pub pooled_state_share: Option<[f64; 2]>,
}

/// How a bootstrap resample weighs the persons (a person of weight `m` counts as `m`
/// independent copies of their profiles and ratings).
#[derive(Debug, Clone, Copy)]
pub enum PersonWeights<'a> {
    /// The person-cluster bootstrap: as many persons as there are drawn with replacement from
    /// [`ResampleRng::new`]`(seed, b)`; a weight is how often the person was drawn.
    Multinomial,
    /// The Poisson bootstrap: every person's weight an independent Poisson(1) draw
    /// [`poisson1_weight`]`(seed, b, keys[id])`, a function of the person's key alone (so the
    /// same whatever the order, partitioning or machine the person came from). `keys` is
    /// indexed by person id; a person id beyond it is keyed by the id itself.
    Poisson {
        /// The key of each person id ([`crate::bootstrap::poisson::person_key`] of its name).
        keys: &'a [u64],
    },
}

impl PersonWeights<'_> {
    /// The weights of resample `b` by person id (`bound` ids; `persons` the ids present).
    fn draw(&self, seed: u64, b: u64, persons: &[u32], bound: usize) -> Vec<f64> {
        let mut weights = vec![0.0; bound];
        match self {
            PersonWeights::Multinomial => {
                let mut rng = ResampleRng::new(seed, b);
                for _ in 0..persons.len() {
                    weights[persons[rng.index(persons.len())] as usize] += 1.0;
                }
            }
            PersonWeights::Poisson { keys } => {
                for &id in persons {
                    let key = keys.get(id as usize).copied().unwrap_or(u64::from(id));
                    weights[id as usize] = f64::from(poisson1_weight(seed, b, key));
                }
            }
        }
        weights
    }
}

/// Person-cluster bootstrap: resample persons with replacement (all their profiles and ratings
/// come along, the same persons for every dimension), refit every dimension with warm starts
/// from `full`, and take percentile intervals. Resample `b` draws from
/// [`ResampleRng::new`]`(seed, b)` and is fitted sequentially, so results are bit-identical for
/// a seed whatever the number of threads. Persons are the union of those in `prepared`.
pub fn bootstrap_decomposition(
    prepared: &[&Prepared],
    full: &[&Decomposition],
    opts: &BootstrapOptions,
    control: &Control,
) -> Result<BootstrapResult, VarianceError> {
    bootstrap_weighted(prepared, full, opts, PersonWeights::Multinomial, control)
}

/// [`bootstrap_decomposition`] with the persons weighed by `scheme` ([`PersonWeights`]): the
/// same refits, intervals and failure counts. Under [`PersonWeights::Poisson`] a resample in
/// which fewer than two persons of a design have a weight (likely with few persons: each is
/// left out with probability e^-1) is counted as failed for that level.
pub fn bootstrap_weighted(
    prepared: &[&Prepared],
    full: &[&Decomposition],
    opts: &BootstrapOptions,
    scheme: PersonWeights<'_>,
    control: &Control,
) -> Result<BootstrapResult, VarianceError> {
    let per_resample = resample_table(prepared, full, opts, scheme, control)?;
    Ok(summarise_resamples(&per_resample, full, opts))
}

/// Per resample, per dimension, the statistics in [`PROFILE_STATS`], [`RATER_STATS`], rater
/// state shares order (NaN where the resample could not be fitted).
fn resample_table(
    prepared: &[&Prepared],
    full: &[&Decomposition],
    opts: &BootstrapOptions,
    scheme: PersonWeights<'_>,
    control: &Control,
) -> Result<Vec<Vec<Vec<f64>>>, VarianceError> {
    let mut bound = 0usize;
    for p in prepared {
        bound = bound.max(p.profile.person_id_bound());
    }
    let mut present = vec![false; bound];
    for p in prepared {
        for id in p.profile.person_ids() {
            present[id as usize] = true;
        }
    }
    let persons: Vec<u32> = (0..bound as u32).filter(|&i| present[i as usize]).collect();
    if persons.is_empty() {
        return Err(VarianceError::Empty);
    }
    // Each person's contribution to each design's sufficient statistics, recorded once.
    let bases: Vec<Bases> = prepared
        .par_iter()
        .map(|p| match opts.method {
            Method::Reml => Some(BasesOf {
                profile: SuffBasis::new(&p.profile),
                rater: p.rater.as_ref().map(SuffBasis::new),
                per_rater: p.per_rater.iter().map(|(_, d)| SuffBasis::new(d)).collect(),
            }),
            Method::Anova => None,
        })
        .collect();
    let check_persons = matches!(scheme, PersonWeights::Poisson { .. });
    let done = AtomicU64::new(0);
    let total = opts.resamples as u64;
    // Per resample: per dimension, a vector of statistics (NaN = failed). Resamples go in
    // blocks of `LANES` that weigh each recorded basis once for the whole block; every
    // resample's numbers are those it would get alone.
    let starts: Vec<usize> = (0..opts.resamples).step_by(LANES).collect();
    let per_block: Vec<Vec<Vec<Vec<f64>>>> = starts
        .into_par_iter()
        .map(|start| {
            if control.is_cancelled() {
                return Err(VarianceError::Cancelled);
            }
            let lanes = LANES.min(opts.resamples - start);
            let weights: Vec<Vec<f64>> = (start..start + lanes)
                .map(|b| scheme.draw(opts.seed, b as u64, &persons, bound))
                .collect();
            let ws: Vec<&[f64]> = weights.iter().map(|w| &w[..]).collect();
            let mut out: Vec<Vec<Vec<f64>>> = vec![Vec::with_capacity(prepared.len()); lanes];
            for ((p, f), bs) in prepared.iter().zip(full).zip(&bases) {
                let suffs = bs.as_ref().map(|b| b.weighted_block(&ws));
                for (l, o) in out.iter_mut().enumerate() {
                    let suffs = suffs.as_ref().map(|s| s.lane(l));
                    o.push(resample_stats(
                        p,
                        f,
                        suffs,
                        opts.method,
                        ws[l],
                        check_persons,
                    ));
                }
            }
            for _ in 0..lanes {
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                (control.progress)(n, total);
            }
            Ok(out)
        })
        .collect::<Result<_, _>>()?;
    Ok(per_block.into_iter().flatten().collect())
}

/// Percentile intervals and failure counts of [`resample_table`]'s statistics.
fn summarise_resamples(
    per_resample: &[Vec<Vec<f64>>],
    full: &[&Decomposition],
    opts: &BootstrapOptions,
) -> BootstrapResult {
    let mut dimensions = Vec::with_capacity(full.len());
    for (d, f) in full.iter().enumerate() {
        let column = |i: usize| -> Vec<f64> { per_resample.iter().map(|r| r[d][i]).collect() };
        let iv = |i: usize| percentile_interval(&column(i), opts.level);
        let np = PROFILE_STATS.len();
        let nr = RATER_STATS.len();
        let failed = |i: usize| column(i).iter().filter(|v| !v.is_finite()).count();
        dimensions.push(DimensionIntervals {
            profile_level: PROFILE_STATS
                .iter()
                .enumerate()
                .map(|(i, n)| (*n, iv(i)))
                .collect(),
            rater_level: if f.rater_level.is_some() {
                RATER_STATS
                    .iter()
                    .enumerate()
                    .map(|(i, n)| (*n, iv(np + i)))
                    .collect()
            } else {
                Vec::new()
            },
            rater_state_share: (0..f.rater_sensitivity.len())
                .map(|i| iv(np + nr + i))
                .collect(),
            failed_profile: failed(2),
            failed_rater: if f.rater_level.is_some() {
                failed(np)
            } else {
                0
            },
        });
    }
    let pooled = |i: usize| -> Vec<f64> {
        per_resample
            .iter()
            .map(|r| {
                let v: Vec<f64> = r.iter().map(|d| d[i]).filter(|x| x.is_finite()).collect();
                if v.is_empty() {
                    f64::NAN
                } else {
                    v.iter().sum::<f64>() / v.len() as f64
                }
            })
            .collect()
    };
    BootstrapResult {
        resamples: opts.resamples,
        seed: opts.seed,
        level: opts.level,
        dimensions,
        pooled_trait_share: percentile_interval(&pooled(2), opts.level),
        pooled_state_share: percentile_interval(&pooled(3), opts.level),
    }
}

/// Per-person sufficient-statistic contributions of one dimension's designs (REML only).
type Bases = Option<BasesOf>;

struct BasesOf {
    profile: SuffBasis,
    rater: Option<SuffBasis>,
    per_rater: Vec<SuffBasis>,
}

impl BasesOf {
    /// Every design's statistics for a block of resamples (`weights[l]`: resample `l`).
    fn weighted_block(&self, weights: &[&[f64]]) -> BlockSuffs {
        BlockSuffs {
            profile: self.profile.weighted_block(weights),
            rater: self.rater.as_ref().map(|b| b.weighted_block(weights)),
            per_rater: self
                .per_rater
                .iter()
                .map(|b| b.weighted_block(weights))
                .collect(),
        }
    }
}

/// [`BasesOf`] weighed for a block of resamples: per design, one [`Suff`] per resample.
struct BlockSuffs {
    profile: Vec<Suff>,
    rater: Option<Vec<Suff>>,
    per_rater: Vec<Vec<Suff>>,
}

impl BlockSuffs {
    fn lane(&self, l: usize) -> LaneSuffs<'_> {
        LaneSuffs {
            profile: &self.profile[l],
            rater: self.rater.as_ref().map(|r| &r[l]),
            per_rater: self.per_rater.iter().map(|r| &r[l]).collect(),
        }
    }
}

/// One resample's statistics of every design of a dimension.
struct LaneSuffs<'a> {
    profile: &'a Suff,
    rater: Option<&'a Suff>,
    per_rater: Vec<&'a Suff>,
}

/// Persons of `design` with a weight in `w`, counted up to 2.
fn weighted_persons(design: &Design, w: &[f64]) -> usize {
    design
        .person_ids()
        .filter(|&id| w.get(id as usize).is_some_and(|&m| m > 0.0))
        .take(2)
        .count()
}

/// Refits a design on a resample (`check_persons`: fewer than two weighted persons is a
/// failed fit, not one with the person term at 0 — the Poisson scheme; the multinomial one
/// keeps its recorded behaviour, in which a resample drawing one person refits as is): from its weighted statistics under REML, else from the
/// design.
fn refit(
    design: &Design,
    suff: Option<&Suff>,
    method: Method,
    start: Option<[f64; 3]>,
    w: &[f64],
    check_persons: bool,
) -> Result<LevelFit, VarianceError> {
    if check_persons && weighted_persons(design, w) < 2 {
        return Err(VarianceError::TooFewPersons);
    }
    match (suff, start) {
        (Some(s), Some(start)) if method == Method::Reml => {
            let f = fit_reml_suff(design, s, start, prec::BOOTSTRAP_DECREMENT)?;
            Ok((f.components, Some(f.reml_criterion), Vec::new(), f.theta))
        }
        _ => fit_level(design, method, start, Some(w), false),
    }
}

fn resample_stats(
    p: &Prepared,
    full: &Decomposition,
    suffs: Option<LaneSuffs<'_>>,
    method: Method,
    w: &[f64],
    check_persons: bool,
) -> Vec<f64> {
    let np = PROFILE_STATS.len();
    let nr = RATER_STATS.len();
    let mut out = vec![f64::NAN; np + nr + p.per_rater.len()];
    let b = suffs.as_ref();
    // A level without a full-data estimate gets no interval either.
    if let Some(full_profile) = &full.profile_level {
        let start = Some(full_profile.theta);
        if let Ok(f) = refit(
            &p.profile,
            b.map(|b| b.profile),
            method,
            start,
            w,
            check_persons,
        ) {
            let l = profile_level(f);
            out[..np].copy_from_slice(&[l.person, l.state, l.trait_share, l.state_share]);
        }
    }
    if let (Some(d), Some(r)) = (&p.rater, &full.rater_level) {
        let suff = b.and_then(|b| b.rater);
        if let Ok(f) = refit(d, suff, method, Some(r.theta), w, check_persons) {
            let l = rater_level(f, r.k, r.rater_term);
            let c = l.components;
            let s = l.shares;
            out[np..np + nr].copy_from_slice(&[
                c.person,
                c.person_context,
                c.rater,
                c.residual,
                s.person,
                s.person_context,
                s.rater,
                s.residual,
                l.reliability_1,
                l.reliability_k,
                l.consistency,
                l.occasion_specificity,
                c.total(),
            ]);
        }
    }
    for (i, ((_, d), s)) in p.per_rater.iter().zip(&full.rater_sensitivity).enumerate() {
        if s.state_share.is_none() {
            continue;
        }
        let suff = b.map(|b| b.per_rater[i]);
        if let Ok(f) = refit(d, suff, method, Some(s.theta), w, check_persons) {
            out[np + nr + i] = profile_level(f).state_share;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings(value: impl Fn(u32, u32, u32) -> f64) -> Vec<Rating> {
        let mut out = Vec::new();
        for person in 0..5u32 {
            for context in 0..3u32 {
                for rater in 0..2u32 {
                    out.push(Rating {
                        person,
                        profile: person * 3 + context,
                        rater,
                        value: value(person, context, rater),
                    });
                }
            }
        }
        out
    }

    #[test]
    fn identical_replicate_profiles_are_the_boundary_with_a_warning() {
        // Every person's profiles have the same score (issue 11, item 20).
        let rs = ratings(|p, _, r| (p * p) as f64 + r as f64 * 0.5);
        for method in [Method::Reml, Method::Anova] {
            let prepared = Prepared::new(&rs, true).unwrap();
            let d = decompose(
                &prepared,
                &rs,
                &DecomposeOptions {
                    method,
                    parallel: false,
                },
            );
            let p = d.profile_level.as_ref().unwrap();
            assert_eq!(p.trait_share, 1.0, "{method:?}: {p:?}");
            assert_eq!(p.state, 0.0);
            assert_eq!(p.reml_criterion, None, "no criterion at −∞");
            assert!(
                d.warnings.iter().any(|w| w.contains("boundary")),
                "{:?}",
                d.warnings
            );
        }
    }

    #[test]
    fn overflowing_values_say_so() {
        // Values near ±1e300 (issue 11, item 19).
        let rs = ratings(|p, c, r| {
            if (p + c + r) % 2 == 0 {
                1e300
            } else {
                -1.3e300
            }
        });
        for method in [Method::Reml, Method::Anova] {
            let prepared = Prepared::new(&rs, true).unwrap();
            let d = decompose(
                &prepared,
                &rs,
                &DecomposeOptions {
                    method,
                    parallel: false,
                },
            );
            assert!(d.profile_level.is_none() && d.rater_level.is_none());
            assert!(
                d.warnings.iter().all(|w| w.contains("too large")
                    && !w.contains("REML criterion")
                    && !w.contains("equal")),
                "{method:?}: {:?}",
                d.warnings
            );
        }
    }

    /// Ratings shaped as `chameleon sample bench` makes them (core's `write_bench_ratings`):
    /// per person a trait (SD 0.59), per profile a state (0.99), 3 of 12 raters with a
    /// leniency (0.3) and noise (0.5), scaled by 1.2 around 4 and rounded onto 1..7.
    fn bench_like(persons: u32) -> Vec<Rating> {
        use crate::bootstrap::poisson::uniform_bits;
        let mut draws = 0u64;
        let mut uniform = || {
            draws += 1;
            (uniform_bits(99, 0, draws) as f64 + 0.5) / (1u64 << 53) as f64
        };
        let mut normal = || {
            let (u, v) = (uniform(), uniform());
            (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
        };
        let leniency: Vec<f64> = (0..12).map(|_| 0.3 * normal()).collect();
        let mut out = Vec::new();
        for p in 0..persons {
            let t = 0.59 * normal();
            for c in 0..3u32 {
                let state = 0.99 * normal();
                let first = (p * 5 + c * 7) % 12;
                for r in [first, (first + 1) % 12, (first + 5) % 12] {
                    let e = 0.5 * normal();
                    let y = (4.0 + 1.2 * (t + state + leniency[r as usize] + e))
                        .round()
                        .clamp(1.0, 7.0);
                    out.push(Rating {
                        person: p,
                        profile: p * 3 + c,
                        rater: r,
                        value: y,
                    });
                }
            }
        }
        out
    }

    /// The Poisson bootstrap against the multinomial (person-cluster) one on Chameleon-scale
    /// data (1,667 persons × 3 contexts × 3 of 12 raters), N = 1,000 resamples each (issue
    /// #17). Standard errors: the relative SE of a bootstrap SE is about `1/√(2N)`, so two
    /// independent ones differ by `1/√N` (3.2 %) relative; required within 4 of those
    /// (12.6 %) for every profile- and rater-level share and component. A Poisson(2) weight
    /// would shrink every SE by √2 (29 %) and fails. Interval endpoints: within 4 Monte-Carlo
    /// SEs of the difference of two bootstraps (`√2` × the SE of one, from the order
    /// statistics `N p ± √(N p (1 − p))` of the multinomial sample, as the bootMer
    /// comparison of docs/decomposition.md does).
    #[test]
    fn poisson_and_multinomial_bootstraps_agree_within_monte_carlo_error_issue17() {
        use crate::bootstrap::poisson::person_key;
        let rs = bench_like(1667);
        let prepared = Prepared::new(&rs, true).unwrap();
        let full = decompose(&prepared, &rs, &DecomposeOptions::default());
        let n = 1000;
        let opts = BootstrapOptions {
            resamples: n,
            seed: 3,
            level: 0.95,
            method: Method::Reml,
        };
        let keys: Vec<u64> = (0..1667).map(|p| person_key(&format!("p{p}"))).collect();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &cancel,
        };
        let table = |scheme| {
            resample_table(&[&prepared], &[&full], &opts, scheme, &control)
                .unwrap()
                .into_iter()
                .map(|mut dims| dims.remove(0))
                .collect::<Vec<Vec<f64>>>()
        };
        let multinomial = table(PersonWeights::Multinomial);
        let poisson = table(PersonWeights::Poisson { keys: &keys });
        let np = PROFILE_STATS.len();
        let names = PROFILE_STATS.iter().chain(RATER_STATS.iter());
        let nf = n as f64;
        for (i, name) in names.enumerate() {
            let column = |t: &[Vec<f64>]| -> Vec<f64> { t.iter().map(|r| r[i]).collect() };
            let (m, p) = (column(&multinomial), column(&poisson));
            assert!(
                m.iter().chain(&p).all(|v| v.is_finite()),
                "{name}: no resample fails at this size"
            );
            let sd = |v: &[f64]| {
                let mean = v.iter().sum::<f64>() / nf;
                (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (nf - 1.0)).sqrt()
            };
            let (sm, sp) = (sd(&m), sd(&p));
            if sm == 0.0 {
                // A share fixed at 0 (a component at its boundary in every resample).
                assert_eq!(sp, 0.0, "{name}");
                continue;
            }
            let rel = (sp / sm - 1.0).abs();
            assert!(
                rel < 4.0 / nf.sqrt(),
                "{name}: bootstrap SE {sp} (Poisson) vs {sm} (multinomial), {rel:.3} apart"
            );
            let (mut ms, mut ps) = (m.clone(), p.clone());
            ms.sort_by(f64::total_cmp);
            ps.sort_by(f64::total_cmp);
            for q in [0.025, 0.975] {
                let half = (nf * q * (1.0 - q)).sqrt();
                let lo = ((nf * q - half).floor() as usize).min(n - 1);
                let hi = ((nf * q + half).ceil() as usize).min(n - 1);
                let se = (ms[hi] - ms[lo]) / 2.0;
                let (a, b) = (
                    crate::bootstrap::quantile_sorted(&ms, q),
                    crate::bootstrap::quantile_sorted(&ps, q),
                );
                assert!(
                    (a - b).abs() <= 4.0 * std::f64::consts::SQRT_2 * se,
                    "{name} at {q}: {b} (Poisson) vs {a} (multinomial), MC SE {se}"
                );
            }
            if i == 2 {
                // The trait share: the headline, and the SEs are of a sizeable interval.
                assert!(sm > 0.005, "{name}: SE {sm}");
            }
        }
        assert!(full.rater_level.is_some() && np == 4);
    }

    /// A Poisson resample that weighs fewer than two persons is a failed fit, counted; the
    /// weights are the persons' keys', so listing the persons under other ids (as another
    /// partitioning would number them) gives the same intervals.
    #[test]
    fn poisson_resamples_of_too_few_persons_fail_and_ids_do_not_matter_issue17() {
        use crate::bootstrap::poisson::person_key;
        let rs = ratings(|p, c, r| (p * 3 + c * 2 + r) as f64 % 5.0 + p as f64 * 0.3);
        let keys: Vec<u64> = (0..5).map(|p| person_key(&format!("p{p}"))).collect();
        let prepared = Prepared::new(&rs, true).unwrap();
        let full = decompose(&prepared, &rs, &DecomposeOptions::default());
        let opts = BootstrapOptions {
            resamples: 200,
            seed: 9,
            level: 0.95,
            method: Method::Reml,
        };
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let control = Control {
            progress: &|_, _| {},
            cancel: &cancel,
        };
        let run = |prepared: &Prepared, full: &Decomposition, keys: &[u64]| {
            let b = bootstrap_weighted(
                &[prepared],
                &[full],
                &opts,
                PersonWeights::Poisson { keys },
                &control,
            )
            .unwrap();
            serde_json::to_string(&b).unwrap()
        };
        let plain = run(&prepared, &full, &keys);
        // Five persons: P(at most one weighted) = e^-5 + 5 e^-4 (1 − e^-1) ≈ 6.5 %.
        let b: serde_json::Value = serde_json::from_str(&plain).unwrap();
        let failed = b["dimensions"][0]["failed_profile"].as_u64().unwrap();
        assert!((3..=30).contains(&failed), "{failed} of 200 failed");
        assert_eq!(b["dimensions"][0]["failed_rater"].as_u64().unwrap(), failed);
        // Person ids reversed (person p is now 4 − p), keys moved with them.
        let moved: Vec<Rating> = rs
            .iter()
            .map(|r| Rating {
                person: 4 - r.person,
                ..*r
            })
            .collect();
        let moved_keys: Vec<u64> = (0..5).rev().map(|p| keys[p]).collect();
        let prepared2 = Prepared::new(&moved, true).unwrap();
        let full2 = decompose(&prepared2, &moved, &DecomposeOptions::default());
        let again = run(&prepared2, &full2, &moved_keys);
        let (x, y): (serde_json::Value, serde_json::Value) = (
            serde_json::from_str(&plain).unwrap(),
            serde_json::from_str(&again).unwrap(),
        );
        assert_eq!(
            x["dimensions"][0]["failed_profile"],
            y["dimensions"][0]["failed_profile"]
        );
        let close = |a: &serde_json::Value, b: &serde_json::Value| {
            (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-6
        };
        let (ix, iy) = (
            &x["dimensions"][0]["profile_level"],
            &y["dimensions"][0]["profile_level"],
        );
        for k in 0..4 {
            for e in 0..2 {
                assert!(close(&ix[k][1][e], &iy[k][1][e]), "{ix} vs {iy}");
            }
        }
    }
}
