//! `chameleon gold import STUDY FILE` and `chameleon gold accuracy STUDY`: known values
//! (gold profiles, attention checks) and each rater's accuracy on them.

use chameleon_core::Study;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum GoldCommand {
    /// Import known values: a CSV with person,context,dimension,value and an optional kind
    /// (gold or attention). All or nothing.
    #[command(after_help = "Example:\n  chameleon gold import s.db gold.csv")]
    Import { study: PathBuf, file: PathBuf },
    /// Each rater's accuracy on the known values.
    #[command(after_help = "Example:\n  chameleon gold accuracy s.db --json")]
    Accuracy {
        study: PathBuf,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

pub fn run(c: GoldCommand) -> anyhow::Result<()> {
    match c {
        GoldCommand::Import { study, file } => {
            let n = Study::open(&study)?.import_gold(&file)?;
            let what = if n == 1 {
                "known value"
            } else {
                "known values"
            };
            println!("imported {n} {what} from {}", file.display());
        }
        GoldCommand::Accuracy { study, json } => {
            let rows = Study::open_read_only(&study)?.gold_accuracy()?;
            if json {
                println!("{}", serde_json::to_string_pretty(&rows)?);
                return Ok(());
            }
            println!(
                "{:<20} {:<10} {:>9} {:>6} {:>9} {:>12}",
                "rater", "kind", "rated", "exact", "accuracy", "mean |error|"
            );
            for r in rows {
                println!(
                    "{:<20} {:<10} {:>9} {:>6} {:>9} {:>12}",
                    r.rater,
                    r.kind,
                    format!("{}/{}", r.rated, r.items),
                    r.exact,
                    r.accuracy
                        .map(|a| format!("{:.0} %", a * 100.0))
                        .unwrap_or_else(|| "—".into()),
                    r.mean_abs_error
                        .map(|e| format!("{e:.2}"))
                        .unwrap_or_else(|| "—".into()),
                );
            }
        }
    }
    Ok(())
}
