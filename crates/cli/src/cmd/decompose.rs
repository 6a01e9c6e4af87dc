//! `chameleon decompose FILE_OR_STUDY`: the state–trait variance decomposition (issue #4).

use chameleon_core::analysis::decompose::{
    model_only_report, prepare_model, run_decomposition, DecomposeMethod, DecomposeReport,
    DecomposeRunOptions, ModelBootstrapMethod, ModelCriterion, ModelIntervalOptions,
};
use chameleon_core::analysis::minimum::Caution;
use chameleon_core::analysis::raters::RaterSelection;
use chameleon_core::report::tables::{
    decomposition_table, model_components_table, model_fits_table,
};
use chameleon_core::report::TextStyle;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  chameleon decompose ratings.csv --json --bootstrap 1000 --seed 1\n  \
                  chameleon decompose ratings.csv --json --model \
                  \"value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)\" \
                  --profile-ci --bootstrap 1000 --seed 1"
)]
pub struct DecomposeArgs {
    /// A study file or a tidy ratings CSV.
    pub input: PathBuf,
    #[command(flatten)]
    pub shape: super::WideArgs,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    /// Estimator: reml (default) or anova (method of moments; may give negative components).
    #[arg(long, default_value = "reml", value_parser = ["reml", "anova"])]
    pub method: String,
    #[arg(long, default_value_t = 0, value_parser = super::resamples, help = super::RESAMPLES_HELP)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// A model run's ratings as one sample (0-based) instead of the samples' mean
    /// (docs/models.md).
    #[arg(long, value_name = "I")]
    pub model_sample: Option<u32>,
    /// Also fit this lme4 random-intercept formula per dimension: any of (1|person),
    /// (1|context), (1|person:context), (1|rater), (1|rater:person), (1|rater:context).
    #[arg(long, value_name = "FORMULA")]
    pub model: Option<String>,
    /// Fit --model by maximum likelihood instead of REML.
    #[arg(long, requires = "model")]
    pub ml: bool,
    /// Write the conditional modes of a --model term (context, rater, rater:person, ...)
    /// with their conditional SDs, as lme4's ranef(condVar = TRUE), to a CSV file.
    #[arg(long, requires = "model", num_args = 2, value_names = ["TERM", "FILE"])]
    pub effects: Option<Vec<String>>,
    /// 95% profile-likelihood intervals of every --model standard deviation ("sd_ci95"), as
    /// lme4's confint(method = "profile"). With --bootstrap N, --model also gets bootstrap
    /// intervals of its components and shares: parametric (as lme4's bootMer) when a term is
    /// crossed with person (context, rater, rater:context), person-cluster otherwise.
    #[arg(long, requires = "model")]
    pub profile_ci: bool,
    /// Default: every rater (docs/decompose.md).
    #[command(flatten)]
    pub raters: super::RaterArgs,
    /// Run on a query engine instead of in memory: `datafusion` (out of core; DATA a ratings
    /// CSV, a Parquet file or a folder of Parquet files). Needs a build with the `engine`
    /// feature (docs/scale.md).
    #[arg(long, value_name = "ENGINE", value_parser = ["datafusion"])]
    pub engine: Option<String>,
    /// With --engine: the query's memory pool (e.g. 512M, 2G); beyond it the aggregation
    /// spills to disk.
    #[arg(long, value_name = "SIZE", requires = "engine")]
    pub memory_limit: Option<String>,
    /// With --engine: partitions of the query (default: the number of cores).
    #[arg(long, value_name = "N", requires = "engine")]
    pub target_partitions: Option<usize>,
    /// With --engine: run the query on the Apache Ballista cluster whose scheduler listens at
    /// df://HOST:PORT (executors: `chameleon-executor`; docs/scale.md).
    #[arg(long, value_name = "df://HOST:PORT", requires = "engine")]
    pub cluster: Option<String>,
}

