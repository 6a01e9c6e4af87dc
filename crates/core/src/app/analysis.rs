//! The analysis screen (and `chameleon report`): checked analysis options, the decomposition
//! and agreement report of a snapshot as the view shows it, the rater × dimension matrix, and
//! the one export bundle (report, tables, figures as SVG and PNG) both faces write.

use crate::analysis::decompose::{DecomposeMethod, DecomposeReport};
use crate::analysis::raters::{select_raters, RaterChoice, RaterSelection};
use crate::analysis::{Control, VarianceError};
use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use crate::export::write_atomically;
use crate::model::RaterKind;
use crate::report::{self, ReportData, ReportOptions};
use crate::store::Study;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

pub mod jobs;

/// Pixels per SVG unit of exported PNG figures (print-friendly), for every face.
pub const PNG_SCALE: f32 = 2.0;

/// Bounds of bootstrap resamples, the one place any face takes them from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct ResampleBounds {
    /// Fewest resamples an interval can be computed from (0 = no intervals is always allowed).
    pub min: usize,
    /// Below this a percentile interval is too rough to report: a warning, not an error.
    pub recommended: usize,
    /// Most resamples accepted: beyond this a run takes hours for no visible gain.
    pub max: usize,
}

pub const RESAMPLES: ResampleBounds = ResampleBounds {
    min: 2,
    recommended: 1_000,
    max: 100_000,
};

/// The `--bootstrap` help text of the CLI, naming [`RESAMPLES`] (a test keeps them in step).
pub const RESAMPLES_HELP: &str = "Bootstrap resamples for percentile intervals: 0 = none, \
     else 2 to 100000 (1000 or more recommended; fewer gives a warning)";

/// The decomposition's estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum Method {
    Reml,
    Anova,
}

impl Method {
    pub fn decompose(self) -> DecomposeMethod {
        match self {
            Method::Reml => DecomposeMethod::Reml,
            Method::Anova => DecomposeMethod::Anova,
        }
    }
}

impl FromStr for Method {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "reml" => Ok(Method::Reml),
            "anova" => Ok(Method::Anova),
            other => Err(CoreError::Invalid(format!(
                "unknown method '{other}' (reml or anova)"
            ))),
        }
    }
}

/// Parses and checks a resample count against [`RESAMPLES`] (what `--bootstrap` takes).
pub fn parse_resamples(s: &str) -> std::result::Result<usize, String> {
    let n: u128 = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number of resamples"))?;
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    check_resamples(n).map_err(|e| e.to_string())
}

fn check_resamples(n: usize) -> Result<usize> {
    if n == 0 || (RESAMPLES.min..=RESAMPLES.max).contains(&n) {
        return Ok(n);
    }
    Err(CoreError::Invalid(format!(
        "{n} bootstrap resamples: choose 0 (no intervals) or {} to {} ({} or more recommended)",
        RESAMPLES.min, RESAMPLES.max, RESAMPLES.recommended
    )))
}

/// Resamples, seed and estimator, checked once when built; everything after takes this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnalysisOptions {
    resamples: usize,
    seed: u64,
    method: Method,
}

impl AnalysisOptions {
    /// Refuses resamples outside [`RESAMPLES`] (0 = no intervals is allowed).
    pub fn new(resamples: usize, seed: u64, method: Method) -> Result<AnalysisOptions> {
        Ok(AnalysisOptions {
            resamples: check_resamples(resamples)?,
            seed,
            method,
        })
    }

