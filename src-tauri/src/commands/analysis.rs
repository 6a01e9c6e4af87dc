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

use crate::error::{AppError, AppResult};
use crate::paths::AppPaths;
use crate::state::{AppState, Session};
use chameleon_core::analysis::decompose::{DecomposeMethod, DecomposeReport};
use chameleon_core::dataset::Dataset;
use chameleon_core::export::write_atomically;
use chameleon_core::report::{self, ReportData, ReportOptions};
use chameleon_stats::bootstrap::Control;
use chameleon_stats::variance::VarianceError;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tauri::ipc::Channel;
use tauri::State;
use ts_rs::TS;

/// Pixels per SVG unit of exported PNG figures.
pub const PNG_SCALE: f32 = 2.0;
/// Results kept in memory (all studies); the oldest goes first.
const MEMORY_CACHE: usize = 16;
/// Least time between two progress messages.
const PROGRESS_EVERY: Duration = Duration::from_millis(50);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum AnalysisMethodDto {
    Reml,
    Anova,
}

/// What the PI chose in the view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisOptionsDto {
    /// Dimensions to analyse; empty = all.
    pub dimensions: Vec<String>,
    pub method: AnalysisMethodDto,
    /// Person-cluster bootstrap resamples (0 = no intervals).
    pub bootstrap: u32,
    pub seed: u64,
    /// Adjudicated values replace the raters' ratings as the profile score.
    pub adjudicated: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisProgressDto {
    pub run_id: u32,
    pub done: u64,
    pub total: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct SharesDto {
    pub person: f64,
    pub person_context: f64,
    pub rater: f64,
    pub residual: f64,
}

/// One dimension's decomposition as the view shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct DimensionResultDto {
    pub dimension: String,
    pub persons: u32,
    pub profiles: u32,
    pub ratings: u32,
    /// Profile level (the paper's numbers).
    pub trait_share: Option<f64>,
    pub state_share: Option<f64>,
    pub trait_ci: Option<Vec<f64>>,
    /// Rater level: each component's share of the total.
    pub rater_level: Option<SharesDto>,
    pub person_share_ci: Option<Vec<f64>>,
    pub person_context_share_ci: Option<Vec<f64>>,
    pub reliability_k: Option<f64>,
    /// Negative method-of-moments estimates (ANOVA), by component name.
    pub negative: Vec<String>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct PooledResultDto {
    pub trait_share: Option<f64>,
    pub state_share: Option<f64>,
    pub trait_ci: Option<Vec<f64>>,
    pub dimensions: u32,
    pub standardised: Option<SharesDto>,
}

/// One rater's state sensitivity in one dimension.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RaterSensitivityDto {
    pub dimension: String,
    pub rater: String,
    pub kind: String,
    pub ratings: u32,
    pub state_share: Option<f64>,
    pub ci: Option<Vec<f64>>,
    pub state_blind: Option<bool>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct FigureDto {
    /// File stem when exported.
    pub name: String,
    pub title: String,
    pub caption: String,
    /// A standalone SVG document (shown as an `<img>` data URL).
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct TableDto {
    /// File stem when exported (`decomposition` → `decomposition.csv`).
    pub name: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisResultDto {
    /// Cache key: the data hash and the options.
    pub key: String,
    pub data_hash: String,
    pub options: AnalysisOptionsDto,
    /// RFC 3339, UTC.
    pub computed_at: String,
    pub method: String,
    pub bootstrap: u32,
    pub seconds: f64,
    pub dimensions: Vec<DimensionResultDto>,
    pub pooled: PooledResultDto,
    pub rater_sensitivity: Vec<RaterSensitivityDto>,
    pub figures: Vec<FigureDto>,
    pub tables: Vec<TableDto>,
}

/// What the view shows on opening: the last result for this study, and whether the study's
/// data changed since.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisStateDto {
    pub result: Option<AnalysisResultDto>,
    /// Hash of the study's data now (with the result's adjudicated setting).
    pub current_hash: String,
    /// The result was computed from other data ("ratings changed since").
    pub stale: bool,
}

#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcomeDto {
    /// `done` or `cancelled`.
    pub status: String,
    pub result: Option<AnalysisResultDto>,
    /// The result came from the cache (same data, same options).
    pub cached: bool,
}

/// A computed analysis with everything its exports need, so exports never recompute (and a
/// result read back from disk exports exactly what was shown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAnalysis {
    pub study_path: String,
    pub result: AnalysisResultDto,
    pub html: String,
    /// (file stem, CSV text).
    pub tables: Vec<(String, String)>,
}

impl StoredAnalysis {
    fn figure(&self, name: &str) -> AppResult<&FigureDto> {
        self.result
            .figures
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| AppError::new("not_found", format!("no figure named {name}")))
    }

    fn table(&self, name: &str) -> AppResult<&str> {
        self.tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| AppError::new("not_found", format!("no table named {name}")))
    }
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
                "already_running",
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

