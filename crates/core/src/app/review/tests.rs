use super::*;
use crate::app::testing::demo;

fn input(study: &Study) -> ReviewInput {
    ReviewInput::of(study).expect("the review input loads")
}

#[test]
fn agreement_table_has_one_row_per_dimension_with_alpha_at_its_level() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let any = RaterRequest {
        kind: Some(super::super::analysis::KindChoice::Any),
        ..Default::default()
    };
    let t = agreement_table(&input(&study), &any).unwrap();
    let report = agreement(&study.dataset().unwrap(), &AgreementOptions::default()).report;
    assert_eq!(t.rows.len(), 8, "one row per dimension");
    for (row, d) in t.rows.iter().zip(&report.dimensions) {
        assert_eq!(row.alpha, alpha_at_level(d), "{}", row.dimension);
    }
    let nominal = t.rows.iter().find(|r| r.level == Level::Nominal).unwrap();
    assert!(
        nominal.alpha.is_some() && nominal.icc.is_none(),
        "a nominal dimension has alpha, no ICC"
    );
    let open = t.rows.iter().find(|r| r.dimension == "openness").unwrap();
    assert!(open.raters >= 3 && open.percent_within_one.is_some());
    assert_eq!(t.thresholds.good, 0.80, "the default thresholds");
}

#[test]
fn thresholds_are_kept_and_bad_ones_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let ok = Thresholds {
        good: 0.7,
        tentative: 0.6,
    };
    set_thresholds(&mut study, ok).unwrap();
    let bad = Thresholds {
        good: 0.5,
        tentative: 0.6,
    };
    let err = set_thresholds(&mut study, bad).unwrap_err();
    assert_eq!(err.code(), "invalid", "tentative above good is refused");
    assert_eq!(
        agreement_table(&input(&study), &RaterRequest::default())
            .unwrap()
            .thresholds
            .good,
        0.7,
        "the refused thresholds changed nothing"
    );
}

#[test]
fn intervals_bracket_alpha_and_need_resamples() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let inp = input(&study);
    let t = agreement_table(&inp, &RaterRequest::default()).unwrap();
    let opts = AnalysisOptions::new(50, 7, super::super::analysis::Method::Reml).unwrap();
    let ci = agreement_intervals(&inp.dataset, &opts, &RaterRequest::default()).unwrap();
    let [lo, hi] = ci.rows[0].ci.unwrap();
    let a = t.rows[0].alpha.unwrap();
    assert!(lo <= a + 0.05 && a - 0.05 <= hi, "{lo} {a} {hi}");
    let none = AnalysisOptions::new(0, 7, super::super::analysis::Method::Reml).unwrap();
    assert!(
        agreement_intervals(&inp.dataset, &none, &RaterRequest::default()).is_err(),
        "an interval without resamples is refused"
    );
}

#[test]
fn detail_has_heatmap_diagnostics_and_figures() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let inp = input(&study);
    let any = RaterRequest {
        kind: Some(super::super::analysis::KindChoice::Any),
        ..Default::default()
    };
    let d = agreement_detail(&inp, "openness", None, &any).unwrap();
    assert_eq!(d.weights, Weights::Linear, "ordinal default");
    assert!(d.raters.len() >= 3);
    assert_eq!(d.pairs.len(), d.raters.len() * (d.raters.len() - 1) / 2);
    assert!(d.heatmap_svg.as_deref().unwrap().starts_with("<svg"));
    assert!(d.drift_svg.is_some() && d.distribution_svg.is_some());
    assert!(d.raters.iter().all(|r| r.drift.len() == DRIFT_BLOCKS));
    assert!(
        d.raters.iter().any(|r| r.kind == RaterKind::Model),
        "the model rater keeps its kind"
    );
    let q = agreement_detail(&inp, "openness", Some(Weights::Quadratic), &any).unwrap();
    assert_ne!(q.pairs[0].kappa, d.pairs[0].kappa, "weights change kappa");
    assert_eq!(
        agreement_detail(&inp, "dominant_emotion", None, &any)
            .unwrap()
            .weights,
        Weights::Unweighted,
        "nominal default"
    );
    assert!(agreement_detail(&inp, "nope", None, &any).is_err());
    assert!("cubic".parse::<Weights>().is_err(), "unknown weights");
    assert_eq!("quadratic".parse::<Weights>().unwrap(), Weights::Quadratic);
}

