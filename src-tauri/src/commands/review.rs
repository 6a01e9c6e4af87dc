//! The PI's review views over `chameleon_core::app::review`. The views' data are copied out of
//! the study under the session lock, then computed without it (the agreement table through
//! core's `AgreementCache`, keyed by the content hash of what it was computed from).

use crate::error::AppResult;
use crate::state::{blocking, AppState};
use chameleon_core::analysis::reliability::ScaleReport;
use chameleon_core::app::analysis::{AnalysisOptions, Method, RaterRequest};
use chameleon_core::app::codebook_diff::CodebookChange;
use chameleon_core::app::gold::{self, GoldRequest, GoldView};
use chameleon_core::app::review::{
    self as rv, Adjudication, AgreementCache, AgreementDetail, AgreementIntervals, AgreementTable,
    CodebookEdit, CodebookSaved, Disagreements, DisagreementsInput, ProfileRatings, ReviewInput,
    Weights,
};
use chameleon_core::review::Thresholds;
use std::sync::Arc;
use tauri::State;

async fn input(state: &AppState) -> AppResult<ReviewInput> {
    state.run(|s, _| Ok(ReviewInput::of(s.study()?)?)).await
}

#[tauri::command]
pub async fn review_agreement(
    state: State<'_, AppState>,
    cache: State<'_, Arc<AgreementCache>>,
    raters: Option<RaterRequest>,
) -> AppResult<AgreementTable> {
    let input = input(&state).await?;
    let cache = Arc::clone(&cache);
    blocking(move || Ok(cache.table(&input, &raters.unwrap_or_default())?)).await
}

/// The reliability of the codebook's questionnaire scales: α with its interval, ω, item–rest.
#[tauri::command]
pub async fn review_scale_reliability(state: State<'_, AppState>) -> AppResult<Vec<ScaleReport>> {
    let (ds, scales) = state
        .run(|s, _| {
            let study = s.study()?;
            let scales = study.codebook()?.map(|c| c.scales).unwrap_or_default();
            Ok((study.dataset()?, scales))
        })
        .await?;
    blocking(move || Ok(rv::scale_reliability(&ds, &scales)?)).await
}

#[tauri::command]
pub async fn review_agreement_detail(
    state: State<'_, AppState>,
    dimension: String,
    weights: Option<Weights>,
    raters: Option<RaterRequest>,
) -> AppResult<AgreementDetail> {
    let input = input(&state).await?;
    let raters = raters.unwrap_or_default();
    blocking(move || Ok(rv::agreement_detail(&input, &dimension, weights, &raters)?)).await
}

#[tauri::command]
pub async fn review_agreement_intervals(
    state: State<'_, AppState>,
    resamples: usize,
    seed: Option<u64>,
    raters: Option<RaterRequest>,
) -> AppResult<AgreementIntervals> {
    let opts = AnalysisOptions::new(resamples, seed.unwrap_or(1), Method::Reml)?;
    let ds = state.run(|s, _| Ok(s.study()?.dataset()?)).await?;
    let raters = raters.unwrap_or_default();
    blocking(move || Ok(rv::agreement_intervals(&ds, &opts, &raters)?)).await
}

#[tauri::command]
pub async fn review_set_thresholds(
    state: State<'_, AppState>,
    thresholds: Thresholds,
) -> AppResult<Thresholds> {
    state
        .run(move |s, _| Ok(rv::set_thresholds(s.study_mut()?, thresholds)?))
        .await
}

#[tauri::command]
pub async fn review_disagreements(
    state: State<'_, AppState>,
    dimension: String,
) -> AppResult<Disagreements> {
    let input = state
        .run(move |s, _| Ok(DisagreementsInput::of(s.study()?, &dimension)?))
        .await?;
    blocking(move || Ok(rv::disagreements_of(input))).await
}

#[tauri::command]
pub async fn review_profile(
    state: State<'_, AppState>,
    profile_id: i64,
) -> AppResult<ProfileRatings> {
    state
        .run(move |s, _| Ok(rv::profile_ratings(s.study()?, profile_id)?))
        .await
}

#[tauri::command]
pub async fn review_adjudicate(
    state: State<'_, AppState>,
    request: Adjudication,
) -> AppResult<Disagreements> {
    let input = state
        .run(move |s, _| {
            let study = s.study_mut()?;
            rv::adjudicate(study, &request)?;
            Ok(DisagreementsInput::of(study, &request.dimension)?)
        })
        .await?;
    blocking(move || Ok(rv::disagreements_of(input))).await
}

#[tauri::command]
pub async fn review_codebook(state: State<'_, AppState>) -> AppResult<CodebookEdit> {
    state
        .run(|s, _| Ok(rv::codebook_for_edit(s.study()?)?))
        .await
}

#[tauri::command]
pub async fn review_save_codebook(
    state: State<'_, AppState>,
    codebook: CodebookEdit,
) -> AppResult<CodebookSaved> {
    state
        .run(move |s, _| Ok(rv::save_codebook(s.study_mut()?, &codebook)?))
        .await
}

/// The gold section: every known value, and the profiles and dimensions one can mark.
#[tauri::command]
pub async fn review_gold(state: State<'_, AppState>) -> AppResult<GoldView> {
    state.run(|s, _| Ok(gold::gold_view(s.study()?)?)).await
}

/// Marks a profile's value on a dimension as known (gold, or an attention check); audited as
/// the PI's action.
#[tauri::command]
pub async fn review_set_gold(
    state: State<'_, AppState>,
    request: GoldRequest,
) -> AppResult<GoldView> {
    state
        .run(move |s, _| Ok(gold::set_gold(s.study_mut()?, &request)?))
        .await
}

/// Removes a profile's known values (of one dimension, or all); audited.
#[tauri::command]
pub async fn review_clear_gold(
    state: State<'_, AppState>,
    profile_id: i64,
    dimension: Option<String>,
) -> AppResult<GoldView> {
    state
        .run(move |s, _| {
            Ok(gold::clear_gold(
                s.study_mut()?,
                profile_id,
                dimension.as_deref(),
            )?)
        })
        .await
}

/// What saving `codebook` would change, for the PI to confirm (nothing is saved).
#[tauri::command]
pub async fn review_codebook_diff(
    state: State<'_, AppState>,
    codebook: CodebookEdit,
) -> AppResult<Vec<CodebookChange>> {
    state
        .run(move |s, _| Ok(rv::codebook_diff(s.study()?, &codebook)?))
        .await
}

/// Whether the chosen rater has ratings made under an older codebook than the current one.
#[tauri::command]
pub async fn review_codebook_changed(state: State<'_, AppState>) -> AppResult<bool> {
    state
        .run(|s, _| match (&s.study, &s.rater) {
            (Some(study), Some(rater)) => Ok(study.codebook_changed_for(rater.id)?),
            _ => Ok(false),
        })
        .await
}
