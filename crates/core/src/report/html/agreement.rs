//! The agreement section: alpha, kappa and percent agreement per dimension, intraclass
//! correlations, and per dimension the raters and rater pairs.

use super::esc;
use crate::analysis::agreement::AgreementReport;
use crate::report::table::{Cell, Column, Table};
use crate::report::tables::agreement_table;
use crate::report::ReportData;
use std::fmt::Write as _;

pub(super) fn agreement_section(h: &mut String, r: &AgreementReport, d: &ReportData) {
    h.push_str("<section id=\"agreement\">\n<h2>Agreement per dimension</h2>\n");
    if r.dimensions.is_empty() {
        h.push_str("<p>No dimensions.</p>\n</section>\n");
        return;
    }
    if r.dimensions.iter().all(|a| a.raters == 0) {
        h.push_str(
            "<p>The data carry no rater column (one score per profile): agreement statistics \
             need ratings of the same profiles by two or more raters, so none are reported. \
             The decomposition below uses the profile level only.</p>\n</section>\n",
        );
        return;
    }
    let table = agreement_table(r, d.bootstrap > 0);
    table
        .view(&[
            "dimension",
            "level",
            "units",
            "raters",
            "ratings",
            "alpha_shown",
            "alpha_nominal",
            "alpha_ordinal",
            "alpha_interval",
            "alpha_ratio",
            "fleiss_kappa",
            "percent_agreement",
            "percent_within_one",
        ])
        .write_html(h);
    h.push_str(
        "<p class=\"note\">α: Krippendorff's alpha; α (level): at the dimension's level of \
         measurement (with its 95% bootstrap interval when bootstrapped); κ: kappa; Agreement / Within ±1: pairwise percent agreement over pairable \
         units. — : not computable for these data (reasons under Notes).</p>\n",
    );
    h.push_str("<h3>Intraclass correlations</h3>\n");
    table
        .view(&[
            "dimension",
            "icc_method",
            "ICC1",
            "ICC2",
            "ICC3",
            "ICC1k",
            "ICC2k",
            "ICC3k",
            "icc2_ci95",
        ])
        .write_html(h);
    raters_and_pairs(h, r);
    h.push_str("</section>\n");
}

/// Per dimension, collapsed: the raters' diagnostics and Cohen's kappa per rater pair.
fn raters_and_pairs(h: &mut String, r: &AgreementReport) {
    if r.dimensions
        .iter()
        .all(|a| a.raters_detail.is_empty() && a.pairs.is_empty())
    {
        return;
    }
    h.push_str(
        "<h3>Raters and rater pairs</h3>\n<p class=\"note\">Leniency: mean deviation from the \
         other raters of the same profiles; r: correlation with the leave-one-out consensus; \
         exact agreement: percent of pairs with another rater on a shared profile rated \
         identically; drift: mean absolute deviation from the consensus in the first and last \
         third of the rater's ratings; Cohen's kappa on each pair's shared profiles. Click a \
         dimension to open it.</p>\n",
    );
    for a in &r.dimensions {
        if a.raters_detail.is_empty() && a.pairs.is_empty() {
            continue;
        }
        let _ = writeln!(
            h,
            "<details>\n<summary>{} — {} raters, {} pairs</summary>",
            esc(&a.dimension),
            a.raters_detail.len(),
            a.pairs.len()
        );
        if !a.raters_detail.is_empty() {
            let mut t = Table::new(vec![
                Column::new("rater", "Rater"),
                Column::new("ratings", "Ratings"),
                Column::new("shared", "Shared"),
                Column::new("leniency", "Leniency"),
                Column::new("consensus_r", "r (consensus)"),
                Column::new("consensus_agreement", "Exact agreement"),
                Column::new("drift_early_abs_dev", "Drift |dev| early"),
                Column::new("drift_late_abs_dev", "Drift |dev| late"),
                Column::new("median_seconds", "Median seconds").decimals(1),
            ]);
            for x in &a.raters_detail {
                t.push(vec![
                    Cell::Text(x.rater.clone()),
                    Cell::Count(x.n),
                    Cell::Count(x.n_shared),
                    Cell::Num(x.leniency),
                    Cell::Num(x.consensus_r),
                    Cell::Percent(x.consensus_agreement),
                    Cell::Num(x.drift_early_abs_dev),
                    Cell::Num(x.drift_late_abs_dev),
                    Cell::Num(x.median_seconds),
                ]);
            }
            t.write_html(h);
        }
        if !a.pairs.is_empty() {
            let mut t = Table::new(vec![
                Column::new("pair", "Rater pair"),
                Column::new("units", "Units"),
                Column::new("kappa", "κ"),
                Column::new("kappa_linear", "κ linear"),
                Column::new("kappa_quadratic", "κ quadratic"),
            ]);
            for p in &a.pairs {
                t.push(vec![
                    Cell::Text(format!("{} – {}", p.a, p.b)),
                    Cell::Count(p.units),
                    Cell::Num(p.kappa),
                    Cell::Num(p.kappa_linear),
                    Cell::Num(p.kappa_quadratic),
                ]);
            }
            t.write_html(h);
        }
        h.push_str("</details>\n");
    }
}