pub fn run(args: DecomposeArgs) -> anyhow::Result<()> {
    if let Some(engine) = args.engine.clone() {
        return super::engine::run(args, &engine);
    }
    // Phase times for RUST_LOG=debug (where a run's time goes: reading, checking, fitting).
    let started = std::time::Instant::now();
    let mut ds = super::load_shaped(
        &args.input,
        super::model_samples(args.model_sample),
        &args.shape,
    )?;
    if let Some(d) = &args.dimension {
        ds.only_dimension(d)?;
    }
    let choice = super::select(&mut ds, &args.raters.selection(RaterSelection::all()))?;
    let method = match args.method.as_str() {
        "anova" => DecomposeMethod::Anova,
        _ => DecomposeMethod::Reml,
    };
    let opts = DecomposeRunOptions {
        method,
        bootstrap: args.bootstrap,
        seed: args.seed,
    };
    tracing::debug!(elapsed = ?started.elapsed(), "read");
    // Checked before anything runs: a bad formula is exit 2 with nothing printed.
    let model = args
        .model
        .as_deref()
        .map(|text| prepare_model(&ds, text))
        .transpose()?;
    let effects_term = match (&model, &args.effects) {
        (Some(m), Some(e)) => Some((m.term_index(&e[0])?, PathBuf::from(&e[1]))),
        _ => None,
    };
    // A formula run reports its model: the nested levels (and their bootstrap) are not fitted.
    let mut report = if model.is_some() {
        model_only_report(&ds, method)
    } else {
        super::with_bootstrap_progress(args.bootstrap, |control| {
            run_decomposition(&ds, &opts, control)
        })?
    };
    tracing::debug!(elapsed = ?started.elapsed(), "prepared");
    if let Some(m) = &model {
        let criterion = if args.ml {
            ModelCriterion::Ml
        } else {
            ModelCriterion::Reml
        };
        let fits = m.fit_into(&mut report, criterion);
        tracing::debug!(elapsed = ?started.elapsed(), "fitted");
        let iv = ModelIntervalOptions {
            profile_ci: args.profile_ci,
            bootstrap: args.bootstrap,
            seed: args.seed,
        };
        let dims = report.dimensions.len();
        super::with_bootstrap_progress(args.bootstrap * dims, |control| {
            m.intervals_into(&ds, &mut report, &fits, criterion, &iv, control)
        })?;
        if let Some((term, path)) = &effects_term {
            let csv = m.effects_csv(&ds, &fits, *term, criterion);
            chameleon_core::export::write_atomically(path, |w| {
                w.write_all(csv.as_bytes())
                    .map_err(|source| chameleon_core::CoreError::Io {
                        path: path.clone(),
                        source,
                    })
            })?;
        }
    }
    tracing::debug!(elapsed = ?started.elapsed(), "done");
    for d in &report.dimensions {
        for w in &d.warnings {
            eprintln!("warning: {}: {w}", d.dimension);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = super::WithRaters {
            report: &report,
            raters: &choice,
        };
        serde_json::to_writer(&mut out, &json)?;
        writeln!(out)?;
    } else {
        write!(out, "{}", choice.to_text())?;
        write_table(&mut out, &report)?;
    }
    Ok(())
}

/// The CLI's numbers: the report's tables (one model behind the text, CSV and HTML), 3
/// decimals.
const TEXT: TextStyle = TextStyle {
    decimals: 3,
    percent_decimals: 1,
    missing_interval: "",
};

/// Interval tables: 4 decimals, a dash where an interval was not computed.
const INTERVALS: TextStyle = TextStyle {
    decimals: 4,
    percent_decimals: 1,
    missing_interval: "—",
};

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", 100.0 * v))
        .unwrap_or_else(|| "—".into())
}

/// `shown`, or the caution's message in its place.
fn unless(shown: String, caution: Option<&Caution>) -> String {
    caution.map_or(shown, |c| c.message.clone())
}

fn interval(v: Option<[f64; 2]>) -> String {
    v.map(|[a, b]| format!("[{:.1}, {:.1}]", 100.0 * a, 100.0 * b))
        .unwrap_or_default()
}

fn write_table(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
    let nested = r
        .dimensions
        .iter()
        .any(|d| d.profile_level.is_some() || d.model.is_none());
    if nested {
        write_nested(out, r)?;
    }
    write_model(out, r)
}

