//! `chameleon decompose DATA --engine datafusion`: the decomposition on Apache DataFusion for
//! data larger than memory (issue #17, docs/scale.md). Behind the CLI's `engine` feature.

use super::decompose::DecomposeArgs;

/// The one engine so far (`--engine`'s value).
#[cfg(feature = "engine")]
pub const DATAFUSION: &str = "datafusion";

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

#[cfg(not(feature = "engine"))]
pub fn run(_args: DecomposeArgs, engine: &str) -> anyhow::Result<()> {
    anyhow::bail!(
        "this build of chameleon has no query engine: --engine {engine} needs the `engine` \
         feature (cargo build --release -p chameleon-cli --features engine; docs/scale.md)"
    )
}

#[cfg(feature = "engine")]
pub fn run(args: DecomposeArgs, engine: &str) -> anyhow::Result<()> {
    use chameleon_core::analysis::decompose::CiReport;
    use chameleon_engine::{decompose_path, parse_size, EngineOptions, Method};
    use std::io::Write;

    if engine != DATAFUSION {
        anyhow::bail!("--engine {engine}: the engine is `{DATAFUSION}`");
    }
    if let Some(what) = unsupported(&args) {
        anyhow::bail!("--engine {DATAFUSION} does not support {what} yet (docs/scale.md)");
    }
    if args.cluster.is_some() && args.memory_limit.is_some() {
        // The executors run the query: their memory is theirs to set.
        anyhow::bail!(
            "--memory-limit applies to a query in this process; on a cluster give each \
             executor its own (chameleon-executor --memory-limit SIZE; docs/scale.md)"
        );
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
            Ok(d) => (serde_json::to_value(d)?, d.warnings.clone()),
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
