//! State–trait analysis view (issue #6): run the decomposition (and the report's agreement
//! part) on a snapshot of the open study, off the UI thread, with progress and cancel; cache
//! the results by the data's content hash and the options; export the report, tables and
//! figures.
//!
//! The session lock is held only while the dataset is copied out of the study; the
//! computation runs on a blocking thread without it, so every other command keeps answering.
//! Each run has its own cancel flag in [`AnalysisState`]. The latest result of a study is also
//! written to `<data dir>/analysis/<hash of the study path>.json`, so reopening the study shows
//! it again (marked stale when the ratings changed since).

use crate::error::{AppError, AppResult, ErrorCode};
use crate::paths::AppPaths;
use crate::state::{blocking, AppState, Session};
use chameleon_core::analysis::Control;
use chameleon_core::app::analysis::{
    self as an, AnalysisRequest, AnalysisResult, ExportRequest, Snapshot, StoredAnalysis,
};
use chameleon_core::app::formula;
use chameleon_core::export::write_atomically;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// Results kept in memory (all studies); the oldest goes first.
const MEMORY_CACHE: usize = 16;
/// Least time between two progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisProgressDto {
    pub run_id: u32,
    pub done: u64,
    pub total: u64,
}

/// What the view shows on opening: the last result for this study, and whether the study's
/// data changed since.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisStateDto {
    pub result: Option<AnalysisResult>,
    /// Hash of the study's data now (with the result's adjudicated setting).
    pub current_hash: String,
    /// The result was computed from other data ("ratings changed since").
    pub stale: bool,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Done,
    Cancelled,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcomeDto {
    pub status: RunStatus,
    pub result: Option<AnalysisResult>,
    /// The result came from the cache (same data, same options).
    pub cached: bool,
}

/// Running jobs and cached results (managed by Tauri next to [`AppState`]).
#[derive(Default)]
pub struct AnalysisState {
    runs: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    cache: Mutex<Vec<Arc<StoredAnalysis>>>,
}

impl AnalysisState {
    fn register(&self, run_id: u32) -> AppResult<Arc<AtomicBool>> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut runs = self.runs.lock().map_err(poisoned)?;
        if runs.contains_key(&run_id) {
            return Err(AppError::new(
                ErrorCode::AlreadyRunning,
                format!("analysis run {run_id} is already running"),
            ));
        }
        runs.insert(run_id, Arc::clone(&flag));
        Ok(flag)
    }

    fn finish(&self, run_id: u32) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(&run_id);
        }
    }

    /// Asks run `run_id` (or every run, when `None`) to stop; the number of runs asked.
    pub fn cancel(&self, run_id: Option<u32>) -> AppResult<usize> {
        let runs = self.runs.lock().map_err(poisoned)?;
        let mut n = 0;
        for (id, flag) in runs.iter() {
            if run_id.is_none_or(|r| r == *id) {
                flag.store(true, Ordering::Relaxed);
                n += 1;
            }
        }
        Ok(n)
    }

    fn cached(&self, key: &str) -> Option<Arc<StoredAnalysis>> {
        let cache = self.cache.lock().ok()?;
        cache.iter().find(|s| s.result.key == key).cloned()
    }

    /// The most recent result of the study at `study_path`.
    fn latest_of(&self, study_path: &str) -> Option<Arc<StoredAnalysis>> {
        let cache = self.cache.lock().ok()?;
        cache
            .iter()
            .rev()
            .find(|s| s.study_path == study_path)
            .cloned()
    }

    /// Keeps `s` as the most recent result (of its study).
    fn remember(&self, s: Arc<StoredAnalysis>) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.retain(|c| c.result.key != s.result.key);
            cache.push(s);
            let excess = cache.len().saturating_sub(MEMORY_CACHE);
            cache.drain(..excess);
        }
    }
}

fn poisoned<T>(_: T) -> AppError {
    AppError::internal("an earlier analysis failed while holding its state")
}

