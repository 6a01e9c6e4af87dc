//! Timings of the decomposition engine alone (no CSV): `cargo bench -p chameleon-stats
//! --bench decompose_bench [-- PERSONS RESAMPLES]`. The whole-process comparison with lme4 is
//! `scripts/bench-decompose.sh`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use chameleon_stats::bootstrap::{Control, ResampleRng};
use chameleon_stats::variance::decompose::Prepared;
use chameleon_stats::variance::{
    bootstrap_decomposition, decompose, fit_reml, BootstrapOptions, DecomposeOptions, Design,
    FitOptions, Method, Rating, Terms,
};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Chameleon-shaped data: `persons` × 3 contexts × 3 of 12 raters, normal effects.
fn simulate(persons: u32, seed: u64) -> Vec<Rating> {
    let mut rng = ResampleRng::new(seed, 0);
    let mut normal = move || {
        // Sum of 12 uniforms − 6: close enough to normal for timing.
        (0..12)
            .map(|_| rng.index(1 << 20) as f64 / (1u64 << 20) as f64)
            .sum::<f64>()
            - 6.0
    };
    let rater_eff: Vec<f64> = (0..12).map(|_| 0.3 * normal()).collect();
    let mut out = Vec::new();
    let mut profile = 0;
    let mut pick = ResampleRng::new(seed, 1);
    for p in 0..persons {
        let t = 0.6 * normal();
        for _ in 0..3 {
            let s = normal();
            let mut raters: Vec<u32> = Vec::new();
            while raters.len() < 3 {
                let r = pick.index(12) as u32;
                if !raters.contains(&r) {
                    raters.push(r);
                }
            }
            for r in raters {
                let v = 4.0 + t + s + rater_eff[r as usize] + 0.7 * normal();
                out.push(Rating {
                    person: p,
                    profile,
                    rater: r,
                    value: v.round().clamp(1.0, 7.0),
                });
            }
            profile += 1;
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let persons: u32 = args.first().and_then(|a| a.parse().ok()).unwrap_or(1667);
    let resamples: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
    let dims: Vec<Vec<Rating>> = (0..10).map(|d| simulate(persons, 100 + d)).collect();
    println!(
        "{persons} persons, {} ratings per dimension, 10 dimensions",
        dims[0].len()
    );

    let t = Instant::now();
    let design = Design::new(&dims[0], Terms::RATER_LEVEL).unwrap();
    println!(
        "design build (1 dim): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    let t = Instant::now();
    let n = 50;
    for _ in 0..n {
        std::hint::black_box(design.evaluate([0.8, 1.2, 0.4], None, false));
    }
    println!(
        "one evaluation, sequential: {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(chameleon_stats::variance::suff::Suff::new(
            &design, None, false,
        ));
    }
    println!(
        "sufficient statistics (1 dim): {:.1} µs",
        t.elapsed().as_secs_f64() * 1e6 / n as f64
    );
    let t = Instant::now();
    let fit = fit_reml(&design, &FitOptions::default()).unwrap();
    println!(
        "rater-level fit: {:.2} ms ({} evaluations)",
        t.elapsed().as_secs_f64() * 1e3,
        fit.evaluations
    );

    if std::env::var_os("BENCH_PREPARE_LOOP").is_some() {
        // For profiling the design construction alone.
        for _ in 0..100 {
            for d in &dims {
                std::hint::black_box(Prepared::new(d, true).unwrap());
            }
        }
    }
    let t = Instant::now();
    let prepared: Vec<Prepared> = dims
        .iter()
        .map(|d| Prepared::new(d, true).unwrap())
        .collect();
    println!("prepare 10 dims: {:.2} ms", t.elapsed().as_secs_f64() * 1e3);
    let t = Instant::now();
    let full: Vec<_> = prepared
        .iter()
        .zip(&dims)
        .map(|(p, d)| decompose(p, d, &DecomposeOptions::default()))
        .collect();
    println!(
        "decompose 10 dims (both levels + per rater): {:.2} ms",
        t.elapsed().as_secs_f64() * 1e3
    );

    {
        // Pieces of one bootstrap resample of one dimension.
        let d0 = &dims[0];
        let mut w = vec![0.0; persons as usize];
        let mut rng = ResampleRng::new(5, 5);
        for _ in 0..persons {
            w[rng.index(persons as usize)] += 1.0;
        }
        let time = |label: &str, f: &dyn Fn()| {
            let t = Instant::now();
            for _ in 0..20 {
                f();
            }
            println!(
                "  {label}: {:.1} µs",
                t.elapsed().as_secs_f64() * 1e6 / 20.0
            );
        };
        let rd = Design::new(d0, Terms::RATER_LEVEL).unwrap();
        let one: Vec<Rating> = d0.iter().filter(|r| r.rater == 0).copied().collect();
        let od = Design::new(&one, Terms::PERSON_ONLY).unwrap();
        let full_fit = fit_reml(&rd, &FitOptions::default()).unwrap();
        time("weighted suff, rater level", &|| {
            std::hint::black_box(chameleon_stats::variance::suff::Suff::new(
                &rd,
                Some(&w),
                false,
            ));
        });
        time("weighted suff, one rater's profile level", &|| {
            std::hint::black_box(chameleon_stats::variance::suff::Suff::new(
                &od,
                Some(&w),
                false,
            ));
        });
        time("warm weighted rater-level fit", &|| {
            let o = FitOptions {
                start: Some(full_fit.theta),
                weights: Some(&w),
                parallel: false,
            };
            let f = fit_reml(&rd, &o).unwrap();
            std::hint::black_box(f);
        });
        let o = FitOptions {
            start: Some(full_fit.theta),
            weights: Some(&w),
            parallel: false,
        };
        println!(
            "  (evaluations: {})",
            fit_reml(&rd, &o).unwrap().evaluations
        );
    }
    let cancel = AtomicBool::new(false);
    let ctl = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let t = Instant::now();
    let pr: Vec<&Prepared> = prepared.iter().collect();
    let fr: Vec<_> = full.iter().collect();
    let opts = BootstrapOptions {
        resamples,
        seed: 1,
        level: 0.95,
        method: Method::Reml,
    };
    bootstrap_decomposition(&pr, &fr, &opts, &ctl).unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "bootstrap {resamples} resamples × 10 dims on {} threads: {:.2} s ({:.2} s per 1,000)",
        rayon::current_num_threads(),
        secs,
        secs * 1000.0 / resamples as f64
    );
}
