//! Model raters (issue #14), when the study has raters of kind model (run by `chameleon model
//! rate` or imported): a methods paragraph, then per dimension humans vs each model, state
//! sensitivity with the state-blind flag, sample consistency, and how much the models disagree
//! about persons. The numbers are [`crate::models::analysis`]'s, the same as
//! `chameleon model report --json` and the app's Models tab.

use super::esc;
use crate::models::analysis::ModelsReport;
use crate::report::table::{Cell, Column, Table};
use crate::report::ReportData;
use std::fmt::Write as _;

fn methods(h: &mut String, r: &ModelsReport) {
    let intervals = if r.resamples > 0 {
        format!(
            "Intervals are 95% percentile intervals of {} resamples (seed {}): profiles drawn \
             with replacement for α and ICC, persons with all their profiles for the state \
             ratio, profiles for the sample α.",
            r.resamples, r.seed
        )
    } else {
        "No intervals were computed (no resamples).".into()
    };
    let _ = writeln!(
        h,
        "<p class=\"methods\"><strong>Methods.</strong> Each model rater (kind model: {} \
         model(s); {} human rater(s)) is compared with the humans per dimension, using {} of \
         its samples. <em>Humans vs model</em>: Krippendorff's α at the dimension's level of \
         measurement with the model as one more rater beside the humans, on the profiles the \
         model and at least one human rated, and ICC(A,1) (Shrout &amp; Fleiss ICC2) between \
         the model and the human consensus (the mean of the human ratings of a profile; the most \
         frequent category on nominal dimensions). <em>State sensitivity</em>: the state \
         (person × context) share of the profile-level REML decomposition of the model's \
         ratings next to the humans' share on the same profiles; their ratio says how much of \
         the state humans see the model carries. A model whose ratio is below {} is flagged \
         state-blind on that dimension, and overall when it is on at least half of the \
         dimensions where it could be judged. <em>Sample consistency</em>: α among a model's k \
         samples of each profile. <em>Models disagreeing about persons</em>: the \
         <code>rater:person</code> share of <code>{}</code> fitted to the model raters' ratings, \
         the share of persons two models place on the same side of their own mean, and \
         Kendall's W across models on the profiles every model rated. {intervals}</p>",
        r.models.len(),
        r.humans.len(),
        esc(&r.samples),
        r.blind_ratio,
        esc(crate::models::analysis::MODELS_FORMULA),
    );
}