    pub fn resamples(&self) -> usize {
        self.resamples
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn method(&self) -> Method {
        self.method
    }

    /// What the person should know before trusting the result (said once, by the face).
    pub fn warnings(&self) -> Vec<String> {
        if self.resamples > 0 && self.resamples < RESAMPLES.recommended {
            vec![format!(
                "{} bootstrap resamples give rough intervals; {} or more are recommended",
                self.resamples, RESAMPLES.recommended
            )]
        } else {
            Vec::new()
        }
    }
}

/// What the PI chose in the analysis view (checked into [`AnalysisOptions`] before a run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AnalysisRequest {
    /// Dimensions to analyse; empty = all.
    pub dimensions: Vec<String>,
    pub method: Method,
    /// Person-cluster bootstrap resamples (0 = no intervals).
    pub bootstrap: u32,
    pub seed: u64,
    /// Adjudicated values replace the raters' ratings as the profile score.
    pub adjudicated: bool,
    /// An lme4 formula also fitted per dimension (REML), as `chameleon decompose --model`.
    #[serde(default)]
    pub model: Option<String>,
    /// Profile-likelihood 95 % intervals of the model's standard deviations, as
    /// `chameleon decompose --model … --profile-ci`.
    #[serde(default)]
    pub profile_ci: bool,
    /// Raters to pool; absent = every rater.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub raters: Option<RaterRequest>,
}

/// Which kind of rater a view pools ("any" = every kind).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum KindChoice {
    Human,
    Model,
    Any,
}

impl KindChoice {
    fn kind(self) -> Option<RaterKind> {
        match self {
            KindChoice::Human => Some(RaterKind::Human),
            KindChoice::Model => Some(RaterKind::Model),
            KindChoice::Any => None,
        }
    }

    fn of(kind: Option<RaterKind>) -> KindChoice {
        match kind {
            Some(RaterKind::Model) => KindChoice::Model,
            Some(_) => KindChoice::Human,
            None => KindChoice::Any,
        }
    }
}

/// A rater subset as a view asks for it: every part optional, an absent part keeps the
/// view's default (agreement: humans with at least
/// [`crate::analysis::raters::MIN_RATINGS`] ratings, as the CLI's
/// `agreement`; the decomposition: every rater, as `decompose` and `report`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterRequest {
    /// Only these raters; absent = the default's (naming raters drops the default's kind and
    /// minimum, as `--raters` does).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub names: Option<Vec<String>>,
    /// Only raters of this kind; absent = the default's.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub kind: Option<KindChoice>,
    /// Only raters with at least this many ratings; absent = the default's.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub min_ratings: Option<u32>,
}

impl RaterRequest {
    /// `base` with what the request names.
    pub fn selection_from(&self, base: RaterSelection) -> RaterSelection {
        RaterSelection::overriding(
            base,
            self.names.clone(),
            self.kind.map(KindChoice::kind),
            self.min_ratings.map(|n| n as usize),
        )
    }

    /// The decomposition's selection (default: every rater).
    pub fn selection(&self) -> RaterSelection {
        self.selection_from(RaterSelection::all())
    }
}

/// One rater of the data behind a rater choice, for the view's picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterCount {
    pub name: String,
    pub kind: RaterKind,
    /// Ratings over the analysed dimensions.
    pub ratings: u32,
}

/// What a view's rater control shows: the selection in effect (the request over the view's
/// default), what it did, and every rater of the data to pick from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterPool {
    pub choice: RaterChoice,
    pub kind: KindChoice,
    pub min_ratings: u32,
    pub names: Option<Vec<String>>,
    pub raters: Vec<RaterCount>,
}

/// Applies `req` over `base` to `ds` (core's [`select_raters`]) and describes the result for
/// the view's control.
pub fn pool_raters(
    ds: &mut Dataset,
    req: &RaterRequest,
    base: RaterSelection,
) -> Result<RaterPool> {
    let mut counts = vec![0u32; ds.raters.len()];
    for o in ds.dimensions.iter().flat_map(|d| &d.observations) {
        if let Some(c) = o.rater.and_then(|r| counts.get_mut(r as usize)) {
            *c += 1;
        }
    }
    let raters = ds
        .raters
        .iter()
        .zip(counts)
        .map(|(r, ratings)| RaterCount {
            name: r.name.clone(),
            kind: if ds.rater_kinds_known {
                r.kind
            } else {
                RaterKind::Human
            },
            ratings,
        })
        .collect();
    let sel = req.selection_from(base);
    let choice = select_raters(ds, &sel)?;
    Ok(RaterPool {
        choice,
        kind: KindChoice::of(sel.kind),
        min_ratings: sel.min_ratings as u32,
        names: sel.names,
        raters,
    })
}

