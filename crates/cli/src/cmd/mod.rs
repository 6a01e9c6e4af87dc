//! One module per verb. Each has an `Args`/`Command` type and a `run` function.

pub mod agreement;
pub mod debug;
pub mod decompose;
pub mod engine;
pub mod export;
pub mod gold;
pub mod import;
pub mod info;
pub mod model;
pub mod model_report;
pub mod reliability;
pub mod report;
pub mod review;
pub mod sample;
pub mod study;
pub mod team;

use chameleon_core::analysis::raters::{select_raters, RaterChoice, RaterSelection};
use chameleon_core::analysis::Control;
pub use chameleon_core::app::analysis::RESAMPLES_HELP;
use chameleon_core::app::analysis::{parse_resamples, AnalysisOptions, Method};
use chameleon_core::model::RaterKind;
use chameleon_core::CoreError;
use std::process::ExitCode;

/// `--raters`, `--rater-kind`, `--min-ratings`: which raters an analysis pools (core's
/// `select_raters` applies them; see docs/agreement.md).
#[derive(clap::Args, Clone, Debug, Default)]
pub struct RaterArgs {
    /// Only these raters (comma-separated names, as in the data); the other rater flags
    /// then apply only when given.
    #[arg(long, value_delimiter = ',', value_name = "NAMES")]
    pub raters: Option<Vec<String>>,
    /// Only raters of this kind (`any` = every kind). A CSV has no kinds: every rater in it
    /// counts as human.
    #[arg(long, value_enum, value_name = "KIND")]
    pub rater_kind: Option<RaterKindArg>,
    /// Only raters with at least N ratings over the analysed dimensions (0 = any).
    #[arg(long, value_name = "N")]
    pub min_ratings: Option<usize>,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum RaterKindArg {
    Human,
    Model,
    Any,
}

impl RaterArgs {
    /// `base` with the flags given applied.
    pub fn selection(&self, base: RaterSelection) -> RaterSelection {
        RaterSelection::overriding(
            base,
            self.raters.clone(),
            self.rater_kind.map(|k| match k {
                RaterKindArg::Human => Some(RaterKind::Human),
                RaterKindArg::Model => Some(RaterKind::Model),
                RaterKindArg::Any => None,
            }),
            self.min_ratings,
        )
    }
}

/// A report's JSON with the raters it pooled (`"raters"`) added at the top level. Flattened
/// rather than built as a `serde_json::Value`, whose map sorts keys: the fields keep their
/// order (a model's components as written in the formula).
#[derive(serde::Serialize)]
pub struct WithRaters<'a, T: serde::Serialize> {
    #[serde(flatten)]
    pub report: &'a T,
    pub raters: &'a RaterChoice,
}

/// Keeps the selected raters' ratings in `ds`; the choice, with its note said on stderr.
pub fn select(
    ds: &mut chameleon_core::dataset::Dataset,
    sel: &RaterSelection,
) -> anyhow::Result<RaterChoice> {
    let choice = select_raters(ds, sel)?;
    if let Some(n) = &choice.note {
        eprintln!("note: {n}");
    }
    Ok(choice)
}

/// The dataset of a study or ratings file, with a study's model raters seen through
/// `samples`; its load notes said on stderr (core returns them with the data; the CLI is what
/// shows them).
pub fn load_with(
    path: &std::path::Path,
    samples: chameleon_core::store::ModelSamples,
) -> anyhow::Result<chameleon_core::dataset::Dataset> {
    let loaded = chameleon_core::analysis::input::load_with(path, samples)?;
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    Ok(loaded.dataset)
}

/// `--wide [--id-columns ...]`: the input is a wide CSV (id columns and one column per
/// dimension) rather than a study or a long CSV.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct WideArgs {
    /// The input is a wide CSV: id columns (person, context, optionally rater; or unit) and one
    /// column per dimension. The id columns are found by name unless --id-columns gives them.
    #[arg(long)]
    pub wide: bool,
    /// With --wide: the id columns, `person,context[,rater]` (one column alone is a unit).
    #[arg(long, value_name = "COLUMNS", requires = "wide", value_parser = parse_wide_ids)]
    pub id_columns: Option<chameleon_core::tidy::WideIds>,
}

