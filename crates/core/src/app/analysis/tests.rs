use super::*;
use crate::app::testing::demo;
use std::sync::atomic::AtomicBool;

fn request(bootstrap: u32) -> AnalysisRequest {
    AnalysisRequest::every_dimension(bootstrap, 7)
}

#[test]
fn resamples_are_checked_once_against_the_bounds_issue_11() {
    assert!(AnalysisOptions::new(0, 1, Method::Reml).is_ok(), "0 = none");
    for bad in [1, RESAMPLES.max + 1, usize::MAX] {
        let err = AnalysisOptions::new(bad, 1, Method::Reml).unwrap_err();
        assert_eq!(err.code(), "invalid", "{bad} resamples are refused");
        assert!(err.is_bad_input(), "the CLI exits 2");
    }
    let few = AnalysisOptions::new(RESAMPLES.min, 1, Method::Reml).unwrap();
    assert_eq!(few.warnings().len(), 1, "fewer than recommended warns");
    let enough = AnalysisOptions::new(RESAMPLES.recommended, 1, Method::Anova).unwrap();
    assert!(enough.warnings().is_empty());
    assert_eq!(parse_resamples("1000"), Ok(1000));
    for bad in ["1", "18446744073709551615", "100001", "-3", "many"] {
        assert!(parse_resamples(bad).is_err(), "'{bad}' is refused");
    }
    let msg = parse_resamples("18446744073709551615").unwrap_err();
    assert!(msg.contains("100000"), "the message names the bound: {msg}");
}

#[test]
fn the_help_text_names_the_bounds() {
    for n in [RESAMPLES.min, RESAMPLES.recommended, RESAMPLES.max] {
        assert!(
            RESAMPLES_HELP.contains(&n.to_string()),
            "--help must say {n}: {RESAMPLES_HELP}"
        );
    }
}

#[test]
fn method_parses_both_estimators() {
    assert_eq!("REML".parse::<Method>().unwrap(), Method::Reml);
    assert_eq!("anova".parse::<Method>().unwrap(), Method::Anova);
    assert!("ols".parse::<Method>().is_err());
}

fn sens(dimension: &str, rater: &str, share: Option<f64>, blind: Option<bool>) -> RaterSensitivity {
    RaterSensitivity {
        dimension: dimension.into(),
        rater: rater.into(),
        kind: if rater == "gpt" { "model" } else { "human" }.into(),
        ratings: 10,
        state_share: share,
        ci: None,
        state_blind: blind,
        note: None,
        caution: None,
        ci_caution: None,
    }
}

#[test]
fn rater_matrix_means_the_known_shares_and_flags_mostly_state_blind_raters() {
    let rows = [
        sens("x", "ana", Some(0.7), Some(false)),
        sens("x", "gpt", Some(0.05), Some(true)),
        sens("y", "ana", Some(0.6), Some(false)),
        sens("y", "gpt", Some(0.2), Some(false)),
        sens("z", "gpt", Some(0.01), Some(true)),
        sens("z", "ben", None, None),
    ];
    let m = rater_matrix(&rows);
    assert_eq!(m.dimensions, ["x", "y", "z"], "first-seen order");
    let names: Vec<&str> = m.raters.iter().map(|r| r.rater.as_str()).collect();
    assert_eq!(names, ["ana", "gpt", "ben"]);
    assert_eq!(
        m.raters[0].cells,
        [Some(0), Some(2), None],
        "indices of rows"
    );
    assert!((m.raters[0].mean.unwrap() - 0.65).abs() < 1e-12);
    assert!(!m.raters[0].state_blind);
    assert!(m.raters[1].state_blind, "blind in 2 of 3 judged dimensions");
    assert_eq!(m.raters[1].kind, "model");
    assert_eq!(m.raters[2].mean, None, "no share known");
    assert!(!m.raters[2].state_blind, "never judged is not blind");
}

