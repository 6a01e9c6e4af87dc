//! `chameleon decompose FILE_OR_STUDY`: the state–trait variance decomposition (issue #4).

use chameleon_core::analysis::decompose::{
    run_decomposition, DecomposeMethod, DecomposeReport, DecomposeRunOptions,
};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chameleon decompose ratings.csv --json --bootstrap 1000 --seed 1"
)]
pub struct DecomposeArgs {
    /// A study file or a tidy ratings CSV.
    pub input: PathBuf,
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
}

pub fn run(args: DecomposeArgs) -> anyhow::Result<()> {
    let mut ds = chameleon_core::analysis::input::load_dataset(&args.input)?;
    if let Some(d) = &args.dimension {
        anyhow::ensure!(
            ds.retain_dimension(d),
            "no dimension named '{d}' in {}",
            args.input.display()
        );
    }
    let method = match args.method.as_str() {
        "anova" => DecomposeMethod::Anova,
        _ => DecomposeMethod::Reml,
    };
    let opts = DecomposeRunOptions {
        method,
        bootstrap: args.bootstrap,
        seed: args.seed,
    };
    let report = super::with_bootstrap_progress(args.bootstrap, |control| {
        run_decomposition(&ds, &opts, control)
    })?;
    for d in &report.dimensions {
        for w in &d.warnings {
            eprintln!("warning: {}: {w}", d.dimension);
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &report)?;
    }
    Ok(())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into())
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.1}%", 100.0 * v))
        .unwrap_or_else(|| "—".into())
}

fn interval(v: Option<[f64; 2]>) -> String {
    v.map(|[a, b]| format!("[{:.1}, {:.1}]", 100.0 * a, 100.0 * b))
        .unwrap_or_default()
}

fn write_table(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
    writeln!(out, "State–trait decomposition ({})", r.method)?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<20} {:>7} {:>8} {:>8}  {:>9} {:>9} {:>8} {:>8} {:<16}",
        "dimension",
        "persons",
        "profiles",
        "ratings",
        "σ²_trait",
        "σ²_state",
        "trait",
        "state",
        "95% CI trait"
    )?;
    for d in &r.dimensions {
        let p = d.profile_level.as_ref();
        writeln!(
            out,
            "{:<20} {:>7} {:>8} {:>8}  {:>9} {:>9} {:>8} {:>8} {:<16}",
            d.dimension,
            d.persons,
            d.profiles,
            d.ratings,
            num(p.map(|p| p.person)),
            num(p.map(|p| p.state)),
            pct(p.map(|p| p.trait_share)),
            pct(p.map(|p| p.state_share)),
            interval(d.ci.as_ref().and_then(|c| c.trait_share)),
        )?;
    }
    writeln!(
        out,
        "{:<20} {:>7} {:>8} {:>8}  {:>9} {:>9} {:>8} {:>8} {:<16}",
        "pooled (mean)",
        "",
        "",
        "",
        "",
        "",
        pct(r.pooled.trait_share),
        pct(r.pooled.state_share),
        interval(r.pooled.ci.as_ref().and_then(|c| c.trait_share)),
    )?;
    if r.dimensions.iter().any(|d| d.rater_level.is_some()) {
        writeln!(out)?;
        writeln!(
            out,
            "Rater level: shares of the total variance, reliability of the k-rater mean"
        )?;
        writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>8} {:>8} {:>5} {:>8} {:>8} {:>8}",
            "dimension", "person", "p×ctx", "rater", "resid.", "k", "rel_k", "consist.", "occ.spec"
        )?;
        for d in &r.dimensions {
            if let Some(l) = &d.rater_level {
                writeln!(
                    out,
                    "{:<20} {:>8} {:>8} {:>8} {:>8} {:>5.2} {:>8.3} {:>8.3} {:>8.3}",
                    d.dimension,
                    pct(Some(l.shares.person)),
                    pct(Some(l.shares.person_context)),
                    pct(Some(l.shares.rater)),
                    pct(Some(l.shares.residual)),
                    l.k,
                    l.reliability_k,
                    l.consistency,
                    l.occasion_specificity
                )?;
            }
        }
    }
    let sens: Vec<_> = r
        .dimensions
        .iter()
        .flat_map(|d| d.rater_sensitivity.iter().map(move |s| (d, s)))
        .filter(|(_, s)| s.state_blind == Some(true))
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
                interval(s.ci)
            )?;
        }
    }
    Ok(())
}