impl AnalysisRequest {
    /// Every dimension and rater, REML, the raters' own ratings: the view's defaults with
    /// `bootstrap` resamples and `seed`.
    pub fn every_dimension(bootstrap: u32, seed: u64) -> AnalysisRequest {
        AnalysisRequest {
            dimensions: Vec::new(),
            method: Method::Reml,
            bootstrap,
            seed,
            adjudicated: false,
            model: None,
            profile_ci: false,
            raters: None,
        }
    }

    pub fn checked(&self) -> Result<AnalysisOptions> {
        AnalysisOptions::new(self.bootstrap as usize, self.seed, self.method)
    }

    /// Cache key of a result: the data's content hash and the options.
    pub fn cache_key(&self, data_hash: &str) -> String {
        let mut dims: Vec<String> = self.dimensions.iter().map(|d| d.to_lowercase()).collect();
        dims.sort();
        let text = format!(
            "{data_hash}\u{1}{}\u{1}{:?}\u{1}{}\u{1}{}\u{1}{}\u{1}{:?}",
            dims.join("\u{2}"),
            self.method,
            self.bootstrap,
            self.seed,
            self.adjudicated,
            self.raters
        );
        let text = match &self.model {
            Some(m) => format!(
                "{text}\u{1}{}\u{1}{}",
                m.split_whitespace().collect::<String>(),
                self.profile_ci
            ),
            None => text,
        };
        blake3::hash(text.as_bytes()).to_hex()[..32].to_string()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct Shares {
    pub person: f64,
    pub person_context: f64,
    pub rater: f64,
    pub residual: f64,
}

/// One dimension's decomposition as the view shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct DimensionResult {
    pub dimension: String,
    pub persons: u32,
    pub profiles: u32,
    pub ratings: u32,
    /// Profile level (the paper's numbers).
    pub trait_share: Option<f64>,
    pub state_share: Option<f64>,
    pub trait_ci: Option<Vec<f64>>,
    /// Rater level: each component's share of the total.
    pub rater_level: Option<Shares>,
    pub person_share_ci: Option<Vec<f64>>,
    pub person_context_share_ci: Option<Vec<f64>>,
    pub reliability_k: Option<f64>,
    /// Negative method-of-moments estimates (ANOVA), by component name.
    pub negative: Vec<String>,
    pub warnings: Vec<String>,
    /// Set when the shares rest on too few persons with two contexts or come from a boundary
    /// fit: shown instead of them ("too few data (n = 3)").
    #[serde(default)]
    pub caution: Option<String>,
    /// Set when the intervals rest on few persons or are degenerate: shown beside them.
    #[serde(default)]
    pub ci_caution: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct PooledResult {
    pub trait_share: Option<f64>,
    pub state_share: Option<f64>,
    pub trait_ci: Option<Vec<f64>>,
    pub dimensions: u32,
    pub standardised: Option<Shares>,
    /// Set when a pooled dimension's shares carry a caution (the mean includes them).
    #[serde(default)]
    pub caution: Option<String>,
}

/// One rater's state sensitivity in one dimension.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterSensitivity {
    pub dimension: String,
    pub rater: String,
    /// A [`crate::model::RaterKind`] as written.
    #[cfg_attr(feature = "ts", ts(type = "RaterKind"))]
    pub kind: String,
    pub ratings: u32,
    pub state_share: Option<f64>,
    pub ci: Option<Vec<f64>>,
    pub state_blind: Option<bool>,
    pub note: Option<String>,
    /// Set when the rater has too few ratings: shown instead of the share.
    #[serde(default)]
    pub caution: Option<String>,
    /// Set when the interval is degenerate ([1, 1]).
    #[serde(default)]
    pub ci_caution: Option<String>,
}

/// One rater's row of the rater × dimension matrix.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterMatrixRow {
    pub rater: String,
    /// A [`crate::model::RaterKind`] as written.
    #[cfg_attr(feature = "ts", ts(type = "RaterKind"))]
    pub kind: String,
    /// Index into [`AnalysisResult::rater_sensitivity`] per dimension of
    /// [`RaterMatrix::dimensions`]; `null` where the rater has no estimate.
    pub cells: Vec<Option<u32>>,
    /// Mean state share over the dimensions where it is known.
    pub mean: Option<f64>,
    /// State-blind in at least half of the dimensions where it could be judged.
    pub state_blind: bool,
}

