//! The state–trait decomposition of files too large for memory, on Apache DataFusion (issue
//! #17).
//!
//! - Pass 1: each dimension's mean (the centre the in-memory design subtracts).
//! - Stage A: `GROUP BY dimension, person` with [`udaf::person_summary`], whose result is the
//!   person's per-profile and per-(profile, rater) sums; DataFusion runs it out of core
//!   (spilling under `--memory-limit`), on any number of partitions.
//! - Stage B, on the driver: the summaries, gathered per dimension (spilled to temporary
//!   files beyond half the memory limit) and taken in person order (a fixed order, so the
//!   sums do not depend on the partitioning), become one dimension at a time the designs of
//!   `chameleon_stats::variance::partial`, and the REML fits run there as in memory. The
//!   driver holds one dimension's O(cells) numbers at a time, never the ratings.
//! - `--bootstrap N`: the Poisson(1) person-weight bootstrap, on the driver from the same
//!   designs ([`bootstrap_weighted`] with [`PersonWeights::Poisson`]): each person's weight in
//!   resample `b` is a function of `(seed, b, person_key(person id))`, so the intervals do not
//!   depend on the partitioning, the executors or the threads.
//!
//! Input: a tidy ratings CSV (`person,context,rater,dimension,value`), a Parquet file, or a
//! folder of Parquet files (hive-style partition folders included). Arrow here is
//! DataFusion's own (59); nothing of it crosses into chameleon-core.

pub mod agreement;
mod buckets;
pub mod cluster;
pub mod udaf;
pub mod unit_udaf;

pub use chameleon_stats::variance::decompose::{Decomposition, Method};

use chameleon_stats::bootstrap::poisson::person_key;
use chameleon_stats::bootstrap::Control;
use chameleon_stats::variance::decompose::{
    bootstrap_weighted, decompose, BootstrapOptions, DecomposeOptions, DimensionIntervals,
    PersonWeights, Prepared,
};
use chameleon_stats::variance::design::stable_centre;
use chameleon_stats::variance::partial::{self, PersonSummary};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type, Schema};
use datafusion::common::DFSchema;
use datafusion::error::DataFusionError;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::functions_aggregate::expr_fn::{count, sum};
use datafusion::logical_expr::{case, cast, ident, lit, Expr};
use datafusion::prelude::{
    CsvReadOptions, DataFrame, ParquetReadOptions, SessionConfig, SessionContext,
};
use futures::StreamExt;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Errors of the engine path.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// A required column is absent or of the wrong type.
    #[error("{}: column '{column}': {message}", path.display())]
    Column {
        /// The file (for a folder, the first file found wrong).
        path: PathBuf,
        /// The column.
        column: String,
        /// What is wrong with it.
        message: String,
    },
    /// The input cannot be read at all (missing, empty folder, not CSV/Parquet).
    #[error("{}: {message}", path.display())]
    Input {
        /// The path given.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// A `--memory-limit` that is not a size.
    #[error("memory limit '{0}': expected a size such as 512M, 2G or 1073741824")]
    MemoryLimit(String),
    /// DataFusion failed while planning or running the query.
    #[error("query failed: {0}")]
    Query(#[from] DataFusionError),
    /// `--cluster`: the address is malformed, or no Ballista scheduler answers there.
    #[error("cluster {address}: {message}")]
    Cluster {
        /// The address as given (`df://HOST:PORT`).
        address: String,
        /// Why.
        message: String,
    },
    /// `--cluster`: the query failed on the cluster (an executor lost, a task failed beyond
    /// Ballista's retries). Nothing is reported from a failed query.
    #[error("cluster {address}: query failed: {source}")]
    ClusterQuery {
        /// The scheduler's address.
        address: String,
        /// The query's error.
        source: DataFusionError,
    },
    /// `--bootstrap`: the data give nothing to resample (no dimension could be decomposed).
    #[error("--bootstrap: {0}")]
    Bootstrap(String),
    /// The caller's rater selection refused the raters (e.g. it leaves none).
    #[error("{0}")]
    Selection(#[source] agreement::SelectionError),
    /// The summaries could not be spilled to (or read back from) the temporary folder.
    #[error("cannot spill the per-person summaries to a temporary file: {0}")]
    Spill(std::io::Error),
    /// The async runtime could not start.
    #[error("cannot start the query runtime: {0}")]
    Runtime(std::io::Error),
    /// `--memory-limit` below what one batch of the query needs: DataFusion could not spill
    /// its way within it.
    #[error(
        "--memory-limit {limit} is too small for this query ({source}); give it more memory \
         (64M is ample for most files) or fewer partitions (--target-partitions)"
    )]
    MemoryTooSmall {
        /// The limit as a size (`2.0 MiB`).
        limit: String,
        /// DataFusion's error.
        source: DataFusionError,
    },
    /// The caller cancelled the bootstrap.
    #[error("cancelled")]
    Cancelled,
}

