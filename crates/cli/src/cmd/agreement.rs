//! `chameleon agreement FILE_OR_STUDY`: agreement statistics per dimension (issue #3).

use chameleon_core::analysis::agreement::{
    agreement_weighted, AgreementOptions, AgreementReport, DimensionAgreement,
};
use chameleon_core::analysis::raters::{RaterChoice, RaterSelection};
use chameleon_core::analysis::KappaWeights;
use chameleon_core::report::{agreement_table, Cell, Column, Table, TextStyle};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  chameleon agreement ratings.csv\n  \
                  chameleon agreement study.db --dimension Extraversion --bootstrap 1000 --seed 1\n  \
                  chameleon agreement ratings.csv --json\n  \
                  chameleon agreement parts/ --engine datafusion --memory-limit 2G --json\n\n\
                  Statistics that cannot be computed are shown as '—' (null in JSON); the reason \
                  is printed on stderr. Formulas and conventions: docs/agreement.md.")]
pub struct AgreementArgs {
    /// A study file or a tidy ratings CSV (person,context,rater,dimension,value or unit,rater,value).
    pub input: PathBuf,
    #[command(flatten)]
    pub shape: super::WideArgs,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
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
    /// Distances of the weighted kappas: `scale` (positions on the scale, unused points
    /// count) or `rank` (ranks among the categories each rater pair used, as R psych's
    /// cohen.kappa).
    #[arg(long, value_enum, default_value_t = Weights::Scale)]
    pub kappa_weights: Weights,
    /// Default: human raters with at least 10 ratings (docs/agreement.md).
    #[command(flatten)]
    pub raters: super::RaterArgs,
    /// Run on a query engine instead of in memory: `datafusion` (out of core; INPUT a ratings
    /// CSV, a Parquet file or a folder of Parquet files). Computes Krippendorff's alpha at the
    /// four levels with the units, raters and ratings counts, the in-memory numbers to 1e-12;
    /// kappas, ICCs, percent agreement, rater diagnostics and --bootstrap need the in-memory
    /// path. Needs a build with the `engine` feature (docs/scale.md).
    #[arg(long, value_name = "ENGINE", value_parser = ["datafusion"])]
    pub engine: Option<String>,
    /// With --engine: the query's memory pool (e.g. 512M, 2G); beyond it the aggregation
    /// spills to disk.
    #[arg(long, value_name = "SIZE", requires = "engine")]
    pub memory_limit: Option<String>,
    /// With --engine: partitions of the query (default: the number of cores).
    #[arg(
        long,
        visible_alias = "partitions",
        value_name = "N",
        requires = "engine"
    )]
    pub target_partitions: Option<usize>,
    /// With --engine: run the query on the Apache Ballista cluster whose scheduler listens at
    /// df://HOST:PORT (executors: `chameleon-executor`; docs/scale.md).
    #[arg(long, value_name = "df://HOST:PORT", requires = "engine")]
    pub cluster: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Weights {
    Scale,
    Rank,
}

pub fn run(args: AgreementArgs) -> anyhow::Result<()> {
    if let Some(engine) = args.engine.clone() {
        return super::engine::run_agreement(args, &engine);
    }
    let mut ds = super::load_shaped(
        &args.input,
        super::model_samples(args.model_sample),
        &args.shape,
    )?;
    if let Some(d) = &args.dimension {
        ds.only_dimension(d)?;
    }
    let choice = super::select(
        &mut ds,
        &args.raters.selection(RaterSelection::agreement_default()),
    )?;
    let started = std::time::Instant::now();
    let run = super::with_bootstrap_progress(args.bootstrap * ds.dimensions.len(), |control| {
        agreement_weighted(
            &ds,
            &AgreementOptions {
                bootstrap: args.bootstrap,
                seed: args.seed,
            },
            match args.kappa_weights {
                Weights::Scale => KappaWeights::Scale,
                Weights::Rank => KappaWeights::Rank,
            },
            control,
        )
    })?;
    tracing::debug!(
        "agreement_compute_ms={:.3} ({} dimension(s), {} ratings)",
        started.elapsed().as_secs_f64() * 1e3,
        ds.dimensions.len(),
        ds.rating_count()
    );
    for w in &run.warnings {
        eprintln!("warning: {w}");
    }
    if args.json {
        let json = super::WithRaters {
            report: &run.report,
            raters: &choice,
        };
        println!("{}", serde_json::to_string_pretty(&json)?);
    } else {
        print!(
            "{}",
            table(&run.report, &args.input.display().to_string(), &choice)
        );
    }
    Ok(())
}

