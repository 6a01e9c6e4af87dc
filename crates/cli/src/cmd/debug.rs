//! Hidden helpers for tests: not part of the user-facing contract.

use chameleon_core::model::RaterKind;
use chameleon_core::store::RatingInput;
use chameleon_core::Study;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum DebugCommand {
    /// Saves ratings one transaction at a time, printing each one's key after it committed,
    /// so a test can kill the process at any moment and check nothing committed was lost.
    WriteLoop {
        study: PathBuf,
        #[arg(long, default_value_t = 10_000)]
        count: usize,
    },
    /// Times the queries behind the annotator's queue (medians of repeated runs).
    QueueTiming {
        study: PathBuf,
        #[arg(long)]
        rater: String,
        #[arg(long, default_value_t = 21)]
        runs: usize,
    },
}

fn median_ms(mut f: impl FnMut() -> anyhow::Result<()>, runs: usize) -> anyhow::Result<f64> {
    let mut t = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = std::time::Instant::now();
        f()?;
        t.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    t.sort_by(f64::total_cmp);
    Ok(t[t.len() / 2])
}

pub fn run(cmd: DebugCommand) -> anyhow::Result<()> {
    match cmd {
        DebugCommand::QueueTiming { study, rater, runs } => {
            let s = Study::open_read_only(&study)?;
            let r = s
                .rater(&rater)?
                .ok_or_else(|| anyhow::anyhow!("no rater '{rater}'"))?;
            let next = median_ms(
                || s.next_unrated(r.id).map(|_| ()).map_err(Into::into),
                runs,
            )?;
            let queue = median_ms(
                || s.queue(r.id).map(|_| ()).map_err(Into::into),
                runs.min(5),
            )?;
            let pid = s.next_unrated(r.id)?.unwrap_or(1);
            let own = median_ms(
                || s.ratings_of(pid, r.id).map(|_| ()).map_err(Into::into),
                runs,
            )?;
            println!("next_unrated {next:.2} ms, full queue {queue:.1} ms, ratings_of {own:.3} ms (medians)");
            Ok(())
        }
        DebugCommand::WriteLoop { study, count } => {
            let mut s = Study::open(&study)?;
            let rater = s.ensure_rater("write-loop", RaterKind::Human)?;
            let queue = s.queue(rater.id)?;
            let dims: Vec<String> = s
                .codebook()?
                .map(|c| c.dimensions.into_iter().map(|d| d.name).collect())
                .unwrap_or_default();
            anyhow::ensure!(
                !queue.is_empty() && !dims.is_empty(),
                "the study needs profiles and a codebook"
            );
            let stdout = std::io::stdout();
            let mut out = stdout.lock();
            for i in 0..count {
                let profile = queue[i % queue.len()].profile_id;
                let dimension = &dims[(i / queue.len()) % dims.len()];
                let value = 1.0 + (i % 3) as f64;
                s.save_rating(&RatingInput {
                    profile_id: profile,
                    dimension: dimension.clone(),
                    rater_id: rater.id,
                    value: Some(value),
                    seconds_spent: None,
                    note: None,
                    confidence: None,
                })?;
                writeln!(out, "{profile},{dimension},{value}")?;
                out.flush()?;
            }
            Ok(())
        }
    }
}
