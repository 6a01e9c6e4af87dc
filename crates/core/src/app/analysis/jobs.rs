//! The analysis view's job runner (issue #6, moved out of the shell by #13): a run computes
//! on a [`Snapshot`] without any study lock, with progress and its own cancel flag; results
//! are cached by the data's content hash and the options, and the latest result of a study
//! is kept on disk (`<dir>/<hash of the study path>.json`), so reopening the study shows it
//! again, marked stale when the ratings changed since. Exports only write a result that still
//! matches the study's data.
//!
//! A face holds one [`AnalysisJobs`] for its lifetime and adapts it: the app sends progress
//! over a channel and maps errors; everything that decides lives here.

use super::{
    compute, current_hash, ensure_current, export, AnalysisRequest, AnalysisResult, ExportRequest,
    Snapshot, StoredAnalysis,
};
use crate::analysis::Control;
use crate::error::{CoreError, Result};
use crate::export::write_atomically;
use crate::store::Study;
use serde::Serialize;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Results kept in memory (all studies); the oldest goes first.
const MEMORY_CACHE: usize = 16;
/// Least time between two progress messages.
pub const PROGRESS_EVERY: Duration = Duration::from_millis(50);

/// How far run `run_id` is.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AnalysisProgress {
    /// The run's id (the caller's).
    pub run_id: u32,
    /// Steps done so far.
    pub done: u64,
    /// Steps of the whole run.
    pub total: u64,
}

/// What the view shows on opening: the last result for this study, and whether the study's
/// data changed since.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct LatestAnalysis {
    /// The latest result, if any was computed.
    pub result: Option<AnalysisResult>,
    /// Hash of the study's data now (with the result's adjudicated setting).
    pub current_hash: String,
    /// The result was computed from other data ("ratings changed since").
    pub stale: bool,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Finished (or answered from the cache).
    Done,
    /// Stopped through [`AnalysisJobs::cancel`].
    Cancelled,
}

/// A run's answer: cancelled runs carry no result and leave the previous one in place.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    /// How the run ended.
    pub status: RunStatus,
    /// The result, when done.
    pub result: Option<AnalysisResult>,
    /// The result came from the cache (same data, same options).
    pub cached: bool,
}

/// Running jobs, cached results and where the latest result of each study is kept.
#[derive(Debug)]
pub struct AnalysisJobs {
    runs: Mutex<HashMap<u32, Arc<AtomicBool>>>,
    cache: Mutex<Vec<Arc<StoredAnalysis>>>,
    dir: PathBuf,
}

fn poisoned<T>(_: T) -> CoreError {
    CoreError::AnalysisFailed("an earlier analysis failed while holding its state".into())
}

impl AnalysisJobs {
    /// Jobs whose latest results are kept in `dir` (created on the first save).
    pub fn new(dir: PathBuf) -> AnalysisJobs {
        AnalysisJobs {
            runs: Mutex::new(HashMap::new()),
            cache: Mutex::new(Vec::new()),
            dir,
        }
    }

