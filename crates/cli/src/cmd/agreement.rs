//! `chameleon agreement FILE_OR_STUDY` (statistics filled in by issue #3).

use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon agreement ratings.csv --json")]
pub struct AgreementArgs {
    /// A study file or a tidy ratings CSV (person,context,rater,dimension,value or unit,rater,value).
    pub input: PathBuf,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    /// Bootstrap resamples for confidence intervals (0 = none).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: AgreementArgs) -> anyhow::Result<()> {
    let mut ds = chameleon_core::analysis::input::load_dataset(&args.input)?;
    if let Some(d) = &args.dimension {
        anyhow::ensure!(ds.retain_dimension(d), "no dimension named '{d}' in {}", args.input.display());
    }
    anyhow::bail!("agreement statistics are not implemented yet")
}
