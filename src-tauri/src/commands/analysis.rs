//! State–trait analysis view (issue #6): adapts core's job runner
//! ([`chameleon_core::app::analysis::jobs`]) to Tauri. The session lock is held only while
//! the dataset is copied out of the study (and while an export checks and writes); the
//! computation runs on a blocking thread without it, so every other command keeps answering.
//! Progress goes to the UI over a channel.

use crate::error::AppResult;
use crate::state::{blocking, AppState};
use chameleon_core::app::analysis::jobs::{
    throttled, AnalysisJobs, AnalysisProgress, LatestAnalysis, RunOutcome,
};
use chameleon_core::app::analysis::{snapshot, AnalysisRequest, ExportRequest};
use chameleon_core::app::formula;
use std::sync::Arc;
use tauri::ipc::Channel;
use tauri::State;

#[tauri::command]
pub async fn analysis_state(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisJobs>>,
) -> AppResult<LatestAnalysis> {
    let analysis = Arc::clone(&analysis);
    state
        .run(move |session, _| Ok(analysis.latest(session.study()?)?))
        .await
}

/// Runs the analysis; progress goes to `on_progress`. Cancelled runs answer
/// `{status: "cancelled"}` and leave the previous result in place.
#[tauri::command]
pub async fn run_analysis(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisJobs>>,
    options: AnalysisRequest,
    run_id: u32,
    on_progress: Channel<AnalysisProgress>,
) -> AppResult<RunOutcome> {
    let opts = options.clone();
    // Only the copy of the data holds the session lock.
    let snap = state
        .run(move |session, _| Ok(snapshot(session.study()?, &opts)?))
        .await?;
    let analysis = Arc::clone(&analysis);
    blocking(move || {
        let progress = throttled(run_id, move |p| {
            if let Err(e) = on_progress.send(p) {
                tracing::debug!(error = %e, "progress message not delivered");
            }
        });
        Ok(analysis.run(snap, &options, run_id, &progress)?)
    })
    .await
}

#[tauri::command]
pub async fn cancel_analysis(
    analysis: State<'_, Arc<AnalysisJobs>>,
    run_id: Option<u32>,
) -> AppResult<u32> {
    Ok(analysis.cancel(run_id)? as u32)
}

/// Writes what `request` asks for from the result `key` while it matches the study's data.
#[tauri::command]
pub async fn export_analysis(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisJobs>>,
    key: String,
    request: ExportRequest,
) -> AppResult<Vec<String>> {
    let analysis = Arc::clone(&analysis);
    // The check and the writing under the lock: no rating lands between them.
    state
        .run(move |session, _| Ok(analysis.export(session.study()?, &key, &request)?))
        .await
}

/// The formula field's check against the open study's data, as it is typed (core's, the
/// same as a run's): the normalised formula and its terms, or why it cannot be fitted.
#[tauri::command]
pub async fn check_formula(
    state: State<'_, AppState>,
    formula: String,
) -> AppResult<formula::FormulaCheck> {
    let ds = state.run(|s, _| Ok(s.study()?.dataset()?)).await?;
    blocking(move || Ok(formula::check(&ds, &formula))).await
}

#[cfg(test)]
mod tests;
