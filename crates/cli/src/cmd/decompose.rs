//! `chameleon decompose FILE_OR_STUDY`: the state–trait variance decomposition (issue #4).

use chameleon_core::analysis::decompose::{
    model_only_report, prepare_model, run_decomposition, DecomposeMethod, DecomposeReport,
    DecomposeRunOptions, ModelBootstrapMethod, ModelCriterion, ModelIntervalOptions,
};
use chameleon_core::analysis::minimum::Caution;
use chameleon_core::analysis::raters::RaterSelection;
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
}

pub fn run(args: DecomposeArgs) -> anyhow::Result<()> {
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

fn num(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_else(|| "—".into())
}

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

/// The nested decomposition's tables (a run without `--model`).
fn write_nested(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
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
        let few = d.caution.as_ref();
        let ci = d.ci.as_ref();
        let shares = match few {
            // One message over both share columns: the split is not a result.
            Some(c) => format!("{:>17}", c.message),
            None => format!(
                "{:>8} {:>8}",
                pct(p.map(|p| p.trait_share)),
                pct(p.map(|p| p.state_share))
            ),
        };
        writeln!(
            out,
            "{:<20} {:>7} {:>8} {:>8}  {:>9} {:>9} {} {:<16}",
            d.dimension,
            d.persons,
            d.profiles,
            d.ratings,
            num(p.map(|p| p.person)),
            num(p.map(|p| p.state)),
            shares,
            if few.is_some() {
                String::new()
            } else {
                unless(
                    interval(ci.and_then(|c| c.trait_share)),
                    ci.and_then(|c| c.caution.as_ref()),
                )
            },
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
        unless(pct(r.pooled.trait_share), r.pooled.caution.as_ref()),
        if r.pooled.caution.is_some() {
            String::new()
        } else {
            pct(r.pooled.state_share)
        },
        if r.pooled.caution.is_some() {
            String::new()
        } else {
            interval(r.pooled.ci.as_ref().and_then(|c| c.trait_share))
        },
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
                if let Some(c) = &d.caution {
                    writeln!(out, "{:<20} {}", d.dimension, c.message)?;
                    continue;
                }
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
    for d in &r.dimensions {
        if let Some(c) = &d.context_check {
            writeln!(out)?;
            writeln!(out, "{}: {}", d.dimension, c.note)?;
        }
    }
    Ok(())
}

/// The `--model` fits' tables and the state-blind raters.
fn write_model(out: &mut impl Write, r: &DecomposeReport) -> std::io::Result<()> {
    if let Some(first) = r.dimensions.iter().find_map(|d| d.model.as_ref()) {
        writeln!(out)?;
        writeln!(out, "Model {}: shares of the total variance", first.formula)?;
        let labels: Vec<&str> = first.components.0.iter().map(|(k, _)| k.as_str()).collect();
        write!(out, "{:<20}", "dimension")?;
        for l in &labels {
            write!(out, " {l:>14}")?;
        }
        writeln!(out, " {:>12}", "criterion")?;
        for d in &r.dimensions {
            if let Some(m) = &d.model {
                write!(out, "{:<20}", d.dimension)?;
                for l in &labels {
                    write!(out, " {:>14}", pct(m.shares.get(l)))?;
                }
                writeln!(out, " {:>12}", num(m.reml_criterion.or(m.deviance)))?;
            }
        }
        let span = |v: Option<[f64; 2]>| {
            v.map(|[a, b]| format!("[{a:.4}, {b:.4}]"))
                .unwrap_or_else(|| "—".into())
        };
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
            writeln!(
                out,
                "{:<20} {:>24} {:>24} {:>24}",
                "term", "SD (profile)", "variance (bootstrap)", "share (bootstrap)"
            )?;
            for (term, _) in &m.components.0 {
                writeln!(
                    out,
                    "{:<20} {:>24} {:>24} {:>24}",
                    term,
                    span(m.sd_ci95.as_ref().and_then(|c| c.get(term))),
                    span(
                        m.components_ci95
                            .as_ref()
                            .and_then(|c| c.get(term))
                            .flatten()
                    ),
                    span(m.shares_ci95.as_ref().and_then(|c| c.get(term)).flatten()),
                )?;
            }
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
