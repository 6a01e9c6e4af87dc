//! The app's rating loop at a lab's scale (issue #19 item 4), timed on the core calls the
//! rating screen makes (src-tauri/src/commands/annotate.rs):
//!
//! - keypress → saved: `app::annotate::save` (one rating and its history entry, committed);
//! - Enter → next profile shown: the profile's notes and time saved (`app::annotate::review`),
//!   the next profile (`next_unrated`), its view (`app::annotate::profile_view`) and the
//!   queue's generation (the screen keeps its copy of the queue list and fetches it again
//!   only when that moved);
//! - the queue overlay's per-dimension progress (`dimension_progress`) and the queue list
//!   (`app::annotate::queue`, fetched at start);
//! - cold start: open the file to the first profile of the rating screen, the calls the app's
//!   start makes (`Study::open`, the rater chosen again, `app::start::session_view`, the next
//!   profile, its view and the per-dimension progress), `COLD` times, each step apart; the
//!   queue list, which the screen fetches after the first profile is shown, timed after it.
//!
//! A study of `PERSONS` × 3 = 100,002 profiles and 26 dimensions is built once (at `STUDY`, kept
//! for the next run), where rater `r0` has rated every dimension of the first `RATED_PERSONS`
//! persons' profiles (imported). Then `LOOPS` profiles are rated as `r0`, each with all 26
//! dimensions. Prints median and p95 per call in ms, wall time, with the load.
//!
//!     cargo run --release -p chameleon-core --example rating_loop
//!     STUDY=/tmp/loop.db PERSONS=33334 RATED_PERSONS=6667 LOOPS=40 cargo run ...

use chameleon_core::app::annotate::{self as an, ReviewRequest, SaveRatingRequest};
use chameleon_core::sample::{write_bench_profiles, write_bench_ratings, BenchShape};
use chameleon_core::store::Study;
use std::time::Instant;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn build(path: &std::path::Path, persons: usize, rated: usize) -> Res<()> {
    let dir = tempfile::tempdir()?;
    let shape = BenchShape {
        persons,
        contexts: 3,
        raters_per_profile: 1,
        rater_pool: 1,
        dimensions: 26,
        seed: 19,
    };
    let profiles = dir.path().join("profiles.jsonl");
    write_bench_profiles(shape, &mut std::fs::File::create(&profiles)?)?;
    let ratings = dir.path().join("ratings.csv");
    let rated_shape = BenchShape {
        persons: rated,
        ..shape
    };
    write_bench_ratings(rated_shape, &mut std::fs::File::create(&ratings)?)?;
    let mut study = Study::create(path)?;
    let t = Instant::now();
    let p = study.import_profiles(&profiles)?;
    eprintln!("imported {} profile texts in {:.2?}", p.added, t.elapsed());
    let t = Instant::now();
    let r = study.import_ratings(&ratings, &Default::default())?;
    eprintln!("imported {} ratings in {:.2?}", r.added, t.elapsed());
    Ok(())
}

/// (median, p95) in ms.
fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.95))
}

fn time<T>(into: &mut Vec<f64>, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    into.push(t.elapsed().as_secs_f64() * 1e3);
    out
}

