//! `chameleon reliability FILE --scale NAME=item1,item2,-item3 ...`

use chameleon_core::analysis::reliability::{
    codebook_scales, multilevel, reliability_with, MultilevelReport, ScaleReport, ScaleSpec,
};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
                  chameleon reliability study.chameleon --bootstrap 1000 --json\n  \
                  chameleon reliability items.csv --wide --scale extraversion=e1,-e2 \\\n    \
                  --scale agreeableness=-a1,a2 --min 1 --max 5\n  \
                  chameleon reliability s.db --scale warmth=w1,w2,-w3 --json\n\n\
                  One response is a rater's answers to the items for one profile; responses \
                  missing an item are left out (listwise). Cronbach's α raw and standardized, \
                  McDonald's ω total from a one-factor minres model, item–rest correlations and \
                  α if an item is dropped, as R psych's alpha and omega(nfactors = 1). With \
                  --multilevel: items × occasions (the contexts) nested in persons, one \
                  response per person and context, as psych's multilevel.reliability: variance \
                  components and R1F, RkF, R1R, RkR, Rc. See docs/reliability.md.")]
pub struct ReliabilityArgs {
    /// A study file, a tidy long ratings CSV, or with --wide a wide one; items are its
    /// dimensions.
    pub input: PathBuf,
    #[command(flatten)]
    pub shape: super::WideArgs,
    /// A scale: NAME=item1,item2,-item3 (a leading `-` marks a reverse-keyed item). Repeat for
    /// more scales. Without it, a study's questionnaire scales (its codebook's `items`).
    #[arg(long = "scale", value_name = "NAME=ITEMS", value_parser = ScaleSpec::parse)]
    pub scales: Vec<ScaleSpec>,
    /// Lowest point of the response scale, to reverse-key items (else the codebook's bounds).
    #[arg(long, requires = "max", allow_hyphen_values = true)]
    pub min: Option<f64>,
    /// Highest point of the response scale, to reverse-key items.
    #[arg(long, requires = "min", allow_hyphen_values = true)]
    pub max: Option<f64>,
    #[arg(long, default_value_t = 0, value_parser = super::resamples, help = super::RESAMPLES_HELP)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Multilevel reliability instead (Shrout & Lane; psych's mlr): the items answered in each
    /// context (the occasions) by each person.
    #[arg(long, conflicts_with = "bootstrap")]
    pub multilevel: bool,
    /// A model run's ratings as one sample (0-based) instead of the samples' mean.
    #[arg(long, value_name = "I")]
    pub model_sample: Option<u32>,
}

