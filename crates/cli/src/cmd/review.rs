//! PI review verbs: `disagreements` and `adjudicate`.

use chameleon_core::app::review::{self as review, Adjudication};
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
    /// Replace rater names by Rater A, Rater B, … (blind adjudication; the app's aliases).
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
    let mut d = review::disagreements(&s, &args.dimension)?;
    if args.hide_raters {
        review::hide_raters(&mut d);
    }
    let mut rows = d.profiles;
    if let Some(n) = args.top {
        rows.truncate(n);
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
        let vals: Vec<String> = r
            .values
            .iter()
            .map(|v| format!("{}={}", v.rater, v.value))
            .collect();
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
    review::adjudicate(
        &mut s,
        &Adjudication {
            profile_id: pid,
            dimension: args.dimension.clone(),
            value: args.value,
            note: args.note.clone(),
        },
    )?;
    println!(
        "{}/{} {}: adjudicated {}",
        args.person, args.context, args.dimension, args.value
    );
    Ok(())
}
