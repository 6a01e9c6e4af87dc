//! Models tab (issue #14) over `chameleon_core::app::models`: test a connection, preview the
//! exact prompt, run a model with progress and cancel, past runs and failures, the analyses.
//!
//! Every request to a model server goes from Rust, only when the PI presses Test connection
//! or Run; the webview keeps its strict CSP. A run works on a connection of its own to the
//! study file (core's `start_run_at`), so the session lock is not held while the model
//! answers; one run at a time, its cancel flag kept in [`ModelRunState`].

use crate::error::{AppError, AppResult, ErrorCode};
use crate::state::{blocking, AppState};
use chameleon_core::app::models as md;
use chameleon_core::app::models::{
    ConnectionCheck, PromptPreview, RunPlan as ModelRunPlan, RunRequest as ModelRunRequest,
    RunsView as ModelRunsView,
};
use chameleon_core::models::analysis::ModelsReport;
use chameleon_core::models::run::{Progress as ModelRunProgress, RunReport as ModelRunReport};
use chameleon_core::models::ModelError;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::State;

/// Least time between two progress messages (the last one always goes).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// The running model run's cancel flag (managed by Tauri next to [`AppState`]).
#[derive(Default)]
pub struct ModelRunState {
    running: Mutex<Option<Arc<AtomicBool>>>,
}

impl ModelRunState {
    fn begin(&self) -> AppResult<Arc<AtomicBool>> {
        let mut running = self.running.lock().map_err(poisoned)?;
        if running.is_some() {
            return Err(AppError::new(
                ErrorCode::AlreadyRunning,
                "A model run is already running; cancel it or wait for it to finish.",
            ));
        }
        let flag = Arc::new(AtomicBool::new(false));
        *running = Some(Arc::clone(&flag));
        Ok(flag)
    }

    fn end(&self) {
        if let Ok(mut running) = self.running.lock() {
            *running = None;
        }
    }

    /// Asks the running run to stop after its requests in flight; whether one was running.
    pub fn cancel(&self) -> AppResult<bool> {
        let running = self.running.lock().map_err(poisoned)?;
        if let Some(flag) = running.as_ref() {
            flag.store(true, Ordering::SeqCst);
        }
        Ok(running.is_some())
    }
}

fn poisoned<T>(_: T) -> AppError {
    AppError::internal("an earlier model run failed while holding its state")
}

/// Core's model error as the one IPC error shape; a problem with the server (down, refusing
/// the key) is `io`, a form the PI can fix is `invalid`.
pub fn model_error(e: ModelError) -> AppError {
    match e {
        ModelError::Core(c) => c.into(),
        other if other.is_bad_input() => AppError::new(ErrorCode::Invalid, other.to_string()),
        other => AppError::new(ErrorCode::Io, other.to_string()),
    }
}

/// Runs the request against the study file at `path`, sending throttled progress to `send`:
/// what the command does, callable from tests without a window.
pub fn run_job(
    runs: &ModelRunState,
    path: &std::path::Path,
    request: &ModelRunRequest,
    send: &dyn Fn(&ModelRunProgress),
) -> AppResult<ModelRunReport> {
    let cancel = runs.begin()?;
    let mut last: Option<Instant> = None;
    let mut progress = |p: &ModelRunProgress| {
        let due = p.done >= p.total || last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY);
        if due {
            last = Some(Instant::now());
            send(p);
        }
    };
    let report = md::start_run_at(path, request, &cancel, &mut progress);
    runs.end();
    report.map_err(model_error)
}

#[tauri::command]
pub async fn models_test_connection(
    endpoint: String,
    model: String,
    api_key_env: Option<String>,
) -> AppResult<ConnectionCheck> {
    blocking(move || {
        md::test_connection(&endpoint, &model, api_key_env.as_deref()).map_err(model_error)
    })
    .await
}

#[tauri::command]
pub async fn models_preview(
    state: State<'_, AppState>,
    request: ModelRunRequest,
    index: u32,
) -> AppResult<PromptPreview> {
    state
        .run(move |s, _| {
            md::preview_prompt(s.study()?, &request, index as usize).map_err(model_error)
        })
        .await
}

#[tauri::command]
pub async fn models_plan(
    state: State<'_, AppState>,
    request: ModelRunRequest,
) -> AppResult<ModelRunPlan> {
    state
        .run(move |s, _| md::plan_run(s.study()?, &request).map_err(model_error))
        .await
}

/// Runs the model; progress goes to `on_progress`. A cancelled run answers with
/// `cancelled: true` and keeps every answer committed so far.
#[tauri::command]
pub async fn models_run(
    state: State<'_, AppState>,
    runs: State<'_, Arc<ModelRunState>>,
    request: ModelRunRequest,
    on_progress: Channel<ModelRunProgress>,
) -> AppResult<ModelRunReport> {
    let path: PathBuf = state.run(|s, _| Ok(s.study()?.path().to_owned())).await?;
    let runs = Arc::clone(&runs);
    let report = blocking(move || {
        run_job(&runs, &path, &request, &|p| {
            if let Err(e) = on_progress.send(*p) {
                tracing::debug!(error = %e, "model run progress not delivered");
            }
        })
    })
    .await?;
    Ok(report)
}

#[tauri::command]
pub async fn models_cancel(runs: State<'_, Arc<ModelRunState>>) -> AppResult<bool> {
    runs.cancel()
}

#[tauri::command]
pub async fn models_runs(state: State<'_, AppState>) -> AppResult<ModelRunsView> {
    state
        .run(|s, _| md::runs(s.study()?, None).map_err(model_error))
        .await
}

/// The analyses of the study's model raters (run or imported); `resamples` 0 gives no
/// intervals.
#[tauri::command]
pub async fn models_report(
    state: State<'_, AppState>,
    resamples: u32,
    seed: u32,
    blind_ratio: f64,
) -> AppResult<ModelsReport> {
    let path: PathBuf = state.run(|s, _| Ok(s.study()?.path().to_owned())).await?;
    // A connection of its own: the bootstrap does not hold the session.
    blocking(move || {
        let study = chameleon_core::store::Study::open_read_only(&path)?;
        md::report(
            &study,
            resamples as usize,
            u64::from(seed),
            blind_ratio,
            None,
        )
        .map_err(model_error)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_run_at_a_time_and_cancel_reaches_it() {
        let runs = ModelRunState::default();
        assert!(!runs.cancel().unwrap());
        let flag = runs.begin().unwrap();
        assert_eq!(runs.begin().unwrap_err().code, ErrorCode::AlreadyRunning);
        assert!(runs.cancel().unwrap());
        assert!(flag.load(Ordering::SeqCst));
        runs.end();
        assert!(runs.begin().is_ok());
    }

    #[test]
    fn a_bad_form_is_invalid_and_frees_the_run_slot() {
        let dir = tempfile::tempdir().unwrap();
        let runs = ModelRunState::default();
        let req = ModelRunRequest {
            model: String::new(),
            ..Default::default()
        };
        let e = run_job(&runs, &dir.path().join("none.db"), &req, &|_| {}).unwrap_err();
        assert_eq!(e.code, ErrorCode::Invalid, "{}", e.message);
        assert!(runs.begin().is_ok());
    }
}
