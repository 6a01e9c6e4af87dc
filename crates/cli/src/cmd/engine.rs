//! `chameleon decompose DATA --engine datafusion` and `chameleon agreement DATA --engine
//! datafusion`: the decomposition and Krippendorff's alpha on Apache DataFusion for data
//! larger than memory (issue #17, docs/scale.md). Behind the CLI's `engine` feature.

use super::agreement::AgreementArgs;
use super::decompose::DecomposeArgs;
use chameleon_core::CoreError;

/// The one engine so far (`--engine`'s value).
#[cfg(feature = "engine")]
pub const DATAFUSION: &str = "datafusion";

/// A decomposition as JSON with its levels in the in-memory report's shape (the DESIGN.md
/// contract: `rater_level` holds `person`, `person_context`, … itself), so a script reads the
/// same keys whichever path made them.
#[cfg(feature = "engine")]
fn contract_levels(
    d: &chameleon_engine::Decomposition,
    method: chameleon_engine::Method,
) -> anyhow::Result<serde_json::Value> {
    use chameleon_core::analysis::decompose::{
        NegativeComponents, ProfileLevelReport, RaterLevelReport,
    };
    let mut value = serde_json::to_value(d)?;
    value["profile_level"] =
        serde_json::to_value(d.profile_level.as_ref().map(ProfileLevelReport::from))?;
    value["rater_level"] =
        serde_json::to_value(d.rater_level.as_ref().map(RaterLevelReport::from))?;
    if let Some(negative) = NegativeComponents::of(d, method) {
        value["negative_components"] = serde_json::to_value(negative)?;
    }
    Ok(value)
}

/// What the engine path cannot do yet, if `args` asks for it.
#[cfg(feature = "engine")]
fn unsupported(args: &DecomposeArgs) -> Option<&'static str> {
    if args.model.is_some() {
        Some("--model")
    } else if args.model_sample.is_some() {
        Some("--model-sample")
    } else if args.shape.wide {
        Some("--wide")
    } else if args.raters.raters.is_some()
        || args.raters.rater_kind.is_some()
        || args.raters.min_ratings.is_some()
    {
        Some("a rater selection")
    } else {
        None
    }
}

/// `--engine NAME` not this build's engine: bad input (exit 2).
#[cfg(feature = "engine")]
fn unknown_engine(engine: &str) -> anyhow::Error {
    CoreError::Invalid(format!("--engine {engine}: the engine is `{DATAFUSION}`")).into()
}

/// `--memory-limit` with `--cluster`.
#[cfg(feature = "engine")]
const CLUSTER_MEMORY: &str = "--memory-limit applies to a query in this process; on a \
    cluster give each executor its own (chameleon-executor --memory-limit SIZE; docs/scale.md)";

/// A build without the engine asked for one: the user can rebuild or drop `--engine`.
#[cfg(not(feature = "engine"))]
fn no_engine(engine: &str) -> anyhow::Error {
    CoreError::Invalid(format!(
        "this build of chameleon has no query engine: --engine {engine} needs the `engine` \
         feature (cargo build --release -p chameleon-cli --features engine; docs/scale.md)"
    ))
    .into()
}

#[cfg(not(feature = "engine"))]
pub fn run(_args: DecomposeArgs, engine: &str) -> anyhow::Result<()> {
    Err(no_engine(engine))
}

