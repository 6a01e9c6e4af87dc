//! `chameleon agreement FILE_OR_STUDY`: agreement statistics per dimension (issue #3).

use chameleon_core::analysis::agreement::{
    agreement_weighted, AgreementOptions, AgreementReport, DimensionAgreement,
};
use chameleon_core::analysis::KappaWeights;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  chameleon agreement ratings.csv\n  \
                  chameleon agreement study.db --dimension Extraversion --bootstrap 1000 --seed 1\n  \
                  chameleon agreement ratings.csv --json\n\n\
                  Statistics that cannot be computed are shown as '—' (null in JSON); the reason \
                  is printed on stderr. Formulas and conventions: docs/agreement.md.")]
pub struct AgreementArgs {
    /// A study file or a tidy ratings CSV (person,context,rater,dimension,value or unit,rater,value).
    pub input: PathBuf,
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Weights {
    Scale,
    Rank,
}

pub fn run(args: AgreementArgs) -> anyhow::Result<()> {
    let mut ds = chameleon_core::analysis::input::load_dataset_with(
        &args.input,
        super::model_samples(args.model_sample),
    )?;
    if let Some(d) = &args.dimension {
        ds.only_dimension(d)?;
    }
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
        println!("{}", serde_json::to_string_pretty(&run.report)?);
    } else {
        print!("{}", table(&run.report, &args.input.display().to_string()));
    }
    Ok(())
}

fn num(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{v:.3}"),
        None => "—".to_string(),
    }
}

fn pct(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{v:.1}%"),
        None => "—".to_string(),
    }
}

fn ci(x: Option<[f64; 2]>) -> String {
    match x {
        Some([lo, hi]) => format!("[{lo:.3}, {hi:.3}]"),
        None => String::new(),
    }
}

/// Left-aligned first column, right-aligned others, columns separated by two spaces.
fn render(rows: &[Vec<String>]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..ncol)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = width[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1)));
            out.push('\n');
        }
    }
    out
}

fn table(report: &AgreementReport, source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Agreement — {source}\n");
    let mut rows = vec![vec![
        "dimension".into(),
        "level".into(),
        "units".into(),
        "raters".into(),
        "ratings".into(),
        "α nominal".into(),
        "α ordinal".into(),
        "α interval".into(),
        "α ratio".into(),
        "Fleiss κ".into(),
        "ICC2".into(),
        "ICC2k".into(),
        "agree".into(),
        "±1".into(),
    ]];
    for d in &report.dimensions {
        rows.push(vec![
            d.dimension.clone(),
            d.level.as_str().into(),
            d.units.to_string(),
            d.raters.to_string(),
            d.ratings.to_string(),
            num(d.alpha.nominal),
            num(d.alpha.ordinal),
            num(d.alpha.interval),
            num(d.alpha.ratio),
            num(d.fleiss_kappa),
            num(d.icc.icc2),
            num(d.icc.icc2k),
            pct(d.percent_agreement),
            pct(d.percent_within_one),
        ]);
    }
    out.push_str(&render(&rows));

    if report.dimensions.iter().any(|d| d.ci.is_some()) {
        let _ = writeln!(out, "\nBootstrap 95% intervals (units resampled)");
        let mut rows = vec![vec![
            "dimension".into(),
            "α nominal".into(),
            "α ordinal".into(),
            "α interval".into(),
            "α ratio".into(),
            "Fleiss κ".into(),
        ]];
        for d in &report.dimensions {
            if let Some(c) = &d.ci {
                rows.push(vec![
                    d.dimension.clone(),
                    ci(c.alpha.nominal),
                    ci(c.alpha.ordinal),
                    ci(c.alpha.interval),
                    ci(c.alpha.ratio),
                    ci(c.fleiss_kappa),
                ]);
            }
        }
        if let Some(c) = report.dimensions.iter().find_map(|d| d.ci.as_ref()) {
            let _ = writeln!(out, "({} resamples, seed {})", c.resamples, c.seed);
        }
        out.push_str(&render(&rows));
    }

    let _ = writeln!(
        out,
        "\nIntraclass correlations (Shrout & Fleiss 1979; variance components if incomplete)"
    );
    let mut rows = vec![vec![
        "dimension".into(),
        "method".into(),
        "ICC1".into(),
        "ICC2".into(),
        "ICC3".into(),
        "ICC1k".into(),
        "ICC2k".into(),
        "ICC3k".into(),
        "ICC2 95% CI".into(),
    ]];
    for d in &report.dimensions {
        let ci2 = d
            .icc_detail
            .as_ref()
            .and_then(|x| x.icc2.as_ref())
            .and_then(|x| x.ci95);
        rows.push(vec![
            d.dimension.clone(),
            d.icc_method.into(),
            num(d.icc.icc1),
            num(d.icc.icc2),
            num(d.icc.icc3),
            num(d.icc.icc1k),
            num(d.icc.icc2k),
            num(d.icc.icc3k),
            ci(ci2),
        ]);
    }
    out.push_str(&render(&rows));

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
        let mut head: Vec<String> = vec![
            "pair".into(),
            "units".into(),
            "κ".into(),
            "κ linear".into(),
            "κ quadratic".into(),
        ];
        if cis.is_some() {
            head.push("κ 95% CI".into());
            head.push("κ quadratic 95% CI".into());
        }
        let mut rows = vec![head];
        for (i, p) in d.pairs.iter().enumerate() {
            let mut row = vec![
                format!("{} – {}", p.a, p.b),
                p.units.to_string(),
                num(p.kappa),
                num(p.kappa_linear),
                num(p.kappa_quadratic),
            ];
            if let Some(c) = cis {
                row.push(ci(c.get(i).and_then(|x| x.kappa)));
                row.push(ci(c.get(i).and_then(|x| x.kappa_quadratic)));
            }
            rows.push(row);
        }
        out.push_str(&render(&rows));
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
    let mut rows = vec![vec![
        "rater".into(),
        "n".into(),
        "leniency".into(),
        "r (consensus)".into(),
        "agree".into(),
        "drift early → late".into(),
        "median s".into(),
    ]];
    for r in &d.raters_detail {
        let drift = match (r.drift_early_abs_dev, r.drift_late_abs_dev) {
            (Some(a), Some(b)) => format!("|dev| {a:.2} → {b:.2}"),
            _ => match (r.drift_early_agreement, r.drift_late_agreement) {
                (Some(a), Some(b)) => format!("agree {a:.0}% → {b:.0}%"),
                _ => "—".into(),
            },
        };
        rows.push(vec![
            r.rater.clone(),
            r.n.to_string(),
            r.leniency.map_or("—".into(), |x| format!("{x:+.2}")),
            num(r.consensus_r),
            pct(r.consensus_agreement),
            drift,
            r.median_seconds.map_or("—".into(), |x| format!("{x:.0}")),
        ]);
    }
    out.push_str(&render(&rows));
}