fn load() -> String {
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    load.split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The steps of a cold start, in the order the app makes them: open the file, the rater
/// chosen again (`install`), the session view, and the rating screen's mount, which shows the
/// first profile before it fetches the queue list.
const COLD_STEPS: [&str; 5] = [
    "open the study",
    "rater, session view, codebook changes",
    "next unrated profile (loads the queue state)",
    "its view and the per-dimension progress",
    "the queue list, after the first profile",
];

/// A cold start, each step's ms in `steps` (see [`COLD_STEPS`]).
fn cold_start(path: &std::path::Path, rater: &str, steps: &mut [Vec<f64>]) -> Res<(Study, i64)> {
    let study = time(&mut steps[0], || Study::open(path))?;
    let rater = time(&mut steps[1], || -> Res<_> {
        let rater = study
            .raters()?
            .into_iter()
            .find(|r| r.name == rater)
            .ok_or("the bench rater is missing")?;
        chameleon_core::app::start::session_view(&study, Some(&rater))?;
        an::codebook_changes(&study, rater.id)?;
        Ok(rater)
    })?;
    let first = time(&mut steps[2], || study.next_unrated(rater.id))?;
    time(&mut steps[3], || -> Res<()> {
        if let Some(p) = first {
            an::profile_view(&study, rater.id, p)?;
        }
        an::dimension_progress(&study, rater.id)?;
        Ok(())
    })?;
    time(&mut steps[4], || an::queue(&study, rater.id))?;
    Ok((study, rater.id))
}

fn main() -> Res<()> {
    let persons = env("PERSONS", 33_334);
    let rated = env("RATED_PERSONS", persons / 5);
    let loops = env("LOOPS", 40);
    let colds = env("COLD", 5);
    let path = std::env::var("STUDY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("rating-loop-{persons}.db")));
    if !path.exists() {
        build(&path, persons, rated)?;
        // The bench rater exists before the first start, as after a first session.
        Study::open(&path)?.ensure_rater("r0", chameleon_core::model::RaterKind::Human)?;
    }
    let mut cold = vec![];
    let mut steps = vec![vec![]; COLD_STEPS.len()];
    for _ in 0..colds {
        let t = Instant::now();
        let started = cold_start(&path, "r0", &mut steps)?;
        // To the first profile shown: the queue list comes after it.
        cold.push(t.elapsed().as_secs_f64() * 1e3 - steps[4][steps[4].len() - 1]);
        drop(started);
    }
    let (mut study, rater) = cold_start(&path, "r0", &mut vec![vec![]; COLD_STEPS.len()])?;
    let size = study.size()?;
    let dims: Vec<String> = study
        .dimension_progress(rater)?
        .into_iter()
        .map(|d| d.dimension)
        .collect();
    let (mut save, mut next, mut view, mut progress, mut queue, mut enter, mut leave) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let cpu = cpu_seconds();
    let generation = study.queue_generation(rater)?;
    for i in 0..loops {
        let t = Instant::now();
        let Some(profile) = time(&mut next, || study.next_unrated(rater))? else {
            break;
        };
        time(&mut view, || -> Res<()> {
            an::profile_view(&study, rater, profile)?;
            study.queue_generation(rater)?;
            Ok(())
        })?;
        if i > 0 {
            enter.push(t.elapsed().as_secs_f64() * 1e3 + leave[leave.len() - 1]);
        }
        time(&mut progress, || an::dimension_progress(&study, rater))?;
        if i % 10 == 0 {
            time(&mut queue, || an::queue(&study, rater))?;
        }
        for (d, name) in dims.iter().enumerate() {
            time(&mut save, || {
                an::save(
                    &mut study,
                    rater,
                    SaveRatingRequest {
                        profile_id: profile,
                        dimension: name.clone(),
                        value: Some(1.0 + (d % 5) as f64),
                        seconds_spent: Some(1.5),
                        cant_judge: false,
                    },
                )
            })?;
        }
        // Enter: the profile's notes and time are saved before the next one is looked up.
        time(&mut leave, || {
            an::review(
                &mut study,
                rater,
                ReviewRequest {
                    profile_id: profile,
                    flagged: false,
                    note: None,
                    confidence: None,
                    seconds_spent: 30.0,
                },
            )
        })?;
    }
    let cpu = cpu_seconds() - cpu;
    let rebuilt = study.queue_generation(rater)? - generation;
    println!(
        "study: {} profiles, {} dimensions, {} raters; load {}; the loop used {cpu:.2} s CPU; \
         the queue state was read {rebuilt} times during it",
        size.profiles,
        size.dimensions,
        size.raters,
        load()
    );
    for (name, ms) in [
        ("cold start → first profile shown", cold),
        ("keypress → saved (annotate::save)", save),
        ("Enter → next profile (all below)", enter),
        ("  notes and time saved (review)", leave),
        ("  next_unrated", next),
        ("  profile view + queue generation", view),
        ("dimension_progress (queue overlay)", progress),
        ("queue (the whole list, at start)", queue),
    ]
    .into_iter()
    .chain(COLD_STEPS.iter().zip(steps).map(|(n, ms)| (*n, ms)))
    {
        let n = ms.len();
        let (median, p95) = summary(ms);
        println!("{name:36} n={n:5}  median {median:8.2} ms  p95 {p95:8.2} ms");
    }
    Ok(())
}

/// This process's user + system CPU time, in seconds (`/proc/self/stat`).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name's closing parenthesis: fields 3.. ; utime and stime are 14 and 15.
    let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    // Fields counted from 3: utime is index 11, stime 12; the kernel's clock tick is 100 Hz.
    (ticks(11) + ticks(12)) / 100.0
}
