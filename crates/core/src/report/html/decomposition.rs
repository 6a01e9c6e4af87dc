//! The state–trait decomposition section: profile level, pooled split, rater level and
//! per-rater state sensitivity.

use super::f4;
use crate::analysis::decompose::DecomposeReport;
use crate::report::table::{Cell, Column, Table};
use crate::report::tables::{decomposition_table, rater_sensitivity_table};
use crate::report::ReportData;
use std::fmt::Write as _;

pub(super) fn decomposition_section(h: &mut String, r: &DecomposeReport, d: &ReportData) {
    h.push_str("<section id=\"decomposition\">\n<h2>State–trait decomposition</h2>\n");
    let boot = d.bootstrap > 0;
    let table = decomposition_table(r);
    // The table's last row is the pooled split, shown below on its own.
    let per_dimension = |i: usize| i < r.dimensions.len();
    h.push_str("<h3>Profile level (trait and state)</h3>\n");
    let mut cols = vec![
        "dimension",
        "persons",
        "profiles",
        "ratings",
        "var_trait",
        "var_state",
        "trait_share",
    ];
    if boot {
        cols.push("trait_share_ci");
    }
    cols.extend(["state_share", "reml_criterion"]);
    table.view(&cols).rows_where(per_dimension).write_html(h);

    pooled(h, r, boot);

    if r.dimensions.iter().any(|x| x.rater_level.is_some()) {
        let with_rater_level =
            |i: usize| r.dimensions.get(i).is_some_and(|x| x.rater_level.is_some());
        h.push_str("<h3>Rater level (generalizability study)</h3>\n");
        table
            .view(&[
                "dimension",
                "rl_var_person",
                "rl_var_person_context",
                "rl_var_rater",
                "rl_var_residual",
                "rl_share_person",
                "rl_share_person_context",
                "rl_share_rater",
                "rl_share_residual",
            ])
            .rows_where(with_rater_level)
            .write_html(h);
        table
            .view(&[
                "dimension",
                "rl_k",
                "rl_reliability_1",
                "rl_reliability_k",
                "rl_consistency",
                "rl_occasion_specificity",
                "rl_reml_criterion",
            ])
            .rows_where(with_rater_level)
            .write_html(h);
        h.push_str(
            "<p class=\"note\">k: raters per profile (harmonic mean); reliability of a profile \
             score from 1 and from k raters; consistency = σ²<sub>T</sub> / \
             (σ²<sub>T</sub> + σ²<sub>S</sub> + (σ²<sub>R</sub> + σ²<sub>E</sub>)/k) and \
             occasion specificity = σ²<sub>S</sub> / (the same), the trait and state parts of \
             the k-rater reliability.</p>\n",
        );
        if boot {
            h.push_str("<p class=\"note\">Bootstrap intervals of every rater-level statistic are in the embedded JSON (<code>decomposition.dimensions[].ci.rater_level</code>).</p>\n");
        }
    } else {
        h.push_str(
            "<p class=\"note\">No rater level: the data carry no rater column or the level \
             could not be fitted (see Notes).</p>\n",
        );
    }

    if r.dimensions.iter().any(|x| !x.rater_sensitivity.is_empty()) {
        h.push_str("<h3>Per-rater state sensitivity</h3>\n");
        let mut cols = vec![
            "dimension",
            "rater",
            "kind",
            "ratings",
            "persons",
            "state_share",
        ];
        if boot {
            cols.push("state_share_ci");
        }
        cols.extend(["state_blind", "note"]);
        rater_sensitivity_table(r).view(&cols).write_html(h);
        h.push_str(
            "<p class=\"note\">State share: within-person share of the rater's own ratings \
             (profile-level model); below 0.10 the rater is state-blind: its ratings of a \
             person barely move across contexts.</p>\n",
        );
    }
    h.push_str("</section>\n");
}

/// The pooled trait–state split and, with raters, the standardised rater-level shares.
fn pooled(h: &mut String, r: &DecomposeReport, boot: bool) {
    h.push_str("<h3>Pooled trait–state split</h3>\n");
    let mut cols = vec![
        Column::new("pooled", ""),
        Column::new("dimensions", "Dimensions"),
        Column::new("trait_share", "Trait share").strong(),
    ];
    let few = r.pooled.caution.as_ref();
    let mut cells = vec![
        Cell::Word("Mean over dimensions".into()),
        Cell::Count(r.pooled.dimensions),
        Cell::Num(r.pooled.trait_share).unless(few),
    ];
    if boot {
        cols.push(Column::interval("trait_share_ci", "Trait share 95% CI"));
        cells.push(Cell::Interval(r.pooled.ci.as_ref().and_then(|c| c.trait_share)).unless(few));
    }
    cols.push(Column::new("state_share", "State share"));
    cells.push(Cell::Num(r.pooled.state_share).unless(few));
    if boot {
        cols.push(Column::interval("state_share_ci", "State share 95% CI"));
        cells.push(Cell::Interval(r.pooled.ci.as_ref().and_then(|c| c.state_share)).unless(few));
    }
    let mut t = Table::new(cols);
    t.push(cells);
    t.write_html(h);
    if let Some(st) = &r.pooled.standardised {
        let _ = writeln!(
            h,
            "<p>Rater level, dimensions standardised to unit total variance (mean shares): \
             person (trait) {}, person × context (state) {}, rater {}, residual {}.</p>",
            f4(Some(st.person)),
            f4(Some(st.person_context)),
            f4(Some(st.rater)),
            f4(Some(st.residual))
        );
    }
}
