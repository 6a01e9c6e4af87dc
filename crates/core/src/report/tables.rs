//! The report's tables as CSV (`chameleon report … --tables DIR`, the app's "export table").
//! Numbers are written unrounded (Rust's shortest round-trip form), empty where the report has
//! `null`. Text cells that come from the data (dimension, rater names, notes) are neutralised
//! against spreadsheet formula injection: a cell starting with `=`, `+`, `-`, `@`, tab, CR or LF
//! gets a leading `'`, so Excel/LibreOffice show it as text instead of evaluating it. Numbers
//! are never touched (a negative estimate stays `-0.01`).

use crate::analysis::agreement::{AgreementReport, DimensionAgreement};
use crate::analysis::decompose::DecomposeReport;
use crate::error::{CoreError, Result};
use crate::model::Level;

fn num(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// A text cell from the data, safe to open in a spreadsheet (see
/// [`crate::export::neutralise_formula`], the one neutraliser of every CSV we write).
pub fn text_cell(s: &str) -> String {
    crate::export::neutralise_formula(s)
}

fn lo(v: Option<[f64; 2]>) -> String {
    num(v.map(|v| v[0]))
}

fn hi(v: Option<[f64; 2]>) -> String {
    num(v.map(|v| v[1]))
}

fn csv_err(e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("writing a report table failed: {e}"))
}

fn to_csv(header: &[&str], rows: Vec<Vec<String>>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header).map_err(csv_err)?;
    for r in rows {
        w.write_record(&r).map_err(csv_err)?;
    }
    let bytes = w.into_inner().map_err(csv_err)?;
    String::from_utf8(bytes).map_err(csv_err)
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

/// One row per dimension: counts, alpha (at the level and all four), Fleiss' kappa, the six
/// ICCs and percent agreement.
pub fn agreement_csv(r: &AgreementReport) -> Result<String> {
    let header = [
        "dimension",
        "level",
        "units",
        "pairable_units",
        "raters",
        "ratings",
        "alpha",
        "alpha_ci_lo",
        "alpha_ci_hi",
        "alpha_nominal",
        "alpha_ordinal",
        "alpha_interval",
        "alpha_ratio",
        "fleiss_kappa",
        "icc_method",
        "ICC1",
        "ICC2",
        "ICC3",
        "ICC1k",
        "ICC2k",
        "ICC3k",
        "percent_agreement",
        "percent_within_one",
    ];
    let rows = r
        .dimensions
        .iter()
        .map(|d| {
            vec![
                text_cell(&d.dimension),
                d.level.as_str().to_string(),
                d.units.to_string(),
                d.pairable_units.to_string(),
                d.raters.to_string(),
                d.ratings.to_string(),
                num(alpha_at_level(d)),
                lo(alpha_ci_at_level(d)),
                hi(alpha_ci_at_level(d)),
                num(d.alpha.nominal),
                num(d.alpha.ordinal),
                num(d.alpha.interval),
                num(d.alpha.ratio),
                num(d.fleiss_kappa),
                d.icc_method.to_string(),
                num(d.icc.icc1),
                num(d.icc.icc2),
                num(d.icc.icc3),
                num(d.icc.icc1k),
                num(d.icc.icc2k),
                num(d.icc.icc3k),
                num(d.percent_agreement),
                num(d.percent_within_one),
            ]
        })
        .collect();
    to_csv(&header, rows)
}

