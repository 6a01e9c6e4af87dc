//! The shell's side of the analysis view: core's job runner (tested in
//! `chameleon_core::app::analysis::jobs`) measured behind the session lock.

use super::*;
use crate::paths::AppPaths;
use chameleon_core::analysis::decompose::{
    run_decomposition, DecomposeMethod, DecomposeRunOptions,
};
use chameleon_core::analysis::Control;
use chameleon_core::app::analysis::jobs::RunStatus;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn opts(bootstrap: u32) -> AnalysisRequest {
    AnalysisRequest::every_dimension(bootstrap, 7)
}

/// The Chameleon-scale measurement of issue #6 (not a timed assertion): a 1,000-resample run
/// of `AnalysisJobs::run` — what `run_analysis` calls — on a study made by `chameleon sample bench`
/// (1,667 persons × 3 contexts × 3 of 12 raters × 10 dimensions = 150,030 ratings), three
/// times; meanwhile another thread keeps calling the `current_session` command function
/// through the session lock, to see whether other commands answer during a run.
///
/// `cargo test --release -p chameleon-studio --lib bench_chameleon_scale -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_chameleon_scale() {
    use crate::commands::start::{install, session_view};
    use chameleon_core::app::start::create_study as create_from_files;
    use chameleon_core::sample::{write_bench_profiles, write_bench_ratings, BenchShape};
    let resamples: u32 = std::env::var("BENCH_RESAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().unwrap();
    let shape = BenchShape::default();
    let ratings = dir.path().join("ratings.csv");
    let profiles = dir.path().join("profiles.jsonl");
    let codebook = dir.path().join("codebook.toml");
    write_bench_ratings(shape, &mut std::fs::File::create(&ratings).unwrap()).unwrap();
    write_bench_profiles(shape, &mut std::fs::File::create(&profiles).unwrap()).unwrap();
    let mut cb = String::from("name = \"bench\"\nguidelines = \"\"\n");
    for d in 0..shape.dimensions {
        cb.push_str(&format!(
            "[[dimensions]]\nname = \"dim{d}\"\nlabel = \"dim{d}\"\ndefinition = \"\"\n\
             level = \"ordinal\"\n[dimensions.scale]\ntype = \"likert\"\nmin = 1\nmax = 7\n"
        ));
    }
    std::fs::write(&codebook, cb).unwrap();
    let paths = AppPaths::under(dir.path().join("app"));
    let mut study = create_from_files(&dir.path().join("bench.chameleon"), &profiles, &codebook)
        .expect("study");
    study
        .import_ratings(&ratings, &Default::default())
        .expect("ratings import");
    let app = AppState::new(paths.clone());
    app.run_now(|s, p| install(s, p, study).map(|_| ()))
        .unwrap();
    let mut idle: Vec<f64> = (0..5)
        .map(|_| {
            let c0 = Instant::now();
            app.run_now(|s, _| session_view(s)).unwrap();
            c0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    idle.sort_by(f64::total_cmp);
    println!(
        "current_session with no run: median {:.1} ms, max {:.1} ms",
        idle[2], idle[4]
    );
    let mut totals = Vec::new();
    for round in 1..=3 {
        let analysis = AnalysisJobs::new(paths.analysis_dir());
        let o = opts(resamples);
        let t0 = Instant::now();
        let snap = app.run_now(|s, _| Ok(snapshot(s.study()?, &o)?)).unwrap();
        let t_snap = t0.elapsed();
        let ratings = snap.dataset.rating_count();
        let done = AtomicBool::new(false);
        let mut latencies: Vec<f64> = Vec::new();
        let outcome = std::thread::scope(|scope| {
            let job = scope.spawn(|| {
                let r = analysis.run(snap, &o, round, &|_, _| {});
                done.store(true, Ordering::Relaxed);
                r
            });
            while !done.load(Ordering::Relaxed) {
                let c0 = Instant::now();
                app.run_now(|s, _| session_view(s))
                    .expect("current_session answers");
                latencies.push(c0.elapsed().as_secs_f64() * 1e3);
                std::thread::sleep(Duration::from_millis(20));
            }
            job.join().unwrap()
        })
        .unwrap();
        let total = t0.elapsed().as_secs_f64();
        assert_eq!(outcome.status, RunStatus::Done);
        latencies.sort_by(f64::total_cmp);
        let med = latencies
            .get(latencies.len() / 2)
            .copied()
            .unwrap_or(f64::NAN);
        let max = latencies.last().copied().unwrap_or(f64::NAN);
        println!(
            "round {round}: {ratings} ratings, {resamples} resamples: snapshot (under the lock) \
             {:.0} ms, run {:.2} s (compute {:.2} s), total {total:.2} s; current_session \
             answered {} times during the run, median {med:.1} ms, max {max:.1} ms",
            t_snap.as_secs_f64() * 1e3,
            total - t_snap.as_secs_f64(),
            outcome
                .result
                .as_ref()
                .map(|r| r.seconds)
                .unwrap_or(f64::NAN),
            latencies.len(),
        );
        totals.push(total);
    }
    // Where the time goes: the decomposition (with its bootstrap) and the agreement part of
    // the report (with its own unit bootstrap), each alone.
    let snap = app
        .run_now(|s, _| Ok(snapshot(s.study()?, &opts(resamples))?))
        .unwrap();
    let cancel = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let t = Instant::now();
    run_decomposition(
        &snap.dataset,
        &DecomposeRunOptions {
            method: DecomposeMethod::Reml,
            bootstrap: resamples as usize,
            seed: 7,
        },
        &control,
    )
    .unwrap();
    let t_dec = t.elapsed().as_secs_f64();
    let t = Instant::now();
    chameleon_core::analysis::agreement::agreement(
        &snap.dataset,
        &chameleon_core::analysis::agreement::AgreementOptions {
            bootstrap: resamples as usize,
            seed: 7,
        },
    );
    let t_agr = t.elapsed().as_secs_f64();
    println!(
        "alone: decomposition + {resamples}-resample bootstrap {t_dec:.2} s; agreement + \
         {resamples}-resample bootstrap {t_agr:.2} s"
    );
    totals.sort_by(f64::total_cmp);
    println!(
        "median of 3 (click → result, without IPC): {:.2} s on {} threads",
        totals[1],
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    );
}
