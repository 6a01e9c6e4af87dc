//! The PI's review screen: the agreement dashboard (table, thresholds, one dimension's detail
//! with figures, bootstrap intervals), disagreements and blind adjudication, the codebook
//! editor. The app and the CLI both call these, so a rule here holds for either face.
//!
//! Reading and computing are separate steps: [`ReviewInput::of`] copies what a view needs out
//! of the study (fast, under the caller's lock), the functions taking a [`ReviewInput`]
//! compute without the study.

use super::analysis::{pool_raters, AnalysisOptions, RaterPool, RaterRequest};
use crate::analysis::agreement::{agreement, AgreementOptions, DimensionAgreement};
use crate::analysis::minimum::Caution;
use crate::analysis::raters::RaterSelection;
use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::model::{self, Level, RaterKind, Scale};
use crate::report::tables::{alpha_at_level, alpha_ci_at_level};
use crate::review::{self as rv, figures, Thresholds};
use crate::store::Study;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Blocks of each rater's ratings in the drift chart.
pub const DRIFT_BLOCKS: usize = 5;

/// Which weights Cohen's kappa of a rater pair uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Weights {
    Unweighted,
    Linear,
    Quadratic,
}

impl Weights {
    /// A nominal scale has no distances; ordinal points are steps; interval/ratio values are
    /// distances, and quadratic weights make kappa match the ICC.
    pub fn default_for(level: Level) -> Weights {
        match level {
            Level::Nominal => Weights::Unweighted,
            Level::Ordinal => Weights::Linear,
            Level::Interval | Level::Ratio => Weights::Quadratic,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Weights::Unweighted => "unweighted",
            Weights::Linear => "linear",
            Weights::Quadratic => "quadratic",
        }
    }
}

impl FromStr for Weights {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Weights> {
        match s.trim() {
            "unweighted" => Ok(Weights::Unweighted),
            "linear" => Ok(Weights::Linear),
            "quadratic" => Ok(Weights::Quadratic),
            other => Err(CoreError::Invalid(format!(
                "Unknown kappa weights '{other}'."
            ))),
        }
    }
}

/// Which intraclass correlation a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum IccForm {
    #[serde(rename = "ICC1")]
    Icc1,
    #[serde(rename = "ICC2")]
    Icc2,
}

/// ICC(2,1) — two-way random effects, absolute agreement, one rater — is what a single
/// annotator's rating can be trusted to; ICC1 when the design gives no ICC2.
pub fn icc_shown(d: &DimensionAgreement) -> (IccForm, Option<f64>) {
    match (d.icc.icc2, d.icc.icc1) {
        (Some(v), _) => (IccForm::Icc2, Some(v)),
        (None, Some(v)) => (IccForm::Icc1, Some(v)),
        _ => (IccForm::Icc2, None),
    }
}

/// One dimension's row of the agreement table.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AgreementRow {
    pub dimension: String,
    pub label: String,
    /// The dimension's level of measurement: the alpha shown is the one at this level.
    pub level: Level,
    pub alpha: Option<f64>,
    pub icc_form: IccForm,
    pub icc: Option<f64>,
    /// How the ICC was estimated: "anova" (complete design) or variance components.
    #[cfg_attr(
        feature = "ts",
        ts(
            type = r#""anova" | "variance-components-reml" | "variance-components-moments" | "none""#
        )
    )]
    pub icc_method: String,
    /// Pairwise exact agreement in percent.
    pub percent_exact: Option<f64>,
    /// Pairwise agreement within one scale point (ordered discrete scales only).
    pub percent_within_one: Option<f64>,
    pub units: usize,
    pub pairable_units: usize,
    pub raters: usize,
    pub ratings: usize,
    /// Set when α and the ICC rest on too few units ("too few data (n = 3)"): shown instead
    /// of the values, never coloured.
    pub caution: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AgreementTable {
    pub rows: Vec<AgreementRow>,
    pub thresholds: Thresholds,
    /// Why a statistic is missing, one sentence each.
    pub warnings: Vec<String>,
    /// The raters pooled (default: humans with enough ratings, as the CLI's `agreement`).
    pub raters: RaterPool,
}