/// Copies the analysed data out of the open study (core's snapshot).
pub fn snapshot(session: &Session, req: &AnalysisRequest) -> AppResult<Snapshot> {
    Ok(an::snapshot(session.study()?, req)?)
}

/// Where the latest result of a study is kept on disk.
pub fn stored_file(paths: &AppPaths, study_path: &str) -> PathBuf {
    let h = blake3::hash(study_path.as_bytes()).to_hex();
    paths
        .data_dir
        .join("analysis")
        .join(format!("{}.json", &h[..24]))
}

pub fn save_stored(paths: &AppPaths, s: &StoredAnalysis) -> AppResult<()> {
    let file = stored_file(paths, &s.study_path);
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| AppError::new(ErrorCode::Io, format!("{}: {e}", dir.display())))?;
    }
    let json = serde_json::to_vec(s).map_err(|e| AppError::internal(e.to_string()))?;
    write_atomically(&file, |w| {
        w.write_all(&json)
            .map_err(|source| chameleon_core::CoreError::Io {
                path: file.clone(),
                source,
            })
    })?;
    Ok(())
}

/// The stored result of the study, if any and readable (a damaged file is ignored: the PI
/// just runs the analysis again).
pub fn load_stored(paths: &AppPaths, study_path: &str) -> Option<StoredAnalysis> {
    let bytes = std::fs::read(stored_file(paths, study_path)).ok()?;
    match serde_json::from_slice::<StoredAnalysis>(&bytes) {
        Ok(s) if s.study_path == study_path => Some(s),
        Ok(_) => None,
        Err(e) => {
            tracing::warn!(error = %e, "ignoring an unreadable stored analysis");
            None
        }
    }
}

/// A progress callback that sends at most one message per [`PROGRESS_EVERY`] (and always the
/// last one) to `send`, and never a count below one already sent: worker threads report in
/// whatever order they finish, and a bar must not step back.
pub fn throttled(
    run_id: u32,
    send: impl Fn(AnalysisProgressDto) + Sync,
) -> impl Fn(u64, u64) + Sync {
    let last = Mutex::new((None::<Instant>, 0u64));
    move |done, total| {
        let now = Instant::now();
        // Sending under the lock keeps the messages in the order they were decided.
        let Ok(mut last) = last.lock() else { return };
        let (sent_at, sent) = *last;
        let due = done > sent
            && (done >= total || sent_at.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY));
        if due {
            *last = (Some(now), done);
            send(AnalysisProgressDto {
                run_id,
                done,
                total,
            });
        }
    }
}