fn method_of(m: AnalysisMethodDto) -> DecomposeMethod {
    match m {
        AnalysisMethodDto::Reml => DecomposeMethod::Reml,
        AnalysisMethodDto::Anova => DecomposeMethod::Anova,
    }
}

/// The data of one run, copied out of the study under the session lock.
pub struct Snapshot {
    pub dataset: Dataset,
    pub study_path: String,
    pub study_name: Option<String>,
}

/// Copies the analysed data out of the open study: every current rating (or the adjudicated
/// profile scores), only the chosen dimensions. Unknown dimension names are an error.
pub fn snapshot(session: &Session, opts: &AnalysisOptionsDto) -> AppResult<Snapshot> {
    let study = session.study()?;
    let mut dataset = if opts.adjudicated {
        study.dataset_adjudicated()?
    } else {
        study.dataset()?
    };
    if !opts.dimensions.is_empty() {
        if let Some(missing) = opts
            .dimensions
            .iter()
            .find(|d| dataset.dimension(d).is_none())
        {
            return Err(AppError::new(
                "bad_input",
                format!("the study has no ratings of a dimension named '{missing}'"),
            ));
        }
        dataset.dimensions.retain(|d| {
            opts.dimensions
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&d.name))
        });
    }
    if dataset.rating_count() == 0 {
        return Err(AppError::new(
            "no_ratings",
            "There are no ratings to analyse yet.",
        ));
    }
    Ok(Snapshot {
        dataset,
        study_path: study.path().display().to_string(),
        study_name: study.codebook()?.and_then(|c| c.name),
    })
}

/// Cache key of a result: the data's content hash and the options.
pub fn cache_key(data_hash: &str, opts: &AnalysisOptionsDto) -> String {
    let mut dims: Vec<String> = opts.dimensions.iter().map(|d| d.to_lowercase()).collect();
    dims.sort();
    let text = format!(
        "{data_hash}\u{1}{}\u{1}{:?}\u{1}{}\u{1}{}\u{1}{}",
        dims.join("\u{2}"),
        opts.method,
        opts.bootstrap,
        opts.seed,
        opts.adjudicated
    );
    blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
}

/// Runs the analysis of `snap` (no lock held): the report's computation, figures, tables and
/// HTML. `Ok(None)` when cancelled.
pub fn compute(
    snap: &Snapshot,
    opts: &AnalysisOptionsDto,
    control: &Control,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<StoredAnalysis>> {
    let started = Instant::now();
    let ropts = ReportOptions {
        method: method_of(opts.method),
        bootstrap: opts.bootstrap as usize,
        seed: opts.seed,
        title: None,
        study: snap.study_name.clone(),
        generated_at: now,
    };
    let data = match report::compute(&snap.dataset, &ropts, control) {
        Ok(d) => d,
        Err(VarianceError::Cancelled) => return Ok(None),
        Err(e) => return Err(AppError::new("analysis_failed", e.to_string())),
    };
    let html = report::render_html(&data)?;
    let figures = report::figures(&data)?
        .into_iter()
        .map(|f| {
            let (width, height) = report::png_size(&f.svg, 1.0).unwrap_or((0, 0));
            FigureDto {
                name: f.name.to_string(),
                title: f.title,
                caption: f.caption,
                svg: f.svg,
                width,
                height,
            }
        })
        .collect();
    let tables = tables_of(&data)?;
    let data_hash = data.data_hash.clone();
    let result = AnalysisResultDto {
        key: cache_key(&data_hash, opts),
        data_hash,
        options: opts.clone(),
        computed_at: data.generated_at.clone(),
        method: data.method.to_string(),
        bootstrap: opts.bootstrap,
        seconds: started.elapsed().as_secs_f64(),
        dimensions: dimension_rows(&data.decomposition),
        pooled: pooled_row(&data.decomposition),
        rater_sensitivity: sensitivity_rows(&data.decomposition),
        figures,
        tables: tables
            .iter()
            .map(|(name, _)| TableDto {
                name: name.clone(),
                title: table_title(name).to_string(),
            })
            .collect(),
    };
    Ok(Some(StoredAnalysis {
        study_path: snap.study_path.clone(),
        result,
        html,
        tables,
    }))
}

fn table_title(name: &str) -> &'static str {
    match name {
        "decomposition" => "Decomposition per dimension (and pooled)",
        "rater_sensitivity" => "Per-rater state sensitivity",
        "agreement" => "Agreement per dimension",
        "person_profiles" => "Profile plot data",
        _ => "Table",
    }
}

