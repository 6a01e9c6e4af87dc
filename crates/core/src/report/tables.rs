//! The report's tables, built once as [`Table`]s; written as CSV (`chameleon report … --tables DIR`, the app's "export table").
//! Numbers are written unrounded (Rust's shortest round-trip form), empty where the report has
//! `null`. Text cells that come from the data (dimension, rater names, notes) are neutralised
//! against spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab, CR or LF
//! gets a leading `'`, so Excel/LibreOffice show it as text instead of evaluating it. Numbers
//! are never touched (a negative estimate stays `-0.01`).

use super::table::{Cell, Column, Table};
use crate::analysis::agreement::{AgreementReport, DimensionAgreement};
use crate::analysis::decompose::DecomposeReport;
use crate::error::Result;
use crate::model::Level;

/// A text cell from the data, safe to open in a spreadsheet (see
/// [`crate::export::neutralise_formula`], the one neutraliser of every CSV we write).
pub fn text_cell(s: &str) -> String {
    crate::export::neutralise_formula(s)
}

/// Alpha at the dimension's level of measurement.
pub(crate) fn alpha_at_level(d: &DimensionAgreement) -> Option<f64> {
    match d.level {
        Level::Nominal => d.alpha.nominal,
        Level::Ordinal => d.alpha.ordinal,
        Level::Interval => d.alpha.interval,
        Level::Ratio => d.alpha.ratio,
    }
}

/// The bootstrap interval of alpha at the dimension's level, when bootstrapped.
pub(crate) fn alpha_ci_at_level(d: &DimensionAgreement) -> Option<[f64; 2]> {
    let c = d.ci.as_ref()?;
    match d.level {
        Level::Nominal => c.alpha.nominal,
        Level::Ordinal => c.alpha.ordinal,
        Level::Interval => c.alpha.interval,
        Level::Ratio => c.alpha.ratio,
    }
}

