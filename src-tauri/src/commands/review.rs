//! The PI's review views: the agreement dashboard (table, thresholds, per-dimension detail with
//! figures, bootstrap intervals), disagreements and adjudication, and the codebook editor.
//!
//! Thin adapters over `chameleon_core` (agreement report, review data and figures, the store's
//! disagreements / adjudication / versioned codebook). Every function takes the [`Session`] and
//! is unit-tested below; the `#[tauri::command]` wrappers run them off the UI thread.

use crate::dto::{ProfileDto, ScaleDto};
use crate::error::{AppError, AppResult};
use crate::state::{AppState, Session};
use chameleon_core::analysis::agreement::{
    agreement, AgreementOptions, AlphaReport, DimensionAgreement,
};
use chameleon_core::dataset::Dataset;
use chameleon_core::model::{self, Level, RaterKind};
use chameleon_core::review::{self as rv, figures, Thresholds};
use chameleon_core::store::Study;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

/// Blocks of each rater's ratings in the drift chart.
const DRIFT_BLOCKS: usize = 5;

// ---- DTOs ----

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ThresholdsDto {
    pub good: f64,
    pub tentative: f64,
}

/// One dimension's row of the agreement table.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgreementRowDto {
    pub dimension: String,
    pub label: String,
    /// The dimension's level of measurement: the alpha shown is the one at this level.
    pub level: String,
    pub alpha: Option<f64>,
    /// Which ICC is shown, e.g. "ICC2" (two-way random, absolute agreement, single rater).
    pub icc_form: String,
    pub icc: Option<f64>,
    /// How the ICC was estimated: "anova" (complete design) or variance components.
    pub icc_method: String,
    /// Pairwise exact agreement in percent.
    pub percent_exact: Option<f64>,
    /// Pairwise agreement within one scale point (ordered discrete scales only).
    pub percent_within_one: Option<f64>,
    pub units: usize,
    pub pairable_units: usize,
    pub raters: usize,
    pub ratings: usize,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgreementTableDto {
    pub rows: Vec<AgreementRowDto>,
    pub thresholds: ThresholdsDto,
    /// Why a statistic is missing, one sentence each.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AlphaIntervalDto {
    pub dimension: String,
    /// 95% percentile interval of alpha at the dimension's level.
    pub ci: Option<[f64; 2]>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgreementIntervalsDto {
    pub resamples: usize,
    pub seed: u64,
    pub rows: Vec<AlphaIntervalDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PairDto {
    pub a: String,
    pub b: String,
    pub units: usize,
    /// Cohen's kappa with the weights of the detail view.
    pub kappa: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RaterDiagnosticsDto {
    pub rater: String,
    pub kind: String,
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
}

/// What the dashboard shows for one dimension when the PI opens it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AgreementDetailDto {
    pub dimension: String,
    pub label: String,
    pub level: String,
    /// "unweighted", "linear" or "quadratic".
    pub weights: String,
    pub pairs: Vec<PairDto>,
    pub heatmap_svg: Option<String>,
    pub raters: Vec<RaterDiagnosticsDto>,
    pub drift_measure: String,
    pub drift_svg: Option<String>,
    pub distribution_svg: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RaterValueDto {
    pub rater: String,
    pub value: f64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisagreementDto {
    pub profile_id: i64,
    pub person: String,
    pub context: String,
    pub values: Vec<RaterValueDto>,
    /// 0 = the raters agree, 1 = as far apart as the scale allows.
    pub disagreement: f64,
    pub spread: f64,
    pub adjudicated: Option<f64>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DisagreementsDto {
    pub dimension: String,
    pub label: String,
    pub level: String,
    pub scale: ScaleDto,
    /// Alpha on the raters' ratings (what the dashboard shows).
    pub alpha_before: Option<f64>,
    /// Alpha once adjudicated profiles count with their settled value only: those profiles
    /// leave the pairable units, so this is the agreement on the profiles still unsettled.
    pub alpha_after: Option<f64>,
    pub adjudicated: usize,
    pub profiles: Vec<DisagreementDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionValuesDto {
    pub dimension: String,
    pub label: String,
    /// One per rater of [`ProfileRatingsDto::raters`], `null` when that rater left it empty.
    pub values: Vec<Option<f64>>,
    pub adjudicated: Option<f64>,
    pub note: Option<String>,
}

/// A profile's material with every rater's value of every dimension, for adjudicating.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRatingsDto {
    pub profile: ProfileDto,
    pub raters: Vec<String>,
    pub dimensions: Vec<DimensionValuesDto>,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AdjudicateRequest {
    pub profile_id: i64,
    pub dimension: String,
    pub value: f64,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnchorEditDto {
    pub value: i64,
    pub label: String,
}

/// A scale as the codebook editor edits it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum ScaleEditDto {
    Likert {
        min: i64,
        max: i64,
        anchors: Vec<AnchorEditDto>,
    },
    Continuous {
        min: f64,
        max: f64,
        step: Option<f64>,
    },
    Nominal {
        categories: Vec<AnchorEditDto>,
    },
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionEditDto {
    pub name: String,
    pub label: Option<String>,
    pub definition: String,
    pub scale: ScaleEditDto,
    /// "nominal", "ordinal", "interval" or "ratio"; `null` = what the scale implies.
    pub level: Option<String>,
    /// Ratings stored on this dimension (read-only: a scale change must keep them on it).
    #[serde(default)]
    pub ratings: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodebookEditDto {
    pub name: Option<String>,
    /// Markdown.
    pub guidelines: String,
    /// The version this edit started from (informational; saving makes a new one).
    pub version: i64,
    pub dimensions: Vec<DimensionEditDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct CodebookSavedDto {
    pub codebook: CodebookEditDto,
    pub added: usize,
    pub updated: usize,
    /// False when nothing differed from the stored codebook (no new version).
    pub changed: bool,
}

// ---- agreement dashboard ----

fn alpha_at(a: &AlphaReport, level: Level) -> Option<f64> {
    match level {
        Level::Nominal => a.nominal,
        Level::Ordinal => a.ordinal,
        Level::Interval => a.interval,
        Level::Ratio => a.ratio,
    }
}

fn ci_at(c: &chameleon_core::analysis::agreement::CiAlpha, level: Level) -> Option<[f64; 2]> {
    match level {
        Level::Nominal => c.nominal,
        Level::Ordinal => c.ordinal,
        Level::Interval => c.interval,
        Level::Ratio => c.ratio,
    }
}

/// ICC(2,1) — two-way random effects, absolute agreement, one rater — is what a single
/// annotator's rating can be trusted to; ICC1 when the design gives no ICC2.
fn icc_shown(d: &DimensionAgreement) -> (String, Option<f64>) {
    match (d.icc.icc2, d.icc.icc1) {
        (Some(v), _) => ("ICC2".into(), Some(v)),
        (None, Some(v)) => ("ICC1".into(), Some(v)),
        _ => ("ICC2".into(), None),
    }
}

fn labels(study: &Study) -> AppResult<Vec<(String, String)>> {
    Ok(study
        .codebook()?
        .map(|c| {
            c.dimensions
                .iter()
                .map(|d| (d.name.clone(), d.display_name().to_owned()))
                .collect()
        })
        .unwrap_or_default())
}

fn label_of(labels: &[(String, String)], name: &str) -> String {
    labels
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, l)| l.clone())
        .unwrap_or_else(|| name.to_owned())
}

pub fn agreement_table(session: &Session) -> AppResult<AgreementTableDto> {
    let study = session.study()?;
    let ds = study.dataset()?;
    let run = agreement(&ds, &AgreementOptions::default());
    let labels = labels(study)?;
    let rows = run
        .report
        .dimensions
        .iter()
        .map(|d| {
            let (icc_form, icc) = icc_shown(d);
            AgreementRowDto {
                label: label_of(&labels, &d.dimension),
                dimension: d.dimension.clone(),
                level: d.level.as_str().to_owned(),
                alpha: alpha_at(&d.alpha, d.level),
                icc_form,
                icc,
                icc_method: d.icc_method.to_owned(),
                percent_exact: d.percent_agreement,
                percent_within_one: d.percent_within_one,
                units: d.units,
                pairable_units: d.pairable_units,
                raters: d.raters,
                ratings: d.ratings,
            }
        })
        .collect();
    let t = study.review_thresholds()?;
    Ok(AgreementTableDto {
        rows,
        thresholds: ThresholdsDto {
            good: t.good,
            tentative: t.tentative,
        },
        warnings: run.warnings,
    })
}

/// Bootstrap intervals of alpha (at each dimension's level) by resampling profiles. Works on
/// a snapshot, so the study stays usable while it runs.
pub fn intervals_of(ds: &Dataset, resamples: usize, seed: u64) -> AppResult<AgreementIntervalsDto> {
    if !(2..=100_000).contains(&resamples) {
        return Err(AppError::new(
            "invalid",
            "Choose between 2 and 100,000 resamples.",
        ));
    }
    let run = agreement(
        ds,
        &AgreementOptions {
            bootstrap: resamples,
            seed,
        },
    );
    Ok(AgreementIntervalsDto {
        resamples,
        seed,
        rows: run
            .report
            .dimensions
            .iter()
            .map(|d| AlphaIntervalDto {
                dimension: d.dimension.clone(),
                ci: d.ci.as_ref().and_then(|c| ci_at(&c.alpha, d.level)),
            })
            .collect(),
    })
}

pub fn set_thresholds(session: &mut Session, t: ThresholdsDto) -> AppResult<ThresholdsDto> {
    session.study_mut()?.set_review_thresholds(Thresholds {
        good: t.good,
        tentative: t.tentative,
    })?;
    Ok(t)
}

fn parse_weights(w: Option<&str>, level: Level) -> AppResult<&'static str> {
    Ok(match w {
        Some("unweighted") => "unweighted",
        Some("linear") => "linear",
        Some("quadratic") => "quadratic",
        Some(other) => {
            return Err(AppError::new(
                "invalid",
                format!("Unknown kappa weights '{other}'."),
            ))
        }
        // A nominal scale has no distances; ordinal points are steps; interval/ratio values
        // are distances, and quadratic weights make kappa match the ICC.
        None => match level {
            Level::Nominal => "unweighted",
            Level::Ordinal => "linear",
            Level::Interval | Level::Ratio => "quadratic",
        },
    })
}

pub fn agreement_detail(
    session: &Session,
    dimension: &str,
    weights: Option<&str>,
) -> AppResult<AgreementDetailDto> {
    let study = session.study()?;
    let mut ds = study.dataset()?;
    if !ds.retain_dimension(dimension) {
        return Err(AppError::new(
            "invalid",
            format!("No dimension named '{dimension}'."),
        ));
    }
    let run = agreement(&ds, &AgreementOptions::default());
    let d = &run.report.dimensions[0];
    let weights = parse_weights(weights, d.level)?;
    let label = label_of(&labels(study)?, &d.dimension);
    let pairs: Vec<PairDto> = d
        .pairs
        .iter()
        .map(|p| PairDto {
            a: p.a.clone(),
            b: p.b.clone(),
            units: p.units,
            kappa: match weights {
                "linear" => p.kappa_linear,
                "quadratic" => p.kappa_quadratic,
                _ => p.kappa,
            },
        })
        .collect();
    let names: Vec<String> = d.raters_detail.iter().map(|r| r.rater.clone()).collect();
    let heatmap_svg = if names.len() >= 2 && !pairs.is_empty() {
        let triples: Vec<(String, String, Option<f64>)> = pairs
            .iter()
            .map(|p| (p.a.clone(), p.b.clone(), p.kappa))
            .collect();
        Some(figures::kappa_heatmap(
            &format!("Cohen's kappa ({weights}), {label}"),
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
            .map(|r| r.kind.as_str())
            .unwrap_or("human")
            .to_owned()
    };
    let raters = d
        .raters_detail
        .iter()
        .map(|r| RaterDiagnosticsDto {
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
    Ok(AgreementDetailDto {
        dimension: d.dimension.clone(),
        label,
        level: d.level.as_str().to_owned(),
        weights: weights.to_owned(),
        pairs,
        heatmap_svg,
        raters,
        drift_measure: drift.map(|s| s.measure).unwrap_or_default(),
        drift_svg,
        distribution_svg,
    })
}

// ---- disagreements and adjudication ----

fn level_alpha(mut ds: Dataset, dimension: &str) -> Option<f64> {
    if !ds.retain_dimension(dimension) {
        return None;
    }
    let run = agreement(&ds, &AgreementOptions::default());
    let d = run.report.dimensions.first()?;
    alpha_at(&d.alpha, d.level)
}

fn dimension_of(study: &Study, dimension: &str) -> AppResult<model::Dimension> {
    study
        .codebook()?
        .and_then(|c| {
            c.dimensions
                .into_iter()
                .find(|d| d.name.eq_ignore_ascii_case(dimension))
        })
        .ok_or_else(|| AppError::new("invalid", format!("No dimension named '{dimension}'.")))
}

pub fn disagreements(session: &Session, dimension: &str) -> AppResult<DisagreementsDto> {
    let study = session.study()?;
    let dim = dimension_of(study, dimension)?;
    let list = study.disagreements(&dim.name)?;
    let profiles: Vec<DisagreementDto> = list
        .into_iter()
        .map(|d| DisagreementDto {
            profile_id: d.profile_id,
            person: d.person,
            context: d.context,
            values: d
                .values
                .into_iter()
                .map(|(rater, value)| RaterValueDto { rater, value })
                .collect(),
            disagreement: d.disagreement,
            spread: d.spread,
            adjudicated: d.adjudicated,
        })
        .collect();
    Ok(DisagreementsDto {
        label: dim.display_name().to_owned(),
        level: dim.level().as_str().to_owned(),
        scale: ScaleDto::from(&dim.scale),
        alpha_before: level_alpha(study.dataset()?, &dim.name),
        alpha_after: level_alpha(study.dataset_adjudicated()?, &dim.name),
        adjudicated: profiles.iter().filter(|p| p.adjudicated.is_some()).count(),
        profiles,
        dimension: dim.name,
    })
}

pub fn profile_ratings(session: &Session, profile_id: i64) -> AppResult<ProfileRatingsDto> {
    let study = session.study()?;
    let profile = ProfileDto::from(study.profile(profile_id)?);
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
            DimensionValuesDto {
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
    Ok(ProfileRatingsDto {
        profile,
        raters,
        dimensions,
    })
}

pub fn adjudicate(
    session: &mut Session,
    request: AdjudicateRequest,
) -> AppResult<DisagreementsDto> {
    let note = request
        .note
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    session
        .study_mut()?
        .adjudicate(request.profile_id, &request.dimension, request.value, note)?;
    disagreements(session, &request.dimension)
}

// ---- codebook editor ----

fn level_from(s: Option<&str>) -> AppResult<Option<Level>> {
    Ok(match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("nominal") => Some(Level::Nominal),
        Some("ordinal") => Some(Level::Ordinal),
        Some("interval") => Some(Level::Interval),
        Some("ratio") => Some(Level::Ratio),
        Some(other) => {
            return Err(AppError::new(
                "invalid",
                format!("Unknown level of measurement '{other}'."),
            ))
        }
    })
}

fn anchors_to(a: &[AnchorEditDto]) -> Vec<model::Anchor> {
    a.iter()
        .map(|x| model::Anchor {
            value: x.value,
            label: x.label.trim().to_owned(),
        })
        .collect()
}

fn anchors_from(a: &[model::Anchor]) -> Vec<AnchorEditDto> {
    a.iter()
        .map(|x| AnchorEditDto {
            value: x.value,
            label: x.label.clone(),
        })
        .collect()
}

fn edit_dto(study: &Study) -> AppResult<CodebookEditDto> {
    let counts = study.info()?.dimensions;
    let cb = study.codebook()?;
    let (name, guidelines, version, dims) = match cb {
        Some(c) => (c.name, c.guidelines, c.version, c.dimensions),
        None => (None, String::new(), 0, Vec::new()),
    };
    Ok(CodebookEditDto {
        name,
        guidelines,
        version,
        dimensions: dims
            .into_iter()
            .map(|d| DimensionEditDto {
                ratings: counts
                    .iter()
                    .find(|c| c.name == d.name)
                    .map(|c| c.ratings)
                    .unwrap_or(0),
                level: d.level.map(|l| l.as_str().to_owned()),
                scale: match d.scale {
                    model::Scale::Likert { min, max, anchors } => ScaleEditDto::Likert {
                        min,
                        max,
                        anchors: anchors_from(&anchors),
                    },
                    model::Scale::Continuous { min, max, step } => {
                        ScaleEditDto::Continuous { min, max, step }
                    }
                    model::Scale::Nominal { categories } => ScaleEditDto::Nominal {
                        categories: anchors_from(&categories),
                    },
                },
                name: d.name,
                label: d.label,
                definition: d.definition,
            })
            .collect(),
    })
}

pub fn codebook_for_edit(session: &Session) -> AppResult<CodebookEditDto> {
    edit_dto(session.study()?)
}

/// Saves through core's versioned `save_codebook`: validated as a whole (unique names, well
/// formed scales, existing ratings still on their scale) and refused whole on any problem.
pub fn save_codebook(session: &mut Session, edit: CodebookEditDto) -> AppResult<CodebookSavedDto> {
    let mut dimensions = Vec::with_capacity(edit.dimensions.len());
    for d in &edit.dimensions {
        dimensions.push(model::Dimension {
            name: d.name.trim().to_owned(),
            label: d
                .label
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned),
            definition: d.definition.clone(),
            scale: match &d.scale {
                ScaleEditDto::Likert { min, max, anchors } => model::Scale::Likert {
                    min: *min,
                    max: *max,
                    anchors: anchors_to(anchors),
                },
                ScaleEditDto::Continuous { min, max, step } => model::Scale::Continuous {
                    min: *min,
                    max: *max,
                    step: *step,
                },
                ScaleEditDto::Nominal { categories } => model::Scale::Nominal {
                    categories: anchors_to(categories),
                },
            },
            level: level_from(d.level.as_deref())?,
        });
    }
    let cb = model::Codebook {
        name: edit.name.clone(),
        guidelines: edit.guidelines.clone(),
        version: 0,
        dimensions,
    };
    let study = session.study_mut()?;
    let before = study.codebook()?.map(|c| c.version).unwrap_or(0);
    let report = study.save_codebook(&cb)?;
    let codebook = edit_dto(study)?;
    Ok(CodebookSavedDto {
        changed: codebook.version != before,
        codebook,
        added: report.added,
        updated: report.updated,
    })
}

/// Whether the chosen rater has ratings made under an older codebook than the current one.
pub fn codebook_changed(session: &Session) -> AppResult<bool> {
    match (&session.study, &session.rater) {
        (Some(study), Some(rater)) => Ok(study.codebook_changed_for(rater.id)?),
        _ => Ok(false),
    }
}

// ---- Tauri commands ----

#[tauri::command]
pub async fn review_agreement(state: State<'_, AppState>) -> AppResult<AgreementTableDto> {
    state.run(|s, _| agreement_table(s)).await
}

#[tauri::command]
pub async fn review_agreement_detail(
    state: State<'_, AppState>,
    dimension: String,
    weights: Option<String>,
) -> AppResult<AgreementDetailDto> {
    state
        .run(move |s, _| agreement_detail(s, &dimension, weights.as_deref()))
        .await
}

/// Resamples on a snapshot taken under the lock, then computes without holding it, so the
/// other views keep working during a long run.
#[tauri::command]
pub async fn review_agreement_intervals(
    state: State<'_, AppState>,
    resamples: usize,
    seed: Option<u64>,
) -> AppResult<AgreementIntervalsDto> {
    let ds = state.run(|s, _| Ok(s.study()?.dataset()?)).await?;
    tauri::async_runtime::spawn_blocking(move || intervals_of(&ds, resamples, seed.unwrap_or(1)))
        .await
        .map_err(|e| AppError::internal(format!("background task failed: {e}")))?
}

#[tauri::command]
pub async fn review_set_thresholds(
    state: State<'_, AppState>,
    thresholds: ThresholdsDto,
) -> AppResult<ThresholdsDto> {
    state.run(move |s, _| set_thresholds(s, thresholds)).await
}

#[tauri::command]
pub async fn review_disagreements(
    state: State<'_, AppState>,
    dimension: String,
) -> AppResult<DisagreementsDto> {
    state.run(move |s, _| disagreements(s, &dimension)).await
}

#[tauri::command]
pub async fn review_profile(
    state: State<'_, AppState>,
    profile_id: i64,
) -> AppResult<ProfileRatingsDto> {
    state.run(move |s, _| profile_ratings(s, profile_id)).await
}

#[tauri::command]
pub async fn review_adjudicate(
    state: State<'_, AppState>,
    request: AdjudicateRequest,
) -> AppResult<DisagreementsDto> {
    state.run(move |s, _| adjudicate(s, request)).await
}

#[tauri::command]
pub async fn review_codebook(state: State<'_, AppState>) -> AppResult<CodebookEditDto> {
    state.run(|s, _| codebook_for_edit(s)).await
}

#[tauri::command]
pub async fn review_save_codebook(
    state: State<'_, AppState>,
    codebook: CodebookEditDto,
) -> AppResult<CodebookSavedDto> {
    state.run(move |s, _| save_codebook(s, codebook)).await
}

#[tauri::command]
pub async fn review_codebook_changed(state: State<'_, AppState>) -> AppResult<bool> {
    state.run(|s, _| codebook_changed(s)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::{identity, start};
    use crate::dto::RaterKindDto;
    use crate::paths::AppPaths;

    fn demo(dir: &tempfile::TempDir) -> (Session, AppPaths) {
        let paths = AppPaths::under(dir.path().to_path_buf());
        let mut session = Session::default();
        start::open_demo(&mut session, &paths).expect("the demo study opens");
        (session, paths)
    }

    #[test]
    fn agreement_table_has_one_row_per_dimension_with_alpha_at_its_level() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = demo(&dir);
        let t = agreement_table(&s).unwrap();
        let study = s.study().unwrap();
        let report = agreement(&study.dataset().unwrap(), &AgreementOptions::default()).report;
        assert_eq!(t.rows.len(), 8);
        for (row, d) in t.rows.iter().zip(&report.dimensions) {
            assert_eq!(row.alpha, alpha_at(&d.alpha, d.level), "{}", row.dimension);
        }
        let nominal = t.rows.iter().find(|r| r.level == "nominal").unwrap();
        assert!(nominal.alpha.is_some() && nominal.icc.is_none());
        let open = t.rows.iter().find(|r| r.dimension == "openness").unwrap();
        assert!(open.raters >= 3 && open.percent_within_one.is_some());
        assert_eq!(t.thresholds.good, 0.80);
    }

    #[test]
    fn thresholds_are_kept_and_bad_ones_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = demo(&dir);
        set_thresholds(
            &mut s,
            ThresholdsDto {
                good: 0.7,
                tentative: 0.6,
            },
        )
        .unwrap();
        let err = set_thresholds(
            &mut s,
            ThresholdsDto {
                good: 0.5,
                tentative: 0.6,
            },
        )
        .unwrap_err();
        assert_eq!(err.code, "invalid");
        assert_eq!(agreement_table(&s).unwrap().thresholds.good, 0.7);
    }

    #[test]
    fn intervals_bracket_alpha() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = demo(&dir);
        let ds = s.study().unwrap().dataset().unwrap();
        let t = agreement_table(&s).unwrap();
        let ci = intervals_of(&ds, 50, 7).unwrap();
        let row = &t.rows[0];
        let [lo, hi] = ci.rows[0].ci.unwrap();
        let a = row.alpha.unwrap();
        assert!(lo <= a + 0.05 && a - 0.05 <= hi, "{lo} {a} {hi}");
        assert!(intervals_of(&ds, 1, 7).is_err(), "one resample is refused");
    }

    #[test]
    fn detail_has_heatmap_diagnostics_and_figures() {
        let dir = tempfile::tempdir().unwrap();
        let (s, _) = demo(&dir);
        let d = agreement_detail(&s, "openness", None).unwrap();
        assert_eq!(d.weights, "linear", "ordinal default");
        assert!(d.raters.len() >= 3);
        assert_eq!(d.pairs.len(), d.raters.len() * (d.raters.len() - 1) / 2);
        assert!(d.heatmap_svg.as_deref().unwrap().starts_with("<svg"));
        assert!(d.drift_svg.is_some() && d.distribution_svg.is_some());
        assert!(d.raters.iter().all(|r| r.drift.len() == DRIFT_BLOCKS));
        let q = agreement_detail(&s, "openness", Some("quadratic")).unwrap();
        assert_ne!(q.pairs[0].kappa, d.pairs[0].kappa);
        assert_eq!(
            agreement_detail(&s, "dominant_emotion", None)
                .unwrap()
                .weights,
            "unweighted"
        );
        assert!(agreement_detail(&s, "nope", None).is_err());
        assert!(agreement_detail(&s, "openness", Some("cubic")).is_err());
    }

    #[test]
    fn adjudication_adds_its_own_rating_and_keeps_the_raters() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, _) = demo(&dir);
        let before = disagreements(&s, "openness").unwrap();
        assert!(before
            .profiles
            .windows(2)
            .all(|w| w[0].disagreement >= w[1].disagreement));
        let top = before.profiles[0].clone();
        let after = adjudicate(
            &mut s,
            AdjudicateRequest {
                profile_id: top.profile_id,
                dimension: "openness".into(),
                value: 3.0,
                note: Some("  split the difference ".into()),
            },
        )
        .unwrap();
        assert_eq!(after.adjudicated, 1);
        let p = after
            .profiles
            .iter()
            .find(|p| p.profile_id == top.profile_id)
            .unwrap();
        assert_eq!(p.adjudicated, Some(3.0));
        assert_eq!(p.values.len(), top.values.len(), "raters' ratings stay");
        assert_eq!(after.alpha_before, before.alpha_before);
        assert_ne!(after.alpha_after, after.alpha_before);
        let view = profile_ratings(&s, top.profile_id).unwrap();
        let row = view
            .dimensions
            .iter()
            .find(|d| d.dimension == "openness")
            .unwrap();
        assert_eq!(row.adjudicated, Some(3.0));
        assert_eq!(row.note.as_deref(), Some("split the difference"));
        assert!(!view.raters.iter().any(|r| r == "adjudicated"));
        assert_eq!(row.values.len(), view.raters.len());
        let off = adjudicate(
            &mut s,
            AdjudicateRequest {
                profile_id: top.profile_id,
                dimension: "openness".into(),
                value: 42.0,
                note: None,
            },
        );
        assert_eq!(off.unwrap_err().code, "invalid");
    }

    #[test]
    fn codebook_edits_are_versioned_and_bad_ones_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let (mut s, paths) = demo(&dir);
        identity::choose(&mut s, &paths, "ana", RaterKindDto::Human).unwrap();
        assert!(!codebook_changed(&s).unwrap());
        let cb = codebook_for_edit(&s).unwrap();
        assert!(cb.dimensions[0].ratings > 0);

        let mut dup = cb.clone();
        dup.dimensions[1].name = dup.dimensions[0].name.to_uppercase();
        let err = save_codebook(&mut s, dup).unwrap_err();
        assert_eq!(err.code, "bad_input");
        assert!(err.rows.iter().any(|r| r.message.contains("twice")));

        let mut shrink = cb.clone();
        shrink.dimensions[0].scale = ScaleEditDto::Likert {
            min: 1,
            max: 2,
            anchors: vec![],
        };
        let err = save_codebook(&mut s, shrink).unwrap_err();
        assert!(
            err.message.contains("fall off")
                || err.rows.iter().any(|r| r.message.contains("fall off"))
        );

        let mut empty_range = cb.clone();
        empty_range.dimensions[1].scale = ScaleEditDto::Likert {
            min: 3,
            max: 3,
            anchors: vec![],
        };
        assert!(save_codebook(&mut s, empty_range).is_err());
        assert_eq!(
            codebook_for_edit(&s).unwrap().version,
            cb.version,
            "nothing changed"
        );
        assert!(!codebook_changed(&s).unwrap());

        let mut good = cb.clone();
        good.guidelines.push_str("\n\n## New\nRead *everything*.");
        good.dimensions[0].definition = "Curious, imaginative.".into();
        let saved = save_codebook(&mut s, good).unwrap();
        assert!(saved.changed && saved.updated == 1);
        assert_eq!(saved.codebook.version, cb.version + 1);
        assert!(saved.codebook.guidelines.ends_with("Read *everything*."));
        // "ana" rated under the old version: the rating screen says the codebook changed.
        assert!(codebook_changed(&s).unwrap());
    }
}
