//! The self-contained HTML report (issue #6): agreement and state–trait decomposition of one
//! dataset, with a methods paragraph, tables and inline SVG figures, in one HTML document that
//! a PI can attach to a preregistration or a paper supplement. The CLI (`chameleon report`) and
//! the desktop app call the same functions, so both produce the same file.
//!
//! The numbers are the reports of [`crate::analysis::agreement::agreement`] and
//! [`crate::analysis::decompose::run_decomposition`], i.e. exactly what `chameleon agreement
//! --json` and `chameleon decompose --json` print for the same data and options. Tables show
//! them rounded to 4 decimals; the full reports are embedded unrounded as JSON in
//! `<script type="application/json" id="chameleon-data">` (see [`ReportData`]).
//!
//! Self-contained: no external scripts, style sheets, fonts or images; figures are SVG drawn
//! with `plotters` and inlined. Every string that comes from the data (source, dimension, rater
//! and person names, warnings) is HTML-escaped; the embedded JSON escapes `<`, `>` and `&`.

pub(crate) mod figures;
mod html;
pub mod png;
pub mod profiles;
pub mod table;
pub mod tables;

use crate::analysis::agreement::{agreement_with, AgreementOptions, AgreementReport};
use crate::analysis::decompose::{
    run_decomposition, DecomposeMethod, DecomposeReport, DecomposeRunOptions, DimensionEffects,
    ModelCriterion, ModelIntervalOptions, PreparedModel,
};
use crate::dataset::Dataset;
use crate::error::{CoreError, Result};
use chameleon_stats::bootstrap::Control;
use chameleon_stats::variance::VarianceError;
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

pub use figures::Figure;
pub use png::{png_size, svg_to_png};
pub use profiles::{person_profiles, PersonProfiles, PLOT_PERSONS};
pub use table::{Cell, Column, Table, TextStyle};
pub use tables::{
    agreement_csv, agreement_table, decomposition_csv, decomposition_table, person_profiles_csv,
    person_profiles_table, rater_sensitivity_csv, rater_sensitivity_table, text_cell,
};

/// The software version written into reports.
pub const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Options of a report. There is no `Default`: the caller passes the time the report is made
/// (core does not read the clock, so tests can fix it).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportOptions {
    /// Estimator of the decomposition (REML by default).
    pub method: DecomposeMethod,
    /// Resamples of the person-cluster bootstrap (decomposition) and of the unit bootstrap
    /// (agreement); 0 = no intervals.
    pub bootstrap: usize,
    /// Seed of both bootstraps.
    pub seed: u64,
    /// Title of the document; `None` gives "Agreement and state–trait report".
    pub title: Option<String>,
    /// The study's name (its codebook's name), shown above the source path when known.
    pub study: Option<String>,
    /// When the report was made.
    pub generated_at: chrono::DateTime<chrono::Utc>,
}

impl ReportOptions {
    /// REML, no bootstrap, seed 1 (the defaults of `chameleon decompose`), default title.
    pub fn new(generated_at: chrono::DateTime<chrono::Utc>) -> Self {
        ReportOptions {
            method: DecomposeMethod::Reml,
            bootstrap: 0,
            seed: 1,
            title: None,
            study: None,
            generated_at,
        }
    }
}

/// The lme4 formula a report also fits (`chameleon report --model`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportModelOptions {
    /// Maximum likelihood instead of REML.
    pub ml: bool,
    /// Profile-likelihood intervals of the standard deviations.
    pub profile_ci: bool,
}

/// Contexts shown at each end of a report's context-effects table.
pub const CONTEXT_EFFECTS_SHOWN: usize = 5;

/// The formula model of a report: its fits are the `"model"` objects of the decomposition's
/// dimensions; this says how they were made and holds the context effects.
#[derive(Debug, Clone, Serialize)]
pub struct ModelSection {
    /// The formula in lme4 syntax.
    pub formula: String,
    /// REML (lme4's default) or maximum likelihood.
    pub criterion: ModelCriterion,
    /// Profile-likelihood intervals of the standard deviations were computed.
    pub profile_ci: bool,
    /// Resamples of the model's bootstrap (0 = none); the method is in each `"model"`.
    pub bootstrap: usize,
    /// Per fitted dimension, the conditional modes of the `context` term, highest first
    /// (empty when the formula has no context term).
    pub context_effects: Vec<DimensionEffects>,
    /// The same for the `rater` (leniency) and `rater:person` terms (a rater's own view of a
    /// person), in the formula's order; empty without such terms.
    pub rater_effects: Vec<DimensionEffects>,
}