fn parse_wide_ids(s: &str) -> Result<chameleon_core::tidy::WideIds, String> {
    chameleon_core::tidy::WideIds::parse(s)
}

/// As [`load_with`], reading a wide CSV when `wide` says so.
pub fn load_shaped(
    path: &std::path::Path,
    samples: chameleon_core::store::ModelSamples,
    wide: &WideArgs,
) -> anyhow::Result<chameleon_core::dataset::Dataset> {
    if !wide.wide {
        return load_with(path, samples);
    }
    let loaded = chameleon_core::analysis::input::load_wide(path, wide.id_columns.as_ref())?;
    for w in &loaded.warnings {
        eprintln!("note: {w}");
    }
    Ok(loaded.dataset)
}

/// `--bootstrap`: checked against core's bounds when the arguments are parsed (so a bad count
/// is a usage error, exit 2, before anything is read), and core's warning for a count below
/// the recommended one said once on stderr.
pub fn resamples(s: &str) -> Result<usize, String> {
    let n = parse_resamples(s)?;
    if let Ok(o) = AnalysisOptions::new(n, 0, Method::Reml) {
        for w in o.warnings() {
            eprintln!("warning: {w}");
        }
    }
    Ok(n)
}

/// `--model-sample I`: one sample of each model run, else the samples' mean.
pub fn model_samples(sample: Option<u32>) -> chameleon_core::store::ModelSamples {
    sample.map_or(
        chameleon_core::store::ModelSamples::Mean,
        chameleon_core::store::ModelSamples::One,
    )
}

/// Prints an error once, on stderr, and picks the exit code: 2 for bad input (a file or an
/// argument the user can fix), 1 for anything else.
pub fn report_error(e: &anyhow::Error) -> ExitCode {
    eprintln!("error: {}", message(e));
    let bad_input = e.chain().any(|c| {
        c.downcast_ref::<CoreError>()
            .is_some_and(CoreError::is_bad_input)
            || c.downcast_ref::<chameleon_core::models::ModelError>()
                .is_some_and(chameleon_core::models::ModelError::is_bad_input)
            || engine_bad_input(c)
    });
    ExitCode::from(if bad_input { 2 } else { 1 })
}

#[cfg(feature = "engine")]
fn engine_bad_input(c: &(dyn std::error::Error + 'static)) -> bool {
    c.downcast_ref::<chameleon_engine::EngineError>()
        .is_some_and(chameleon_engine::EngineError::is_bad_input)
}

#[cfg(not(feature = "engine"))]
fn engine_bad_input(_: &(dyn std::error::Error + 'static)) -> bool {
    false
}

/// The error and its causes on one line, each cause only when the message does not already
/// say it (a typed error often prints its source itself: the OS error once, not twice).
pub fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
    }
    out
}

/// The bootstrap progress bar on stderr, only when stderr is a terminal (scripts and CI get
/// clean output); `None` without resamples.
pub fn bootstrap_bar(resamples: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    (resamples > 0 && std::io::stderr().is_terminal()).then(|| {
        let bar = indicatif::ProgressBar::new(resamples as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "bootstrap {bar:40} {pos}/{len} resamples ({eta} left)",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    })
}

/// Runs `job` with a [`Control`] whose progress drives [`bootstrap_bar`] (`resamples` long) and
/// that nobody cancels (Ctrl+C ends the process), then clears the bar.
pub fn with_bootstrap_progress<T>(resamples: usize, job: impl FnOnce(&Control) -> T) -> T {
    let bar = bootstrap_bar(resamples);
    let progress = |done: u64, _total: u64| {
        // Worker threads can report out of order; the bar only moves forward.
        if let Some(b) = bar.as_ref().filter(|b| done > b.position()) {
            b.set_position(done);
        }
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let out = job(&Control {
        progress: &progress,
        cancel: &cancel,
    });
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    out
}