impl EngineError {
    /// A local query that ran out of its `--memory-limit` as [`EngineError::MemoryTooSmall`]
    /// (the user's to raise), anything else as it is.
    pub(crate) fn within_limit(self, opts: &EngineOptions) -> EngineError {
        match (self, opts.memory_limit) {
            (EngineError::Query(source), Some(bytes))
                if matches!(source.find_root(), DataFusionError::ResourcesExhausted(_)) =>
            {
                EngineError::MemoryTooSmall {
                    limit: size_text(bytes),
                    source,
                }
            }
            (e, _) => e,
        }
    }

    /// Whether the user's input is at fault (the CLI's exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            EngineError::Column { .. }
                | EngineError::Input { .. }
                | EngineError::MemoryLimit(_)
                | EngineError::MemoryTooSmall { .. }
                | EngineError::Cluster { .. }
                | EngineError::Bootstrap(_)
                | EngineError::Selection(_)
        )
    }
}

/// How to run the query.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// The memory pool's size in bytes (spilling beyond it); `None`: unbounded.
    pub memory_limit: Option<usize>,
    /// DataFusion's `target_partitions`; `None`: the number of cores.
    pub target_partitions: Option<usize>,
    /// The estimator.
    pub method: Method,
    /// Only this dimension.
    pub dimension: Option<String>,
    /// Run on the Ballista cluster at this `df://HOST:PORT` (src/cluster.rs); `None`: in
    /// this process.
    pub cluster: Option<String>,
    /// Poisson bootstrap resamples (0: none).
    pub bootstrap: usize,
    /// The bootstrap's seed.
    pub seed: u64,
    /// Confidence level of the bootstrap's percentile intervals.
    pub level: f64,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            memory_limit: None,
            target_partitions: None,
            method: Method::Reml,
            dimension: None,
            cluster: None,
            bootstrap: 0,
            seed: 1,
            level: 0.95,
        }
    }
}

/// One dimension's result.
#[derive(Debug, Clone)]
pub struct DimensionResult {
    /// The dimension's name.
    pub dimension: String,
    /// Rater names by id (`rater_sensitivity[].rater` indexes this).
    pub raters: Vec<String>,
    /// The decomposition, or why there is none.
    pub decomposition: Result<Decomposition, String>,
    /// With `--bootstrap`: the Poisson bootstrap's intervals (`None` without a decomposition).
    pub intervals: Option<DimensionIntervals>,
}

/// What a run gives: every dimension, and the bootstrap's pooled intervals.
#[derive(Debug, Clone)]
pub struct EngineRun {
    /// Per dimension, in name order.
    pub dimensions: Vec<DimensionResult>,
    /// With `--bootstrap`.
    pub bootstrap: Option<PoissonBootstrap>,
}

/// The Poisson bootstrap over all dimensions (each dimension's intervals are in its
/// [`DimensionResult::intervals`]).
#[derive(Debug, Clone)]
pub struct PoissonBootstrap {
    /// Resamples drawn.
    pub resamples: usize,
    /// The seed.
    pub seed: u64,
    /// Confidence level.
    pub level: f64,
    /// The mean over dimensions of the profile-level trait share, per resample: its interval.
    pub pooled_trait_share: Option<[f64; 2]>,
    /// The same for the state share.
    pub pooled_state_share: Option<[f64; 2]>,
}

/// One dimension after stage B: its designs (kept for a bootstrap) and decomposition.
struct Fitted {
    dimension: String,
    raters: Vec<String>,
    prepared: Option<Prepared>,
    decomposition: Result<Decomposition, String>,
}

