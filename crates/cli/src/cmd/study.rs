//! `chameleon study new|path`

use anyhow::Context;
use chameleon_core::Study;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum StudyCommand {
    /// Create an empty study file.
    #[command(
        after_help = "Examples:\n  chameleon study new pilot.db\n  chameleon study new --name pilot   (in the OS data folder)"
    )]
    New {
        /// Where to create it; omit to use --name in the OS data folder.
        path: Option<PathBuf>,
        /// Study name, used for the file name in the data folder.
        #[arg(long)]
        name: Option<String>,
    },
    /// Print the folder where studies go by default.
    #[command(after_help = "Example:\n  chameleon study dir")]
    Dir,
}

pub fn run(cmd: StudyCommand) -> anyhow::Result<()> {
    match cmd {
        StudyCommand::New { path, name } => {
            let path = match (path, name) {
                (Some(p), _) => p,
                (None, Some(n)) => {
                    chameleon_core::store::default_study_dir()?.join(format!("{n}.chameleon"))
                }
                (None, None) => anyhow::bail!(chameleon_core::CoreError::Invalid(
                    "give a PATH or --name for the new study".into()
                )),
            };
            Study::create(&path).with_context(|| format!("creating {}", path.display()))?;
            println!("{}", path.display());
            Ok(())
        }
        StudyCommand::Dir => {
            println!("{}", chameleon_core::store::default_study_dir()?.display());
            Ok(())
        }
    }
}