/// Counts of the analysed dataset.
#[derive(Debug, Clone, Serialize)]
pub struct DatasetCounts {
    /// Dimensions analysed.
    pub dimensions: usize,
    /// Persons.
    pub persons: usize,
    /// Contexts.
    pub contexts: usize,
    /// Profiles (person × context).
    pub profiles: usize,
    /// Raters.
    pub raters: usize,
    /// Ratings.
    pub ratings: usize,
    /// Ratings marked "can't judge", left out of every number above and below.
    pub cant_judge: usize,
    /// Gold and attention-check profiles, left out of every number (absent when none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub known_left_out: Option<crate::dataset::KnownLeftOut>,
}

/// Everything a report shows, computed once; serialized whole into the report's
/// `chameleon-data` block. `agreement` is the `chameleon agreement --json` report and
/// `decomposition` the `chameleon decompose --json` report for the same data and options.
#[derive(Debug, Clone, Serialize)]
pub struct ReportData {
    /// Title of the document.
    pub title: String,
    /// The study's name when known.
    pub study: Option<String>,
    /// "Chameleon Studio".
    pub software: &'static str,
    /// The software version ([`SOFTWARE_VERSION`]).
    pub version: &'static str,
    /// Where the data came from (the study or file path).
    pub source: String,
    /// [`Dataset::content_hash`] (BLAKE3) of the analysed data.
    pub data_hash: String,
    /// RFC 3339, UTC.
    pub generated_at: String,
    /// Estimator of the decomposition (`reml` or `anova`).
    pub method: &'static str,
    /// Bootstrap resamples (0 = no intervals).
    pub bootstrap: usize,
    /// The bootstrap seed, `null` without a bootstrap.
    pub seed: Option<u64>,
    /// Counts of the analysed data.
    pub counts: DatasetCounts,
    /// The agreement report.
    pub agreement: AgreementReport,
    /// Why a statistic of the agreement report is `null` (what the CLI prints on stderr).
    pub agreement_warnings: Vec<String>,
    /// The decomposition report.
    pub decomposition: DecomposeReport,
    /// A few persons' profile scores across contexts (the profile plot).
    pub person_profiles: PersonProfiles,
    /// The formula model, when the report fits one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<ModelSection>,
    /// The rater selection the data went through, when the caller applied one
    /// ([`crate::analysis::raters::select_raters`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raters: Option<crate::analysis::raters::RaterChoice>,
    /// The model raters' analyses ([`crate::models::analysis`]), when the caller computed
    /// them (a study with raters of kind model).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub models: Option<crate::models::analysis::ModelsReport>,
}

/// Computes the agreement and decomposition reports of `ds`. `control` reports bootstrap
/// progress and lets the caller cancel (the only error is [`VarianceError::Cancelled`]).
pub fn compute(
    ds: &Dataset,
    opts: &ReportOptions,
    control: &Control,
) -> std::result::Result<ReportData, VarianceError> {
    compute_with_model(ds, opts, None, control)
}

/// [`compute`], also fitting `model` (a formula already checked against `ds` with
/// [`crate::analysis::decompose::prepare_model`]) into the decomposition, with its intervals
/// (profile with `profile_ci`; bootstrap with the report's resamples) and context effects.
pub fn compute_with_model(
    ds: &Dataset,
    opts: &ReportOptions,
    model: Option<(&PreparedModel, ReportModelOptions)>,
    control: &Control,
) -> std::result::Result<ReportData, VarianceError> {
    // One progress over both phases: the report's resamples, then the model's per dimension.
    let b = opts.bootstrap as u64;
    let total = b * (1 + model.map_or(0, |(m, _)| m.fittable() as u64));
    let base_progress = |done: u64, _: u64| (control.progress)(done, total);
    let base_control = Control {
        progress: &base_progress,
        cancel: control.cancel,
    };
    let mut data = compute_base(ds, opts, &base_control)?;
    let model_progress = |done: u64, _: u64| (control.progress)((b + done).min(total), total);
    let control = &Control {
        progress: &model_progress,
        cancel: control.cancel,
    };
    if let Some((m, mo)) = model {
        let criterion = if mo.ml {
            ModelCriterion::Ml
        } else {
            ModelCriterion::Reml
        };
        let fits = m.fit_into(&mut data.decomposition, criterion);
        m.intervals_into(
            ds,
            &mut data.decomposition,
            &fits,
            criterion,
            &ModelIntervalOptions {
                profile_ci: mo.profile_ci,
                bootstrap: opts.bootstrap,
                seed: opts.seed,
            },
            control,
        )
        .map_err(|_| VarianceError::Cancelled)?;
        let context_effects = m
            .term_index("context")
            .map(|t| m.effects(ds, &fits, t, criterion))
            .unwrap_or_default();
        let rater_effects = m
            .formula()
            .terms
            .iter()
            .enumerate()
            .filter(|(_, t)| {
                matches!(
                    t.kind,
                    chameleon_stats::variance::formula::TermKind::Rater
                        | chameleon_stats::variance::formula::TermKind::RaterPerson
                )
            })
            .flat_map(|(t, _)| m.effects(ds, &fits, t, criterion))
            .collect();
        data.model = Some(ModelSection {
            formula: m.formula().text.clone(),
            criterion,
            profile_ci: mo.profile_ci,
            bootstrap: opts.bootstrap,
            context_effects,
            rater_effects,
        });
    }
    Ok(data)
}

