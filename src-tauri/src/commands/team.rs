//! Team view over `chameleon_core::app::team`: assignment design and table, annotator
//! packages (export, merge back), the audit trail. Core enforces that a package is never
//! designed in, exported from or merged into.

use crate::error::AppResult;
use crate::state::AppState;
use chameleon_core::app::team::{
    self, AuditTrail, DesignRequest, Existing, ExportedPackage, Imported, MergeOutcome,
    PackageSummary, RatingsShape, TeamOverview,
};
use chameleon_core::assign::AssignmentRow;
use chameleon_core::model::RaterKind;
use std::path::{Path, PathBuf};
use tauri::State;

#[tauri::command]
pub async fn team_overview(state: State<'_, AppState>) -> AppResult<TeamOverview> {
    state.run(|s, _| Ok(team::overview(s.study()?)?)).await
}

#[tauri::command]
pub async fn package_info(state: State<'_, AppState>) -> AppResult<Option<PackageSummary>> {
    state
        .run(|s, _| Ok(team::package_summary(s.study()?)?))
        .await
}

#[tauri::command]
pub async fn assignment_table(state: State<'_, AppState>) -> AppResult<Vec<AssignmentRow>> {
    state.run(|s, _| Ok(s.study()?.assignment_table()?)).await
}

#[tauri::command]
pub async fn design_assignments(
    state: State<'_, AppState>,
    request: DesignRequest,
) -> AppResult<Vec<AssignmentRow>> {
    state
        .run(move |s, _| Ok(team::design(s.study_mut()?, &request)?))
        .await
}

/// The save dialog already asked before replacing a file, so an existing one is replaced.
#[tauri::command]
pub async fn export_package(
    state: State<'_, AppState>,
    rater: String,
    path: String,
) -> AppResult<ExportedPackage> {
    state
        .run(move |s, _| {
            let study = s.study_mut()?;
            Ok(team::export_package(
                study,
                &rater,
                Path::new(&path),
                Existing::Replace,
            )?)
        })
        .await
}

#[tauri::command]
pub async fn merge_packages(
    state: State<'_, AppState>,
    paths: Vec<String>,
) -> AppResult<MergeOutcome> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    state
        .run(move |s, _| Ok(team::merge_packages(s.study_mut()?, &paths)?))
        .await
}

#[tauri::command]
pub async fn audit_trail(
    state: State<'_, AppState>,
    kind: Option<String>,
) -> AppResult<AuditTrail> {
    state
        .run(move |s, _| Ok(team::audit_trail(s.study()?, kind.as_deref())?))
        .await
}

#[tauri::command]
pub async fn export_audit_csv(
    state: State<'_, AppState>,
    path: String,
    kind: Option<String>,
) -> AppResult<i64> {
    state
        .run(move |s, _| {
            let n = team::export_audit(s.study()?, Path::new(&path), kind.as_deref())?;
            Ok(n as i64)
        })
        .await
}

/// Imports a ratings file (the path from the file dialog): all or nothing, a bad file answers
/// `bad_input` with every bad row by line and column, as the CLI prints them.
#[tauri::command]
pub async fn import_ratings_file(
    state: State<'_, AppState>,
    path: String,
    shape: RatingsShape,
    model: bool,
) -> AppResult<Imported> {
    let kind = if model {
        RaterKind::Model
    } else {
        RaterKind::Human
    };
    state
        .run(move |s, _| {
            Ok(team::import_ratings(
                s.study_mut()?,
                Path::new(&path),
                shape,
                kind,
            )?)
        })
        .await
}

/// Adds the profiles of a file (CSV or JSONL), all or nothing.
#[tauri::command]
pub async fn add_profiles_file(state: State<'_, AppState>, path: String) -> AppResult<Imported> {
    state
        .run(move |s, _| Ok(team::add_profiles(s.study_mut()?, Path::new(&path))?))
        .await
}

/// Writes the raw ratings (long or wide CSV); the rows written.
#[tauri::command]
pub async fn export_ratings_file(
    state: State<'_, AppState>,
    path: String,
    shape: RatingsShape,
) -> AppResult<i64> {
    state
        .run(move |s, _| Ok(team::export_ratings(s.study()?, Path::new(&path), shape)? as i64))
        .await
}