    fn register(&self, run_id: u32) -> Result<Arc<AtomicBool>> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut runs = self.runs.lock().map_err(poisoned)?;
        if runs.contains_key(&run_id) {
            return Err(CoreError::AlreadyRunning(run_id));
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
    pub fn cancel(&self, run_id: Option<u32>) -> Result<usize> {
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

    /// The result `key` while it is kept.
    pub fn stored(&self, key: &str) -> Result<Arc<StoredAnalysis>> {
        self.cached(key).ok_or(CoreError::ResultGone)
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

    /// Where the latest result of a study is kept on disk.
    pub fn stored_file(&self, study_path: &str) -> PathBuf {
        let h = blake3::hash(study_path.as_bytes()).to_hex();
        self.dir.join(format!("{}.json", &h[..24]))
    }

    fn save(&self, s: &StoredAnalysis) -> Result<()> {
        std::fs::create_dir_all(&self.dir).map_err(|source| CoreError::Io {
            path: self.dir.clone(),
            source,
        })?;
        let file = self.stored_file(&s.study_path);
        let json = serde_json::to_vec(s).map_err(|e| CoreError::AnalysisFailed(e.to_string()))?;
        write_atomically(&file, |w| {
            w.write_all(&json).map_err(|source| CoreError::Io {
                path: file.clone(),
                source,
            })
        })
    }

    /// Remembers `s` and keeps it on disk; a failed save costs only the restart's view.
    fn keep(&self, s: &Arc<StoredAnalysis>) {
        self.remember(Arc::clone(s));
        if let Err(e) = self.save(s) {
            tracing::warn!(error = %e, "could not store the analysis result");
        }
    }

    /// The stored result of the study, if any and readable (a damaged file is ignored: the
    /// PI just runs the analysis again).
    fn load(&self, study_path: &str) -> Option<StoredAnalysis> {
        let bytes = std::fs::read(self.stored_file(study_path)).ok()?;
        match serde_json::from_slice::<StoredAnalysis>(&bytes) {
            Ok(s) if s.study_path == study_path => Some(s),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(error = %e, "ignoring an unreadable stored analysis");
                None
            }
        }
    }

    /// Runs the whole job on `snap` (no study lock needed): a cache hit computes nothing;
    /// otherwise compute with `progress` and this run's cancel flag, then remember and
    /// persist the result.
    pub fn run(
        &self,
        snap: Snapshot,
        opts: &AnalysisRequest,
        run_id: u32,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<RunOutcome> {
        // Refused before any work (and before a cache hit could hide a bad request).
        opts.checked()?;
        let key = opts.cache_key(&snap.dataset.content_hash());
        if let Some(hit) = self.cached(&key) {
            self.keep(&hit);
            return Ok(RunOutcome {
                status: RunStatus::Done,
                result: Some(hit.result.clone()),
                cached: true,
            });
        }
        let cancel = self.register(run_id)?;
        let control = Control {
            progress,
            cancel: &cancel,
        };
        let outcome = compute(&snap, opts, &control, chrono::Utc::now());
        self.finish(run_id);
        let Some(stored) = outcome? else {
            tracing::info!(run_id, "analysis cancelled");
            return Ok(RunOutcome {
                status: RunStatus::Cancelled,
                result: None,
                cached: false,
            });
        };
        tracing::info!(run_id, seconds = stored.result.seconds, "analysis done");
        let stored = Arc::new(stored);
        self.keep(&stored);
        Ok(RunOutcome {
            status: RunStatus::Done,
            result: Some(stored.result.clone()),
            cached: false,
        })
    }

    /// The latest result of `study` (memory, else disk) and whether it is stale.
    pub fn latest(&self, study: &Study) -> Result<LatestAnalysis> {
        let study_path = study.path().display().to_string();
        let stored = self.latest_of(&study_path).or_else(|| {
            self.load(&study_path).map(|s| {
                let s = Arc::new(s);
                self.remember(Arc::clone(&s));
                s
            })
        });
        let Some(stored) = stored else {
            return Ok(LatestAnalysis {
                result: None,
                current_hash: current_hash(study, &AnalysisRequest::every_dimension(0, 1))?,
                stale: false,
            });
        };
        let now = current_hash(study, &stored.result.options)?;
        Ok(LatestAnalysis {
            stale: now != stored.result.data_hash,
            current_hash: now,
            result: Some(stored.result.clone()),
        })
    }

    /// Writes what `request` asks for from the result `key`, only while that result matches
    /// `study`'s data ([`ensure_current`]): after new ratings it refuses, with the reason. The
    /// caller holds the study while this runs, so no rating lands between check and write.
    pub fn export(&self, study: &Study, key: &str, request: &ExportRequest) -> Result<Vec<String>> {
        let stored = self.stored(key)?;
        ensure_current(study, &stored)?;
        export(&stored, request)
    }
}

/// A progress callback that sends at most one message per [`PROGRESS_EVERY`] (and always the
/// last one) to `send`, and never a count below one already sent: worker threads report in
/// whatever order they finish, and a bar must not step back.
pub fn throttled(run_id: u32, send: impl Fn(AnalysisProgress) + Sync) -> impl Fn(u64, u64) + Sync {
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
            send(AnalysisProgress {
                run_id,
                done,
                total,
            });
        }
    }
}

#[cfg(test)]
mod tests;