/// One row per dimension plus a last row `dimension = "(pooled)"`: profile-level components,
/// shares and interval, rater-level components and shares, reliability and LST coefficients.
pub fn decomposition_csv(r: &DecomposeReport) -> Result<String> {
    let header = [
        "dimension",
        "method",
        "persons",
        "profiles",
        "ratings",
        "var_trait",
        "var_state",
        "trait_share",
        "trait_share_ci_lo",
        "trait_share_ci_hi",
        "state_share",
        "reml_criterion",
        "rl_var_person",
        "rl_var_person_context",
        "rl_var_rater",
        "rl_var_residual",
        "rl_share_person",
        "rl_share_person_context",
        "rl_share_rater",
        "rl_share_residual",
        "rl_k",
        "rl_reliability_1",
        "rl_reliability_k",
        "rl_consistency",
        "rl_occasion_specificity",
        "rl_reml_criterion",
        "bootstrap_resamples",
    ];
    let mut rows: Vec<Vec<String>> = r
        .dimensions
        .iter()
        .map(|d| {
            let p = d.profile_level.as_ref();
            let l = d.rater_level.as_ref();
            let ci = d.ci.as_ref().and_then(|c| c.trait_share);
            vec![
                text_cell(&d.dimension),
                r.method.to_string(),
                d.persons.to_string(),
                d.profiles.to_string(),
                d.ratings.to_string(),
                num(p.map(|p| p.person)),
                num(p.map(|p| p.state)),
                num(p.map(|p| p.trait_share)),
                lo(ci),
                hi(ci),
                num(p.map(|p| p.state_share)),
                num(p.and_then(|p| p.reml_criterion)),
                num(l.map(|l| l.person)),
                num(l.map(|l| l.person_context)),
                num(l.map(|l| l.rater)),
                num(l.map(|l| l.residual)),
                num(l.map(|l| l.shares.person)),
                num(l.map(|l| l.shares.person_context)),
                num(l.map(|l| l.shares.rater)),
                num(l.map(|l| l.shares.residual)),
                num(l.map(|l| l.k)),
                num(l.map(|l| l.reliability_1)),
                num(l.map(|l| l.reliability_k)),
                num(l.map(|l| l.consistency)),
                num(l.map(|l| l.occasion_specificity)),
                num(l.and_then(|l| l.reml_criterion)),
                d.ci.as_ref()
                    .map(|c| c.resamples.to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect();
    let pooled_ci = r.pooled.ci.as_ref().and_then(|c| c.trait_share);
    let st = r.pooled.standardised.as_ref();
    let mut pooled = vec![String::new(); header.len()];
    pooled[0] = "(pooled)".into();
    pooled[1] = r.method.to_string();
    pooled[7] = num(r.pooled.trait_share);
    pooled[8] = lo(pooled_ci);
    pooled[9] = hi(pooled_ci);
    pooled[10] = num(r.pooled.state_share);
    pooled[16] = num(st.map(|s| s.person));
    pooled[17] = num(st.map(|s| s.person_context));
    pooled[18] = num(st.map(|s| s.rater));
    pooled[19] = num(st.map(|s| s.residual));
    rows.push(pooled);
    to_csv(&header, rows)
}

/// Per-rater state sensitivity: one row per dimension and rater.
pub fn rater_sensitivity_csv(r: &DecomposeReport) -> Result<String> {
    let header = [
        "dimension",
        "rater",
        "kind",
        "ratings",
        "persons",
        "state_share",
        "state_share_ci_lo",
        "state_share_ci_hi",
        "state_blind",
        "note",
    ];
    let rows = r
        .dimensions
        .iter()
        .flat_map(|d| {
            d.rater_sensitivity.iter().map(move |s| {
                vec![
                    text_cell(&d.dimension),
                    text_cell(&s.rater),
                    s.kind.to_string(),
                    s.ratings.to_string(),
                    s.persons.to_string(),
                    num(s.state_share),
                    lo(s.ci),
                    hi(s.ci),
                    s.state_blind.map(|b| b.to_string()).unwrap_or_default(),
                    text_cell(s.note.as_deref().unwrap_or_default()),
                ]
            })
        })
        .collect();
    to_csv(&header, rows)
}

/// The profile plot's data: one row per dimension, shown person and context (or position).
pub fn person_profiles_csv(p: &super::PersonProfiles) -> Result<String> {
    let header = [
        "dimension",
        "person",
        if p.by_position {
            "context_position"
        } else {
            "context"
        },
        "profile_score",
    ];
    let rows = p
        .dimensions
        .iter()
        .flat_map(|d| {
            d.scores
                .iter()
                .zip(&p.persons)
                .flat_map(move |(row, person)| {
                    row.iter().zip(&p.contexts).map(move |(v, c)| {
                        vec![
                            text_cell(&d.dimension),
                            text_cell(person),
                            text_cell(c),
                            num(*v),
                        ]
                    })
                })
        })
        .collect();
    to_csv(&header, rows)
}