#[test]
fn level_parses_its_own_names_only() {
    for l in [
        Level::Nominal,
        Level::Ordinal,
        Level::Interval,
        Level::Ratio,
    ] {
        assert_eq!(l.as_str().parse::<Level>().unwrap(), l, "round trip");
    }
    assert_eq!(" Ordinal ".parse::<Level>().unwrap(), Level::Ordinal);
    assert_eq!("metric".parse::<Level>().unwrap_err().code(), "invalid");
}

#[test]
fn aliases_follow_the_names_and_not_the_input_order() {
    let a = rater_aliases(["chloe", "ana", "Ben", "ana"]);
    let pairs: Vec<(&str, &str)> = a
        .iter()
        .map(|x| (x.rater.as_str(), x.alias.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [("ana", "Rater A"), ("Ben", "Rater B"), ("chloe", "Rater C")],
        "one alias per rater, in name order"
    );
    assert_eq!(rater_aliases(["Ben", "chloe", "ana"]), a, "input order");
    let many: Vec<String> = (0..30).map(|i| format!("r{i:02}")).collect();
    let aliases = rater_aliases(many.iter().map(String::as_str));
    assert_eq!(aliases[26].alias, "Rater AA", "past Z come two letters");
    assert_eq!(aliases[29].alias, "Rater AD");
}

#[test]
fn blind_disagreements_show_aliases_only() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let mut d = disagreements(&study, "openness").unwrap();
    let names: Vec<String> = d.aliases.iter().map(|a| a.rater.clone()).collect();
    assert!(
        names.len() >= 4,
        "every rater of the study gets an alias: {names:?}"
    );
    hide_raters(&mut d);
    for p in &d.profiles {
        assert!(
            p.values.iter().all(|v| v.rater.starts_with("Rater ")),
            "no name is left"
        );
    }
}

#[test]
fn adjudication_adds_its_own_rating_and_keeps_the_raters() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let before = disagreements(&study, "openness").unwrap();
    assert!(before
        .profiles
        .windows(2)
        .all(|w| w[0].disagreement >= w[1].disagreement));
    let top = before.profiles[0].clone();
    adjudicate(
        &mut study,
        &Adjudication {
            profile_id: top.profile_id,
            dimension: "openness".into(),
            value: 3.0,
            note: Some("  split the difference ".into()),
        },
    )
    .unwrap();
    let after = disagreements(&study, "openness").unwrap();
    assert_eq!(after.adjudicated, 1);
    let p = after
        .profiles
        .iter()
        .find(|p| p.profile_id == top.profile_id)
        .unwrap();
    assert_eq!(p.adjudicated, Some(3.0));
    assert_eq!(p.values.len(), top.values.len(), "raters' ratings stay");
    assert_eq!(after.alpha_before, before.alpha_before);
    assert_ne!(after.alpha_after, after.alpha_before);
    assert_eq!(after.aliases, before.aliases, "adjudication is no rater");
    let view = profile_ratings(&study, top.profile_id).unwrap();
    let row = view
        .dimensions
        .iter()
        .find(|d| d.dimension == "openness")
        .unwrap();
    assert_eq!(row.adjudicated, Some(3.0));
    assert_eq!(row.note.as_deref(), Some("split the difference"));
    assert!(!view.raters.iter().any(|r| r == "adjudicated"));
    assert_eq!(row.values.len(), view.raters.len());
    let off = adjudicate(
        &mut study,
        &Adjudication {
            profile_id: top.profile_id,
            dimension: "openness".into(),
            value: 42.0,
            note: None,
        },
    );
    assert_eq!(off.unwrap_err().code(), "invalid", "off the scale");
}

#[test]
fn codebook_edits_are_versioned_and_bad_ones_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let cb = codebook_for_edit(&study).unwrap();
    assert!(cb.dimensions[0].ratings > 0);

    let mut dup = cb.clone();
    dup.dimensions[1].name = dup.dimensions[0].name.to_uppercase();
    let err = save_codebook(&mut study, &dup).unwrap_err();
    assert_eq!(err.code(), "bad_input");
    assert!(err.to_string().contains("twice"), "{err}");

    let mut shrink = cb.clone();
    shrink.dimensions[0].scale = Scale::Likert {
        min: 1,
        max: 2,
        anchors: vec![],
    };
    let err = save_codebook(&mut study, &shrink).unwrap_err();
    assert!(err.to_string().contains("fall off"), "{err}");

    let mut empty_range = cb.clone();
    empty_range.dimensions[1].scale = Scale::Likert {
        min: 3,
        max: 3,
        anchors: vec![],
    };
    assert!(save_codebook(&mut study, &empty_range).is_err());
    assert_eq!(
        codebook_for_edit(&study).unwrap().version,
        cb.version,
        "nothing changed"
    );

    let mut good = cb.clone();
    good.guidelines.push_str("\n\n## New\nRead *everything*.");
    good.dimensions[0].definition = "Curious, imaginative.".into();
    // What the save would change, before it is made (and nothing is saved by asking).
    assert!(
        codebook_diff(&study, &cb).unwrap().is_empty(),
        "the stored one: no change"
    );
    let diff = codebook_diff(&study, &good).unwrap();
    let kinds: Vec<_> = diff.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, ["guidelines", "definition"]);
    assert_eq!(diff[1].after.as_deref(), Some("Curious, imaginative."));
    assert_eq!(codebook_for_edit(&study).unwrap().version, cb.version);
    let saved = save_codebook(&mut study, &good).unwrap();
    assert!(saved.changed && saved.updated == 1);
    assert_eq!(saved.codebook.version, cb.version + 1);
    assert!(saved.codebook.guidelines.ends_with("Read *everything*."));
}