/// A byte count as people write it: `1 KiB`, `2.0 MiB`, `1.5 GiB`.
fn size_text(bytes: usize) -> String {
    let b = bytes as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    } else if b >= 1024.0 {
        format!("{:.0} KiB", b / 1024.0)
    } else {
        format!("{bytes} bytes")
    }
}

/// Parses `512M`, `2G`, `64K`, `1.5G` or a byte count (binary multiples).
pub fn parse_size(text: &str) -> Result<usize, EngineError> {
    let t = text.trim();
    let bad = || EngineError::MemoryLimit(text.to_owned());
    let (num, mult) = match t.chars().last() {
        Some(c) if c.is_ascii_alphabetic() => {
            let m: f64 = match c.to_ascii_uppercase() {
                'K' => 1024.0,
                'M' => 1024.0 * 1024.0,
                'G' => 1024.0 * 1024.0 * 1024.0,
                'T' => 1024.0 * 1024.0 * 1024.0 * 1024.0,
                _ => return Err(bad()),
            };
            (&t[..t.len() - 1], m)
        }
        _ => (t, 1.0),
    };
    let n: f64 = num.trim().parse().map_err(|_| bad())?;
    let bytes = n * mult;
    if !(bytes.is_finite() && bytes >= 1.0 && bytes < usize::MAX as f64) {
        return Err(bad());
    }
    Ok(bytes as usize)
}

/// Decomposes every dimension of `path` (blocking; runs its own async runtime); `control`
/// reports the bootstrap's progress and lets the caller cancel it.
pub fn decompose_path(
    path: &Path,
    opts: &EngineOptions,
    control: &Control,
) -> Result<EngineRun, EngineError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(EngineError::Runtime)?;
    let (fitted, persons) = rt
        .block_on(decompose_async(path, opts))
        .map_err(|e| e.within_limit(opts))?;
    drop(rt);
    poisson_bootstrap(fitted, &persons, opts, control)
}

/// A session with the memory pool and partitions of `opts`, the aggregate registered.
pub fn session(opts: &EngineOptions) -> Result<SessionContext, EngineError> {
    let mut config = SessionConfig::new();
    if let Some(n) = opts.target_partitions {
        config = config.with_target_partitions(n.max(1));
    }
    let mut runtime = RuntimeEnvBuilder::new();
    if let Some(bytes) = opts.memory_limit {
        // What each sort keeps back for merging its spilled runs (10 MB by default) must fit
        // in its share of a small pool.
        let per_partition = bytes / (4 * config.target_partitions().max(1));
        config.options_mut().execution.sort_spill_reservation_bytes =
            per_partition.clamp(64 << 10, 10 << 20);
        // A fair spill pool: the aggregations and the sort of the summaries each spill to disk
        // beyond their share of the limit. (A greedy pool lets the sort starve the final
        // aggregation, which then fails instead of spilling.)
        runtime = runtime.with_memory_pool(std::sync::Arc::new(FairSpillPool::new(bytes)));
    }
    let ctx = SessionContext::new_with_config_rt(config, runtime.build_arc()?);
    register_functions(&ctx);
    Ok(ctx)
}

/// Registers every aggregate the engine's plans call. The one place for them: the local
/// session, the cluster's scheduler and executors ([`cluster`]) all call it, so a plan that
/// runs here also decodes there.
pub fn register_functions(ctx: &SessionContext) {
    ctx.register_udaf(udaf::person_summary());
    ctx.register_udaf(unit_udaf::unit_values());
}

/// Pass 1 and stages A and B of [`decompose_path`] on the caller's runtime: the fitted
/// dimensions and every person id, sorted (a person's index there is its id in the designs).
async fn decompose_async(
    path: &Path,
    opts: &EngineOptions,
) -> Result<(Vec<Fitted>, Vec<String>), EngineError> {
    let Some(url) = &opts.cluster else {
        let ctx = session(opts)?;
        let ratings = read_ratings(&ctx, path).await?;
        return run_plan(ratings, opts).await;
    };
    let ctx = cluster::remote_session(url, opts).await?;
    let ratings = read_ratings(&ctx, path).await?;
    run_plan(ratings, opts).await.map_err(|e| match e {
        EngineError::Query(source) => EngineError::ClusterQuery {
            address: url.clone(),
            source,
        },
        e => e,
    })
}

