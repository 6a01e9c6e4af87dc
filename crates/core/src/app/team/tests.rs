use super::*;
use crate::app::testing::demo;
use crate::model::RaterKind;
use crate::store::RatingInput;

fn request(pool: &[&str]) -> DesignRequest {
    DesignRequest {
        pool: pool.iter().map(|s| s.to_string()).collect(),
        k: 2,
        extra_percent: 20.0,
        seed: 7,
        allow_same_person_in_a_row: false,
    }
}

/// Opens `package` as its annotator and rates every dimension of its first `n` profiles.
fn annotate_package(package: &Path, rater: &str, n: usize) -> usize {
    let mut s = Study::open(package).unwrap();
    let r = s.ensure_rater(rater, RaterKind::Human).unwrap();
    let dims: Vec<String> = s
        .codebook()
        .unwrap()
        .unwrap()
        .dimensions
        .iter()
        .map(|d| d.name.clone())
        .collect();
    let mut saved = 0;
    for q in s.queue(r.id).unwrap().into_iter().take(n) {
        for d in &dims {
            s.save_rating(&RatingInput {
                profile_id: q.profile_id,
                dimension: d.clone(),
                rater_id: r.id,
                value: Some(3.0),
                seconds_spent: Some(2.0),
                note: None,
                confidence: None,
            })
            .unwrap();
            saved += 1;
        }
    }
    saved
}

#[test]
fn design_stores_the_table_and_a_blank_pool_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = demo(dir.path());
    let err = design(&mut s, &request(&[" ", ""])).unwrap_err();
    assert_eq!(err.code(), "invalid", "an empty pool is the user's mistake");
    let rows = design(&mut s, &request(&["dana", " eli ", "fay"])).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r.rater.as_str()).collect();
    assert_eq!(names, ["dana", "eli", "fay"], "names are trimmed");
    let assigned: i64 = rows.iter().map(|r| r.assigned).sum();
    let extra = (36.0_f64 * 0.2).round() as i64 * 3;
    assert_eq!(assigned, 108 * 2 + extra, "k = 2 plus 20% per context");
    let shown = overview(&s)
        .unwrap()
        .last_design
        .expect("the design is kept");
    assert_eq!(
        (shown.pool, shown.k, shown.extra_percent, shown.seed),
        (vec!["dana".into(), "eli".into(), "fay".into()], 2, 20.0, 7),
        "the form shows the latest design again"
    );
    let err = design(
        &mut s,
        &DesignRequest {
            k: 4,
            ..request(&["dana", "eli"])
        },
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid", "k larger than the pool is refused");
}

#[test]
fn export_rate_merge_round_trip_is_idempotent_and_audited() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = demo(dir.path());
    design(&mut s, &request(&["dana", "eli", "fay"])).unwrap();
    let out = dir.path().join("dana.chameleon");
    std::fs::write(&out, b"an older file the dialog agreed to replace").unwrap();
    let err = export_package(&mut s, "nobody", &out, Existing::Replace).unwrap_err();
    assert_eq!(err.code(), "invalid", "{err}");
    assert!(
        out.exists(),
        "a refused export must not remove the file the dialog pointed at"
    );
    let exported = export_package(&mut s, "dana", &out, Existing::Replace).unwrap();
    assert!(exported.bytes > 0 && exported.ratings == 0);
    let saved = annotate_package(&out, "dana", 3);
    let first = merge_packages(&mut s, std::slice::from_ref(&out)).unwrap();
    let r = &first.reports[0];
    assert_eq!(r.refused, None, "dana's own package merges");
    assert_eq!(r.added as usize, saved, "every rating arrives");
    assert_eq!(r.file_name, "dana.chameleon");
    assert!(
        first.backups_dir.is_some(),
        "a merge snapshots the study first"
    );
    let second = merge_packages(&mut s, std::slice::from_ref(&out)).unwrap();
    let r = &second.reports[0];
    assert_eq!(
        (r.added, r.updated, r.unchanged as usize),
        (0, 0, saved),
        "merging again changes nothing"
    );
    let trail = audit_trail(&s, Some("package-merge")).unwrap();
    assert_eq!(trail.total, 1, "one merge that changed something");
    assert_eq!(
        trail.entries[0].package_id.as_deref(),
        Some(exported.package_id.as_str())
    );
    assert!(trail.kinds.iter().any(|k| k.kind == "package-export"));
    let all = audit_trail(&s, None).unwrap();
    assert!(
        all.entries.windows(2).all(|w| w[0].at >= w[1].at),
        "newest first"
    );
}