#[cfg(feature = "engine")]
pub fn run(args: DecomposeArgs, engine: &str) -> anyhow::Result<()> {
    use chameleon_core::analysis::decompose::CiReport;
    use chameleon_engine::{decompose_path, parse_size, EngineOptions, Method};
    use std::io::Write;

    // Refusals are bad input (exit 2), as agreement's are: the user can fix the arguments.
    if engine != DATAFUSION {
        return Err(unknown_engine(engine));
    }
    if let Some(what) = unsupported(&args) {
        return Err(CoreError::Invalid(format!(
            "--engine {DATAFUSION} does not support {what} yet: use `chameleon decompose` \
             without --engine (in memory; docs/scale.md)"
        ))
        .into());
    }
    if args.cluster.is_some() && args.memory_limit.is_some() {
        // The executors run the query: their memory is theirs to set.
        return Err(CoreError::Invalid(CLUSTER_MEMORY.into()).into());
    }
    let memory_limit = args.memory_limit.as_deref().map(parse_size).transpose()?;
    let opts = EngineOptions {
        memory_limit,
        target_partitions: args.target_partitions,
        method: if args.method == "anova" {
            Method::Anova
        } else {
            Method::Reml
        },
        dimension: args.dimension.clone(),
        cluster: args.cluster.clone(),
        bootstrap: args.bootstrap,
        seed: args.seed,
        level: chameleon_core::analysis::CI_LEVEL,
    };
    let started = std::time::Instant::now();
    let run = super::with_bootstrap_progress(args.bootstrap, |control| {
        decompose_path(&args.input, &opts, control)
    })?;
    tracing::debug!(elapsed = ?started.elapsed(), "engine done");
    let mut dimensions = Vec::new();
    for r in &run.dimensions {
        let (mut value, mut warnings) = match &r.decomposition {
            Ok(d) => (contract_levels(d, opts.method)?, d.warnings.clone()),
            Err(e) => (serde_json::json!({}), vec![e.clone()]),
        };
        if let (Some(iv), Ok(d)) = (&r.intervals, &r.decomposition) {
            // The in-memory report's `ci` (docs/decomposition.md), from Poisson resamples.
            let mut ci = CiReport::from_intervals(iv, args.bootstrap);
            ci.set_caution(d.persons);
            warnings.extend(failed_resamples(&ci));
            value["ci"] = serde_json::to_value(&ci)?;
            if let Some(list) = value["rater_sensitivity"].as_array_mut() {
                for (s, iv) in list.iter_mut().zip(&iv.rater_state_share) {
                    s["ci"] = serde_json::to_value(iv)?;
                }
            }
        }
        // Rater ids are the engine's own (names in sorted order): show names.
        if let Some(list) = value
            .get_mut("rater_sensitivity")
            .and_then(|v| v.as_array_mut())
        {
            for s in list {
                let name = s["rater"]
                    .as_u64()
                    .and_then(|i| r.raters.get(i as usize))
                    .cloned();
                if let Some(name) = name {
                    s["rater"] = serde_json::Value::String(name);
                }
            }
        }
        if let Some(obj) = value.as_object_mut() {
            obj.insert("dimension".into(), r.dimension.clone().into());
            obj.remove("method");
            obj.insert("warnings".into(), std::mem::take(&mut warnings).into());
        }
        dimensions.push(value);
    }
    for d in &dimensions {
        for w in d["warnings"].as_array().into_iter().flatten() {
            eprintln!(
                "warning: {}: {}",
                d["dimension"].as_str().unwrap_or(""),
                w.as_str().unwrap_or("")
            );
        }
    }
    let mut report = serde_json::json!({
        "engine": DATAFUSION,
        "method": opts.method.as_str(),
        "dimensions": dimensions,
    });
    if let Some(b) = &run.bootstrap {
        report["bootstrap"] = serde_json::json!({
            "method": "poisson",
            "resamples": b.resamples,
            "seed": b.seed,
            "level": b.level,
            "pooled_ci": {
                "trait_share": b.pooled_trait_share,
                "state_share": b.pooled_state_share,
            },
        });
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_text(&mut out, &report)?;
    }
    Ok(())
}

/// The warnings of a dimension's resamples that could not be fitted (left out, counted).
#[cfg(feature = "engine")]
fn failed_resamples(ci: &chameleon_core::analysis::decompose::CiReport) -> Vec<String> {
    [
        ("profile", ci.failed_profile_level),
        ("rater", ci.failed_rater_level),
    ]
    .into_iter()
    .filter(|&(_, n)| n > 0)
    .map(|(level, n)| {
        format!(
            "Poisson bootstrap: {n} of {} resamples could not be fitted at the {level} level \
             (fewer than two persons weighted, or no fit) and are left out of its intervals",
            ci.resamples
        )
    })
    .collect()
}