fn tables_of(data: &ReportData) -> AppResult<Vec<(String, String)>> {
    Ok(vec![
        (
            "decomposition".into(),
            report::decomposition_csv(&data.decomposition)?,
        ),
        (
            "rater_sensitivity".into(),
            report::rater_sensitivity_csv(&data.decomposition)?,
        ),
        ("agreement".into(), report::agreement_csv(&data.agreement)?),
        (
            "person_profiles".into(),
            report::person_profiles_csv(&data.person_profiles)?,
        ),
    ])
}

fn pair(v: Option<[f64; 2]>) -> Option<Vec<f64>> {
    v.map(|v| v.to_vec())
}

fn dimension_rows(r: &DecomposeReport) -> Vec<DimensionResultDto> {
    r.dimensions
        .iter()
        .map(|d| {
            let p = d.profile_level.as_ref();
            let rl = d.rater_level.as_ref();
            let rl_ci = |name: &str| {
                d.ci.as_ref()
                    .and_then(|c| c.rater_level.get(name).copied().flatten())
            };
            let mut negative = Vec::new();
            if let Some(n) = &d.negative_components {
                negative.extend(
                    n.profile_level
                        .iter()
                        .map(|c| format!("profile level: {c}")),
                );
                negative.extend(n.rater_level.iter().map(|c| format!("rater level: {c}")));
            }
            DimensionResultDto {
                dimension: d.dimension.clone(),
                persons: d.persons as u32,
                profiles: d.profiles as u32,
                ratings: d.ratings as u32,
                trait_share: p.map(|p| p.trait_share),
                state_share: p.map(|p| p.state_share),
                trait_ci: pair(d.ci.as_ref().and_then(|c| c.trait_share)),
                rater_level: rl.map(|r| SharesDto {
                    person: r.shares.person,
                    person_context: r.shares.person_context,
                    rater: r.shares.rater,
                    residual: r.shares.residual,
                }),
                person_share_ci: pair(rl_ci("person_share")),
                person_context_share_ci: pair(rl_ci("person_context_share")),
                reliability_k: rl.map(|r| r.reliability_k),
                negative,
                warnings: d.warnings.clone(),
            }
        })
        .collect()
}

fn pooled_row(r: &DecomposeReport) -> PooledResultDto {
    PooledResultDto {
        trait_share: r.pooled.trait_share,
        state_share: r.pooled.state_share,
        trait_ci: pair(r.pooled.ci.as_ref().and_then(|c| c.trait_share)),
        dimensions: r.pooled.dimensions as u32,
        standardised: r.pooled.standardised.as_ref().map(|s| SharesDto {
            person: s.person,
            person_context: s.person_context,
            rater: s.rater,
            residual: s.residual,
        }),
    }
}

fn sensitivity_rows(r: &DecomposeReport) -> Vec<RaterSensitivityDto> {
    r.dimensions
        .iter()
        .flat_map(|d| {
            d.rater_sensitivity.iter().map(|s| RaterSensitivityDto {
                dimension: d.dimension.clone(),
                rater: s.rater.clone(),
                kind: s.kind.to_string(),
                ratings: s.ratings as u32,
                state_share: s.state_share,
                ci: pair(s.ci),
                state_blind: s.state_blind,
                note: s.note.clone(),
            })
        })
        .collect()
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
            .map_err(|e| AppError::new("io", format!("{}: {e}", dir.display())))?;
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

/// The content hash of the open study's data, as an analysis with `adjudicated` would see it.
pub fn current_hash(session: &Session, adjudicated: bool) -> AppResult<String> {
    let study = session.study()?;
    let ds = if adjudicated {
        study.dataset_adjudicated()?
    } else {
        study.dataset()?
    };
    Ok(ds.content_hash())
}

/// The hash a result of `opts` would have now (dimensions filtered like [`snapshot`]).
pub fn current_hash_for(session: &Session, opts: &AnalysisOptionsDto) -> AppResult<String> {
    if opts.dimensions.is_empty() {
        return current_hash(session, opts.adjudicated);
    }
    match snapshot(session, opts) {
        Ok(s) => Ok(s.dataset.content_hash()),
        // The dimension was removed or lost its ratings: anything shown is stale.
        Err(e) if e.code == "bad_input" || e.code == "no_ratings" => Ok(String::new()),
        Err(e) => Err(e),
    }
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> AppError {
    AppError::new("io", format!("{}: {e}", path.display()))
}

/// Writes `bytes` to `path` atomically.
fn write_file(path: &Path, bytes: &[u8]) -> AppResult<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == "-" {
        return Err(AppError::new("bad_input", "no file chosen"));
    }
    write_atomically(path, |w| {
        w.write_all(bytes)
            .map_err(|source| chameleon_core::CoreError::Io {
                path: path.to_owned(),
                source,
            })
    })
    .map_err(|e| io_err(path, e))
}

/// What to export.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ExportRequest {
    /// The self-contained HTML report.
    Report { path: String },
    /// One table as CSV.
    Table { name: String, path: String },
    /// One figure as SVG or PNG (by `format`: `svg` | `png`).
    Figure {
        name: String,
        format: String,
        path: String,
    },
    /// Everything into a folder: report.html, every table (CSV), every figure (SVG and PNG).
    All { dir: String },
}