/// The nested decomposition's tables (a run without `--model`): views of the report's
/// decomposition table.
fn write_nested(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
    writeln!(out, "State–trait decomposition ({})", r.method)?;
    writeln!(out)?;
    let all = decomposition_table(r);
    let main = all
        .view(&[
            "dimension",
            "persons",
            "profiles",
            "ratings",
            "var_trait",
            "var_state",
            "trait_share",
            "state_share",
            "trait_share_ci",
        ])
        .labelled(&[
            "dimension",
            "persons",
            "profiles",
            "ratings",
            "σ²_trait",
            "σ²_state",
            "trait",
            "state",
            "95% CI trait",
        ]);
    write!(out, "{}", main.to_text(&TEXT))?;
    let n = r.dimensions.len();
    if r.dimensions.iter().any(|d| d.rater_level.is_some()) {
        writeln!(out)?;
        writeln!(
            out,
            "Rater level: shares of the total variance, reliability of the k-rater mean \
             (pooled: dimensions standardised)"
        )?;
        let rater_level = all
            .view(&[
                "dimension",
                "rl_share_person",
                "rl_share_person_context",
                "rl_share_rater",
                "rl_share_residual",
                "rl_k",
                "rl_reliability_k",
                "rl_consistency",
                "rl_occasion_specificity",
            ])
            .labelled(&[
                "dimension",
                "person",
                "p×ctx",
                "rater",
                "resid.",
                "k",
                "rel_k",
                "consist.",
                "occ.spec",
            ])
            .rows_where(|i| match r.dimensions.get(i) {
                Some(d) => d.rater_level.is_some(),
                None => i == n && r.pooled.standardised.is_some(),
            });
        write!(out, "{}", rater_level.to_text(&TEXT))?;
    }
    for d in &r.dimensions {
        if let Some(c) = &d.context_check {
            writeln!(out)?;
            writeln!(out, "{}: {}", d.dimension, c.note)?;
        }
    }
    Ok(())
}

/// The `--model` fits' tables (views of the report's model tables) and the state-blind raters.
fn write_model(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
    if let Some(first) = r.dimensions.iter().find_map(|d| d.model.as_ref()) {
        writeln!(out)?;
        writeln!(
            out,
            "Model {}: variance components and shares",
            first.formula
        )?;
        let components = model_components_table(r);
        let shown = components
            .view(&["dimension", "term", "levels", "variance", "share"])
            .labelled(&["dimension", "term", "levels", "variance", "share"]);
        write!(out, "{}", shown.to_text(&TEXT))?;
        writeln!(out)?;
        let fits = model_fits_table(r).labelled(&[
            "dimension",
            "intercept",
            "SE",
            "criterion",
            "converged",
            "boundary",
        ]);
        write!(out, "{}", fits.to_text(&TEXT))?;
        // The rows of `components` are the fitted dimensions' terms, in order.
        let row_dimension: Vec<&str> = r
            .dimensions
            .iter()
            .filter_map(|d| d.model.as_ref().map(|m| (d, m)))
            .flat_map(|(d, m)| m.components.0.iter().map(move |_| d.dimension.as_str()))
            .collect();
        for d in &r.dimensions {
            let Some(m) = &d.model else { continue };
            if m.sd_ci95.is_none() && m.bootstrap.is_none() {
                continue;
            }
            writeln!(out)?;
            let how = m
                .bootstrap
                .as_ref()
                .map(|b| {
                    let method = match b.method {
                        ModelBootstrapMethod::Parametric => "parametric",
                        ModelBootstrapMethod::PersonCluster => "person-cluster",
                    };
                    format!("; {method} bootstrap, {} resamples", b.resamples)
                })
                .unwrap_or_default();
            writeln!(out, "{}: 95% intervals{how}", d.dimension)?;
            let name = d.dimension.as_str();
            let intervals = components
                .view(&["term", "sd_ci", "variance_ci", "share_ci"])
                .labelled(&[
                    "term",
                    "SD (profile)",
                    "variance (bootstrap)",
                    "share (bootstrap)",
                ])
                .rows_where(|i| row_dimension.get(i) == Some(&name));
            write!(out, "{}", intervals.to_text(&INTERVALS))?;
        }
    }
    let sens: Vec<_> = r
        .dimensions
        .iter()
        .flat_map(|d| d.rater_sensitivity.iter().map(move |s| (d, s)))
        .filter(|(_, s)| s.state_blind == Some(true) && s.caution.is_none())
        .collect();
    if !sens.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "State-blind raters (within-person share of their own ratings < 10%):"
        )?;
        for (d, s) in sens {
            writeln!(
                out,
                "  {} ({}) on {}: state share {} {}",
                s.rater,
                s.kind,
                d.dimension,
                pct(s.state_share),
                unless(interval(s.ci), s.ci_caution.as_ref())
            )?;
        }
    }
    Ok(())
}