/// The CLI's numbers: 3 decimals, percentages with 1, no text for a missing interval.
const TEXT: TextStyle = TextStyle {
    decimals: 3,
    percent_decimals: 1,
    missing_interval: "",
};

fn num(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{v:.3}"),
        None => "—".to_string(),
    }
}

fn table(report: &AgreementReport, source: &str, choice: &RaterChoice) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Agreement — {source}");
    let _ = writeln!(out, "{}", choice.to_text());
    // The same table as the report's HTML and CSV, fewer columns.
    let all = agreement_table(report, false);
    let main = all
        .view(&[
            "dimension",
            "level",
            "units",
            "raters",
            "ratings",
            "alpha_nominal",
            "alpha_ordinal",
            "alpha_interval",
            "alpha_ratio",
            "fleiss_kappa",
            "ICC2",
            "ICC2k",
            "percent_agreement",
            "percent_within_one",
        ])
        .labelled(&[
            "dimension",
            "level",
            "units",
            "raters",
            "ratings",
            "α nominal",
            "α ordinal",
            "α interval",
            "α ratio",
            "Fleiss κ",
            "ICC2",
            "ICC2k",
            "agree",
            "±1",
        ]);
    out.push_str(&main.to_text(&TEXT));

    if report.dimensions.iter().any(|d| d.ci.is_some()) {
        let _ = writeln!(out, "\nBootstrap 95% intervals (units resampled)");
        let mut t = Table::new(vec![
            Column::new("dimension", "dimension"),
            Column::interval("alpha_nominal", "α nominal"),
            Column::interval("alpha_ordinal", "α ordinal"),
            Column::interval("alpha_interval", "α interval"),
            Column::interval("alpha_ratio", "α ratio"),
            Column::interval("fleiss_kappa", "Fleiss κ"),
        ]);
        for d in &report.dimensions {
            if let Some(c) = &d.ci {
                let few = d.caution.as_ref().or(c.caution.as_ref());
                t.push(vec![
                    Cell::Text(d.dimension.clone()),
                    Cell::Interval(c.alpha.nominal).unless(few),
                    Cell::Interval(c.alpha.ordinal).unless(few),
                    Cell::Interval(c.alpha.interval).unless(few),
                    Cell::Interval(c.alpha.ratio).unless(few),
                    Cell::Interval(c.fleiss_kappa).unless(few),
                ]);
            }
        }
        if let Some(c) = report.dimensions.iter().find_map(|d| d.ci.as_ref()) {
            let _ = writeln!(out, "({} resamples, seed {})", c.resamples, c.seed);
        }
        out.push_str(&t.to_text(&TEXT));
    }

    let _ = writeln!(
        out,
        "\nIntraclass correlations (Shrout & Fleiss 1979; variance components if incomplete)"
    );
    let icc = all
        .view(&[
            "dimension",
            "icc_method",
            "ICC1",
            "ICC2",
            "ICC3",
            "ICC1k",
            "ICC2k",
            "ICC3k",
            "icc2_ci95",
        ])
        .labelled(&["dimension", "method"]);
    out.push_str(&icc.to_text(&TEXT));

    let single = report.dimensions.len() == 1;
    for d in &report.dimensions {
        pairs_section(&mut out, d, single);
    }
    if single {
        for d in &report.dimensions {
            raters_section(&mut out, d);
        }
    }
    out.push_str(
        "\nα: Krippendorff's alpha; κ: kappa; agree/±1: pairwise percent agreement, exact and \
         within one scale point;\n'—': not computable (reason on stderr). ICC method \
         'variance-components-*' = incomplete design (docs/agreement.md).\n",
    );
    out
}

