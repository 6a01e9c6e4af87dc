//! The formula model: its methods paragraph, components and shares with their intervals, the
//! fit summary and the context effects.

use super::esc;
use crate::report::table::{Cell, Column, Table};
use crate::report::tables;
use crate::report::{ReportData, CONTEXT_EFFECTS_SHOWN};
use std::fmt::Write as _;

/// The methods paragraph of the formula model.
pub(super) fn model_methods(h: &mut String, d: &ReportData) {
    let Some(m) = &d.model else {
        return;
    };
    let ml = m.criterion == crate::analysis::decompose::ModelCriterion::Ml;
    let _ = write!(
        h,
        "<p><strong>Variance-components model.</strong> Each dimension was also fitted with the \
         lme4 formula <code class=\"model-formula\">{}</code> (one row per rating; repeated rows \
         of a cell are replicate observations) by {}, with Chameleon Studio's own engine: lme4's \
         profiled criterion (<code>{}</code>) minimised over the relative standard deviations \
         θ ≥ 0 by a damped Newton method, terms nested in person eliminated person by person \
         and crossed terms (context, rater, rater × context) through a Schur complement. The \
         engine is checked against lme4 on generated data, balanced and unbalanced, REML and \
         ML, with boundary fits: criterion no worse than lme4's, components within 10<sup>−3</sup> \
         relative. A term estimated at 0 is a boundary fit and is named in the notes. Shares \
         are each component over the sum of all components and the residual.",
        esc(&m.formula),
        if ml {
            "maximum likelihood (ML)"
        } else {
            "restricted maximum likelihood (REML)"
        },
        if ml { "deviance()" } else { "REMLcrit()" },
    );
    if m.profile_ci {
        h.push_str(
            " Intervals of the standard deviations are 95% profile-likelihood intervals, as \
             lme4's <code>confint(method = \"profile\")</code>: like lme4, the profile is that of \
             the ML deviance (a REML fit is refitted by ML first); each bound is the exact \
             crossing of the signed root deviance with ±1.96, where lme4 interpolates a spline \
             (checked within 5 × 10<sup>−3</sup> relative of lme4's bounds on a fine profile \
             grid), and a lower bound is 0 when the profile does not reach −1.96 before the \
             standard deviation reaches 0.",
        );
    }
    if m.bootstrap > 0 {
        let method = d
            .decomposition
            .dimensions
            .iter()
            .find_map(|x| x.model.as_ref().and_then(|m| m.bootstrap.as_ref()))
            .map(|b| b.method);
        let how = match method {
            Some(chameleon_stats::variance::mixed::BootstrapMethod::PersonCluster) => {
                "person-cluster bootstrap resamples (persons drawn with replacement with all \
                 their rows; every term of the formula is nested in person)"
            }
            _ => {
                "parametric bootstrap resamples, as lme4's <code>bootMer</code>: responses \
                 simulated from the fitted model (intercept, a Gaussian draw per level of each \
                 term, Gaussian residuals) and refitted, because levels shared across persons \
                 (contexts, raters) make resampling persons keep their effects fixed"
            }
        };
        let _ = write!(
            h,
            " Intervals of the components and shares are 95% percentile intervals of {} {how}, \
             seed {}, identical for a given seed whatever the number of threads.",
            m.bootstrap,
            d.seed.unwrap_or_default()
        );
    }
    if !m.context_effects.is_empty() {
        h.push_str(
            " Context effects are the conditional modes of the context term with their \
             conditional standard deviations, as lme4's <code>ranef(condVar = TRUE)</code>; the \
             interval shown is the mode ± 1.96 conditional SDs.",
        );
    }
    h.push_str("</p>\n");
}

