//! The app's rating loop at a lab's scale (issue #19 item 4), timed on the core calls the
//! rating screen makes (src-tauri/src/commands/annotate.rs):
//!
//! - keypress → saved: `save_rating` (one rating and its history entry, committed);
//! - Enter → next profile shown: `next_unrated`, then the profile view (`profile`,
//!   `ratings_of`, `cant_judge_of`, `profile_review`, `codebook`) and `dimension_progress`;
//! - the queue list: `queue`.
//!
//! A study of `PERSONS` × 3 = 100,002 profiles and 26 dimensions is built once (at `STUDY`, kept
//! for the next run), where rater `r0` has rated every dimension of the first `RATED_PERSONS`
//! persons' profiles (imported). Then `LOOPS` profiles are rated as `r0`, each with all 26
//! dimensions. Prints median and p95 per call in ms.
//!
//!     cargo run --release -p chameleon-core --example rating_loop
//!     STUDY=/tmp/loop.db PERSONS=33334 RATED_PERSONS=6667 LOOPS=40 cargo run ...

use chameleon_core::sample::{write_bench_profiles, write_bench_ratings, BenchShape};
use chameleon_core::store::{RatingInput, Study};
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

fn main() -> Res<()> {
    let persons = env("PERSONS", 33_334);
    let rated = env("RATED_PERSONS", persons / 5);
    let loops = env("LOOPS", 40);
    let path = std::env::var("STUDY")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| std::env::temp_dir().join(format!("rating-loop-{persons}.db")));
    if !path.exists() {
        build(&path, persons, rated)?;
    }
    let mut study = Study::open(&path)?;
    let size = study.size()?;
    let rater = study.ensure_rater("r0", chameleon_core::model::RaterKind::Human)?;
    let dims: Vec<String> = study
        .dimension_progress(rater.id)?
        .into_iter()
        .map(|d| d.dimension)
        .collect();
    let (mut save, mut next, mut view, mut progress, mut queue, mut enter) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for i in 0..loops {
        let t = Instant::now();
        let Some(profile) = time(&mut next, || study.next_unrated(rater.id))? else {
            break;
        };
        time(&mut view, || -> Res<()> {
            study.profile(profile)?;
            study.ratings_of(profile, rater.id)?;
            study.cant_judge_of(profile, rater.id)?;
            study.profile_review(rater.id, profile)?;
            study.codebook()?;
            Ok(())
        })?;
        time(&mut progress, || study.dimension_progress(rater.id))?;
        enter.push(t.elapsed().as_secs_f64() * 1e3);
        if i % 10 == 0 {
            time(&mut queue, || study.queue(rater.id))?;
        }
        for (d, name) in dims.iter().enumerate() {
            time(&mut save, || {
                study.save_rating(&RatingInput {
                    profile_id: profile,
                    dimension: name.clone(),
                    rater_id: rater.id,
                    value: Some(1.0 + (d % 5) as f64),
                    seconds_spent: Some(1.5),
                    note: None,
                    confidence: None,
                })
            })?;
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "study: {} profiles, {} dimensions, {} raters; load {}",
        size.profiles,
        size.dimensions,
        size.raters,
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    for (name, ms) in [
        ("keypress → saved (save_rating)", save),
        ("Enter → next profile (all below)", enter),
        ("  next_unrated", next),
        ("  profile view", view),
        ("  dimension_progress", progress),
        ("queue (the whole list)", queue),
    ] {
        let n = ms.len();
        let (median, p95) = summary(ms);
        println!("{name:34} n={n:5}  median {median:8.2} ms  p95 {p95:8.2} ms");
    }
    Ok(())
}