/// Rows = raters, columns = dimensions, both in first-seen order.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct RaterMatrix {
    pub dimensions: Vec<String>,
    pub raters: Vec<RaterMatrixRow>,
}

/// The rater × dimension summary of state sensitivity: each rater's mean state share and
/// whether they are state-blind in at least half of the dimensions where it could be judged.
pub fn rater_matrix(rows: &[RaterSensitivity]) -> RaterMatrix {
    let mut dimensions: Vec<String> = Vec::new();
    let mut raters: Vec<(String, String)> = Vec::new();
    for r in rows {
        if !dimensions.contains(&r.dimension) {
            dimensions.push(r.dimension.clone());
        }
        if !raters.iter().any(|(n, _)| *n == r.rater) {
            raters.push((r.rater.clone(), r.kind.clone()));
        }
    }
    let raters = raters
        .into_iter()
        .map(|(rater, kind)| {
            let cells: Vec<Option<u32>> = dimensions
                .iter()
                .map(|d| {
                    rows.iter()
                        .rposition(|r| r.rater == rater && r.dimension == *d)
                        .map(|i| i as u32)
                })
                .collect();
            let got: Vec<&RaterSensitivity> =
                cells.iter().flatten().map(|&i| &rows[i as usize]).collect();
            let known: Vec<f64> = got.iter().filter_map(|c| c.state_share).collect();
            let mean = (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
            let judged: Vec<bool> = got.iter().filter_map(|c| c.state_blind).collect();
            let blind = judged.iter().filter(|b| **b).count();
            RaterMatrixRow {
                rater,
                kind,
                cells,
                mean,
                state_blind: !judged.is_empty() && 2 * blind >= judged.len(),
            }
        })
        .collect();
    RaterMatrix { dimensions, raters }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct FigureView {
    /// File stem when exported.
    pub name: String,
    pub title: String,
    pub caption: String,
    /// A standalone SVG document (shown as an `<img>` data URL).
    pub svg: String,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct TableView {
    /// File stem when exported (`decomposition` → `decomposition.csv`).
    pub name: String,
    pub title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AnalysisResult {
    /// Cache key: the data hash and the options.
    pub key: String,
    pub data_hash: String,
    pub options: AnalysisRequest,
    /// RFC 3339, UTC.
    pub computed_at: String,
    #[cfg_attr(feature = "ts", ts(type = "Method"))]
    pub method: String,
    pub bootstrap: u32,
    pub seconds: f64,
    pub dimensions: Vec<DimensionResult>,
    pub pooled: PooledResult,
    pub rater_sensitivity: Vec<RaterSensitivity>,
    pub rater_matrix: RaterMatrix,
    /// The raters analysed (and who was left out, and why).
    #[cfg_attr(feature = "ts", ts(optional))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raters: Option<RaterChoice>,
    /// The rater control's state: the selection in effect and every rater to pick from
    /// (absent in a result stored before it existed).
    #[serde(default)]
    pub rater_pool: Option<RaterPool>,
    pub figures: Vec<FigureView>,
    pub tables: Vec<TableView>,
    /// The fit of [`AnalysisRequest::model`], when one was asked for.
    pub model: Option<super::formula::ModelResult>,
}

/// The tables of a report, in the order they are listed and exported: (file stem, title).
pub const TABLES: [(&str, &str); 4] = [
    ("decomposition", "Decomposition per dimension (and pooled)"),
    ("rater_sensitivity", "Per-rater state sensitivity"),
    ("agreement", "Agreement per dimension"),
    ("person_profiles", "Profile plot data"),
];

/// Every table of `data` as CSV, in [`TABLES`] order: (file stem, CSV text). Every row ends
/// with the data hash and the time of the computation (`data_hash`, `computed_at`), so that a
/// CSV file on its own still says which data its numbers are from.
pub fn tables_of(data: &ReportData) -> Result<Vec<(String, String)>> {
    TABLES
        .iter()
        .map(|(name, _)| {
            let csv = match *name {
                "decomposition" => report::decomposition_csv(&data.decomposition)?,
                "rater_sensitivity" => report::rater_sensitivity_csv(&data.decomposition)?,
                "agreement" => report::agreement_csv(&data.agreement)?,
                _ => report::person_profiles_csv(&data.person_profiles)?,
            };
            Ok((
                (*name).to_owned(),
                stamp_csv(&csv, &data.data_hash, &data.generated_at)?,
            ))
        })
        .collect()
}

/// `csv` with two more columns, `data_hash` and `computed_at`, the same in every row.
fn stamp_csv(csv: &str, data_hash: &str, computed_at: &str) -> Result<String> {
    let bad = |e: &dyn std::fmt::Display| CoreError::Invalid(format!("table CSV: {e}"));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.as_bytes());
    let mut w = csv::Writer::from_writer(Vec::new());
    for (i, rec) in r.records().enumerate() {
        let mut rec = rec.map_err(|e| bad(&e))?;
        if i == 0 {
            rec.push_field("data_hash");
            rec.push_field("computed_at");
        } else {
            rec.push_field(data_hash);
            rec.push_field(computed_at);
        }
        w.write_record(&rec).map_err(|e| bad(&e))?;
    }
    let bytes = w.into_inner().map_err(|e| bad(&e))?;
    String::from_utf8(bytes).map_err(|e| bad(&e))
}

/// A computed analysis with everything its exports need, so exports never recompute (and a
/// result read back from disk exports exactly what was shown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredAnalysis {
    pub study_path: String,
    pub result: AnalysisResult,
    pub html: String,
    /// (file stem, CSV text).
    pub tables: Vec<(String, String)>,
}

impl StoredAnalysis {
    fn figure(&self, name: &str) -> Result<&FigureView> {
        self.result
            .figures
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| CoreError::Invalid(format!("no figure named {name}")))
    }

    fn table(&self, name: &str) -> Result<&str> {
        self.tables
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t.as_str())
            .ok_or_else(|| CoreError::Invalid(format!("no table named {name}")))
    }
}

