//! Agreement bench on Chameleon-scale data (run through `scripts/bench-agreement.sh`, which
//! generates the data with `chameleon sample bench` and times Python `krippendorff` on the same
//! file).
//!
//! Usage: `cargo bench -p chameleon-stats --bench agreement -- FILE.csv [RUNS]` with FILE a tidy
//! `person,context,rater,dimension,value` CSV. Prints one `key=value` line per measurement
//! (medians over RUNS runs, milliseconds):
//! - `full_table_ms`: every agreement statistic of every dimension, dimensions in parallel
//!   (rayon): table build, alpha at four levels, Fleiss' kappa, Cohen's kappas (3 weightings)
//!   for every rater pair, ICC (Shrout & Fleiss on complete units, variance components by
//!   moments and by REML),
//!   percent agreement, per-rater diagnostics;
//! - `interval_alpha_ms`: interval alpha alone, all dimensions one after the other, including
//!   building each table from the ratings.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::agreement::*;
use rayon::prelude::*;
use std::collections::HashMap;
use std::time::Instant;

struct Dim {
    rows: Vec<Rating>,
}

fn load(path: &str) -> Vec<Dim> {
    let text = std::fs::read_to_string(path).expect("bench CSV");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("header")
        .split(',')
        .map(|h| h.trim().to_lowercase())
        .collect();
    let col = |n: &str| header.iter().position(|h| h == n).expect("column");
    let (cp, cc, cr, cd, cv) = (
        col("person"),
        col("context"),
        col("rater"),
        col("dimension"),
        col("value"),
    );
    let mut profiles: HashMap<(String, String), u32> = HashMap::new();
    let mut raters: HashMap<String, u32> = HashMap::new();
    let mut dims: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Dim> = Vec::new();
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let Ok(value) = f[cv].parse::<f64>() else {
            continue;
        };
        let n = profiles.len() as u32;
        let unit = *profiles
            .entry((f[cp].to_string(), f[cc].to_string()))
            .or_insert(n);
        let n = raters.len() as u32;
        let rater = *raters.entry(f[cr].to_string()).or_insert(n);
        let n = dims.len();
        let d = *dims.entry(f[cd].to_string()).or_insert(n);
        if d == out.len() {
            out.push(Dim { rows: Vec::new() });
        }
        out[d].rows.push(Rating::new(unit, rater, value));
    }
    out
}

fn full(d: &Dim) -> usize {
    let Ok(t) = RatingTable::new(&d.rows) else {
        return 0;
    };
    let a = alpha_all(&t);
    let f = fleiss_kappa(&t);
    let c = Categories::from_data(&t);
    let pairs = cohen_pairs(&t, &c);
    let sf = icc_complete(&t);
    // Incomplete designs: the ICC from REML components, as `chameleon agreement` reports it.
    let (vc, _) = icc_variance_components(&t);
    let reml = icc_reml(&t);
    let pa = percent_agreement(&t, Some(&c));
    let rd = rater_diagnostics(&t);
    // Use every result so nothing is optimised away.
    usize::from(a.interval.is_ok())
        + usize::from(f.is_ok())
        + pairs.len()
        + usize::from(sf.icc2.is_ok())
        + usize::from(vc.icc2.is_ok())
        + usize::from(reml.is_ok())
        + usize::from(pa.is_ok())
        + rd.len()
}

/// One statistic on one table, returning something to keep it from being optimised away.
type Stat = dyn Fn(&RatingTable) -> usize;

fn median_ms(runs: usize, mut f: impl FnMut() -> usize) -> (f64, usize) {
    let mut times = Vec::with_capacity(runs);
    let mut check = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        check = std::hint::black_box(f());
        times.push(t0.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    (times[runs / 2], check)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let Some(path) = args.first() else {
        eprintln!("usage: agreement FILE.csv [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args
        .get(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(15)
        .max(1);
    let dims = load(path);
    let ratings: usize = dims.iter().map(|d| d.rows.len()).sum();
    println!(
        "dimensions={} ratings={} threads={}",
        dims.len(),
        ratings,
        rayon::current_num_threads()
    );
    // Warm up once.
    let _ = dims.par_iter().map(full).sum::<usize>();
    let (ms, check) = median_ms(runs, || dims.par_iter().map(full).sum());
    println!("full_table_ms={ms:.3} (check {check})");
    let (ms, _) = median_ms(runs, || {
        dims.iter()
            .map(|d| {
                RatingTable::new(&d.rows)
                    .ok()
                    .and_then(|t| alpha(&t, Metric::Interval).ok())
                    .map_or(0, |a| usize::from(a > -10.0))
            })
            .sum()
    });
    println!("interval_alpha_ms={ms:.3}");
    let (ms, _) = median_ms(runs, || {
        dims.iter()
            .map(|d| RatingTable::new(&d.rows).map_or(0, |t| t.n_ratings()))
            .sum()
    });
    println!("table_build_ms={ms:.3}");
    let alphas: Vec<String> = dims
        .iter()
        .map(|d| {
            RatingTable::new(&d.rows)
                .ok()
                .and_then(|t| alpha(&t, Metric::Interval).ok())
                .map_or("nan".into(), |a| format!("{a:.12}"))
        })
        .collect();
    println!("rust_alpha_interval={}", alphas.join(","));
    let tables: Vec<RatingTable> = dims
        .iter()
        .filter_map(|d| RatingTable::new(&d.rows).ok())
        .collect();
    let (ms, _) = median_ms(runs, || {
        tables
            .iter()
            .map(|t| alpha(t, Metric::Interval).map_or(0, |a| usize::from(a > -10.0)))
            .sum()
    });
    println!("interval_alpha_prebuilt_ms={ms:.3}");
    let (ms, _) = median_ms(runs, || {
        tables
            .iter()
            .map(|t| usize::from(icc_reml(t).is_ok()))
            .sum()
    });
    println!("icc_reml_sequential_ms={ms:.3} (part of the full table: REML unit + rater fit)");
    // Where the full table's time goes: each statistic alone, all dimensions one after the
    // other, on prebuilt tables.
    let parts: [(&str, &Stat); 8] = [
        ("alpha_all", &|t| usize::from(alpha_all(t).interval.is_ok())),
        ("fleiss_kappa", &|t| usize::from(fleiss_kappa(t).is_ok())),
        ("cohen_pairs", &|t| {
            cohen_pairs(t, &Categories::from_data(t)).len()
        }),
        ("icc_complete", &|t| {
            usize::from(icc_complete(t).icc2.is_ok())
        }),
        ("icc_moments", &|t| {
            usize::from(icc_variance_components(t).0.icc2.is_ok())
        }),
        ("icc_reml", &|t| usize::from(icc_reml(t).is_ok())),
        ("percent_agreement", &|t| {
            usize::from(percent_agreement(t, Some(&Categories::from_data(t))).is_ok())
        }),
        ("rater_diagnostics", &|t| rater_diagnostics(t).len()),
    ];
    let line: Vec<String> = parts
        .iter()
        .map(|(name, f)| {
            let (ms, _) = median_ms(runs, || tables.iter().map(f).sum());
            format!("{name}={ms:.3}")
        })
        .collect();
    println!("parts_sequential_ms {}", line.join(" "));
}
