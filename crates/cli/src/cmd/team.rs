//! Team workflow verbs: `assign`, `package export|merge`, `audit`.

use chameleon_core::assign::DesignParams;
use chameleon_core::export::write_atomically;
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
            let rows = s.design_assignments(&DesignParams {
                pool: pool
                    .into_iter()
                    .map(|p| p.trim().to_owned())
                    .filter(|p| !p.is_empty())
                    .collect(),
                k,
                extra_percent,
                seed,
                allow_same_person_in_a_row: allow_same_person,
            })?;
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
            let info = Study::open(&study)?.export_package(&rater, &out)?;
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
            let mut reports = Vec::new();
            for p in &packages {
                // One package's failure must not stop the others; a study that cannot be
                // written stops them all.
                let report = match s.merge_package(p) {
                    Ok(r) => r,
                    Err(e @ (CoreError::ReadOnly { .. } | CoreError::Locked { .. })) => {
                        return Err(e.into())
                    }
                    Err(e) => chameleon_core::store::MergeReport {
                        package: p.display().to_string(),
                        refused: Some(e.to_string()),
                        ..Default::default()
                    },
                };
                reports.push(report);
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&reports)?);
            } else {
                for r in &reports {
                    println!("{r}");
                }
            }
            let refused = reports.iter().filter(|r| r.refused.is_some()).count();
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
    write_atomically(&out, |w| s.export_audit(w).map(|_| ()))?;
    Ok(())
}