#[test]
fn a_run_lists_every_table_and_the_bundle_holds_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let req = request(0);
    let snap = snapshot(&study, &req).unwrap();
    let cancel = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let now = chrono::DateTime::parse_from_rfc3339("2024-05-01T10:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let s = compute(&snap, &req, &control, now)
        .unwrap()
        .expect("not cancelled");
    let titles: Vec<(&str, &str)> = s
        .result
        .tables
        .iter()
        .map(|t| (t.name.as_str(), t.title.as_str()))
        .collect();
    assert_eq!(titles, TABLES, "one list of tables and titles");
    assert!(
        !s.result.rater_matrix.raters.is_empty(),
        "the matrix is computed in core"
    );
    assert_eq!(current_hash(&study, &req).unwrap(), s.result.data_hash);
    let out = dir.path().join("all");
    let written = export(
        &s,
        &ExportRequest::All {
            dir: out.display().to_string(),
        },
    )
    .unwrap();
    assert_eq!(written.len(), 1 + TABLES.len() + 2 * s.result.figures.len());
    let fig = &s.result.figures[0];
    let png = std::fs::read(out.join(format!("{}.png", fig.name))).unwrap();
    let w = u32::from_be_bytes([png[16], png[17], png[18], png[19]]);
    assert_eq!(w as f32, fig.width as f32 * PNG_SCALE, "one PNG scale");
    let err = export(
        &s,
        &ExportRequest::Table {
            name: "nope".into(),
            path: out.join("x.csv").display().to_string(),
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid");
    let bad = AnalysisRequest {
        bootstrap: 1,
        ..req.clone()
    };
    assert!(compute(&snap, &bad, &control, now).is_err(), "checked");
    let unknown = AnalysisRequest {
        dimensions: vec!["nope".into()],
        ..req
    };
    assert_eq!(snapshot(&study, &unknown).unwrap_err().code(), "invalid");
    assert_eq!(current_hash(&study, &unknown).unwrap(), "", "stale");
}

#[test]
fn a_rater_subset_is_analysed_cached_apart_and_named_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let all = request(0);
    let humans = AnalysisRequest {
        raters: Some(RaterRequest {
            kind: Some(KindChoice::Human),
            ..Default::default()
        }),
        ..all.clone()
    };
    let snap_all = snapshot(&study, &all).unwrap();
    let snap_h = snapshot(&study, &humans).unwrap();
    let every = snap_all.raters.clone().unwrap();
    assert_eq!(every.selection, "all raters", "the decomposition's default");
    assert!(every.excluded.is_empty());
    let choice = snap_h.raters.clone().unwrap();
    assert_eq!(choice.excluded.len(), 1, "the model rater is left out");
    assert_eq!(choice.excluded[0].reason, "kind model");
    assert!(snap_h.dataset.rating_count() < snap_all.dataset.rating_count());
    let h = snap_h.dataset.content_hash();
    assert_ne!(all.cache_key(&h), humans.cache_key(&h), "cached apart");
    assert_eq!(current_hash(&study, &humans).unwrap(), h);
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    let now = chrono::Utc::now();
    let out = compute(&snap_h, &humans, &control, now).unwrap().unwrap();
    assert_eq!(out.result.raters, Some(choice));
    assert!(out.html.contains("<tr><th>Raters</th><td>kind human"));
    assert!(out
        .result
        .rater_sensitivity
        .iter()
        .all(|r| r.kind == "human"));
}

#[test]
fn an_export_of_a_result_from_other_data_is_refused_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    let req = request(0);
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    let snap = snapshot(&study, &req).unwrap();
    let s = compute(&snap, &req, &control, chrono::Utc::now())
        .unwrap()
        .unwrap();
    ensure_current(&study, &s).expect("fresh: exported");
    // One more rating: a new rater's.
    let more = dir.path().join("more.csv");
    let first = study.profile(study.profile_ids().unwrap()[0]).unwrap();
    std::fs::write(
        &more,
        format!(
            "person,context,rater,dimension,value\n{},{},zoe,openness,4\n",
            first.person, first.context
        ),
    )
    .unwrap();
    study.import_ratings(&more, &Default::default()).unwrap();
    let e = ensure_current(&study, &s).unwrap_err().to_string();
    assert!(e.contains("changed since"), "{e}");
    let then: u32 = s.result.dimensions.iter().map(|d| d.ratings).sum();
    assert!(
        e.contains(&format!(
            "{then} ratings by 4 raters; now {} ratings by 5 raters",
            then + 1
        )),
        "{e}"
    );
    assert!(e.contains("nothing was written"), "{e}");
}

#[test]
fn every_table_row_names_its_data_hash_and_time_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let req = request(0);
    let never = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &never,
    };
    let s = compute(
        &snapshot(&study, &req).unwrap(),
        &req,
        &control,
        chrono::Utc::now(),
    )
    .unwrap()
    .unwrap();
    for (name, csv) in &s.tables {
        let mut lines = csv.lines();
        assert!(
            lines.next().unwrap().ends_with(",data_hash,computed_at"),
            "{name}"
        );
        let suffix = format!(",{},{}", s.result.data_hash, s.result.computed_at);
        assert!(lines.all(|l| l.ends_with(&suffix)), "{name}");
    }
}

/// `chameleon decompose --model F --bootstrap N --seed S --profile-ci` on the same data: the
/// CLI's path (no nested decomposition, the fit and its intervals).
fn decompose_cli_path(
    ds: &Dataset,
    formula: &str,
    resamples: usize,
    seed: u64,
) -> crate::analysis::decompose::DecomposeReport {
    use crate::analysis::decompose::{
        model_only_report, prepare_model, ModelCriterion, ModelIntervalOptions,
    };
    let cancel = AtomicBool::new(false);
    let control = Control {
        progress: &|_, _| {},
        cancel: &cancel,
    };
    let m = prepare_model(ds, formula).unwrap();
    let mut report = model_only_report(ds, DecomposeMethod::Reml);
    let fits = m.fit_into(&mut report, ModelCriterion::Reml);
    m.intervals_into(
        ds,
        &mut report,
        &fits,
        ModelCriterion::Reml,
        &ModelIntervalOptions {
            profile_ci: true,
            bootstrap: resamples,
            seed,
        },
        &control,
    )
    .unwrap();
    report
}