/// The section; nothing when the report has no model raters.
pub(super) fn models_section(h: &mut String, d: &ReportData) {
    let Some(r) = d.models.as_ref().filter(|r| !r.models.is_empty()) else {
        return;
    };
    h.push_str("<section id=\"models\">\n<h2>Model raters</h2>\n");
    methods(h, r);

    h.push_str("<h3>State sensitivity by model</h3>\n");
    let mut summary = Table::new(vec![
        Column::text("model", "Model"),
        Column::new("judged", "Dimensions judged"),
        Column::new("blind_in", "State-blind in"),
        Column::new("mean_state_ratio", "Mean state ratio"),
        Column::new("state_blind", "State-blind").strong(),
    ]);
    for s in &r.summary {
        summary.push(vec![
            Cell::Text(s.model.clone()),
            Cell::Count(s.judged),
            Cell::Count(s.blind_in),
            Cell::Num(s.mean_state_ratio),
            Cell::Flag(Some(s.state_blind)),
        ]);
    }
    summary.write_html(h);

    let rows = || {
        r.dimensions
            .iter()
            .flat_map(|d| d.models.iter().map(move |m| (d, m)))
    };
    h.push_str("<h3>Humans vs each model</h3>\n");
    let mut vs = Table::new(vec![
        Column::text("dimension", "Dimension"),
        Column::text("model", "Model"),
        Column::new("profiles", "Profiles"),
        Column::new("alpha", "α").strong(),
        Column::interval("alpha_ci", "α 95% CI"),
        Column::new("icc", "ICC(A,1) vs consensus"),
        Column::interval("icc_ci", "ICC 95% CI"),
    ]);
    for (d, m) in rows() {
        vs.push(vec![
            Cell::Text(d.dimension.clone()),
            Cell::Text(m.model.clone()),
            Cell::Count(m.profiles),
            Cell::Num(m.alpha).unless(m.agreement_caution.as_ref()),
            Cell::Interval(m.alpha_ci).unless(m.agreement_caution.as_ref()),
            Cell::Num(m.icc).unless(m.agreement_caution.as_ref()),
            Cell::Interval(m.icc_ci).unless(m.agreement_caution.as_ref()),
        ]);
    }
    vs.write_html(h);

    h.push_str("<h3>State sensitivity</h3>\n");
    let mut state = Table::new(vec![
        Column::text("dimension", "Dimension"),
        Column::text("model", "Model"),
        Column::new("model_state_share", "Model state share"),
        Column::new("human_state_share", "Human state share"),
        Column::new("state_ratio", "Ratio").strong(),
        Column::interval("state_ratio_ci", "Ratio 95% CI"),
        Column::new("state_blind", "State-blind"),
    ]);
    for (d, m) in rows() {
        state.push(vec![
            Cell::Text(d.dimension.clone()),
            Cell::Text(m.model.clone()),
            Cell::Num(m.model_state_share).unless(m.state_caution.as_ref()),
            Cell::Num(m.human_state_share).unless(m.state_caution.as_ref()),
            Cell::Num(m.state_ratio).unless(m.state_caution.as_ref()),
            Cell::Interval(m.state_ratio_ci).unless(m.state_caution.as_ref()),
            Cell::Flag(m.state_blind),
        ]);
    }
    state.write_html(h);

    let sampled: Vec<_> = rows().filter(|(_, m)| m.samples.is_some()).collect();
    if !sampled.is_empty() {
        h.push_str("<h3>Sample consistency</h3>\n");
        let mut samples = Table::new(vec![
            Column::text("dimension", "Dimension"),
            Column::text("model", "Model"),
            Column::new("samples", "Samples"),
            Column::new("sample_alpha", "α among samples").strong(),
            Column::interval("sample_alpha_ci", "α 95% CI"),
        ]);
        for (d, m) in sampled {
            samples.push(vec![
                Cell::Text(d.dimension.clone()),
                Cell::Text(m.model.clone()),
                m.samples.map_or(Cell::Empty, |k| Cell::Count(k as usize)),
                Cell::Num(m.sample_alpha).unless(m.sample_caution.as_ref()),
                Cell::Interval(m.sample_alpha_ci).unless(m.sample_caution.as_ref()),
            ]);
        }
        samples.write_html(h);
    }

    let between: Vec<_> = r
        .dimensions
        .iter()
        .filter_map(|d| d.between_models.as_ref().map(|b| (d, b)))
        .collect();
    if !between.is_empty() {
        h.push_str("<h3>Models disagreeing about persons</h3>\n");
        let mut share = Table::new(vec![
            Column::text("dimension", "Dimension"),
            Column::new("models", "Models"),
            Column::new("rater_person_share", "rater:person share").strong(),
            Column::new("kendall_w", "Kendall's W"),
            Column::new("kendall_units", "Profiles (W)"),
        ]);
        let mut signs = Table::new(vec![
            Column::text("dimension", "Dimension"),
            Column::text("a", "Model A"),
            Column::text("b", "Model B"),
            Column::new("persons", "Persons"),
            Column::new("sign_agreement", "Same sign"),
        ]);
        for (d, b) in &between {
            share.push(vec![
                Cell::Text(d.dimension.clone()),
                Cell::Count(b.models.len()),
                Cell::Num(b.rater_person_share).unless(b.caution.as_ref()),
                Cell::Num(b.kendall_w),
                Cell::Count(b.kendall_units),
            ]);
            for p in &b.sign_agreement {
                signs.push(vec![
                    Cell::Text(d.dimension.clone()),
                    Cell::Text(p.a.clone()),
                    Cell::Text(p.b.clone()),
                    Cell::Count(p.persons),
                    Cell::Num(p.agreement),
                ]);
            }
        }
        share.write_html(h);
        if !signs.rows.is_empty() {
            signs.write_html(h);
        }
    }

    let notes: Vec<String> = r
        .notes
        .iter()
        .cloned()
        .chain(r.dimensions.iter().flat_map(|d| {
            d.models
                .iter()
                .flat_map(move |m| {
                    m.notes
                        .iter()
                        .map(move |n| format!("{}, {}: {n}", d.dimension, m.model))
                })
                .chain(d.between_models.iter().flat_map(move |b| {
                    b.notes.iter().map(move |n| format!("{}: {n}", d.dimension))
                }))
        }))
        .collect();
    if !notes.is_empty() {
        h.push_str("<ul class=\"warnings\">\n");
        for n in notes {
            let _ = writeln!(h, "<li>{}</li>", esc(&n));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
}