/// The ratings as `person, context, rater, dimension` (text) and `value` (f64), rows without
/// a value dropped; checks the columns first.
pub async fn read_ratings(ctx: &SessionContext, path: &Path) -> Result<Ratings, EngineError> {
    let df = read_input(ctx, path, &mut |f, schema| {
        check_columns(f, schema, &DECOMPOSE_COLUMNS)
    })
    .await?;
    let has_rater = df.schema().field_with_unqualified_name("rater").is_ok();
    let rater = if has_rater {
        cast(ident("rater"), DataType::Utf8)
    } else {
        lit("")
    };
    let df = df.select(vec![
        cast(ident("person"), DataType::Utf8).alias("person"),
        cast(ident("context"), DataType::Utf8).alias("context"),
        rater.alias("rater"),
        cast(ident("dimension"), DataType::Utf8).alias("dimension"),
        cast(ident("value"), DataType::Float64).alias("value"),
    ])?;
    let df = df.filter(ident("value").is_not_null())?;
    Ok(Ratings { df, has_rater })
}

/// The query over `path` (a tidy CSV, a Parquet file or a folder of them), every file's own
/// schema passed to `check` first so that a bad column names its file.
pub(crate) async fn read_input(
    ctx: &SessionContext,
    path: &Path,
    check: &mut dyn FnMut(&Path, &DFSchema) -> Result<(), EngineError>,
) -> Result<DataFrame, EngineError> {
    let input_err = |message: String| EngineError::Input {
        path: path.to_owned(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| input_err(e.to_string()))?;
    let text = path
        .to_str()
        .ok_or_else(|| input_err("the path is not valid UTF-8".into()))?;
    let is_csv = meta.is_file()
        && path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        // The schema from the header, not inferred from the first rows: a value column
        // whose first thousand values are integers must still take 4.5 later on.
        let schema = csv_schema(path)?;
        let df = ctx
            .read_csv(text, CsvReadOptions::new().has_header(true).schema(&schema))
            .await
            .map_err(|e| input_err(format!("cannot read as CSV: {e}")))?;
        check(path, df.schema())?;
        return Ok(df);
    }
    let files = parquet_files(path)?;
    if files.is_empty() {
        return Err(input_err("no .parquet files in this folder".into()));
    }
    // Each file's own schema, so a bad column names its file (a folder's merged schema
    // would not say which).
    for f in &files {
        let name = f
            .to_str()
            .ok_or_else(|| input_err("a file name is not valid UTF-8".into()))?;
        let df = ctx
            .read_parquet(name, ParquetReadOptions::default())
            .await
            .map_err(|e| EngineError::Input {
                path: f.clone(),
                message: format!("cannot read as Parquet: {e}"),
            })?;
        check(f, df.schema())?;
    }
    let options = ParquetReadOptions {
        file_extension: extension_of(&files),
        ..Default::default()
    };
    ctx.read_parquet(text, options)
        .await
        .map_err(|e| input_err(format!("cannot read as Parquet: {e}")))
}

/// The ratings' query and whether they carry a rater.
pub struct Ratings {
    df: DataFrame,
    has_rater: bool,
}

/// `value` as f64, every other column text; names lower-cased (the in-memory reader's column
/// names are case-insensitive).
fn csv_schema(path: &Path) -> Result<Schema, EngineError> {
    use std::io::BufRead;
    let input_err = |message: String| EngineError::Input {
        path: path.to_owned(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| input_err(e.to_string()))?;
    let mut header = String::new();
    std::io::BufReader::new(file)
        .read_line(&mut header)
        .map_err(|e| input_err(format!("line 1: {e}")))?;
    let header = header
        .trim_start_matches('\u{feff}')
        .trim_end_matches(['\r', '\n']);
    if header.is_empty() {
        return Err(input_err("line 1: no header".into()));
    }
    let mut seen = BTreeSet::new();
    let mut fields = Vec::new();
    for (i, name) in header.split(',').enumerate() {
        let name = name.trim().trim_matches('"').to_lowercase();
        if !seen.insert(name.clone()) {
            return Err(EngineError::Column {
                path: path.to_owned(),
                column: name,
                message: format!("appears twice in the header (column {})", i + 1),
            });
        }
        let t = if name == "value" {
            DataType::Float64
        } else {
            DataType::Utf8
        };
        fields.push(Field::new(name, t, true));
    }
    Ok(Schema::new(fields))
}

fn extension_of(files: &[PathBuf]) -> &'static str {
    let all_pq = files
        .iter()
        .all(|f| f.extension().and_then(|e| e.to_str()) == Some("pq"));
    if all_pq {
        ".pq"
    } else {
        ".parquet"
    }
}