/// Components, shares and their intervals of the formula model, and the context effects.
pub(super) fn model_section(h: &mut String, d: &ReportData) {
    let Some(m) = &d.model else {
        return;
    };
    let _ = write!(
        h,
        "<section id=\"model\">\n<h2>Variance components: <code class=\"model-formula\">{}</code></h2>\n",
        esc(&m.formula)
    );
    if d.decomposition.dimensions.iter().all(|x| x.model.is_none()) {
        h.push_str("<p>No dimension could be fitted (see the notes).</p>\n</section>\n");
        return;
    }
    let boot = m.bootstrap > 0;
    let mut keys = vec!["dimension", "term", "levels", "variance", "sd"];
    if m.profile_ci {
        keys.push("sd_ci");
    }
    if boot {
        keys.push("variance_ci");
    }
    keys.push("share");
    if boot {
        keys.push("share_ci");
    }
    tables::model_components_table(&d.decomposition)
        .view(&keys)
        .write_html(h);
    tables::model_fits_table(&d.decomposition).write_html(h);

    if !m.context_effects.is_empty() {
        let _ = write!(
            h,
            "<h3>Context effects</h3>\n<p class=\"note\">The {n} contexts that raise each \
             dimension most and the {n} that lower it most (conditional modes, highest first), \
             with conditional SDs and mode ± 1.96 SD.</p>\n",
            n = CONTEXT_EFFECTS_SHOWN
        );
        let mut effects = Table::new(vec![
            Column::text("dimension", "Dimension"),
            Column::text("context", "Context"),
            Column::new("effect", "Effect"),
            Column::new("conditional_sd", "Conditional SD"),
            Column::interval("interval", "±1.96 SD"),
        ]);
        for e in &m.context_effects {
            for l in extremes(&e.levels) {
                let mut row = vec![Cell::Text(e.dimension.clone()), Cell::Text(l.level.clone())];
                row.extend(mode_cells(l.mode, l.sd));
                effects.push(row);
            }
        }
        effects.write_html(h);
    }
    if !m.rater_effects.is_empty() {
        let _ = write!(
            h,
            "<h3>Rater effects</h3>\n<p class=\"note\">Conditional modes of the rater terms: \
             <code>rater</code> is each rater's leniency, <code>rater:person</code> a rater's own \
             view of a person (the {n} highest and {n} lowest rater × person levels per \
             dimension), with conditional SDs and mode ± 1.96 SD.</p>\n",
            n = CONTEXT_EFFECTS_SHOWN
        );
        let mut effects = Table::new(vec![
            Column::text("dimension", "Dimension"),
            Column::text("term", "Term"),
            Column::text("level", "Level"),
            Column::new("effect", "Effect"),
            Column::new("conditional_sd", "Conditional SD"),
            Column::interval("interval", "±1.96 SD"),
        ]);
        for e in &m.rater_effects {
            for l in extremes(&e.levels) {
                let mut row = vec![
                    Cell::Text(e.dimension.clone()),
                    Cell::Text(e.term.clone()),
                    Cell::Text(l.level.clone()),
                ];
                row.extend(mode_cells(l.mode, l.sd));
                effects.push(row);
            }
        }
        effects.write_html(h);
    }
    h.push_str("</section>\n");
}

/// The levels a report shows of a ranked effects list: all of a short one, else the
/// [`CONTEXT_EFFECTS_SHOWN`] highest and lowest.
fn extremes<T>(levels: &[T]) -> impl Iterator<Item = &T> {
    let (n, k) = (levels.len(), CONTEXT_EFFECTS_SHOWN);
    let (top, bottom) = if n <= 2 * k { (n, n) } else { (k, n - k) };
    levels[..top].iter().chain(&levels[bottom..])
}

/// A conditional mode, its SD and the interval mode ± 1.96 SD.
fn mode_cells(mode: f64, sd: f64) -> [Cell; 3] {
    [
        Cell::Num(Some(mode)),
        Cell::Num(Some(sd)),
        Cell::Interval(Some([mode - 1.96 * sd, mode + 1.96 * sd])),
    ]
}
