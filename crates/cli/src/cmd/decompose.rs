//! `chameleon decompose FILE_OR_STUDY` (engine filled in by issue #4).

use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon decompose ratings.csv --json --bootstrap 1000 --seed 1")]
pub struct DecomposeArgs {
    /// A study file or a tidy ratings CSV.
    pub input: PathBuf,
    /// Only this dimension.
    #[arg(long)]
    pub dimension: Option<String>,
    /// Estimator: reml (default) or anova.
    #[arg(long, default_value = "reml")]
    pub method: String,
    /// Person-cluster bootstrap resamples (0 = none).
    #[arg(long, default_value_t = 0)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: DecomposeArgs) -> anyhow::Result<()> {
    let mut ds = chameleon_core::analysis::input::load_dataset(&args.input)?;
    if let Some(d) = &args.dimension {
        anyhow::ensure!(ds.retain_dimension(d), "no dimension named '{d}' in {}", args.input.display());
    }
    anyhow::bail!("the decomposition is not implemented yet")
}