#[test]
fn a_package_refuses_the_pis_tools_for_every_caller() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = demo(dir.path());
    design(&mut s, &request(&["dana", "eli", "fay"])).unwrap();
    let pkg = dir.path().join("fay.chameleon");
    export_package(&mut s, "fay", &pkg, Existing::Refuse).unwrap();
    assert!(
        package_summary(&s).unwrap().is_none(),
        "the study is no package"
    );
    let mut p = Study::open(&pkg).unwrap();
    let info = overview(&p).unwrap().package.expect("a package");
    assert_eq!(info.rater, "fay");
    assert_eq!(info.study_name.as_deref(), Some("demo"), "names its study");
    for err in [
        design(&mut p, &request(&["fay"])).unwrap_err(),
        export_package(
            &mut p,
            "fay",
            &dir.path().join("x.chameleon"),
            Existing::Refuse,
        )
        .unwrap_err(),
        merge_packages(&mut p, std::slice::from_ref(&pkg)).unwrap_err(),
    ] {
        assert_eq!(err.code(), "package", "{err}");
        assert!(err.is_bad_input(), "the CLI exits 2 on it");
    }
    let own = s.path().to_owned();
    let err = export_package(&mut s, "fay", &own, Existing::Replace).unwrap_err();
    assert_eq!(err.code(), "invalid", "the open study is never overwritten");
}

#[test]
fn a_study_open_read_only_refuses_merge_and_export_and_keeps_files() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, path) = demo(dir.path());
    design(&mut s, &request(&["dana", "eli", "fay"])).unwrap();
    let pkg = dir.path().join("eli.chameleon");
    export_package(&mut s, "eli", &pkg, Existing::Refuse).unwrap();
    drop(s);
    let mut ro = Study::open_read_only(&path).unwrap();
    assert!(overview(&ro).unwrap().read_only, "the view is told");
    let err = merge_packages(&mut ro, std::slice::from_ref(&pkg)).unwrap_err();
    assert_eq!(err.code(), "read_only", "{err}");
    let again = dir.path().join("eli-again.chameleon");
    std::fs::write(&again, b"keep me").unwrap();
    let err = export_package(&mut ro, "eli", &again, Existing::Replace).unwrap_err();
    assert_eq!(err.code(), "read_only");
    assert_eq!(
        std::fs::read(&again).unwrap(),
        b"keep me",
        "nothing replaced"
    );
}

#[test]
fn audit_csv_is_filtered_and_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let (mut s, _) = demo(dir.path());
    s.set_actor("=HYPERLINK(\"http://x\")");
    design(&mut s, &request(&["dana", "eli", "fay"])).unwrap();
    let csv = dir.path().join("audit.csv");
    assert_eq!(
        export_audit(&s, &csv, Some("assign")).unwrap(),
        1,
        "one design"
    );
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("at,actor,action,detail,package_id"));
    assert!(
        lines.next().unwrap().contains("'=HYPERLINK"),
        "no formula runs"
    );
    assert_eq!(lines.next(), None, "only the chosen kind");
    let all = export_audit(&s, &csv, None).unwrap();
    assert_eq!(all as i64, audit_trail(&s, None).unwrap().total);
}