/// A caution's message, as the views show it.
fn message(c: &Option<Caution>) -> Option<String> {
    c.as_ref().map(|c| c.message.clone())
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AlphaInterval {
    pub dimension: String,
    /// Percentile interval of alpha at the dimension's level.
    pub ci: Option<[f64; 2]>,
    /// Set when the interval rests on few units or is degenerate ([1, 1]).
    pub caution: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AgreementIntervals {
    pub resamples: usize,
    pub seed: u64,
    pub rows: Vec<AlphaInterval>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub units: usize,
    /// Cohen's kappa with the weights of the detail view.
    pub kappa: Option<f64>,
    /// Set when the pair shares too few units.
    pub caution: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterDiagnostics {
    pub rater: String,
    pub kind: RaterKind,
    pub n: usize,
    /// Mean deviation from the other raters on shared profiles (+ = rates higher).
    pub leniency: Option<f64>,
    /// Percent (0–100) of this rater's pairs with another rater on a shared profile that agree
    /// exactly.
    pub consensus_agreement: Option<f64>,
    pub consensus_r: Option<f64>,
    /// The drift measure per block of this rater's ratings, earliest first.
    pub drift: Vec<Option<f64>>,
    pub median_seconds: Option<f64>,
    /// Set when the rater has too few ratings for leniency, agreement or drift.
    pub caution: Option<String>,
}

/// What the dashboard shows for one dimension when the PI opens it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AgreementDetail {
    pub dimension: String,
    pub label: String,
    pub level: Level,
    pub weights: Weights,
    pub pairs: Vec<Pair>,
    pub heatmap_svg: Option<String>,
    pub raters: Vec<RaterDiagnostics>,
    pub drift_measure: String,
    pub drift_svg: Option<String>,
    pub distribution_svg: Option<String>,
    /// The raters pooled.
    pub raters_pool: RaterPool,
}

/// What the agreement views compute from, copied out of the study in one go.
#[derive(Debug, Clone)]
pub struct ReviewInput {
    pub dataset: Dataset,
    /// (dimension name, label shown).
    labels: Vec<(String, String)>,
    pub thresholds: Thresholds,
}

impl ReviewInput {
    pub fn of(study: &Study) -> Result<ReviewInput> {
        let labels = study
            .codebook()?
            .map(|c| {
                c.dimensions
                    .iter()
                    .map(|d| (d.name.clone(), d.display_name().to_owned()))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ReviewInput {
            dataset: study.dataset()?,
            labels,
            thresholds: study.review_thresholds()?,
        })
    }

    /// Content hash of what the views compute from (for caching their results).
    pub fn content_hash(&self) -> String {
        let mut text = self.dataset.content_hash();
        for (n, l) in &self.labels {
            text.push_str(&format!("\u{1}{n}\u{2}{l}"));
        }
        blake3::hash(text.as_bytes()).to_hex().to_string()
    }

    fn label_of(&self, name: &str) -> String {
        self.labels
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, l)| l.clone())
            .unwrap_or_else(|| name.to_owned())
    }
}

/// The dataset with the raters `req` asks for over agreement's default (humans with at least
/// the minimum of ratings, as the CLI's `agreement`).
fn pooled(ds: &Dataset, req: &RaterRequest) -> Result<(Dataset, RaterPool)> {
    let mut ds = ds.clone();
    let pool = pool_raters(&mut ds, req, RaterSelection::agreement_default())?;
    Ok((ds, pool))
}

/// One row per dimension, alpha at the dimension's level, the ICC a single rating has, over
/// the raters `raters` asks for.
pub fn agreement_table(input: &ReviewInput, raters: &RaterRequest) -> Result<AgreementTable> {
    let (ds, pool) = pooled(&input.dataset, raters)?;
    let run = agreement(&ds, &AgreementOptions::default());
    let rows = run
        .report
        .dimensions
        .iter()
        .map(|d| {
            let (icc_form, icc) = icc_shown(d);
            AgreementRow {
                label: input.label_of(&d.dimension),
                dimension: d.dimension.clone(),
                level: d.level,
                alpha: alpha_at_level(d),
                icc_form,
                icc,
                icc_method: d.icc_method.to_owned(),
                percent_exact: d.percent_agreement,
                percent_within_one: d.percent_within_one,
                units: d.units,
                pairable_units: d.pairable_units,
                raters: d.raters,
                ratings: d.ratings,
                caution: message(&d.caution),
            }
        })
        .collect();
    Ok(AgreementTable {
        rows,
        thresholds: input.thresholds,
        warnings: run.warnings,
        raters: pool,
    })
}

/// Bootstrap intervals of alpha (at each dimension's level) by resampling profiles, over the
/// raters `raters` asks for; `opts` was checked when it was built, and a review interval
/// needs resamples.
pub fn agreement_intervals(
    ds: &Dataset,
    opts: &AnalysisOptions,
    raters: &RaterRequest,
) -> Result<AgreementIntervals> {
    if opts.resamples() == 0 {
        return Err(CoreError::Invalid(
            "Intervals need bootstrap resamples.".into(),
        ));
    }
    let (ds, _) = pooled(ds, raters)?;
    let run = agreement(
        &ds,
        &AgreementOptions {
            bootstrap: opts.resamples(),
            seed: opts.seed(),
        },
    );
    Ok(AgreementIntervals {
        resamples: opts.resamples(),
        seed: opts.seed(),
        rows: run
            .report
            .dimensions
            .iter()
            .map(|d| AlphaInterval {
                dimension: d.dimension.clone(),
                ci: alpha_ci_at_level(d),
                caution: message(&d.ci.as_ref().and_then(|c| c.caution.clone())),
            })
            .collect(),
    })
}

/// Checks and stores the PI's thresholds.
pub fn set_thresholds(study: &mut Study, t: Thresholds) -> Result<Thresholds> {
    study.set_review_thresholds(t)?;
    Ok(t)
}

/// One dimension in detail: kappa of every rater pair (with `weights`, or the level's
/// default), each rater's diagnostics and drift, and the figures.
pub fn agreement_detail(
    input: &ReviewInput,
    dimension: &str,
    weights: Option<Weights>,
    raters: &RaterRequest,
) -> Result<AgreementDetail> {
    // The pool is chosen on the whole study's ratings, as the table's, so that a rater's
    // count (and the minimum) mean the same in the table and in a dimension's detail.
    let (mut ds, raters_pool) = pooled(&input.dataset, raters)?;
    if !ds.retain_dimension(dimension) {
        return Err(no_dimension(dimension));
    }
    let run = agreement(&ds, &AgreementOptions::default());
    let d = run
        .report
        .dimensions
        .first()
        .ok_or_else(|| no_dimension(dimension))?;
    let weights = weights.unwrap_or_else(|| Weights::default_for(d.level));
    let label = input.label_of(&d.dimension);
    let pairs: Vec<Pair> = d
        .pairs
        .iter()
        .map(|p| Pair {
            a: p.a.clone(),
            b: p.b.clone(),
            units: p.units,
            kappa: match weights {
                Weights::Linear => p.kappa_linear,
                Weights::Quadratic => p.kappa_quadratic,
                Weights::Unweighted => p.kappa,
            },
            caution: message(&p.caution),
        })
        .collect();
    let names: Vec<String> = d.raters_detail.iter().map(|r| r.rater.clone()).collect();
    let heatmap_svg = if names.len() >= 2 && !pairs.is_empty() {
        let triples: Vec<(String, String, Option<f64>)> = pairs
            .iter()
            .map(|p| (p.a.clone(), p.b.clone(), p.kappa))
            .collect();
        Some(figures::kappa_heatmap(
            &format!("Cohen's kappa ({}), {label}", weights.as_str()),
            &names,
            &triples,
        )?)
    } else {
        None
    };
    let drift = rv::drift_series(&ds, &d.dimension, DRIFT_BLOCKS);
    let kind_of = |name: &str| {
        ds.raters
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.kind)
            .unwrap_or(RaterKind::Human)
    };
    let raters = d
        .raters_detail
        .iter()
        .map(|r| RaterDiagnostics {
            rater: r.rater.clone(),
            kind: kind_of(&r.rater),
            n: r.n,
            leniency: r.leniency,
            consensus_agreement: r.consensus_agreement,
            consensus_r: r.consensus_r,
            drift: drift
                .as_ref()
                .and_then(|s| s.raters.iter().find(|x| x.rater == r.rater))
                .map(|x| x.points.clone())
                .unwrap_or_default(),
            median_seconds: r.median_seconds,
            caution: message(&r.caution),
        })
        .collect();
    let drift_svg = match &drift {
        Some(s) if !s.raters.is_empty() => {
            Some(figures::drift_chart(&format!("Drift: {}", s.measure), s)?)
        }
        _ => None,
    };
    let distribution_svg = match rv::distribution(&ds, &d.dimension) {
        Some(x) if !x.raters.is_empty() => Some(figures::distribution_chart(
            &format!("Ratings per rater, {label}"),
            &x,
        )?),
        _ => None,
    };
    Ok(AgreementDetail {
        dimension: d.dimension.clone(),
        label,
        level: d.level,
        weights,
        pairs,
        heatmap_svg,
        raters,
        drift_measure: drift.map(|s| s.measure).unwrap_or_default(),
        drift_svg,
        distribution_svg,
        raters_pool,
    })
}