/// The data of one run, copied out of the study (under the caller's lock, if any).
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dataset: Dataset,
    pub study_path: String,
    pub study_name: Option<String>,
    /// What the rater subset did (every rater unless the request named a subset).
    pub raters: Option<RaterChoice>,
    /// The same for the view's rater control.
    pub pool: RaterPool,
    /// The study's model raters' data, when it has any: the report's model-raters section
    /// is computed from it ([`crate::models::analysis::analyse`], as `chameleon report`).
    pub model_raters: Option<crate::models::analysis::ModelRaterData>,
}

/// Copies the analysed data out of the study: every current rating (or the adjudicated
/// profile scores), only the chosen dimensions. Unknown dimension names are an error.
pub fn snapshot(study: &Study, req: &AnalysisRequest) -> Result<Snapshot> {
    let mut dataset = if req.adjudicated {
        study.dataset_adjudicated()?
    } else {
        study.dataset()?
    };
    if !req.dimensions.is_empty() {
        if let Some(missing) = req
            .dimensions
            .iter()
            .find(|d| dataset.dimension(d).is_none())
        {
            return Err(CoreError::Invalid(format!(
                "the study has no ratings of a dimension named '{missing}'"
            )));
        }
        dataset.dimensions.retain(|d| {
            req.dimensions
                .iter()
                .any(|w| w.eq_ignore_ascii_case(&d.name))
        });
    }
    if dataset.rating_count() == 0 {
        return Err(CoreError::NoRatings);
    }
    // Read again for the model-raters section only when there is a model rater (under the lock).
    let has_model_raters = dataset.raters.iter().any(|r| r.kind == RaterKind::Model);
    let pool = pool_raters(
        &mut dataset,
        &req.raters.clone().unwrap_or_default(),
        RaterSelection::all(),
    )?;
    Ok(Snapshot {
        dataset,
        study_path: study.path().display().to_string(),
        study_name: study.codebook()?.and_then(|c| c.name),
        raters: Some(pool.choice.clone()),
        pool,
        model_raters: if has_model_raters {
            crate::models::analysis::model_rater_data(study, crate::store::ModelSamples::Mean)?
        } else {
            None
        },
    })
}

