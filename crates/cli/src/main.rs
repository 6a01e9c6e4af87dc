//! `chameleon`: every study operation and analysis of Chameleon Studio, headless.
//! Thin: parses arguments, calls `chameleon-core`, prints. Exit code 2 for bad input.
//!
//! A reader that stops early (`chameleon agreement … | head -1`) closes stdout: every verb then
//! ends quietly with exit code 0, whether it printed with `println!` (which panics on a closed
//! pipe) or through a writer (which returns the error). [`main`] is the one place that decides.

mod cmd;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// With the query engine: mimalloc, which hands a dimension's freed designs back to the
/// system before the next dimension's are built (glibc's allocator keeps them and stage B's
/// peak grows by ~300 MiB at 100M ratings; docs/scale.md).
#[cfg(feature = "engine")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "chameleon",
    version,
    about = "Chameleon Studio: annotate contextual psychological profiles, check agreement, \
             decompose state and trait variance",
    after_help = "Examples:\n  chameleon study new s.db\n  chameleon import profiles s.db demo/profiles.jsonl\n  \
                  chameleon agreement ratings.csv --json\n  chameleon decompose s.db --bootstrap 1000 --seed 1\n\n\
                  Logs go to stderr; set RUST_LOG=debug for more."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create or locate study files.
    #[command(subcommand)]
    Study(cmd::study::StudyCommand),
    /// Import profiles, a codebook or ratings into a study (all or nothing).
    #[command(subcommand)]
    Import(cmd::import::ImportCommand),
    /// Export ratings, profiles or the codebook of a study.
    #[command(subcommand)]
    Export(cmd::export::ExportCommand),
    /// Counts per dimension and rater, and completion.
    Info(cmd::info::InfoArgs),
    /// Inter-annotator agreement per dimension.
    Agreement(cmd::agreement::AgreementArgs),
    /// State–trait variance decomposition per dimension.
    Decompose(cmd::decompose::DecomposeArgs),
    /// Scale reliability: Cronbach's α, McDonald's ω, item–rest correlations per scale.
    Reliability(cmd::reliability::ReliabilityArgs),
    /// Self-contained HTML report: methods, agreement and decomposition tables, figures.
    Report(cmd::report::ReportArgs),
    /// Profiles ranked by how much their raters disagree on a dimension.
    Disagreements(cmd::review::DisagreementsArgs),
    /// Set the PI's settled value for a profile (stored as an adjudicated rating).
    Adjudicate(cmd::review::AdjudicateArgs),
    /// Design who rates which profiles.
    #[command(subcommand)]
    Assign(cmd::team::AssignCommand),
    /// Annotator packages: export one annotator's work file, merge packages back.
    #[command(subcommand)]
    Package(cmd::team::PackageCommand),
    /// Gold profiles and attention checks: import known values, each rater's accuracy.
    #[command(subcommand)]
    Gold(cmd::gold::GoldCommand),
    /// The study's append-only audit trail as CSV.
    Audit(cmd::team::AuditArgs),
    /// Language models as raters: rate through an OpenAI-compatible endpoint, list runs.
    #[command(subcommand)]
    Model(cmd::model::ModelCommand),
    /// Write the demo study's files or a benchmark-scale data set.
    #[command(subcommand)]
    Sample(cmd::sample::SampleCommand),
    #[command(subcommand, hide = true)]
    Debug(cmd::debug::DebugCommand),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .init();
    let cli = Cli::parse();
    quiet_closed_pipe_panics();
    let result = match std::panic::catch_unwind(|| dispatch(cli)) {
        Ok(result) => result,
        Err(payload) if panic_is_closed_pipe(payload.as_ref()) => return ExitCode::SUCCESS,
        Err(payload) => std::panic::resume_unwind(payload),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => cmd::report_error(&e),
    }
}

fn dispatch(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Study(c) => cmd::study::run(c),
        Command::Import(c) => cmd::import::run(c),
        Command::Export(c) => cmd::export::run(c),
        Command::Info(a) => cmd::info::run(a),
        Command::Agreement(a) => cmd::agreement::run(a),
        Command::Decompose(a) => cmd::decompose::run(a),
        Command::Reliability(a) => cmd::reliability::run(a),
        Command::Report(a) => cmd::report::run(a),
        Command::Sample(c) => cmd::sample::run(c),
        Command::Model(c) => cmd::model::run(c),
        Command::Disagreements(a) => cmd::review::disagreements(a),
        Command::Adjudicate(a) => cmd::review::adjudicate(a),
        Command::Assign(c) => cmd::team::assign(c),
        Command::Package(c) => cmd::team::package(c),
        Command::Audit(a) => cmd::team::audit(a),
        Command::Gold(c) => cmd::gold::run(c),
        Command::Debug(c) => cmd::debug::run(c),
    }
}

/// The OS errors of a write to a pipe whose reader is gone.
fn closed_pipe_errors() -> Vec<std::io::Error> {
    // EPIPE is 32 on every Unix we build for; Windows says ERROR_BROKEN_PIPE (109) or
    // ERROR_NO_DATA (232).
    let codes: &[i32] = if cfg!(windows) { &[109, 232] } else { &[32] };
    codes
        .iter()
        .map(|&c| std::io::Error::from_raw_os_error(c))
        .collect()
}

/// Whether a panic is `println!`'s on a closed stdout ("failed printing to stdout: <error>").
fn panic_is_closed_pipe(payload: &(dyn std::any::Any + Send)) -> bool {
    let text = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied());
    let Some(rest) = text.and_then(|t| t.strip_prefix("failed printing to stdout: ")) else {
        return false;
    };
    closed_pipe_errors().iter().any(|e| rest == e.to_string())
}

/// Keeps the default panic message for every panic but a closed stdout's.
fn quiet_closed_pipe_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !panic_is_closed_pipe(info.payload()) {
            default(info);
        }
    }));
}

/// Whether an error is a write to a closed stdout (the only pipe a verb writes to).
fn is_closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let kind = c
            .downcast_ref::<std::io::Error>()
            .map(std::io::Error::kind)
            .or_else(|| {
                c.downcast_ref::<serde_json::Error>()
                    .and_then(serde_json::Error::io_error_kind)
            });
        kind == Some(std::io::ErrorKind::BrokenPipe)
    })
}