pub fn run(mut args: ReliabilityArgs) -> anyhow::Result<()> {
    if args.scales.is_empty() {
        args.scales = if args.shape.wide {
            Vec::new()
        } else {
            codebook_scales(&args.input)?
        };
        if args.scales.is_empty() {
            return Err(chameleon_core::CoreError::Invalid(format!(
                "{}: no scales: its codebook has no questionnaire scales (dimensions with \
                 items); give them with --scale NAME=item1,item2,-item3",
                args.input.display()
            ))
            .into());
        }
    }
    let bounds = match (args.min, args.max) {
        (Some(lo), Some(hi)) if lo.is_finite() && hi.is_finite() && lo < hi => Some((lo, hi)),
        (Some(lo), Some(hi)) => {
            return Err(chameleon_core::CoreError::Invalid(format!(
                "--min {lo} --max {hi}: the minimum must be below the maximum"
            ))
            .into())
        }
        _ => None,
    };
    let ds = super::load_shaped(
        &args.input,
        super::model_samples(args.model_sample),
        &args.shape,
    )?;
    if let Some(k) = ds.known_left_out.sentence() {
        eprintln!("note: {k}");
    }
    if args.multilevel {
        let reports = multilevel(&ds, &args.scales, bounds)?;
        for r in &reports {
            if let Some(p) = &r.problem {
                eprintln!("warning: scale '{}': {p}", r.scale);
            }
            if r.incomplete_persons > 0 {
                eprintln!(
                    "note: scale '{}': {} person(s) missing an item or a context left out",
                    r.scale, r.incomplete_persons
                );
            }
        }
        if args.json {
            println!("{}", serde_json::to_string_pretty(&reports)?);
        } else {
            print!(
                "{}",
                multilevel_table(&reports, &args.input.display().to_string())
            );
        }
        return Ok(());
    }
    let reports = reliability_with(&ds, &args.scales, bounds, args.bootstrap, args.seed)?;
    for r in &reports {
        if let Some(p) = &r.problem {
            eprintln!("warning: scale '{}': {p}", r.scale);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports)?);
    } else {
        print!("{}", table(&reports, &args.input.display().to_string()));
    }
    Ok(())
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn table(reports: &[ScaleReport], source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Scale reliability — {source}\n");
    // Wide enough for the longest scale name (BFI scale names run past 20 characters).
    let w = reports
        .iter()
        .map(|r| r.scale.chars().count())
        .max()
        .unwrap_or(0)
        .max(20);
    let _ = writeln!(
        out,
        "{:<w$} {:>5} {:>10} {:>7} {:>7} {:>7} {:>7}",
        "scale", "items", "n", "α", "α std", "ω tot", "mean r"
    );
    for r in reports {
        let _ = writeln!(
            out,
            "{:<w$} {:>5} {:>10} {:>7} {:>7} {:>7} {:>7}",
            r.scale,
            r.items.len(),
            if r.incomplete > 0 {
                format!("{} (−{})", r.n, r.incomplete)
            } else {
                r.n.to_string()
            },
            num(r.raw_alpha),
            num(r.std_alpha),
            num(r.omega_total),
            num(r.average_r)
        );
    }
    for r in reports {
        if let (Some([a0, a1]), Some([o0, o1])) = (r.raw_alpha_ci95, r.omega_total_ci95) {
            let _ = writeln!(
                out,
                "{:<w$} 95% bootstrap: α [{a0:.3}, {a1:.3}], ω [{o0:.3}, {o1:.3}] ({} resamples{})",
                r.scale,
                r.bootstrap,
                if r.bootstrap_failed > 0 {
                    format!(", {} without a value", r.bootstrap_failed)
                } else {
                    String::new()
                }
            );
        }
    }
    for r in reports {
        let _ = writeln!(out, "\n{}", r.scale);
        let _ = writeln!(
            out,
            "  {:<20} {:>9} {:>9} {:>9}",
            "item", "item–rest", "α if drop", "loading"
        );
        for i in &r.items {
            let _ = writeln!(
                out,
                "  {:<20} {:>9} {:>9} {:>9}",
                if i.reverse {
                    format!("-{}", i.dimension)
                } else {
                    i.dimension.clone()
                },
                num(i.item_rest),
                num(i.alpha_if_dropped),
                num(i.loading)
            );
        }
    }
    out
}

fn multilevel_table(reports: &[MultilevelReport], source: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Multilevel reliability — {source}");
    for r in reports {
        let _ = writeln!(out, "\n{}", r.scale);
        let Some(m) = &r.reliability else {
            let _ = writeln!(out, "  —  {}", r.problem.as_deref().unwrap_or_default());
            continue;
        };
        let c = &m.components;
        let _ = writeln!(
            out,
            "  {} persons × {} occasions × {} items",
            m.n_persons, m.n_occasions, m.n_items
        );
        let total = c.total();
        for (name, v) in [
            ("person", c.person),
            ("time", c.time),
            ("item", c.item),
            ("person × time", c.person_time),
            ("person × item", c.person_item),
            ("time × item", c.time_item),
            ("residual", c.residual),
        ] {
            let share = if total != 0.0 { v / total } else { f64::NAN };
            let _ = writeln!(out, "  {name:<16} {v:>9.4} {:>6.1}%", 100.0 * share);
        }
        for (name, v, what) in [
            ("R1F", m.r1f, "one occasion, fixed occasions"),
            ("RkF", m.rkf, "the average of the occasions, fixed"),
            ("R1R", m.r1r, "one occasion, random"),
            ("RkR", m.rkr, "the average of the occasions, random"),
            ("Rc", m.rc, "change within a person"),
        ] {
            let _ = writeln!(out, "  {name:<4} {v:>6.3}  {what}");
        }
    }
    out
}