/// Writes what `req` asks for from the stored result; the paths written.
pub fn export(s: &StoredAnalysis, req: &ExportRequest) -> AppResult<Vec<String>> {
    match req {
        ExportRequest::Report { path } => {
            write_file(Path::new(path), s.html.as_bytes())?;
            Ok(vec![path.clone()])
        }
        ExportRequest::Table { name, path } => {
            write_file(Path::new(path), s.table(name)?.as_bytes())?;
            Ok(vec![path.clone()])
        }
        ExportRequest::Figure { name, format, path } => {
            let f = s.figure(name)?;
            let bytes = match format.as_str() {
                "svg" => f.svg.clone().into_bytes(),
                "png" => report::svg_to_png(&f.svg, PNG_SCALE)?,
                other => {
                    return Err(AppError::new(
                        "bad_input",
                        format!("unknown figure format {other} (svg or png)"),
                    ))
                }
            };
            write_file(Path::new(path), &bytes)?;
            Ok(vec![path.clone()])
        }
        ExportRequest::All { dir } => {
            let dir = Path::new(dir);
            std::fs::create_dir_all(dir).map_err(|e| io_err(dir, e))?;
            let mut written = Vec::new();
            let mut put = |name: String, bytes: &[u8]| -> AppResult<()> {
                let p = dir.join(name);
                write_file(&p, bytes)?;
                written.push(p.display().to_string());
                Ok(())
            };
            put("report.html".into(), s.html.as_bytes())?;
            for (name, csv) in &s.tables {
                put(format!("{name}.csv"), csv.as_bytes())?;
            }
            for f in &s.result.figures {
                put(format!("{}.svg", f.name), f.svg.as_bytes())?;
                put(
                    format!("{}.png", f.name),
                    &report::svg_to_png(&f.svg, PNG_SCALE)?,
                )?;
            }
            Ok(written)
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
    opts: &AnalysisOptionsDto,
    run_id: u32,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> AppResult<RunOutcomeDto> {
    let key = cache_key(&snap.dataset.content_hash(), opts);
    if let Some(hit) = state.cached(&key) {
        state.remember(Arc::clone(&hit));
        if let Err(e) = save_stored(paths, &hit) {
            tracing::warn!(error = %e.message, "could not store the analysis result");
        }
        return Ok(RunOutcomeDto {
            status: "done".into(),
            result: Some(hit.result.clone()),
            cached: true,
        });
    }
    let cancel = state.register(run_id)?;
    let control = Control {
        progress,
        cancel: &cancel,
    };
    let outcome = compute(&snap, opts, &control, chrono::Utc::now());
    state.finish(run_id);
    let Some(stored) = outcome? else {
        tracing::info!(run_id, "analysis cancelled");
        return Ok(RunOutcomeDto {
            status: "cancelled".into(),
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
        status: "done".into(),
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
    let study_path = session.study()?.path().display().to_string();
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
            current_hash: current_hash(session, false)?,
            stale: false,
        });
    };
    let now = current_hash_for(session, &stored.result.options)?;
    Ok(AnalysisStateDto {
        stale: now != stored.result.data_hash,
        current_hash: now,
        result: Some(stored.result.clone()),
    })
}

fn stored_by_key(state: &AnalysisState, key: &str) -> AppResult<Arc<StoredAnalysis>> {
    state.cached(key).ok_or_else(|| {
        AppError::new(
            "not_found",
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
    options: AnalysisOptionsDto,
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
    tauri::async_runtime::spawn_blocking(move || {
        let progress = throttled(run_id, move |p| {
            if let Err(e) = on_progress.send(p) {
                tracing::debug!(error = %e, "progress message not delivered");
            }
        });
        run_job(&analysis, &paths, snap, &options, run_id, &progress)
    })
    .await
    .map_err(|e| AppError::internal(format!("analysis task failed: {e}")))?
}

#[tauri::command]
pub async fn cancel_analysis(
    analysis: State<'_, Arc<AnalysisState>>,
    run_id: Option<u32>,
) -> AppResult<u32> {
    Ok(analysis.cancel(run_id)? as u32)
}

#[tauri::command]
pub async fn export_analysis(
    analysis: State<'_, Arc<AnalysisState>>,
    key: String,
    request: ExportRequest,
) -> AppResult<Vec<String>> {
    let stored = stored_by_key(&analysis, &key)?;
    tauri::async_runtime::spawn_blocking(move || export(&stored, &request))
        .await
        .map_err(|e| AppError::internal(format!("export task failed: {e}")))?
}

#[cfg(test)]
mod tests;