fn no_dimension(dimension: &str) -> CoreError {
    CoreError::Invalid(format!("No dimension named '{dimension}'."))
}

// ---- disagreements and adjudication ----

/// What the PI sees instead of a rater's name in blind adjudication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterAlias {
    pub rater: String,
    pub alias: String,
}

/// "A", "B", … "Z", "AA", "AB", …
fn letters(i: usize) -> String {
    let mut s = Vec::new();
    let mut n = i;
    loop {
        s.push(b'A' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    s.reverse();
    String::from_utf8_lossy(&s).into_owned()
}

/// The one blind-adjudication scheme of both faces: "Rater A", "Rater B", … given to the
/// raters in the order of their names (case-insensitive, then exact), so the same study shows
/// the same aliases in the app and in `chameleon disagreements --hide-raters`, on every
/// machine and in every run. Duplicate names get one alias.
pub fn rater_aliases<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<RaterAlias> {
    let mut names: Vec<&str> = names.into_iter().collect();
    names.sort_by(|a, b| {
        a.to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b))
    });
    names.dedup();
    names
        .into_iter()
        .enumerate()
        .map(|(i, n)| RaterAlias {
            rater: n.to_owned(),
            alias: format!("Rater {}", letters(i)),
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterValue {
    pub rater: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DisagreementRow {
    pub profile_id: i64,
    pub person: String,
    pub context: String,
    pub values: Vec<RaterValue>,
    /// 0 = the raters agree, 1 = as far apart as the scale allows.
    pub disagreement: f64,
    pub spread: f64,
    pub adjudicated: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Disagreements {
    pub dimension: String,
    pub label: String,
    pub level: Level,
    pub scale: Scale,
    /// Alpha on the raters' ratings (what the dashboard shows).
    pub alpha_before: Option<f64>,
    /// Alpha once adjudicated profiles count with their settled value only: those profiles
    /// leave the pairable units, so this is the agreement on the profiles still unsettled.
    pub alpha_after: Option<f64>,
    pub adjudicated: usize,
    pub profiles: Vec<DisagreementRow>,
    /// Every rater of the study (adjudication aside) with their blind alias.
    pub aliases: Vec<RaterAlias>,
}

/// What [`disagreements_of`] computes from, copied out of the study.
#[derive(Debug, Clone)]
pub struct DisagreementsInput {
    dimension: model::Dimension,
    rows: Vec<crate::store::Disagreement>,
    raters: Vec<String>,
    dataset: Dataset,
    adjudicated: Dataset,
}

impl DisagreementsInput {
    pub fn of(study: &Study, dimension: &str) -> Result<DisagreementsInput> {
        let dim = dimension_of(study, dimension)?;
        Ok(DisagreementsInput {
            rows: study.disagreements(&dim.name)?,
            raters: study
                .raters()?
                .into_iter()
                .filter(|r| r.kind != RaterKind::Adjudicated)
                .map(|r| r.name)
                .collect(),
            dataset: study.dataset()?,
            adjudicated: study.dataset_adjudicated()?,
            dimension: dim,
        })
    }
}

/// Alpha at the dimension's level over the dashboard's default pool of raters, so that
/// "before" is the number the dashboard shows.
fn level_alpha(ds: Dataset, dimension: &str) -> Option<f64> {
    let (mut ds, _) = pooled(&ds, &RaterRequest::default()).ok()?;
    if !ds.retain_dimension(dimension) {
        return None;
    }
    let run = agreement(&ds, &AgreementOptions::default());
    alpha_at_level(run.report.dimensions.first()?)
}

fn dimension_of(study: &Study, dimension: &str) -> Result<model::Dimension> {
    study
        .codebook()?
        .and_then(|c| {
            c.dimensions
                .into_iter()
                .find(|d| d.name.eq_ignore_ascii_case(dimension))
        })
        .ok_or_else(|| no_dimension(dimension))
}

/// Profiles of one dimension, most disagreement first, with alpha before and after
/// adjudication and the raters' blind aliases.
pub fn disagreements_of(input: DisagreementsInput) -> Disagreements {
    let dim = input.dimension;
    let profiles: Vec<DisagreementRow> = input
        .rows
        .into_iter()
        .map(|d| DisagreementRow {
            profile_id: d.profile_id,
            person: d.person,
            context: d.context,
            values: d
                .values
                .into_iter()
                .map(|(rater, value)| RaterValue { rater, value })
                .collect(),
            disagreement: d.disagreement,
            spread: d.spread,
            adjudicated: d.adjudicated,
        })
        .collect();
    Disagreements {
        label: dim.display_name().to_owned(),
        level: dim.level(),
        alpha_before: level_alpha(input.dataset, &dim.name),
        alpha_after: level_alpha(input.adjudicated, &dim.name),
        adjudicated: profiles.iter().filter(|p| p.adjudicated.is_some()).count(),
        aliases: rater_aliases(input.raters.iter().map(String::as_str)),
        profiles,
        scale: dim.scale,
        dimension: dim.name,
    }
}

/// [`DisagreementsInput::of`] then [`disagreements_of`], for callers without a lock to spare.
pub fn disagreements(study: &Study, dimension: &str) -> Result<Disagreements> {
    Ok(disagreements_of(DisagreementsInput::of(study, dimension)?))
}

/// [`disagreements`] as a blind reviewer sees it: rater names replaced by their aliases,
/// values of a profile in alias order.
pub fn hide_raters(d: &mut Disagreements) {
    let alias_of = |name: &str, aliases: &[RaterAlias]| {
        aliases
            .iter()
            .find(|a| a.rater == name)
            .map(|a| a.alias.clone())
            .unwrap_or_else(|| "Rater ?".to_owned())
    };
    for p in &mut d.profiles {
        for v in &mut p.values {
            v.rater = alias_of(&v.rater, &d.aliases);
        }
        p.values.sort_by(|a, b| {
            (a.rater.len(), a.rater.as_str()).cmp(&(b.rater.len(), b.rater.as_str()))
        });
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DimensionValues {
    pub dimension: String,
    pub label: String,
    /// One per rater of [`ProfileRatings::raters`], `null` when that rater left it empty.
    pub values: Vec<Option<f64>>,
    pub adjudicated: Option<f64>,
    pub note: Option<String>,
}

/// A profile's material with every rater's value of every dimension, for adjudicating.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ProfileRatings {
    pub profile: model::Profile,
    pub raters: Vec<String>,
    pub dimensions: Vec<DimensionValues>,
}

pub fn profile_ratings(study: &Study, profile_id: i64) -> Result<ProfileRatings> {
    let profile = study.profile(profile_id)?;
    let dims = study.codebook()?.map(|c| c.dimensions).unwrap_or_default();
    let mut raters = Vec::new();
    let mut per_rater = Vec::new();
    let mut adjudicated = Vec::new();
    for r in study.raters()? {
        let ratings = study.ratings_of(profile_id, r.id)?;
        if ratings.is_empty() {
            continue;
        }
        if r.kind == RaterKind::Adjudicated {
            adjudicated = ratings;
        } else {
            raters.push(r.name);
            per_rater.push(ratings);
        }
    }
    let dimensions = dims
        .iter()
        .map(|d| {
            let adj = adjudicated.iter().find(|x| x.dimension == d.name);
            DimensionValues {
                dimension: d.name.clone(),
                label: d.display_name().to_owned(),
                values: per_rater
                    .iter()
                    .map(|rs| rs.iter().find(|x| x.dimension == d.name).map(|x| x.value))
                    .collect(),
                adjudicated: adj.map(|x| x.value),
                note: adj.and_then(|x| x.note.clone()),
            }
        })
        .collect();
    Ok(ProfileRatings {
        profile,
        raters,
        dimensions,
    })
}

/// The PI's settled value for one profile and dimension.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Adjudication {
    pub profile_id: i64,
    pub dimension: String,
    pub value: f64,
    pub note: Option<String>,
}

/// Stores the adjudicated value (its own rating; the raters' stay), the note trimmed.
pub fn adjudicate(study: &mut Study, a: &Adjudication) -> Result<()> {
    let note = a.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    study.adjudicate(a.profile_id, &a.dimension, a.value, note)
}

// ---- codebook editor ----

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DimensionEdit {
    pub name: String,
    pub label: Option<String>,
    pub definition: String,
    pub scale: Scale,
    /// `null` = what the scale implies.
    pub level: Option<Level>,
    /// Ratings stored on this dimension (read-only: a scale change must keep them on it).
    #[serde(default)]
    pub ratings: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CodebookEdit {
    pub name: Option<String>,
    /// Markdown.
    pub guidelines: String,
    /// The version this edit started from (informational; saving makes a new one).
    pub version: i64,
    pub dimensions: Vec<DimensionEdit>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct CodebookSaved {
    pub codebook: CodebookEdit,
    pub added: usize,
    pub updated: usize,
    /// False when nothing differed from the stored codebook (no new version).
    pub changed: bool,
}

fn trimmed_anchors(a: &[model::Anchor]) -> Vec<model::Anchor> {
    a.iter()
        .map(|x| model::Anchor {
            value: x.value,
            label: x.label.trim().to_owned(),
        })
        .collect()
}

pub fn codebook_for_edit(study: &Study) -> Result<CodebookEdit> {
    let counts = study.info()?.dimensions;
    let (name, guidelines, version, dims) = match study.codebook()? {
        Some(c) => (c.name, c.guidelines, c.version, c.dimensions),
        None => (None, String::new(), 0, Vec::new()),
    };
    Ok(CodebookEdit {
        name,
        guidelines,
        version,
        dimensions: dims
            .into_iter()
            .map(|d| DimensionEdit {
                ratings: counts
                    .iter()
                    .find(|c| c.name == d.name)
                    .map(|c| c.ratings)
                    .unwrap_or(0),
                level: d.level,
                scale: d.scale,
                name: d.name,
                label: d.label,
                definition: d.definition,
            })
            .collect(),
    })
}

/// What saving `edit` would change against the stored codebook, for the PI to confirm before
/// a new version is made (empty: the save would make none). A dimension missing from the edit
/// is not listed as removed: the store keeps every dimension it has.
pub fn codebook_diff(
    study: &Study,
    edit: &CodebookEdit,
) -> Result<Vec<super::codebook_diff::CodebookChange>> {
    let new = edit_to_codebook(study, edit)?;
    let Some(old) = study.codebook()? else {
        return Ok(super::codebook_diff::codebook_diff(
            &model::Codebook {
                dimensions: Vec::new(),
                guidelines: String::new(),
                name: None,
                ..new.clone()
            },
            &new,
        ));
    };
    Ok(super::codebook_diff::codebook_diff(&old, &new)
        .into_iter()
        .filter(|c| c.kind != super::codebook_diff::ChangeKind::Removed)
        .collect())
}

/// The codebook an edit stands for, trimmed as the save stores it.
fn edit_to_codebook(study: &Study, edit: &CodebookEdit) -> Result<model::Codebook> {
    let dimensions = edit
        .dimensions
        .iter()
        .map(|d| model::Dimension {
            name: d.name.trim().to_owned(),
            label: d
                .label
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
            definition: d.definition.clone(),
            scale: match &d.scale {
                Scale::Likert { min, max, anchors } => Scale::Likert {
                    min: *min,
                    max: *max,
                    anchors: trimmed_anchors(anchors),
                },
                Scale::Continuous { min, max, step } => Scale::Continuous {
                    min: *min,
                    max: *max,
                    step: *step,
                },
                Scale::Nominal { categories } => Scale::Nominal {
                    categories: trimmed_anchors(categories),
                },
            },
            level: d.level,
        })
        .collect();
    Ok(model::Codebook {
        name: edit.name.clone(),
        guidelines: edit.guidelines.clone(),
        version: 0,
        dimensions,
        // Not in the editor: kept as the imported codebook set it.
        show_person_ids: study.codebook()?.is_some_and(|c| c.show_person_ids),
        // Not in the editor either: the questionnaire scales are kept as imported.
        scales: study.codebook()?.map(|c| c.scales).unwrap_or_default(),
    })
}

/// Saves through the store's versioned `save_codebook`: validated as a whole (unique names,
/// well formed scales, existing ratings still on their scale) and refused whole on any problem.
pub fn save_codebook(study: &mut Study, edit: &CodebookEdit) -> Result<CodebookSaved> {
    let cb = edit_to_codebook(study, edit)?;
    let before = study.codebook()?.map(|c| c.version).unwrap_or(0);
    let report = study.save_codebook(&cb)?;
    let codebook = codebook_for_edit(study)?;
    Ok(CodebookSaved {
        changed: codebook.version != before,
        codebook,
        added: report.added,
        updated: report.updated,
    })
}

/// The latest agreement table and the content hash of its input (and the rater request):
/// reopening the dashboard on unchanged data recomputes nothing. A face holds one for its
/// lifetime.
#[derive(Debug, Default)]
pub struct AgreementCache(std::sync::Mutex<Option<(String, AgreementTable)>>);

impl AgreementCache {
    /// [`agreement_table`] of `input`, from the cache when its data and `raters` are
    /// unchanged (the thresholds are always the input's: they are no data).
    pub fn table(&self, input: &ReviewInput, raters: &RaterRequest) -> Result<AgreementTable> {
        let key = Self::key(input, raters);
        if let Ok(guard) = self.0.lock() {
            if let Some((k, t)) = guard.as_ref().filter(|(k, _)| *k == key) {
                tracing::debug!(key = %k, "agreement table from the cache");
                return Ok(AgreementTable {
                    thresholds: input.thresholds,
                    ..t.clone()
                });
            }
        }
        let table = agreement_table(input, raters)?;
        if let Ok(mut guard) = self.0.lock() {
            *guard = Some((key, table.clone()));
        }
        Ok(table)
    }

    fn key(input: &ReviewInput, raters: &RaterRequest) -> String {
        format!("{}\u{1}{raters:?}", input.content_hash())
    }
}

/// Resamples of the scale reliability's bootstrap intervals in the review (seed 1).
pub const SCALE_RESAMPLES: usize = 1000;

/// The reliability of `scales` (the codebook's questionnaire scales) on `ds`: α with its
/// interval, ω, item–rest, as the review shows it.
pub fn scale_reliability(
    ds: &Dataset,
    scales: &[model::ItemScale],
) -> Result<Vec<crate::analysis::reliability::ScaleReport>> {
    use crate::analysis::reliability::{reliability_with, ScaleSpec};
    let specs: Vec<ScaleSpec> = scales.iter().map(ScaleSpec::from).collect();
    reliability_with(ds, &specs, None, SCALE_RESAMPLES, 1)
}

#[cfg(test)]
mod tests;