/// The content hash an analysis of `req` would see now; empty when it could not run (a
/// dimension removed, no ratings left): anything shown is then stale.
pub fn current_hash(study: &Study, req: &AnalysisRequest) -> Result<String> {
    match snapshot(study, req) {
        Ok(s) => Ok(s.dataset.content_hash()),
        Err(CoreError::Invalid(_) | CoreError::NoRatings) if !req.dimensions.is_empty() => {
            Ok(String::new())
        }
        Err(CoreError::NoRatings) => Ok(if req.adjudicated {
            study.dataset_adjudicated()?.content_hash()
        } else {
            study.dataset()?.content_hash()
        }),
        Err(e) => Err(e),
    }
}

/// Refuses an export of a result computed from other data than the study holds now (new
/// ratings, a changed rater pool): the files would carry stale numbers with no sign of it.
/// The reason names the counts then and now; nothing is written.
pub fn ensure_current(study: &Study, s: &StoredAnalysis) -> Result<()> {
    let now = current_hash(study, &s.result.options)?;
    if now == s.result.data_hash {
        return Ok(());
    }
    let then_ratings: u32 = s.result.dimensions.iter().map(|d| d.ratings).sum();
    let then_raters = s.result.raters.as_ref().map(|c| c.included.len());
    let counts = |ratings: usize, raters: Option<usize>| match raters {
        Some(r) => format!("{} by {}", plural(ratings, "rating"), plural(r, "rater")),
        None => plural(ratings, "rating"),
    };
    let (now_ratings, now_raters) = match snapshot(study, &s.result.options) {
        Ok(snap) => (
            snap.dataset.rating_count(),
            Some(snap.pool.choice.included.len()),
        ),
        Err(_) => (0, None),
    };
    Err(CoreError::Invalid(format!(
        "The study's ratings changed since this analysis was computed ({}: {}; now {}). \
         Run the analysis again before exporting; nothing was written.",
        s.result.computed_at,
        counts(then_ratings as usize, then_raters),
        counts(now_ratings, now_raters),
    )))
}

