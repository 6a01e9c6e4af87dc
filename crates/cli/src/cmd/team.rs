//! Team workflow verbs: `assign`, `package export|merge`, `audit`.

use chameleon_core::app::team::{self, DesignRequest, Existing};
use chameleon_core::{CoreError, Study};
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum AssignCommand {
    /// Give each profile to K annotators from the pool (seeded, balanced, stratified extra coding).
    #[command(
        after_help = "Example:\n  chameleon assign design s.db --pool ana,ben,chloe,dev --k 2 --extra-percent 20 --seed 1"
    )]
    Design {
        study: PathBuf,
        /// Annotator names, comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        pool: Vec<String>,
        /// Annotators per profile.
        #[arg(long, default_value_t = 2)]
        k: usize,
        /// Percent of profiles (stratified by context) that get one annotator more.
        #[arg(long, default_value_t = 0.0)]
        extra_percent: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Allow the same person twice in a row in a queue.
        #[arg(long)]
        allow_same_person: bool,
    },
    /// Annotator × assigned / done.
    #[command(after_help = "Example:\n  chameleon assign show s.db")]
    Show { study: PathBuf },
}

#[derive(clap::Subcommand)]
pub enum PackageCommand {
    /// Write one annotator's package: their profiles, the codebook, their own ratings only.
    #[command(after_help = "Example:\n  chameleon package export s.db --rater ana ana.chameleon")]
    Export {
        study: PathBuf,
        #[arg(long)]
        rater: String,
        out: PathBuf,
    },
    /// Bring annotators' packages back (one transaction each; idempotent).
    #[command(after_help = "Example:\n  chameleon package merge s.db ana.chameleon ben.chameleon")]
    Merge {
        study: PathBuf,
        #[arg(required = true)]
        packages: Vec<PathBuf>,
        /// Print the merge report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(clap::Args)]
#[command(after_help = "Example:\n  chameleon audit s.db audit.csv")]
pub struct AuditArgs {
    pub study: PathBuf,
    /// CSV file to write; `-` or absent for stdout.
    pub out: Option<PathBuf>,
}

fn print_table(rows: &[chameleon_core::assign::AssignmentRow]) {
    println!(
        "{:<24} {:>9} {:>9} {:>7}",
        "annotator", "assigned", "done", "done %"
    );
    for r in rows {
        let pct = if r.assigned > 0 {
            100.0 * r.done as f64 / r.assigned as f64
        } else {
            0.0
        };
        println!(
            "{:<24} {:>9} {:>9} {:>6.1}%",
            r.rater, r.assigned, r.done, pct
        );
    }
}

pub fn assign(cmd: AssignCommand) -> anyhow::Result<()> {
    match cmd {
        AssignCommand::Design {
            study,
            pool,
            k,
            extra_percent,
            seed,
            allow_same_person,
        } => {
            let mut s = Study::open(&study)?;
            let rows = team::design(
                &mut s,
                &DesignRequest {
                    pool,
                    k: u32::try_from(k).unwrap_or(u32::MAX),
                    extra_percent,
                    seed,
                    allow_same_person_in_a_row: allow_same_person,
                },
            )?;
            print_table(&rows);
        }
        AssignCommand::Show { study } => {
            print_table(&Study::open_read_only(&study)?.assignment_table()?)
        }
    }
    Ok(())
}

pub fn package(cmd: PackageCommand) -> anyhow::Result<()> {
    match cmd {
        PackageCommand::Export { study, rater, out } => {
            let info =
                team::export_package(&mut Study::open(&study)?, &rater, &out, Existing::Refuse)?;
            println!(
                "{}: package {} for '{}' ({} profiles, {} of their ratings)",
                out.display(),
                info.package_id,
                info.rater,
                info.profiles,
                info.ratings
            );
        }
        PackageCommand::Merge {
            study,
            packages,
            json,
        } => {
            let mut s = Study::open(&study)?;
            // Refused packages are reported, not fatal: the others still merge.
            let outcome = team::merge_packages(&mut s, &packages)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&outcome.reports)?);
            } else {
                for r in &outcome.reports {
                    println!("{}", merged_line(r));
                }
            }
            let refused = outcome.refused();
            if refused > 0 {
                anyhow::bail!(CoreError::Invalid(format!(
                    "{refused} package(s) refused, see above"
                )));
            }
        }
    }
    Ok(())
}

pub fn audit(args: AuditArgs) -> anyhow::Result<()> {
    let s = Study::open_read_only(&args.study)?;
    let out = args.out.unwrap_or_else(|| PathBuf::from("-"));
    team::export_audit(&s, &out, None)?;
    Ok(())
}

/// One line of the merge report, as the store's `MergeReport` prints it.
fn merged_line(r: &team::MergedPackage) -> String {
    match &r.refused {
        Some(why) => format!("{}: REFUSED: {why}", r.path),
        None => {
            let mut line = format!(
                "{} ({}): {} added, {} updated, {} unchanged, {} kept (study newer)",
                r.path,
                r.rater.as_deref().unwrap_or("?"),
                r.added,
                r.updated,
                r.unchanged,
                r.kept_newer
            );
            if let Some(p) = &r.snapshot {
                line.push_str(&format!("; the study before it: {p}"));
            }
            line
        }
    }
}
