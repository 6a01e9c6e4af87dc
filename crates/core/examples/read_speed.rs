//! How fast the tidy reader turns a ratings CSV into a dataset (issue #19's "reader at
//! ≥ 1 GB/s"): `cargo run --release -p chameleon-core --example read_speed -- FILE [RUNS]`.
//! Prints the median of RUNS reads (default 21) in ms and MB/s, on the current rayon pool
//! (`RAYON_NUM_THREADS=1` for one core), with the file already in the page cache.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = std::path::PathBuf::from(args.next().ok_or("usage: read_speed FILE [RUNS]")?);
    let runs: usize = args.next().map(|r| r.parse()).transpose()?.unwrap_or(21);
    let bytes = std::fs::metadata(&path)?.len() as f64;
    let mut times = Vec::with_capacity(runs);
    let mut ratings = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let (ds, _notes) = chameleon_core::tidy::read_dataset(&path)?;
        times.push(started.elapsed().as_secs_f64());
        ratings = ds.dimensions.iter().map(|d| d.observations.len()).sum();
        drop(ds);
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!(
        "{}: {ratings} ratings, {:.1} MB, median of {runs}: {:.2} ms, {:.0} MB/s, {:.0} ns a rating \
         ({} threads)",
        path.display(),
        bytes / 1e6,
        median * 1e3,
        bytes / median / 1e6,
        median * 1e9 / ratings as f64,
        rayon::current_num_threads()
    );
    Ok(())
}