#[cfg(feature = "engine")]
fn write_text(out: &mut impl std::io::Write, report: &serde_json::Value) -> std::io::Result<()> {
    let pct = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format!("{:.1}%", 100.0 * x))
            .unwrap_or_else(|| "—".into())
    };
    let interval = |v: &serde_json::Value| match (v[0].as_f64(), v[1].as_f64()) {
        (Some(a), Some(b)) => format!("[{:.1}, {:.1}]", 100.0 * a, 100.0 * b),
        _ => String::new(),
    };
    let boot = &report["bootstrap"];
    let ci_header = if boot.is_object() { "95% CI trait" } else { "" };
    writeln!(
        out,
        "{:<20} {:>8} {:>9} {:>10} {:>11} {:>11} {:>13} {:>14}",
        "dimension", "persons", "profiles", "ratings", "trait", "state", "reliability_k", ci_header
    )?;
    for d in report["dimensions"].as_array().into_iter().flatten() {
        let pl = &d["profile_level"];
        writeln!(
            out,
            "{:<20} {:>8} {:>9} {:>10} {:>11} {:>11} {:>13} {:>14}",
            d["dimension"].as_str().unwrap_or(""),
            d["persons"].to_string(),
            d["profiles"].to_string(),
            d["ratings"].to_string(),
            pct(&pl["trait_share"]),
            pct(&pl["state_share"]),
            pct(&d["rater_level"]["reliability_k"]),
            interval(&d["ci"]["trait_share"]),
        )?;
    }
    if boot.is_object() {
        writeln!(
            out,
            "\nPoisson bootstrap: {} resamples, seed {}, percentile intervals at {}",
            boot["resamples"], boot["seed"], boot["level"]
        )?;
    }
    Ok(())
}

#[cfg(not(feature = "engine"))]
pub fn run_agreement(_args: AgreementArgs, engine: &str) -> anyhow::Result<()> {
    Err(no_engine(engine))
}

/// What `agreement --engine` cannot do, if `args` asks for it, with what to use instead.
#[cfg(feature = "engine")]
fn agreement_unsupported(args: &AgreementArgs) -> Option<String> {
    let in_memory = "use `chameleon agreement` without --engine (in memory)";
    let what = if args.bootstrap > 0 {
        "--bootstrap (unit-bootstrap intervals)"
    } else if args.model_sample.is_some() {
        "--model-sample (a study file's model runs)"
    } else if args.shape.wide {
        "--wide"
    } else if args.kappa_weights != super::agreement::Weights::Scale {
        "--kappa-weights (it computes Krippendorff's alpha only, no kappas)"
    } else {
        return None;
    };
    Some(format!(
        "--engine {DATAFUSION} does not support {what}: it computes Krippendorff's alpha at \
         the four levels only; for kappas, ICCs, percent agreement, rater diagnostics and \
         bootstrap intervals {in_memory} (docs/scale.md)"
    ))
}

