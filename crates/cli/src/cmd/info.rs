//! `chameleon info STUDY`

use chameleon_core::Study;
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon info s.db")]
pub struct InfoArgs {
    pub study: PathBuf,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: InfoArgs) -> anyhow::Result<()> {
    let info = Study::open_read_only(&args.study)?.info()?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&info)?);
        return Ok(());
    }
    println!("study     {}", info.path);
    println!(
        "profiles  {} ({} persons × {} contexts, {} texts)",
        info.profiles, info.persons, info.contexts, info.texts
    );
    println!(
        "codebook  version {}, {} dimensions",
        info.codebook_version,
        info.dimensions.len()
    );
    println!("ratings   {}", info.ratings);
    if !info.dimensions.is_empty() {
        println!();
        println!(
            "{:<24} {:<9} {:>9} {:>15}",
            "dimension", "level", "ratings", "profiles rated"
        );
        for d in &info.dimensions {
            println!(
                "{:<24} {:<9} {:>9} {:>15}",
                d.name, d.level, d.ratings, d.profiles_rated
            );
        }
    }
    if !info.raters.is_empty() {
        println!();
        println!(
            "{:<24} {:<11} {:>9} {:>9} {:>9} {:>11}",
            "rater", "kind", "ratings", "profiles", "complete", "completion"
        );
        for r in &info.raters {
            let base = if r.assigned > 0 {
                r.assigned
            } else {
                info.profiles
            };
            let pct = if base > 0 {
                100.0 * r.profiles_complete as f64 / base as f64
            } else {
                0.0
            };
            println!(
                "{:<24} {:<11} {:>9} {:>9} {:>9} {:>10.1}%",
                r.name, r.kind, r.ratings, r.profiles_rated, r.profiles_complete, pct
            );
        }
    }
    Ok(())
}