#[test]
fn a_model_run_has_the_clis_intervals_rater_person_effects_and_both_report_sections_issue_12() {
    let dir = tempfile::tempdir().unwrap();
    let (study, _) = demo(dir.path());
    let formula = crate::app::formula::PRESETS[3].formula;
    let req = AnalysisRequest {
        model: Some(formula.into()),
        profile_ci: true,
        ..request(20)
    };
    let snap = snapshot(&study, &req).unwrap();
    let cancel = AtomicBool::new(false);
    let seen = std::sync::Mutex::new(Vec::new());
    let record = |done: u64, total: u64| seen.lock().unwrap().push((done, total));
    let control = Control {
        progress: &record,
        cancel: &cancel,
    };
    let s = compute(&snap, &req, &control, chrono::Utc::now())
        .unwrap()
        .expect("not cancelled");
    // One bar over the report's resamples and the model's, per fitted dimension.
    let seen = seen.into_inner().unwrap();
    let fitted = s.result.model.as_ref().map_or(0, |m| m.dimensions.len()) as u64;
    assert!(
        seen.iter().all(|&(_, t)| t == 20 * (1 + fitted)),
        "{seen:?}"
    );
    assert_eq!(seen.iter().map(|p| p.0).max(), Some(20 * (1 + fitted)));
    let cli = decompose_cli_path(&snap.dataset, formula, 20, 7);
    let view = s.result.model.as_ref().expect("the model view");
    assert!(!view.dimensions.is_empty());
    for d in &view.dimensions {
        let want = cli
            .dimensions
            .iter()
            .find(|x| x.dimension == d.dimension)
            .and_then(|x| x.model.as_ref())
            .expect("the CLI fits the same dimension");
        let b = d.bootstrap.as_ref().expect("the bootstrap is named");
        assert_eq!(
            (b.method.as_str(), b.resamples, b.seed),
            ("parametric", 20, 7),
            "crossed terms: the parametric bootstrap"
        );
        assert!(d.profile_ci);
        for c in &d.components {
            assert_eq!(Some(c.variance), want.components.get(&c.term));
            let ci = |v: Option<[f64; 2]>| v.map(|v| v.to_vec());
            assert_eq!(
                c.share_ci,
                ci(want
                    .shares_ci95
                    .as_ref()
                    .and_then(|x| x.get(&c.term).flatten())),
                "{} {}",
                d.dimension,
                c.term
            );
            assert_eq!(
                c.variance_ci,
                ci(want
                    .components_ci95
                    .as_ref()
                    .and_then(|x| x.get(&c.term).flatten()))
            );
            assert_eq!(
                c.sd_ci,
                ci(want.sd_ci95.as_ref().and_then(|x| x.get(&c.term)))
            );
        }
        assert!(
            d.components.iter().any(|c| c.share_ci.is_some()),
            "{}: some share has an interval",
            d.dimension
        );
        let terms: Vec<&str> = d.effects.iter().map(|e| e.term.as_str()).collect();
        assert_eq!(
            terms,
            ["context", "rater", "rater:person"],
            "{}",
            d.dimension
        );
        let rp = &d.effects[2];
        assert!(rp.effects.windows(2).all(|w| w[0].mode >= w[1].mode));
        // Every person rated by two or more raters is ranked, largest spread first, and the
        // spread is the distance between the two raters it names.
        assert!(!d.disagreement.is_empty(), "{}", d.dimension);
        assert!(d
            .disagreement
            .windows(2)
            .all(|w| w[0].spread >= w[1].spread));
        for p in &d.disagreement {
            assert!((p.spread - (p.highest.mode - p.lowest.mode)).abs() < 1e-12);
            let level = format!("{}:{}", p.highest.level, p.person);
            assert!(
                rp.effects
                    .iter()
                    .any(|e| e.level == level && e.mode == p.highest.mode),
                "{level}"
            );
        }
    }
    // The app's report is `chameleon report`'s: the formula model and the model raters.
    assert!(s.html.contains("<section id=\"model\">"), "formula section");
    assert!(
        s.html.contains("<section id=\"models\">"),
        "model raters section"
    );
    assert!(s.html.contains("parametric"), "the bootstrap is named");
    // Profile intervals are part of the cache key.
    let without = AnalysisRequest {
        profile_ci: false,
        ..req.clone()
    };
    assert_ne!(req.cache_key("h"), without.cache_key("h"));
}