/// "1 rating", "3 ratings".
pub fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Runs the analysis of `snap` (no study needed): the report's computation, figures, tables
/// and HTML. `Ok(None)` when cancelled through `control`.
pub fn compute(
    snap: &Snapshot,
    req: &AnalysisRequest,
    control: &Control,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<StoredAnalysis>> {
    let opts = req.checked()?;
    let started = Instant::now();
    let ropts = ReportOptions {
        method: opts.method().decompose(),
        bootstrap: opts.resamples(),
        seed: opts.seed(),
        title: None,
        study: snap.study_name.clone(),
        generated_at: now,
    };
    // A bad formula fails before anything is computed.
    let prepared = match &req.model {
        Some(text) => Some(super::formula::prepare(&snap.dataset, text)?),
        None => None,
    };
    let model_opts = crate::report::ReportModelOptions {
        ml: false,
        profile_ci: req.profile_ci,
    };
    // The path of `chameleon report --model` (and of `decompose --model`'s fit and intervals).
    let mut data = match report::compute_with_model(
        &snap.dataset,
        &ropts,
        prepared.as_ref().map(|m| (m, model_opts)),
        control,
    ) {
        Ok(d) => d,
        Err(VarianceError::Cancelled) => return Ok(None),
        Err(e) => return Err(CoreError::AnalysisFailed(e.to_string())),
    };
    data.raters = snap.raters.clone();
    if control.is_cancelled() {
        return Ok(None);
    }
    if let Some(input) = &snap.model_raters {
        data.models = crate::models::analysis::report_section(
            input,
            opts.resamples(),
            opts.seed(),
            &req.dimensions,
        )?;
    }
    let model = super::formula::view(&data);
    let html = report::render_html(&data)?;
    let figures = report::figures(&data)?
        .into_iter()
        .map(|f| {
            let (width, height) = report::png_size(&f.svg, 1.0).unwrap_or((0, 0));
            FigureView {
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
    let rater_sensitivity = sensitivity_rows(&data.decomposition);
    let data_hash = data.data_hash.clone();
    let result = AnalysisResult {
        key: req.cache_key(&data_hash),
        data_hash,
        options: req.clone(),
        computed_at: data.generated_at.clone(),
        method: data.method.to_string(),
        bootstrap: req.bootstrap,
        seconds: started.elapsed().as_secs_f64(),
        dimensions: dimension_rows(&data.decomposition),
        pooled: pooled_row(&data.decomposition),
        rater_matrix: rater_matrix(&rater_sensitivity),
        rater_sensitivity,
        raters: snap.raters.clone(),
        rater_pool: Some(snap.pool.clone()),
        figures,
        tables: TABLES
            .iter()
            .map(|(name, title)| TableView {
                name: (*name).to_owned(),
                title: (*title).to_owned(),
            })
            .collect(),
        model,
    };
    Ok(Some(StoredAnalysis {
        study_path: snap.study_path.clone(),
        result,
        html,
        tables,
    }))
}

fn pair(v: Option<[f64; 2]>) -> Option<Vec<f64>> {
    v.map(|v| v.to_vec())
}

fn shares(s: &crate::analysis::decompose::SharesReport) -> Shares {
    Shares {
        person: s.person,
        person_context: s.person_context,
        rater: s.rater,
        residual: s.residual,
    }
}

fn dimension_rows(r: &DecomposeReport) -> Vec<DimensionResult> {
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
            DimensionResult {
                dimension: d.dimension.clone(),
                persons: d.persons as u32,
                profiles: d.profiles as u32,
                ratings: d.ratings as u32,
                trait_share: p.map(|p| p.trait_share),
                state_share: p.map(|p| p.state_share),
                trait_ci: pair(d.ci.as_ref().and_then(|c| c.trait_share)),
                rater_level: rl.map(|r| shares(&r.shares)),
                person_share_ci: pair(rl_ci("person_share")),
                person_context_share_ci: pair(rl_ci("person_context_share")),
                reliability_k: rl.map(|r| r.reliability_k),
                negative,
                warnings: d.warnings.clone(),
                caution: d.caution.as_ref().map(|c| c.message.clone()),
                ci_caution: d
                    .ci
                    .as_ref()
                    .and_then(|c| c.caution.as_ref())
                    .map(|c| c.message.clone()),
            }
        })
        .collect()
}

fn pooled_row(r: &DecomposeReport) -> PooledResult {
    PooledResult {
        trait_share: r.pooled.trait_share,
        state_share: r.pooled.state_share,
        trait_ci: pair(r.pooled.ci.as_ref().and_then(|c| c.trait_share)),
        dimensions: r.pooled.dimensions as u32,
        standardised: r.pooled.standardised.as_ref().map(shares),
        caution: r.pooled.caution.as_ref().map(|c| c.message.clone()),
    }
}

fn sensitivity_rows(r: &DecomposeReport) -> Vec<RaterSensitivity> {
    r.dimensions
        .iter()
        .flat_map(|d| {
            d.rater_sensitivity.iter().map(|s| RaterSensitivity {
                dimension: d.dimension.clone(),
                rater: s.rater.clone(),
                kind: s.kind.to_string(),
                ratings: s.ratings as u32,
                state_share: s.state_share,
                ci: pair(s.ci),
                state_blind: s.state_blind,
                note: s.note.clone(),
                caution: s.caution.as_ref().map(|c| c.message.clone()),
                ci_caution: s.ci_caution.as_ref().map(|c| c.message.clone()),
            })
        })
        .collect()
}

/// A figure file's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "lowercase")]
pub enum FigureFormat {
    Svg,
    Png,
}

/// What to export.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum ExportRequest {
    /// The self-contained HTML report.
    Report { path: String },
    /// One table as CSV.
    Table { name: String, path: String },
    /// One figure as SVG or PNG.
    Figure {
        name: String,
        format: FigureFormat,
        path: String,
    },
    /// Everything into a folder: report.html, every table (CSV), every figure (SVG and PNG).
    All { dir: String },
}

/// Writes `bytes` to `path` atomically.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if path.as_os_str().is_empty() || path.as_os_str() == "-" {
        return Err(CoreError::Invalid("no file chosen".into()));
    }
    write_atomically(path, |w| {
        w.write_all(bytes).map_err(|source| CoreError::Io {
            path: path.to_owned(),
            source,
        })
    })
}