fn pairs_section(out: &mut String, d: &DimensionAgreement, all: bool) {
    if d.pairs.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nCohen's kappa by rater pair — {} (shared units)",
        d.dimension
    );
    if all || d.pairs.len() <= 10 {
        let cis = d.ci.as_ref().map(|c| &c.pairs);
        let mut cols = vec![
            Column::new("pair", "pair"),
            Column::new("units", "units"),
            Column::new("kappa", "κ"),
            Column::new("kappa_linear", "κ linear"),
            Column::new("kappa_quadratic", "κ quadratic"),
        ];
        if cis.is_some() {
            cols.push(Column::interval("kappa_ci", "κ 95% CI"));
            cols.push(Column::interval("kappa_quadratic_ci", "κ quadratic 95% CI"));
        }
        let mut t = Table::new(cols);
        for (i, p) in d.pairs.iter().enumerate() {
            let few = p.caution.as_ref();
            let mut row = vec![
                Cell::Text(format!("{} – {}", p.a, p.b)),
                Cell::Count(p.units),
                Cell::Num(p.kappa).unless(few),
                Cell::Num(p.kappa_linear).unless(few),
                Cell::Num(p.kappa_quadratic).unless(few),
            ];
            if let Some(c) = cis {
                row.push(Cell::Interval(c.get(i).and_then(|x| x.kappa)).unless(few));
                row.push(Cell::Interval(c.get(i).and_then(|x| x.kappa_quadratic)).unless(few));
            }
            t.push(row);
        }
        out.push_str(&t.to_text(&TEXT));
    } else {
        let ks: Vec<f64> = d.pairs.iter().filter_map(|p| p.kappa_quadratic).collect();
        let mean = ks.iter().sum::<f64>() / ks.len().max(1) as f64;
        let min = ks.iter().copied().fold(f64::INFINITY, f64::min);
        let max = ks.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let _ = writeln!(
            out,
            "{} pairs; quadratic κ mean {}, range {} to {} (use --dimension for every pair)",
            d.pairs.len(),
            num((!ks.is_empty()).then_some(mean)),
            num(min.is_finite().then_some(min)),
            num(max.is_finite().then_some(max)),
        );
    }
}

fn raters_section(out: &mut String, d: &DimensionAgreement) {
    if d.raters_detail.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nRaters — {}", d.dimension);
    let mut t = Table::new(vec![
        Column::new("rater", "rater"),
        Column::new("n", "n"),
        Column::new("leniency", "leniency"),
        Column::new("consensus_r", "r (consensus)"),
        Column::new("agree", "agree"),
        Column::new("drift", "drift early → late"),
        Column::new("median_seconds", "median s").decimals(0),
    ]);
    for r in &d.raters_detail {
        let drift = match (r.drift_early_abs_dev, r.drift_late_abs_dev) {
            (Some(a), Some(b)) => format!("|dev| {a:.2} → {b:.2}"),
            _ => match (r.drift_early_agreement, r.drift_late_agreement) {
                (Some(a), Some(b)) => format!("agree {a:.0}% → {b:.0}%"),
                _ => "—".into(),
            },
        };
        let few = r.caution.as_ref();
        t.push(vec![
            Cell::Text(r.rater.clone()),
            Cell::Count(r.n),
            Cell::Word(r.leniency.map_or("—".into(), |x| format!("{x:+.2}"))).unless(few),
            Cell::Num(r.consensus_r).unless(few),
            Cell::Percent(r.consensus_agreement).unless(few),
            Cell::Word(drift).unless(few),
            Cell::Num(r.median_seconds),
        ]);
    }
    out.push_str(&t.to_text(&TEXT));
}
