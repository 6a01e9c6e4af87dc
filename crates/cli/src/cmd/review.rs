//! PI review verbs: `disagreements` and `adjudicate`.

use chameleon_core::{CoreError, Study};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chameleon disagreements s.db --dimension openness --top 20 --hide-raters"
)]
pub struct DisagreementsArgs {
    pub study: PathBuf,
    #[arg(long)]
    pub dimension: String,
    /// Show only the N most disagreeing profiles.
    #[arg(long)]
    pub top: Option<usize>,
    /// Replace rater names by R1, R2, … (blind adjudication).
    #[arg(long)]
    pub hide_raters: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(clap::Args)]
#[command(
    after_help = "Example:\n  chameleon adjudicate s.db --person u001 --context r/gaming --dimension openness --value 3 --note \"ambiguous\""
)]
pub struct AdjudicateArgs {
    pub study: PathBuf,
    #[arg(long)]
    pub person: String,
    #[arg(long)]
    pub context: String,
    #[arg(long)]
    pub dimension: String,
    #[arg(long)]
    pub value: f64,
    #[arg(long)]
    pub note: Option<String>,
}

pub fn disagreements(args: DisagreementsArgs) -> anyhow::Result<()> {
    let s = Study::open_read_only(&args.study)?;
    let mut rows = s.disagreements(&args.dimension)?;
    if let Some(n) = args.top {
        rows.truncate(n);
    }
    if args.hide_raters {
        let mut names: Vec<String> = rows
            .iter()
            .flat_map(|r| r.values.iter().map(|v| v.0.clone()))
            .collect();
        names.sort();
        names.dedup();
        for r in &mut rows {
            for v in &mut r.values {
                let i = names.iter().position(|n| *n == v.0).unwrap_or(0);
                v.0 = format!("R{}", i + 1);
            }
            r.values.sort_by(|a, b| a.0.cmp(&b.0));
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    println!(
        "{:<14} {:<22} {:>12} {:>7} {:>12}  values",
        "person", "context", "disagreement", "spread", "adjudicated"
    );
    for r in &rows {
        let vals: Vec<String> = r.values.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let adj = r
            .adjudicated
            .map(|v| v.to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<14} {:<22} {:>12.3} {:>7} {:>12}  {}",
            r.person,
            r.context,
            r.disagreement,
            r.spread,
            adj,
            vals.join(" ")
        );
    }
    Ok(())
}

pub fn adjudicate(args: AdjudicateArgs) -> anyhow::Result<()> {
    let mut s = Study::open(&args.study)?;
    let pid = s.profile_id(&args.person, &args.context)?.ok_or_else(|| {
        CoreError::Invalid(format!(
            "no profile for person '{}' in context '{}'",
            args.person, args.context
        ))
    })?;
    s.adjudicate(pid, &args.dimension, args.value, args.note.as_deref())?;
    println!(
        "{}/{} {}: adjudicated {}",
        args.person, args.context, args.dimension, args.value
    );
    Ok(())
}