/// Runs the whole job: snapshot under the lock, then compute without it (cache hit: no
/// computation), remember and persist the result. Generic over how the session is reached so
/// tests and the bench call exactly what the command does.
pub fn run_job(
    state: &AnalysisState,
    paths: &AppPaths,
    snap: Snapshot,
    opts: &AnalysisRequest,
    run_id: u32,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> AppResult<RunOutcomeDto> {
    // Refused before any work (and before a cache hit could hide a bad request).
    opts.checked()?;
    let key = opts.cache_key(&snap.dataset.content_hash());
    if let Some(hit) = state.cached(&key) {
        state.remember(Arc::clone(&hit));
        if let Err(e) = save_stored(paths, &hit) {
            tracing::warn!(error = %e.message, "could not store the analysis result");
        }
        return Ok(RunOutcomeDto {
            status: RunStatus::Done,
            result: Some(hit.result.clone()),
            cached: true,
        });
    }
    let cancel = state.register(run_id)?;
    let control = Control {
        progress,
        cancel: &cancel,
    };
    let outcome = an::compute(&snap, opts, &control, chrono::Utc::now());
    state.finish(run_id);
    let Some(stored) = outcome? else {
        tracing::info!(run_id, "analysis cancelled");
        return Ok(RunOutcomeDto {
            status: RunStatus::Cancelled,
            result: None,
            cached: false,
        });
    };
    tracing::info!(run_id, seconds = stored.result.seconds, "analysis done");
    let stored = Arc::new(stored);
    state.remember(Arc::clone(&stored));
    if let Err(e) = save_stored(paths, &stored) {
        tracing::warn!(error = %e.message, "could not store the analysis result");
    }
    Ok(RunOutcomeDto {
        status: RunStatus::Done,
        result: Some(stored.result.clone()),
        cached: false,
    })
}

/// The latest result of the open study (memory, else disk) and whether it is stale.
pub fn view_state(
    state: &AnalysisState,
    session: &Session,
    paths: &AppPaths,
) -> AppResult<AnalysisStateDto> {
    let study = session.study()?;
    let study_path = study.path().display().to_string();
    let stored = match state.latest_of(&study_path) {
        Some(s) => Some(s),
        None => load_stored(paths, &study_path).map(|s| {
            let s = Arc::new(s);
            state.remember(Arc::clone(&s));
            s
        }),
    };
    let Some(stored) = stored else {
        return Ok(AnalysisStateDto {
            result: None,
            current_hash: an::current_hash(
                study,
                &AnalysisRequest {
                    dimensions: Vec::new(),
                    method: an::Method::Reml,
                    bootstrap: 0,
                    seed: 1,
                    adjudicated: false,
                    model: None,
                    profile_ci: false,
                    raters: None,
                },
            )?,
            stale: false,
        });
    };
    let now = an::current_hash(study, &stored.result.options)?;
    Ok(AnalysisStateDto {
        stale: now != stored.result.data_hash,
        current_hash: now,
        result: Some(stored.result.clone()),
    })
}

fn stored_by_key(state: &AnalysisState, key: &str) -> AppResult<Arc<StoredAnalysis>> {
    state.cached(key).ok_or_else(|| {
        AppError::new(
            ErrorCode::NotFound,
            "That analysis result is no longer available; run the analysis again.",
        )
    })
}

#[tauri::command]
pub async fn analysis_state(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisState>>,
) -> AppResult<AnalysisStateDto> {
    let analysis = Arc::clone(&analysis);
    state
        .run(move |session, paths| view_state(&analysis, session, paths))
        .await
}

/// Runs the analysis; progress goes to `on_progress`. Cancelled runs answer
/// `{status: "cancelled"}` and leave the previous result in place.
#[tauri::command]
pub async fn run_analysis(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisState>>,
    options: AnalysisRequest,
    run_id: u32,
    on_progress: Channel<AnalysisProgressDto>,
) -> AppResult<RunOutcomeDto> {
    let opts = options.clone();
    // Only the copy of the data holds the session lock.
    let snap = state
        .run(move |session, _| snapshot(session, &opts))
        .await?;
    let analysis = Arc::clone(&analysis);
    let paths = state.paths.clone();
    blocking(move || {
        let progress = throttled(run_id, move |p| {
            if let Err(e) = on_progress.send(p) {
                tracing::debug!(error = %e, "progress message not delivered");
            }
        });
        run_job(&analysis, &paths, snap, &options, run_id, &progress)
    })
    .await
}

#[tauri::command]
pub async fn cancel_analysis(
    analysis: State<'_, Arc<AnalysisState>>,
    run_id: Option<u32>,
) -> AppResult<u32> {
    Ok(analysis.cancel(run_id)? as u32)
}

/// Writes what `request` asks for from the result `key`, only while that result matches the
/// study's data (core's `ensure_current`): after new ratings it refuses, with the reason.
pub fn export_job(
    state: &AnalysisState,
    session: &Session,
    key: &str,
    request: &ExportRequest,
) -> AppResult<Vec<String>> {
    let stored = stored_by_key(state, key)?;
    an::ensure_current(session.study()?, &stored)?;
    Ok(an::export(&stored, request)?)
}

#[tauri::command]
pub async fn export_analysis(
    state: State<'_, AppState>,
    analysis: State<'_, Arc<AnalysisState>>,
    key: String,
    request: ExportRequest,
) -> AppResult<Vec<String>> {
    let analysis = Arc::clone(&analysis);
    // The check and the writing under the lock: no rating lands between them.
    state
        .run(move |session, _| export_job(&analysis, session, &key, &request))
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