/// The files of the "everything" export, in the order they are written: `report.html` (when
/// `html` is given), every table as CSV, every figure as SVG and as PNG at [`PNG_SCALE`].
pub fn bundle_files<'a>(
    html: Option<&'a str>,
    tables: &'a [(String, String)],
    figures: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<(String, Vec<u8>)>> {
    let mut files = Vec::new();
    if let Some(h) = html {
        files.push(("report.html".to_owned(), h.as_bytes().to_vec()));
    }
    for (name, csv) in tables {
        files.push((format!("{name}.csv"), csv.as_bytes().to_vec()));
    }
    for (name, svg) in figures {
        files.push((format!("{name}.svg"), svg.as_bytes().to_vec()));
        files.push((format!("{name}.png"), report::svg_to_png(svg, PNG_SCALE)?));
    }
    Ok(files)
}

/// Writes [`bundle_files`] into `dir` (created when missing); the paths written.
pub fn write_bundle(dir: &Path, files: &[(String, Vec<u8>)]) -> Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).map_err(|source| CoreError::Io {
        path: dir.to_owned(),
        source,
    })?;
    let mut written = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let p = dir.join(name);
        write_file(&p, bytes)?;
        written.push(p);
    }
    Ok(written)
}

/// Writes what `req` asks for from the stored result; the paths written.
pub fn export(s: &StoredAnalysis, req: &ExportRequest) -> Result<Vec<String>> {
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
            let bytes = match format {
                FigureFormat::Svg => f.svg.clone().into_bytes(),
                FigureFormat::Png => report::svg_to_png(&f.svg, PNG_SCALE)?,
            };
            write_file(Path::new(path), &bytes)?;
            Ok(vec![path.clone()])
        }
        ExportRequest::All { dir } => {
            let figures = s
                .result
                .figures
                .iter()
                .map(|f| (f.name.as_str(), f.svg.as_str()));
            let files = bundle_files(Some(&s.html), &s.tables, figures)?;
            Ok(write_bundle(Path::new(dir), &files)?
                .into_iter()
                .map(|p| p.display().to_string())
                .collect())
        }
    }
}

#[cfg(test)]
mod tests;
