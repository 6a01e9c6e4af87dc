//! Peak memory of the engine's stage B for one dimension, without the engine: per-person
//! summaries shaped like `chameleon sample bench` (3 contexts × 3 of 12 raters per person),
//! decomposed with every design kept (`prepare`, as for a bootstrap) or one at a time
//! (`decompose_summaries`).
//!
//! ```text
//! cargo run --release -p chameleon-stats --example stage_b_memory -- PERSONS all|lean
//! ```
//!
//! Prints the peak RSS (VmHWM) after building the summaries and after the decomposition.

use chameleon_stats::variance::partial::{
    decompose_summaries, prepare, CellSummary, PersonSummary, ProfileSummary,
};
use chameleon_stats::variance::{decompose, DecomposeOptions};

fn peak_mib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// A small deterministic generator (splitmix64), so the example needs no RNG crate.
struct Mix(u64);
impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn summaries(persons: u32) -> (Vec<PersonSummary>, f64) {
    let mut rng = Mix(7);
    let centre = 3.0;
    let out = (0..persons)
        .map(|person| {
            let trait_ = rng.unit() - 0.5;
            let profiles = (0..3)
                .map(|_| {
                    let state = rng.unit() - 0.5;
                    let mut raters: Vec<u32> = Vec::new();
                    while raters.len() < 3 {
                        let r = (rng.next() % 12) as u32;
                        if !raters.contains(&r) {
                            raters.push(r);
                        }
                    }
                    raters.sort_unstable();
                    let cells: Vec<CellSummary> = raters
                        .iter()
                        .map(|&rater| {
                            let v = (centre + trait_ + state + rng.unit() - 0.5).round();
                            let y = v - centre;
                            CellSummary {
                                rater,
                                n: 1.0,
                                raw_sum: v,
                                sum: y,
                                sumsq: y * y,
                            }
                        })
                        .collect();
                    ProfileSummary {
                        raw_sum: cells.iter().map(|c| c.raw_sum).sum(),
                        cells,
                    }
                })
                .collect();
            PersonSummary { person, profiles }
        })
        .collect();
    (out, centre)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let persons: u32 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_111_111);
    let lean = args.next().as_deref() != Some("all");
    let (sums, centre) = summaries(persons);
    eprintln!("summaries of {persons} persons: peak {} MiB", peak_mib());
    let opts = DecomposeOptions::default();
    let t = std::time::Instant::now();
    let d = if lean {
        decompose_summaries(sums, centre, true, &opts)
    } else {
        prepare(&sums, centre, true).map(|p| {
            drop(sums);
            decompose(&p, &[], &opts)
        })
    };
    let share = d
        .ok()
        .and_then(|d| d.rater_level.map(|r| r.shares.person_context));
    eprintln!(
        "{}: state share {share:?} in {:.2} s, peak {} MiB",
        if lean {
            "one design at a time"
        } else {
            "every design"
        },
        t.elapsed().as_secs_f64(),
        peak_mib()
    );
}