#[test]
fn ratings_import_from_the_app_is_all_or_nothing_with_lines_and_exports_both_shapes_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = crate::app::testing::demo(dir.path());
    let before = study.dataset().unwrap().rating_count();
    let p = study.profile(study.profile_ids().unwrap()[0]).unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!(
            "person,context,rater,dimension,value\n{0},{1},zoe,openness,4\n{0},{1},zoe,conscientiousness,lots\n",
            p.person, p.context
        ),
    )
    .unwrap();
    let e = import_ratings(
        &mut study,
        &bad,
        RatingsShape::Long,
        crate::model::RaterKind::Human,
    )
    .unwrap_err();
    match &e {
        CoreError::Input { errors, .. } => assert_eq!(errors[0].line, 3, "{e}"),
        other => panic!("not an input error: {other}"),
    }
    assert_eq!(
        study.dataset().unwrap().rating_count(),
        before,
        "nothing written"
    );
    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        format!(
            "person,context,rater,dimension,value\n{},{},zoe,openness,4\n",
            p.person, p.context
        ),
    )
    .unwrap();
    let r = import_ratings(
        &mut study,
        &good,
        RatingsShape::Long,
        crate::model::RaterKind::Human,
    )
    .unwrap();
    assert_eq!(r.added, 1);
    let long = dir.path().join("long.csv");
    let n = export_ratings(&study, &long, RatingsShape::Long).unwrap();
    assert_eq!(n, before + 1);
    assert!(std::fs::read_to_string(&long)
        .unwrap()
        .starts_with("person,context,rater,dimension,value,created_at"));
    let wide = dir.path().join("wide.csv");
    export_ratings(&study, &wide, RatingsShape::Wide).unwrap();
    assert!(std::fs::read_to_string(&wide)
        .unwrap()
        .starts_with("person,context,rater,"));
    // Parquet and Arrow by the extension, as the CLI: read back, the same ratings.
    if crate::tidy::COLUMNAR_BUILT {
        for (name, shape) in [
            ("long.parquet", RatingsShape::Long),
            ("wide.parquet", RatingsShape::Wide),
            ("long.arrow", RatingsShape::Long),
        ] {
            let out = dir.path().join(name);
            assert_eq!(export_ratings(&study, &out, shape).unwrap(), n, "{name}");
            let back_dir = dir.path().join(format!("back-{name}"));
            std::fs::create_dir(&back_dir).unwrap();
            let (mut back, _) = demo(&back_dir);
            let r = import_ratings(&mut back, &out, shape, crate::model::RaterKind::Human).unwrap();
            // The demo's ratings come back unchanged, the one imported above is added.
            assert_eq!((r.added, r.updated), (1, 0), "{name}");
            assert_eq!(back.dataset().unwrap().rating_count(), n, "{name}");
        }
    }
}

#[test]
fn the_pi_s_actions_are_audited_as_such_issue_15() {
    let dir = tempfile::tempdir().unwrap();
    let (mut study, _) = demo(dir.path());
    study.set_actor("lena");
    design(&mut study, &request(&["ana", "ben", "chloe"])).unwrap();
    let junk = dir.path().join("junk.chameleon");
    std::fs::write(&junk, "not a package").unwrap();
    let out = merge_packages(&mut study, std::slice::from_ref(&junk)).unwrap();
    assert_eq!(out.refused(), 1);
    let mut edit = crate::app::review::codebook_for_edit(&study).unwrap();
    edit.dimensions[0].definition.push_str(" Edited.");
    crate::app::review::save_codebook(&mut study, &edit).unwrap();
    let pid = study.profile_ids().unwrap()[0];
    let p = study.profile(pid).unwrap();
    crate::app::review::adjudicate(
        &mut study,
        &crate::app::review::Adjudication {
            profile_id: pid,
            dimension: "openness".into(),
            value: 3.0,
            note: None,
        },
    )
    .unwrap();
    let log = study.audit_log().unwrap();
    let by = |action: &str| {
        log.iter()
            .find(|e| e.action == action)
            .unwrap_or_else(|| panic!("no {action} in {log:?}"))
    };
    for action in [
        "assignment-design",
        "package-merge-refused",
        "codebook-edit",
        "adjudicate",
    ] {
        assert_eq!(by(action).actor, "lena", "{action}");
    }
    assert!(by("package-merge-refused")
        .detail
        .contains("junk.chameleon"));
    assert!(by("assignment-design")
        .detail
        .contains("\"pool\":[\"ana\",\"ben\",\"chloe\"]"));
    let adj = &by("adjudicate").detail;
    assert!(adj.contains(&p.person) && adj.contains(&p.context), "{adj}");
    assert!(
        !log.iter()
            .any(|e| e.action == "import-codebook" && e.detail.contains("codebook editor")),
        "an edit is not logged as an import"
    );
}