/// The `caution` column: the message of the rule not met, empty when every rule is met.
fn caution_cell(c: Option<&crate::analysis::minimum::Caution>) -> Cell {
    Cell::Word(c.map(|c| c.message.clone()).unwrap_or_default())
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

fn word(s: impl ToString) -> Cell {
    Cell::Word(s.to_string())
}

/// One row per dimension: counts, alpha (at the level and all four), Fleiss' kappa, the six
/// ICCs and percent agreement. Display-only: `alpha_shown` (alpha at the level, with its
/// interval under it when `bootstrapped`) and `icc2_ci95` (the F-based ICC2 interval).
pub fn agreement_table(r: &AgreementReport, bootstrapped: bool) -> Table {
    let mut t = Table::new(vec![
        Column::new("dimension", "Dimension"),
        Column::text("level", "Level"),
        Column::new("units", "Units"),
        Column::new("pairable_units", "Pairable units"),
        Column::new("raters", "Raters"),
        Column::new("ratings", "Ratings"),
        Column::new("alpha", "α (level)"),
        Column::interval("alpha_ci", "α (level) 95% CI"),
        Column::new("alpha_nominal", "α nominal"),
        Column::new("alpha_ordinal", "α ordinal"),
        Column::new("alpha_interval", "α interval"),
        Column::new("alpha_ratio", "α ratio"),
        Column::new("fleiss_kappa", "Fleiss κ"),
        Column::text("icc_method", "ICC method"),
        Column::new("ICC1", "ICC1"),
        Column::new("ICC2", "ICC2"),
        Column::new("ICC3", "ICC3"),
        Column::new("ICC1k", "ICC1k"),
        Column::new("ICC2k", "ICC2k"),
        Column::new("ICC3k", "ICC3k"),
        Column::new("percent_agreement", "Agreement"),
        Column::new("percent_within_one", "Within ±1"),
        Column::new("alpha_shown", "α (level)")
            .strong()
            .display_only(),
        Column::interval("icc2_ci95", "ICC2 95% CI").display_only(),
        Column::text("caution", "Caution"),
    ]);
    for d in &r.dimensions {
        let few = d.caution.as_ref();
        let ci_few = few.or(d.ci.as_ref().and_then(|c| c.caution.as_ref()));
        let num = |v: Option<f64>| Cell::Num(v).unless(few);
        let alpha = num(alpha_at_level(d));
        let shown = if bootstrapped && few.is_none() {
            Cell::Stack(
                Box::new(alpha.clone()),
                Box::new(Cell::Interval(alpha_ci_at_level(d)).unless(ci_few)),
            )
        } else {
            alpha.clone()
        };
        let icc2_ci = d
            .icc_detail
            .as_ref()
            .and_then(|x| x.icc2.as_ref())
            .and_then(|x| x.ci95);
        t.push(vec![
            text(&d.dimension),
            word(d.level.as_str()),
            Cell::Count(d.units),
            Cell::Count(d.pairable_units),
            Cell::Count(d.raters),
            Cell::Count(d.ratings),
            alpha,
            Cell::Interval(alpha_ci_at_level(d)).unless(ci_few),
            num(d.alpha.nominal),
            num(d.alpha.ordinal),
            num(d.alpha.interval),
            num(d.alpha.ratio),
            num(d.fleiss_kappa),
            word(d.icc_method),
            num(d.icc.icc1),
            num(d.icc.icc2),
            num(d.icc.icc3),
            num(d.icc.icc1k),
            num(d.icc.icc2k),
            num(d.icc.icc3k),
            Cell::Percent(d.percent_agreement).unless(few),
            Cell::Percent(d.percent_within_one).unless(few),
            shown,
            Cell::Interval(icc2_ci).unless(few),
            caution_cell(ci_few),
        ]);
    }
    t
}

/// [`agreement_table`] as CSV.
pub fn agreement_csv(r: &AgreementReport) -> Result<String> {
    agreement_table(r, false).to_csv()
}

/// One row per dimension plus a last row `dimension = "(pooled)"`: profile-level components,
/// shares and interval, rater-level components and shares, reliability and LST coefficients.
pub fn decomposition_table(r: &DecomposeReport) -> Table {
    let mut t = Table::new(vec![
        Column::new("dimension", "Dimension"),
        Column::text("method", "Method"),
        Column::new("persons", "Persons"),
        Column::new("profiles", "Profiles"),
        Column::new("ratings", "Ratings"),
        Column::new("var_trait", "σ²<sub>T</sub> (trait)"),
        Column::new("var_state", "σ²<sub>S</sub> (state)"),
        Column::new("trait_share", "Trait share").strong(),
        Column::interval("trait_share_ci", "Trait share 95% CI"),
        Column::new("state_share", "State share"),
        Column::new("reml_criterion", "REML criterion"),
        Column::new("rl_var_person", "σ² person"),
        Column::new("rl_var_person_context", "σ² person × context"),
        Column::new("rl_var_rater", "σ² rater"),
        Column::new("rl_var_residual", "σ² residual"),
        Column::new("rl_share_person", "Share person"),
        Column::new("rl_share_person_context", "Share person × context"),
        Column::new("rl_share_rater", "Share rater"),
        Column::new("rl_share_residual", "Share residual"),
        Column::new("rl_k", "k").decimals(2),
        Column::new("rl_reliability_1", "Reliability (1 rater)"),
        Column::new("rl_reliability_k", "Reliability (k raters)"),
        Column::new("rl_consistency", "Consistency"),
        Column::new("rl_occasion_specificity", "Occasion specificity"),
        Column::new("rl_reml_criterion", "REML criterion"),
        Column::new("bootstrap_resamples", "Resamples"),
        Column::text("caution", "Caution"),
    ]);
    for d in &r.dimensions {
        let p = d.profile_level.as_ref();
        let l = d.rater_level.as_ref();
        let few = d.caution.as_ref();
        let ci_few = few.or(d.ci.as_ref().and_then(|c| c.caution.as_ref()));
        t.push(vec![
            text(&d.dimension),
            word(r.method),
            Cell::Count(d.persons),
            Cell::Count(d.profiles),
            Cell::Count(d.ratings),
            Cell::Num(p.map(|p| p.person)),
            Cell::Num(p.map(|p| p.state)),
            Cell::Num(p.map(|p| p.trait_share)).unless(few),
            Cell::Interval(d.ci.as_ref().and_then(|c| c.trait_share)).unless(ci_few),
            Cell::Num(p.map(|p| p.state_share)).unless(few),
            Cell::Num(p.and_then(|p| p.reml_criterion)),
            Cell::Num(l.map(|l| l.person)),
            Cell::Num(l.map(|l| l.person_context)),
            Cell::Num(l.map(|l| l.rater)),
            Cell::Num(l.map(|l| l.residual)),
            Cell::Num(l.map(|l| l.shares.person)).unless(few),
            Cell::Num(l.map(|l| l.shares.person_context)).unless(few),
            Cell::Num(l.map(|l| l.shares.rater)),
            Cell::Num(l.map(|l| l.shares.residual)),
            Cell::Num(l.map(|l| l.k)),
            Cell::Num(l.map(|l| l.reliability_1)),
            Cell::Num(l.map(|l| l.reliability_k)),
            Cell::Num(l.map(|l| l.consistency)),
            Cell::Num(l.map(|l| l.occasion_specificity)),
            Cell::Num(l.and_then(|l| l.reml_criterion)),
            d.ci.as_ref()
                .map_or(Cell::Empty, |c| Cell::Count(c.resamples)),
            caution_cell(ci_few),
        ]);
    }
    let st = r.pooled.standardised.as_ref();
    let mut pooled = vec![Cell::Empty; t.columns.len()];
    pooled[0] = word("(pooled)");
    pooled[1] = word(r.method);
    let few = r.pooled.caution.as_ref();
    pooled[7] = Cell::Num(r.pooled.trait_share).unless(few);
    pooled[8] = Cell::Interval(r.pooled.ci.as_ref().and_then(|c| c.trait_share)).unless(few);
    pooled[9] = Cell::Num(r.pooled.state_share).unless(few);
    pooled[26] = caution_cell(few);
    pooled[15] = Cell::Num(st.map(|s| s.person));
    pooled[16] = Cell::Num(st.map(|s| s.person_context));
    pooled[17] = Cell::Num(st.map(|s| s.rater));
    pooled[18] = Cell::Num(st.map(|s| s.residual));
    t.push(pooled);
    t
}

/// [`decomposition_table`] as CSV.
pub fn decomposition_csv(r: &DecomposeReport) -> Result<String> {
    decomposition_table(r).to_csv()
}

/// Per-rater state sensitivity: one row per dimension and rater.
pub fn rater_sensitivity_table(r: &DecomposeReport) -> Table {
    let mut t = Table::new(vec![
        Column::new("dimension", "Dimension"),
        Column::text("rater", "Rater"),
        Column::text("kind", "Kind"),
        Column::new("ratings", "Ratings"),
        Column::new("persons", "Persons"),
        Column::new("state_share", "State share"),
        Column::interval("state_share_ci", "95% CI"),
        Column::new("state_blind", "State-blind"),
        Column::text("note", "Note"),
        Column::text("caution", "Caution"),
    ]);
    for d in &r.dimensions {
        for s in &d.rater_sensitivity {
            let few = s.caution.as_ref();
            t.push(vec![
                text(&d.dimension),
                text(&s.rater),
                word(s.kind),
                Cell::Count(s.ratings),
                Cell::Count(s.persons),
                Cell::Num(s.state_share).unless(few),
                Cell::Interval(s.ci).unless(few.or(s.ci_caution.as_ref())),
                Cell::Flag(s.state_blind).unless(few),
                text(s.note.as_deref().unwrap_or_default()),
                caution_cell(few.or(s.ci_caution.as_ref())),
            ]);
        }
    }
    t
}

/// [`rater_sensitivity_table`] as CSV.
pub fn rater_sensitivity_csv(r: &DecomposeReport) -> Result<String> {
    rater_sensitivity_table(r).to_csv()
}

/// The `--model` fits' components: one row per dimension and term (the formula's terms, then
/// `residual`) with its number of levels, variance, SD, the SD's profile interval and the
/// bootstrap intervals of the variance and share (empty when not computed; a face drops those
/// columns with [`Table::view`]).
pub fn model_components_table(r: &DecomposeReport) -> Table {
    let mut t = Table::new(vec![
        Column::text("dimension", "Dimension"),
        Column::text("term", "Term"),
        Column::new("levels", "Levels"),
        Column::new("variance", "Variance"),
        Column::new("sd", "SD"),
        Column::interval("sd_ci", "SD 95% profile CI"),
        Column::interval("variance_ci", "Variance 95% CI"),
        Column::new("share", "Share"),
        Column::interval("share_ci", "Share 95% CI"),
    ]);
    for d in &r.dimensions {
        let Some(m) = &d.model else { continue };
        for (term, v) in &m.components.0 {
            t.push(vec![
                text(&d.dimension),
                text(term),
                m.levels.get(term).map_or(Cell::Empty, Cell::Count),
                Cell::Num(Some(*v)),
                Cell::Num(Some(v.max(0.0).sqrt())),
                Cell::Interval(m.sd_ci95.as_ref().and_then(|c| c.get(term))),
                Cell::Interval(
                    m.components_ci95
                        .as_ref()
                        .and_then(|c| c.get(term))
                        .flatten(),
                ),
                Cell::Num(m.shares.get(term)),
                Cell::Interval(m.shares_ci95.as_ref().and_then(|c| c.get(term)).flatten()),
            ]);
        }
    }
    t
}

/// The `--model` fits themselves: one row per fitted dimension with the intercept, its SE, the
/// criterion (REML or ML deviance), convergence and the terms at the boundary.
pub fn model_fits_table(r: &DecomposeReport) -> Table {
    let mut t = Table::new(vec![
        Column::text("dimension", "Dimension"),
        Column::new("intercept", "Intercept"),
        Column::new("intercept_se", "SE"),
        Column::new("criterion", "Criterion"),
        Column::text("converged", "Converged"),
        Column::text("boundary", "Boundary terms"),
    ]);
    for d in &r.dimensions {
        let Some(m) = &d.model else { continue };
        t.push(vec![
            text(&d.dimension),
            Cell::Num(Some(m.intercept)),
            Cell::Num(Some(m.intercept_se)),
            Cell::Num(m.reml_criterion.or(m.deviance)),
            word(if m.converged { "yes" } else { "no" }),
            if m.boundary.is_empty() {
                word(super::table::DASH)
            } else {
                text(&m.boundary.join(", "))
            },
        ]);
    }
    t
}

/// The profile plot's data: one row per dimension, shown person and context (or position).
pub fn person_profiles_table(p: &super::PersonProfiles) -> Table {
    let context = if p.by_position {
        Column::text("context_position", "Context position")
    } else {
        Column::text("context", "Context")
    };
    let mut t = Table::new(vec![
        Column::new("dimension", "Dimension"),
        Column::text("person", "Person"),
        context,
        Column::new("profile_score", "Profile score"),
    ]);
    for d in &p.dimensions {
        for (row, person) in d.scores.iter().zip(&p.persons) {
            for (v, c) in row.iter().zip(&p.contexts) {
                t.push(vec![
                    text(&d.dimension),
                    text(person),
                    text(c),
                    Cell::Num(*v),
                ]);
            }
        }
    }
    t
}

/// [`person_profiles_table`] as CSV.
pub fn person_profiles_csv(p: &super::PersonProfiles) -> Result<String> {
    person_profiles_table(p).to_csv()
}
