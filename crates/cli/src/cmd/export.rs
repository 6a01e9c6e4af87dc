//! `chameleon export ratings|profiles|codebook STUDY FILE`

use chameleon_core::export::{write_atomically, RatingsExportOptions};
use chameleon_core::Study;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum ExportCommand {
    /// Ratings as tidy long CSV (the import format), or as Parquet or Arrow IPC when FILE ends
    /// in .parquet, .arrow or .feather. FILE `-` is stdout.
    #[command(
        after_help = "Examples:\n  chameleon export ratings s.db ratings.csv\n  \
                      chameleon export ratings s.db scores.parquet --wide"
    )]
    Ratings {
        study: PathBuf,
        file: PathBuf,
        /// Add created_at, seconds_spent, note and confidence columns.
        #[arg(long)]
        provenance: bool,
        /// Include adjudicated values.
        #[arg(long)]
        adjudicated: bool,
        /// Write a wide table: person,context[,rater] and one column per dimension (the shape
        /// `import ratings --wide` reads).
        #[arg(long, conflicts_with = "provenance")]
        wide: bool,
        /// Write nominal dimensions' values as their category labels instead of their codes
        /// (import ratings reads either).
        #[arg(long)]
        labels: bool,
    },
    /// Profiles as JSONL. FILE `-` is stdout.
    #[command(after_help = "Example:\n  chameleon export profiles s.db profiles.jsonl")]
    Profiles { study: PathBuf, file: PathBuf },
    /// The codebook as TOML (FILE ending .toml) or JSON.
    #[command(after_help = "Example:\n  chameleon export codebook s.db codebook.toml")]
    Codebook { study: PathBuf, file: PathBuf },
}

pub fn run(cmd: ExportCommand) -> anyhow::Result<()> {
    match cmd {
        ExportCommand::Ratings {
            study,
            file,
            provenance,
            adjudicated,
            wide,
            labels,
        } => {
            let s = Study::open_read_only(&study)?;
            let opts = RatingsExportOptions {
                provenance,
                include_adjudicated: adjudicated,
                labels,
            };
            let n = s.export_ratings_to(&file, opts, wide)?;
            eprintln!("{n} ratings written");
        }
        ExportCommand::Profiles { study, file } => {
            let s = Study::open_read_only(&study)?;
            let mut n = 0;
            write_atomically(&file, |w| {
                n = s.export_profiles(w)?;
                Ok(())
            })?;
            eprintln!("{n} profiles written");
        }
        ExportCommand::Codebook { study, file } => {
            let s = Study::open_read_only(&study)?;
            let toml = file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
            let text = s.export_codebook(toml)?;
            write_atomically(&file, |w| {
                w.write_all(text.as_bytes())
                    .map_err(|source| chameleon_core::CoreError::Io {
                        path: file.clone(),
                        source,
                    })
            })?;
        }
    }
    Ok(())
}
