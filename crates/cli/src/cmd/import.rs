//! `chameleon import profiles|codebook|ratings STUDY FILE`

use chameleon_core::model::RaterKind;
use chameleon_core::{RatingsImportOptions, Study};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum ImportCommand {
    /// Profiles from CSV (person,context,text[,title,created_at,url,...]) or JSONL.
    #[command(after_help = "Example:\n  chameleon import profiles s.db demo/profiles.jsonl")]
    Profiles { study: PathBuf, file: PathBuf },
    /// A codebook from JSON or TOML.
    #[command(after_help = "Example:\n  chameleon import codebook s.db demo/codebook.toml")]
    Codebook { study: PathBuf, file: PathBuf },
    /// Ratings from a tidy long CSV (person,context,rater,dimension,value), or with --wide
    /// from a wide one (id columns and one column per dimension).
    #[command(
        after_help = "Examples:\n  chameleon import ratings s.db llm.csv --rater-kind model\n  \
                      chameleon import ratings s.db scores.csv --wide --id-columns pid,situation"
    )]
    Ratings {
        study: PathBuf,
        file: PathBuf,
        /// Kind of raters this import creates: human or model.
        #[arg(long, default_value = "human", value_parser = parse_kind)]
        rater_kind: RaterKind,
        #[command(flatten)]
        shape: super::WideArgs,
    },
}

fn parse_kind(s: &str) -> Result<RaterKind, String> {
    match RaterKind::parse(s) {
        Some(k @ (RaterKind::Human | RaterKind::Model)) => Ok(k),
        _ => Err(format!("'{s}' is not a rater kind (human or model)")),
    }
}

pub fn run(cmd: ImportCommand) -> anyhow::Result<()> {
    let report = match cmd {
        ImportCommand::Profiles { study, file } => Study::open(&study)?.import_profiles(&file)?,
        ImportCommand::Codebook { study, file } => Study::open(&study)?.import_codebook(&file)?,
        ImportCommand::Ratings {
            study,
            file,
            rater_kind,
            shape,
        } => {
            let opts = RatingsImportOptions { rater_kind };
            let mut s = Study::open(&study)?;
            if shape.wide {
                s.import_ratings_wide(&file, shape.id_columns.as_ref(), &opts)?
            } else {
                s.import_ratings(&file, &opts)?
            }
        }
    };
    for n in &report.notices {
        eprintln!("note: {n}");
    }
    println!("{report}");
    Ok(())
}