/// The Parquet files of `path`: itself, or every `.parquet`/`.pq` below it, sorted.
fn parquet_files(path: &Path) -> Result<Vec<PathBuf>, EngineError> {
    if path.is_file() {
        return Ok(vec![path.to_owned()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_owned()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| EngineError::Input {
            path: dir.clone(),
            message: e.to_string(),
        })?;
        for entry in entries {
            let p = entry
                .map_err(|e| EngineError::Input {
                    path: dir.clone(),
                    message: e.to_string(),
                })?
                .path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet") || e == "pq")
            {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn is_key(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_key(v),
        t => t.is_integer(),
    }
}

fn is_number(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, v) => is_number(v),
        t => t.is_numeric(),
    }
}

/// A required or optional column of a query's input.
pub(crate) struct ColumnSpec {
    pub(crate) name: &'static str,
    pub(crate) required: bool,
}

const fn col(name: &'static str, required: bool) -> ColumnSpec {
    ColumnSpec { name, required }
}

/// The decomposition's columns.
const DECOMPOSE_COLUMNS: [ColumnSpec; 5] = [
    col("person", true),
    col("context", true),
    col("rater", false),
    col("dimension", true),
    col("value", true),
];

/// The columns `schema` must have: each `required` one present, every one present of its
/// type (`value` numbers, the others text or integers). `hint` says what the input needs.
pub(crate) fn check_spec(
    path: &Path,
    schema: &DFSchema,
    spec: &[ColumnSpec],
    hint: &str,
) -> Result<(), EngineError> {
    let err = |column: &str, message: String| EngineError::Column {
        path: path.to_owned(),
        column: column.to_owned(),
        message,
    };
    for c in spec {
        let column = c.name;
        let Ok(field) = schema.field_with_unqualified_name(column) else {
            if c.required {
                return Err(err(column, format!("missing ({hint})")));
            }
            continue;
        };
        let t = field.data_type();
        let ok = if column == "value" {
            is_number(t)
        } else {
            is_key(t)
        };
        if !ok {
            let want = if column == "value" {
                "numbers"
            } else {
                "text or integers"
            };
            return Err(err(column, format!("holds {t}, expected {want}")));
        }
    }
    Ok(())
}

fn check_columns(path: &Path, schema: &DFSchema, spec: &[ColumnSpec]) -> Result<(), EngineError> {
    check_spec(
        path,
        schema,
        spec,
        "tidy ratings need person, context, dimension, value and optionally rater",
    )
}

/// Pass 1, stage A and stage B on `ratings`.
async fn run_plan(
    ratings: Ratings,
    opts: &EngineOptions,
) -> Result<(Vec<Fitted>, Vec<String>), EngineError> {
    let Ratings { mut df, has_rater } = ratings;
    if let Some(d) = &opts.dimension {
        df = df.filter(ident("dimension").eq(lit(d.as_str())))?;
    }
    // Pass 1: each dimension's mean.
    let centres = df
        .clone()
        .aggregate(
            vec![ident("dimension")],
            vec![
                sum(ident("value")).alias("s"),
                count(ident("value")).alias("n"),
            ],
        )?
        .collect()
        .await?;
    let mut centre_of: BTreeMap<String, f64> = BTreeMap::new();
    for b in &centres {
        let (d, s, n) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_primitive::<Float64Type>(),
            b.column(2).as_primitive::<Int64Type>(),
        );
        for i in 0..b.num_rows() {
            if d.is_null(i) {
                continue;
            }
            centre_of.insert(
                d.value(i).to_owned(),
                stable_centre(s.value(i) / n.value(i) as f64),
            );
        }
    }
    if centre_of.is_empty() {
        return Ok((Vec::new(), Vec::new()));
    }
    // Stage A: one summary per (dimension, person).
    let mut centre = case(ident("dimension"));
    for (d, c) in &centre_of {
        centre.when(lit(d.as_str()), lit(*c));
    }
    let centre: Expr = centre.otherwise(lit(f64::NAN))?;
    let summary = udaf::person_summary().call(vec![
        ident("context"),
        ident("rater"),
        ident("value"),
        centre,
    ]);
    let rated = df.filter(
        ident("dimension")
            .is_not_null()
            .and(ident("person").is_not_null()),
    )?;
    // The summaries gathered per dimension (spilled to files beyond half the memory limit,
    // or 1 GiB without one):
    // the driver then decodes one dimension at a time, never all of them, and each
    // dimension's persons in the fixed (name) order whatever the partitioning.
    let mut stream = rated
        .aggregate(
            vec![ident("dimension"), ident("person")],
            vec![summary.alias("summary")],
        )?
        .execute_stream()
        .await?;
    // Without a limit (and on a cluster, whose executors have their own) the driver still
    // spills beyond 1 GiB of summaries: they are O(persons × dimensions), the one thing here
    // that grows with the data.
    let mut buckets = buckets::Buckets::new(opts.memory_limit.map_or(1 << 30, |l| l / 2));
    let mut first_met: HashMap<String, u32> = HashMap::new();
    while let Some(batch) = stream.next().await {
        let b = batch?;
        let (d, p, s) = (
            b.column(0).as_string::<i32>(),
            b.column(1).as_string::<i32>(),
            b.column(2).as_binary::<i32>(),
        );
        for i in 0..b.num_rows() {
            // Numbered as first met here; renumbered in name order before stage B.
            let name = p.value(i);
            let person = match first_met.get(name) {
                Some(&id) => id,
                None => {
                    let id = first_met.len() as u32;
                    first_met.insert(name.to_owned(), id);
                    id
                }
            };
            buckets
                .push(d.value(i), person, s.value(i))
                .map_err(EngineError::Spill)?;
        }
    }
    drop(stream);
    buckets.finish().map_err(EngineError::Spill)?;
    // Every person id in name order: a person's index there is its id in every dimension's
    // designs, so the bootstrap weighs a person alike across dimensions.
    let mut by_name: Vec<(String, u32)> = first_met.into_iter().collect();
    by_name.sort_unstable();
    let mut rank = vec![0u32; by_name.len()];
    for (i, (_, first)) in by_name.iter().enumerate() {
        rank[*first as usize] = i as u32;
    }
    let persons: Vec<String> = by_name.into_iter().map(|(name, _)| name).collect();
    let dec_opts = DecomposeOptions {
        method: opts.method,
        parallel: true,
    };
    let mut fitted: BTreeMap<String, Fitted> = BTreeMap::new();
    for name in buckets.dimensions() {
        // Raters numbered as first met, renumbered in name order below.
        let mut met: HashMap<String, u32> = HashMap::new();
        let mut summaries = Vec::new();
        buckets.drain(&name, EngineError::Spill, |first, bytes| {
            let person = rank.get(first as usize).copied().ok_or_else(|| {
                EngineError::Spill(std::io::Error::other("a summary of an unknown person"))
            })?;
            let profiles = udaf::decode(bytes, &mut |rater| {
                if let Some(&id) = met.get(rater) {
                    return id;
                }
                let id = met.len() as u32;
                met.insert(rater.to_owned(), id);
                id
            })?;
            summaries.push(PersonSummary { person, profiles });
            Ok(())
        })?;
        // Person order, whatever order the records came in (a person has one per dimension).
        summaries.sort_unstable_by_key(|s| s.person);
        let mut raters: Vec<(String, u32)> = met.into_iter().collect();
        raters.sort_unstable();
        let mut rank = vec![0u32; raters.len()];
        for (i, (_, first)) in raters.iter().enumerate() {
            rank[*first as usize] = i as u32;
        }
        for cell in summaries
            .iter_mut()
            .flat_map(|p| &mut p.profiles)
            .flat_map(|c| &mut c.cells)
        {
            cell.rater = rank[cell.rater as usize];
        }
        let raters = raters.into_iter().map(|(name, _)| name).collect();
        let c = centre_of.get(&name).copied().unwrap_or(f64::NAN);
        let f = fit_dimension(&name, c, raters, summaries, has_rater, opts, &dec_opts);
        fitted.insert(name, f);
    }
    // Dimensions in name order; one whose ratings all lack a person gets its reason.
    let out = centre_of
        .iter()
        .map(|(dimension, c)| {
            fitted.remove(dimension).unwrap_or_else(|| {
                fit_dimension(
                    dimension,
                    *c,
                    Vec::new(),
                    Vec::new(),
                    has_rater,
                    opts,
                    &dec_opts,
                )
            })
        })
        .collect();
    Ok((out, persons))
}

/// Stage B for one dimension: its persons' summaries (in person order, raters numbered in
/// name order as `raters` lists them) become the designs, fitted on the driver.
fn fit_dimension(
    dimension: &str,
    centre: f64,
    raters: Vec<String>,
    summaries: Vec<PersonSummary>,
    has_rater: bool,
    opts: &EngineOptions,
    dec_opts: &DecomposeOptions,
) -> Fitted {
    let (prepared, decomposition) = if opts.bootstrap == 0 {
        // Point estimates: one design at a time, each dropped once fitted (the same bits).
        let d = partial::decompose_summaries(summaries, centre, has_rater, dec_opts);
        (None, d.map_err(|e| e.to_string()))
    } else {
        // The bootstrap reweighs every design, so they are all kept.
        match partial::prepare(&summaries, centre, has_rater) {
            Ok(p) => {
                drop(summaries);
                let d = decompose(&p, &[], dec_opts);
                (Some(p), Ok(d))
            }
            Err(e) => (None, Err(e.to_string())),
        }
    };
    Fitted {
        dimension: dimension.to_owned(),
        raters,
        prepared,
        decomposition,
    }
}

/// The Poisson bootstrap of the decomposed dimensions (with `opts.bootstrap > 0`), on the
/// driver from the designs stage B built: the weights × summaries products are the in-memory
/// person bootstrap's (`SuffBasis::weighted_block`), with each person's weight
/// `poisson1_weight(seed, b, person_key(id))`. `persons[i]` is the id of person `i`.
fn poisson_bootstrap(
    fitted: Vec<Fitted>,
    persons: &[String],
    opts: &EngineOptions,
    control: &Control,
) -> Result<EngineRun, EngineError> {
    let mut intervals: Vec<Option<DimensionIntervals>> = vec![None; fitted.len()];
    let mut bootstrap = None;
    if opts.bootstrap > 0 {
        let (mut idx, mut prepared, mut full) = (Vec::new(), Vec::new(), Vec::new());
        for (i, f) in fitted.iter().enumerate() {
            // A dimension with no level fitted has nothing to refit.
            let Ok(d) = &f.decomposition else { continue };
            if let (Some(p), true) = (
                &f.prepared,
                d.profile_level.is_some() || d.rater_level.is_some(),
            ) {
                idx.push(i);
                prepared.push(p);
                full.push(d);
            }
        }
        if prepared.is_empty() {
            let why: Vec<String> = fitted
                .iter()
                .map(|f| match &f.decomposition {
                    Err(e) => format!("{}: {e}", f.dimension),
                    Ok(d) => format!("{}: {}", f.dimension, d.warnings.join("; ")),
                })
                .collect();
            return Err(EngineError::Bootstrap(if why.is_empty() {
                "no ratings to resample".into()
            } else {
                format!(
                    "no dimension could be decomposed, so there is nothing to resample ({})",
                    why.join("; ")
                )
            }));
        }
        let keys: Vec<u64> = persons.iter().map(|p| person_key(p)).collect();
        let b = bootstrap_weighted(
            &prepared,
            &full,
            &BootstrapOptions {
                resamples: opts.bootstrap,
                seed: opts.seed,
                level: opts.level,
                method: opts.method,
            },
            PersonWeights::Poisson { keys: &keys },
            control,
        )
        .map_err(|e| match e {
            chameleon_stats::variance::VarianceError::Cancelled => EngineError::Cancelled,
            e => EngineError::Bootstrap(e.to_string()),
        })?;
        for (i, iv) in idx.into_iter().zip(b.dimensions) {
            intervals[i] = Some(iv);
        }
        bootstrap = Some(PoissonBootstrap {
            resamples: b.resamples,
            seed: b.seed,
            level: b.level,
            pooled_trait_share: b.pooled_trait_share,
            pooled_state_share: b.pooled_state_share,
        });
    }
    let dimensions = fitted
        .into_iter()
        .zip(intervals)
        .map(|(f, intervals)| DimensionResult {
            dimension: f.dimension,
            raters: f.raters,
            decomposition: f.decomposition,
            intervals,
        })
        .collect();
    Ok(EngineRun {
        dimensions,
        bootstrap,
    })
}

/// Writes a tidy ratings CSV as `parts` Parquet files `part-N.parquet` in `dir`, rows dealt
/// round-robin so that one person's ratings span files: multi-file input for tests and
/// benchmarks.
pub fn csv_to_parquet_parts(csv: &Path, dir: &Path, parts: usize) -> Result<(), EngineError> {
    use datafusion::dataframe::DataFrameWriteOptions;
    use std::io::{BufRead, Write};
    let io = |p: &Path, e: std::io::Error| EngineError::Input {
        path: p.to_owned(),
        message: e.to_string(),
    };
    let parts = parts.max(1);
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let reader = std::io::BufReader::new(std::fs::File::open(csv).map_err(|e| io(csv, e))?);
    let mut lines = reader.lines();
    let header = match lines.next() {
        Some(h) => h.map_err(|e| io(csv, e))?,
        None => String::new(),
    };
    let temp: Vec<PathBuf> = (0..parts)
        .map(|i| dir.join(format!("part-{i}.csv.tmp")))
        .collect();
    let mut writers = Vec::with_capacity(parts);
    for t in &temp {
        let mut w = std::io::BufWriter::new(std::fs::File::create(t).map_err(|e| io(t, e))?);
        writeln!(w, "{header}").map_err(|e| io(t, e))?;
        writers.push(w);
    }
    for (i, line) in lines.enumerate() {
        let line = line.map_err(|e| io(csv, e))?;
        writeln!(writers[i % parts], "{line}").map_err(|e| io(&temp[i % parts], e))?;
    }
    for (w, t) in writers.into_iter().zip(&temp) {
        w.into_inner()
            .map_err(|e| io(t, e.into_error()))?
            .sync_all()
            .map_err(|e| io(t, e))?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(EngineError::Runtime)?;
    let text = |p: &Path| {
        p.to_str()
            .map(str::to_owned)
            .ok_or_else(|| EngineError::Input {
                path: p.to_owned(),
                message: "the path is not valid UTF-8".into(),
            })
    };
    for (i, t) in temp.iter().enumerate() {
        let (src, dst) = (text(t)?, text(&dir.join(format!("part-{i}.parquet")))?);
        rt.block_on(async {
            let ctx = SessionContext::new();
            let options = CsvReadOptions::new()
                .has_header(true)
                .file_extension(".tmp");
            ctx.read_csv(src, options)
                .await?
                .write_parquet(
                    &dst,
                    DataFrameWriteOptions::new().with_single_file_output(true),
                    None,
                )
                .await?;
            Ok::<(), EngineError>(())
        })?;
        std::fs::remove_file(t).map_err(|e| io(t, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn sizes_parse_with_binary_multiples() {
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("2g").unwrap(), 2 << 30);
        assert_eq!(parse_size("1.5K").unwrap(), 1536);
        assert_eq!(parse_size("4096").unwrap(), 4096);
        for bad in ["", "M", "12Q", "-1G", "0"] {
            assert!(parse_size(bad).is_err(), "{bad} must be rejected");
        }
        for (text, shown) in [
            ("512M", "512.0 MiB"),
            ("1.5G", "1.5 GiB"),
            ("1K", "1 KiB"),
            ("100", "100 bytes"),
        ] {
            assert_eq!(size_text(parse_size(text).unwrap()), shown);
        }
    }
}