fn compute_base(
    ds: &Dataset,
    opts: &ReportOptions,
    control: &Control,
) -> std::result::Result<ReportData, VarianceError> {
    // One progress for both bootstraps, in units of the decomposition's resamples: each half
    // of the bar is one of the two jobs (`total` = resamples), reported only when it grows so
    // the callers see a monotone count although the jobs report from different threads.
    let dec_done = AtomicU64::new(0);
    let agr_done = AtomicU64::new(0);
    let agr_total = AtomicU64::new(1);
    // Deciding that a count is new and reporting it happen under one lock: with only an atomic
    // maximum, two threads could report 35 before 34.
    let shown = Mutex::new(0u64);
    let b = opts.bootstrap as u64;
    let report = || {
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        let d = dec_done.load(Ordering::Relaxed) as u128;
        let (a, at) = (
            agr_done.load(Ordering::Relaxed) as u128,
            agr_total.load(Ordering::Relaxed).max(1) as u128,
        );
        // d/b and a/at, each half of b: (d + a·b/at) / 2, exact b when both are complete.
        let n = ((d * at + a * b as u128) / (2 * at)) as u64;
        if n > *shown {
            *shown = n;
            (control.progress)(n, b);
        }
    };
    let dec_progress = |done: u64, _: u64| {
        dec_done.fetch_max(done, Ordering::Relaxed);
        report();
    };
    let agr_progress = |done: u64, total: u64| {
        agr_total.store(total, Ordering::Relaxed);
        agr_done.fetch_max(done, Ordering::Relaxed);
        report();
    };
    let dec_control = Control {
        progress: &dec_progress,
        cancel: control.cancel,
    };
    let agr_control = Control {
        progress: &agr_progress,
        cancel: control.cancel,
    };
    // Both are parallel inside; running them side by side keeps every core busy.
    let (decomposition, run) = rayon::join(
        || {
            run_decomposition(
                ds,
                &DecomposeRunOptions {
                    method: opts.method,
                    bootstrap: opts.bootstrap,
                    seed: opts.seed,
                },
                &dec_control,
            )
        },
        || {
            agreement_with(
                ds,
                &AgreementOptions {
                    bootstrap: opts.bootstrap,
                    seed: opts.seed,
                },
                &agr_control,
            )
        },
    );
    let decomposition = decomposition?;
    let run = run.map_err(|_| VarianceError::Cancelled)?;
    Ok(ReportData {
        title: opts
            .title
            .clone()
            .unwrap_or_else(|| "Agreement and state–trait report".to_string()),
        study: opts.study.clone(),
        software: "Chameleon Studio",
        version: SOFTWARE_VERSION,
        source: ds.source.clone(),
        data_hash: ds.content_hash(),
        generated_at: opts
            .generated_at
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        method: opts.method.as_str(),
        bootstrap: opts.bootstrap,
        seed: (opts.bootstrap > 0).then_some(opts.seed),
        counts: DatasetCounts {
            dimensions: ds.dimensions.len(),
            persons: ds.persons.len(),
            contexts: ds.contexts.len(),
            profiles: ds.profiles.len(),
            raters: ds.raters.len(),
            ratings: ds.rating_count(),
            cant_judge: ds.cant_judge_count(),
            known_left_out: ds.known_left_out.present(),
        },
        agreement: run.report,
        agreement_warnings: run.warnings,
        decomposition,
        person_profiles: person_profiles(ds, PLOT_PERSONS),
        model: None,
        raters: None,
        models: None,
    })
}

/// The HTML document of already computed results (the app renders its cached results).
pub fn render_html(data: &ReportData) -> Result<String> {
    html::render(data)
}

/// The figures of a report as standalone SVG documents (for `--tables DIR` and the app's
/// "save figure").
pub fn figures(data: &ReportData) -> Result<Vec<Figure>> {
    figures::all(data)
}

/// Computes and renders the report of `ds` in one call (no progress, no cancellation).
pub fn render_report(ds: &Dataset, opts: &ReportOptions) -> Result<String> {
    let cancel = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let data = compute(ds, opts, &control).map_err(|e| CoreError::Invalid(e.to_string()))?;
    render_html(&data)
}

#[cfg(test)]
mod tests;