#[test]
fn agreement_defaults_to_humans_with_enough_ratings_as_the_cli_issue_15() {
    use super::super::analysis::KindChoice;
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let inp = input(&study);
    let t = agreement_table(&inp, &RaterRequest::default()).unwrap();
    assert_eq!(t.raters.kind, KindChoice::Human);
    assert_eq!(
        t.raters.min_ratings as usize,
        crate::analysis::raters::MIN_RATINGS
    );
    assert_eq!(t.raters.choice.excluded.len(), 1, "the model rater is out");
    assert_eq!(
        t.raters.raters.len(),
        4,
        "every rater listed for the picker"
    );
    // The CLI's default selection on the same data gives the same alpha.
    let mut ds = study.dataset().unwrap();
    crate::analysis::raters::select_raters(&mut ds, &RaterSelection::agreement_default()).unwrap();
    let report = agreement(&ds, &AgreementOptions::default()).report;
    for (row, d) in t.rows.iter().zip(&report.dimensions) {
        assert_eq!(row.alpha, alpha_at_level(d), "{}", row.dimension);
    }
    let any = agreement_table(
        &inp,
        &RaterRequest {
            kind: Some(KindChoice::Any),
            ..Default::default()
        },
    )
    .unwrap();
    assert_ne!(
        any.rows[0].alpha, t.rows[0].alpha,
        "the model changes alpha"
    );
    let named = RaterRequest {
        names: Some(vec![
            t.raters.choice.included[0].clone(),
            "model-gpt".into(),
        ]),
        ..Default::default()
    };
    let two = agreement_detail(&inp, "openness", None, &named).unwrap();
    assert_eq!(two.raters.len(), 2);
    assert_eq!(
        two.raters_pool.kind,
        KindChoice::Any,
        "naming drops the default's kind"
    );
}

#[test]
fn a_pilot_shows_a_caution_instead_of_alpha_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let files = crate::sample::demo(7, 3);
    let put = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let mut study = Study::create(&dir.path().join("pilot.chameleon")).unwrap();
    study
        .import_profiles(&put("p.jsonl", &files.profiles_jsonl))
        .unwrap();
    study
        .import_codebook(&put("c.toml", &files.codebook_toml))
        .unwrap();
    study
        .import_ratings(&put("r.csv", &files.ratings_csv), &Default::default())
        .unwrap();
    let t = agreement_table(&input(&study), &RaterRequest::default()).unwrap();
    let row = &t.rows[0];
    assert!(row.pairable_units < 10);
    assert_eq!(
        row.caution.as_deref(),
        Some(format!("too few data (n = {})", row.pairable_units).as_str())
    );
}

#[test]
fn the_agreement_table_is_cached_by_content_and_shows_fresh_thresholds() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let cache = AgreementCache::default();
    let all = RaterRequest::default();
    let first = cache.table(&input(&study), &all).unwrap();
    let t = Thresholds {
        good: 0.7,
        tentative: 0.6,
    };
    set_thresholds(&mut study, t).unwrap();
    let again = cache.table(&input(&study), &all).unwrap();
    assert_eq!(again.thresholds, t, "thresholds are read fresh");
    assert_eq!(again.rows.len(), first.rows.len());
    let key = cache.0.lock().unwrap().as_ref().unwrap().0.clone();
    study.ensure_rater("dana", RaterKind::Human).unwrap();
    assert_eq!(
        AgreementCache::key(&input(&study), &all),
        key,
        "a new rater without ratings changes no data"
    );
}