/// `chameleon agreement DATA --engine datafusion`: Krippendorff's alpha per dimension out of
/// core (docs/scale.md), with the in-memory path's rater selection and null reasons.
#[cfg(feature = "engine")]
pub fn run_agreement(args: AgreementArgs, engine: &str) -> anyhow::Result<()> {
    use chameleon_core::analysis::minimum::UNITS_FOR_AGREEMENT;
    use chameleon_core::analysis::raters::{choose_raters, RaterCount, RaterSelection};
    use chameleon_core::model::{RaterKind, Scale};
    use chameleon_engine::agreement::{agreement_path, RaterTotals, SelectionError};
    use chameleon_engine::{parse_size, EngineOptions};
    use std::io::Write;

    if engine != DATAFUSION {
        return Err(unknown_engine(engine));
    }
    if let Some(why) = agreement_unsupported(&args) {
        return Err(CoreError::Invalid(why).into());
    }
    if args.cluster.is_some() && args.memory_limit.is_some() {
        return Err(CoreError::Invalid(CLUSTER_MEMORY.into()).into());
    }
    let memory_limit = args.memory_limit.as_deref().map(parse_size).transpose()?;
    let opts = EngineOptions {
        memory_limit,
        target_partitions: args.target_partitions,
        dimension: args.dimension.clone(),
        cluster: args.cluster.clone(),
        ..EngineOptions::default()
    };
    let source = args.input.display().to_string();
    let sel = args.raters.selection(RaterSelection::agreement_default());
    let mut choice = None;
    let mut select = |t: &RaterTotals| -> Result<Vec<bool>, SelectionError> {
        let raters: Vec<RaterCount<'_>> = (t.raters.iter())
            .map(|(name, n)| RaterCount {
                name,
                kind: RaterKind::Human,
                ratings: *n as usize,
            })
            .collect();
        // A CSV or Parquet file carries no rater kinds: every rater counts as human.
        let (keep, c) = choose_raters(&raters, t.has_rater, false, &sel, &source)?;
        choice = Some(c);
        Ok(keep)
    };
    let started = std::time::Instant::now();
    let run = agreement_path(&args.input, &opts, &mut select)?;
    tracing::debug!(elapsed = ?started.elapsed(), "engine agreement done");
    if let Some(n) = choice.as_ref().and_then(|c| c.note.as_ref()) {
        eprintln!("note: {n}");
    }
    let mut dimensions = Vec::new();
    for d in &run.dimensions {
        // The in-memory report's sentences, in its order.
        let mut warnings = Vec::new();
        let null = |what: &str, why: &dyn std::fmt::Display| {
            format!("dimension '{}': {what} is null: {why}", d.dimension)
        };
        let mut level = chameleon_core::model::Level::Interval;
        let alpha = match &d.alpha {
            None => {
                warnings.push(null(
                    "every agreement statistic",
                    &"the data have no rater column",
                ));
                serde_json::json!({"nominal": null, "ordinal": null, "interval": null, "ratio": null})
            }
            Some(a) => {
                let scale = Scale::infer(&d.distinct_values);
                level = scale.default_level();
                warnings.push(format!(
                    "dimension '{}': no codebook gives its scale; {}",
                    d.dimension,
                    scale.inferred_description()
                ));
                let mut take = |what: &str, r: &Result<f64, _>| match r {
                    Ok(v) => serde_json::json!(v),
                    Err(e) => {
                        warnings.push(null(what, e));
                        serde_json::Value::Null
                    }
                };
                serde_json::json!({
                    "nominal": take("alpha (nominal)", &a.nominal),
                    "ordinal": take("alpha (ordinal)", &a.ordinal),
                    "interval": take("alpha (interval)", &a.interval),
                    "ratio": take("alpha (ratio)", &a.ratio),
                })
            }
        };
        // Without raters nothing is pairable, as in memory.
        let pairable = if d.alpha.is_some() {
            d.pairable_units
        } else {
            0
        };
        let mut value = serde_json::json!({
            "dimension": d.dimension,
            "units": d.units,
            "raters": d.raters,
            "ratings": d.ratings,
            "alpha": alpha,
            "level": level,
            "pairable_units": pairable,
        });
        if let Some(c) = UNITS_FOR_AGREEMENT.check(pairable) {
            value["caution"] = serde_json::to_value(c)?;
        }
        for w in &warnings {
            eprintln!("warning: {w}");
        }
        value["warnings"] = warnings.into();
        dimensions.push(value);
    }
    let mut report = serde_json::json!({
        "engine": DATAFUSION,
        "dimensions": dimensions,
    });
    if let Some(c) = &choice {
        report["raters"] = serde_json::to_value(c)?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer(&mut out, &report)?;
        writeln!(out)?;
    } else {
        write_agreement_text(&mut out, &report, &source)?;
    }
    Ok(())
}

#[cfg(feature = "engine")]
fn write_agreement_text(
    out: &mut impl std::io::Write,
    report: &serde_json::Value,
    source: &str,
) -> std::io::Result<()> {
    let num = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format!("{x:.3}"))
            .unwrap_or_else(|| "—".into())
    };
    writeln!(out, "Agreement ({DATAFUSION}) — {source}")?;
    if let Some(s) = report["raters"]["selection"].as_str() {
        let included = report["raters"]["included"].as_array().map_or(0, Vec::len);
        writeln!(out, "Raters: {s} — {included} included")?;
    }
    writeln!(
        out,
        "{:<20} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "dimension",
        "units",
        "raters",
        "ratings",
        "α nominal",
        "α ordinal",
        "α interval",
        "α ratio"
    )?;
    for d in report["dimensions"].as_array().into_iter().flatten() {
        let a = &d["alpha"];
        writeln!(
            out,
            "{:<20} {:>8} {:>8} {:>10} {:>10} {:>10} {:>10} {:>10}",
            d["dimension"].as_str().unwrap_or(""),
            d["units"].to_string(),
            d["raters"].to_string(),
            d["ratings"].to_string(),
            num(&a["nominal"]),
            num(&a["ordinal"]),
            num(&a["interval"]),
            num(&a["ratio"]),
        )?;
    }
    writeln!(
        out,
        "\nα: Krippendorff's alpha; '—': not computable (reason on stderr). Kappas, ICCs and \
         rater diagnostics: `chameleon agreement` without --engine."
    )
}
