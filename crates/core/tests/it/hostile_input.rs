//! Issue #11: bad input, probed as a hostile user would. Each test failed before its fix.

use crate::util::{dump, Fixture};
use chameleon_core::analysis::input::load_dataset;
use chameleon_core::model::Scale;
use chameleon_core::{CoreError, RowError, Study};

fn input_errors<T: std::fmt::Debug>(r: chameleon_core::Result<T>) -> Vec<RowError> {
    match r {
        Err(CoreError::Input { errors, .. }) => errors,
        other => panic!("expected line-numbered input errors, got {other:?}"),
    }
}

/// A demo study holding the demo ratings, and its content before `bad` is imported.
fn study_with_ratings(f: &Fixture) -> (std::path::PathBuf, Study, String) {
    let (p, mut s) = f.demo_study(3);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let before = dump(&p);
    (p, s, before)
}

const I64_MIN_CODEBOOK: &str = r#"
[[dimensions]]
name = "x"
scale = { type = "likert", min = -9223372036854775808, max = 5 }
"#;

#[test]
fn issue11_item8_likert_scale_of_i64_min_is_refused_at_codebook_import() {
    let f = Fixture::new();
    let mut s = Study::create(&f.path("s.db")).unwrap();
    let errors = input_errors(s.import_codebook(&f.write("cb.toml", I64_MIN_CODEBOOK)));
    assert!(
        errors[0]
            .message
            .contains("a Likert scale has at most 101 points"),
        "{errors:?}"
    );
    assert!(s.codebook().unwrap().is_none(), "nothing was imported");
    // The app's codebook editor builds the scale in code: validated the same way.
    let cb = chameleon_core::model::Codebook {
        name: None,
        guidelines: String::new(),
        version: 0,
        show_person_ids: false,
        scales: Vec::new(),
        dimensions: vec![chameleon_core::model::Dimension {
            name: "x".into(),
            label: None,
            definition: String::new(),
            scale: Scale::Likert {
                min: i64::MIN,
                max: i64::MAX,
                anchors: vec![],
            },
            level: None,
        }],
    };
    let errors = input_errors(s.save_codebook(&cb));
    assert!(
        errors[0].message.contains("at most 101 points"),
        "{errors:?}"
    );
}

#[test]
fn issue11_item8_a_study_written_by_another_tool_with_a_huge_scale_is_bad_input_not_a_panic() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(3);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    drop(s);
    let c = rusqlite::Connection::open(&p).unwrap();
    c.execute(
        "UPDATE dimension SET scale = ?1 WHERE name = 'openness'",
        [r#"{"type":"likert","min":-9223372036854775808,"max":5,"anchors":[]}"#],
    )
    .unwrap();
    drop(c);
    let e = load_dataset(&p).expect_err("the stored scale cannot be used");
    assert!(e.is_bad_input(), "bad input, exit 2: {e}");
    let msg = e.to_string();
    assert!(
        msg.contains("at most 101 points") && msg.contains(&p.display().to_string()),
        "names the study and the reason: {msg}"
    );
    // Importing into it refuses too, rather than skipping the scale check.
    let mut s = Study::open(&p).unwrap();
    let e = s
        .import_ratings(&f.path("ratings.csv"), &Default::default())
        .expect_err("the stored scale cannot check values");
    assert!(e.is_bad_input(), "{e}");
}

#[test]
fn scale_categories_of_a_wide_scale_built_in_code_do_not_allocate() {
    let wide = Scale::Likert {
        min: i64::MIN,
        max: i64::MAX,
        anchors: vec![],
    };
    assert_eq!(wide.categories(), None, "no 2^64-point vector");
    assert!(wide.validate().is_err());
}

#[test]
fn issue11_item10_unterminated_quote_in_ratings_is_refused_at_the_line_it_opened() {
    let f = Fixture::new();
    let (p, mut s, before) = study_with_ratings(&f);
    let bad = f.write(
        "bad.csv",
        "person,context,rater,dimension,value,note\n\
         u001,r/gaming,zoe,openness,3,fine\n\
         u001,r/gaming,zoe,mood,3,\"oops\n\
         u002,r/gaming,zoe,openness,4,x\n\
         u003,r/gaming,zoe,openness,5,y\n",
    );
    let errors = input_errors(s.import_ratings(&bad, &Default::default()));
    assert_eq!(
        errors[0].line, 3,
        "the line where the quote opened: {errors:?}"
    );
    assert!(errors[0].message.contains("never closed"), "{errors:?}");
    drop(s);
    assert_eq!(before, dump(&p), "nothing written");
}

#[test]
fn issue11_item10_stray_and_misclosed_quotes_are_refused_in_ratings_and_profiles() {
    let stray = "person,context,rater,value\nu0\"01,c,a,1\nu2,c,a,2\n";
    let e = input_errors(chameleon_core::tidy::parse("t.csv", stray.as_bytes()));
    assert_eq!((e[0].line, e.len()), (2, 1), "{e:?}");
    assert!(e[0].message.contains("quote"), "{e:?}");
    // The quote opened on line 2 is closed on line 4 and followed by text.
    let misclosed = "person,context,rater,value,note\nu1,c,a,1,\"n\nu2,c,a,2,x\nu3,c,a,3,\"y\"\n";
    let e = input_errors(chameleon_core::tidy::parse("t.csv", misclosed.as_bytes()));
    assert_eq!(e[0].line, 2, "{e:?}");
    assert!(e[0].message.contains("line 4"), "{e:?}");
    // Well-formed quoting still reads: doubled quotes, quoted newlines, an empty quoted field.
    let ok = "person,context,rater,value,note\nu1,\"c\"\"x\",a,1,\"two\nlines\"\nu2,c,a,2,\"\"\n";
    let f = chameleon_core::tidy::parse("t.csv", ok.as_bytes()).unwrap();
    assert_eq!(f.rows.len(), 2);
    assert_eq!(f.rows[0].context, "c\"x");

    for (csv, line) in [
        (
            "person,context,text\np1,c1,\"one\np2,c2,two\np3,c3,three\n",
            2,
        ),
        ("person,context,text\nu0\"01,c1,one\np2,c2,two\n", 2),
        ("person,context,text\np1,c1,ok\np2,c2,\"two\" and more\n", 3),
    ] {
        let e = input_errors(chameleon_core::import::parse_profiles(
            "p.csv",
            std::path::Path::new("p.csv"),
            csv.as_bytes(),
        ));
        assert_eq!(e[0].line, line, "{csv:?}: {e:?}");
    }
}

#[test]
fn issue11_item10_a_quoted_note_running_over_many_lines_is_refused() {
    let mut csv = String::from("person,context,rater,value,note\nu1,c,a,1,\"start\n");
    for i in 0..1200 {
        csv.push_str(&format!("u{i},c,a,1,x\n"));
    }
    csv.push_str("end\"\n");
    let e = input_errors(chameleon_core::tidy::parse("t.csv", csv.as_bytes()));
    assert_eq!(e[0].line, 2, "{e:?}");
    assert!(e[0].message.contains("closing quote"), "{e:?}");
}

#[test]
fn issue11_item11_duplicate_header_names_are_refused_in_every_csv_reader() {
    for csv in [
        "person,context,rater,value,extra,EXTRA\np,c,a,1,x,y\n",
        "person,context,rater,value,Value\np,c,a,1,2\n",
    ] {
        let e = input_errors(chameleon_core::tidy::parse("t.csv", csv.as_bytes()));
        assert!(
            e.iter().any(|e| e.line == 1 && e.message.contains("twice")),
            "{csv:?}: {e:?}"
        );
    }
    let e = input_errors(chameleon_core::import::parse_profiles(
        "p.csv",
        std::path::Path::new("p.csv"),
        b"person,context,text,Text\np,c,one,two\n",
    ));
    assert!(e[0].message.contains("twice"), "{e:?}");
}

#[test]
fn issue11_item13_a_huge_field_is_not_echoed_whole() {
    let big = "z".repeat(5_000_000);
    let csv = format!("unit,rater,value\nu1,a,1\nu1,b,{big}\n");
    let parsed = chameleon_core::tidy::parse("t.csv", csv.as_bytes()).unwrap();
    let e = input_errors(parsed.to_dataset("t.csv"));
    let shown = CoreError::input("t.csv", e).to_string();
    assert!(shown.len() < 1000, "message of {} bytes", shown.len());
    assert!(shown.contains('…'), "{shown}");
}

#[test]
fn issue11_item13_a_million_unknown_columns_make_one_short_note() {
    let f = Fixture::new();
    let mut header = String::from("unit,rater,value");
    let mut row = String::from("u1,a,1");
    for i in 0..1_000_000 {
        header.push_str(&format!(",c{i}"));
        row.push(',');
    }
    let p = f.write("wide.csv", format!("{header}\n{row}\n"));
    let (_, notes) = chameleon_core::tidy::read_dataset(&p).unwrap();
    assert_eq!(notes.len(), 1, "one note");
    assert!(
        notes[0].len() < 200 && notes[0].contains("1000000"),
        "{}",
        notes[0]
    );
}

#[test]
fn issue11_item14_oversized_fields_are_refused_with_the_limit() {
    let big = "z".repeat(chameleon_core::checks::MAX_FIELD_BYTES + 1);
    let csv = format!("person,context,text\np,c,{big}\n");
    let e = input_errors(chameleon_core::import::parse_profiles(
        "p.csv",
        std::path::Path::new("p.csv"),
        csv.as_bytes(),
    ));
    assert!(e[0].message.contains("at most"), "{:?}", e[0].message);
    assert_eq!(e[0].column.as_deref(), Some("text"));
}

#[cfg(unix)]
#[test]
fn issue11_item14_special_files_are_refused_by_every_reader() {
    let f = Fixture::new();
    let mut s = Study::create(&f.path("s.db")).unwrap();
    let dir = f.path("d");
    std::fs::create_dir(&dir).unwrap();
    for r in [
        s.import_ratings(&dir, &Default::default()).map(drop),
        s.import_profiles(&dir).map(drop),
        s.import_codebook(&dir).map(drop),
        load_dataset(&dir).map(drop),
        s.import_ratings(std::path::Path::new("/dev/zero"), &Default::default())
            .map(drop),
    ] {
        let e = r.expect_err("refused");
        assert!(
            matches!(e, CoreError::NotReadable { .. }) && e.is_bad_input(),
            "{e}"
        );
    }
}

#[test]
fn issue11_item16_import_refuses_confidence_and_seconds_out_of_range_like_the_app() {
    let f = Fixture::new();
    let (p, mut s, before) = study_with_ratings(&f);
    let bad = f.write(
        "bad.csv",
        "person,context,rater,dimension,value,confidence,seconds_spent\n\
         u001,r/gaming,zoe,openness,3,7,1\n\
         u001,r/gaming,zoe,mood,3,0.5,-5\n",
    );
    let e = input_errors(s.import_ratings(&bad, &Default::default()));
    let at = |line, col: &str| {
        e.iter()
            .any(|e| e.line == line && e.column.as_deref() == Some(col))
    };
    assert!(at(2, "confidence") && at(3, "seconds_spent"), "{e:?}");
    // The app's path refuses the same values with the same sentence.
    let rater = s
        .ensure_rater("zoe", chameleon_core::model::RaterKind::Human)
        .unwrap();
    let app = s
        .set_profile_review(
            rater.id,
            1,
            &chameleon_core::store::ProfileReview {
                confidence: Some(7.0),
                ..Default::default()
            },
        )
        .expect_err("the app refuses it too");
    let csv_msg = &e.iter().find(|e| e.line == 2).unwrap().message;
    assert_eq!(&app.to_string(), csv_msg, "one check, one sentence");
    drop(s);
    let _ = before;
    let _ = p;
}

#[test]
fn issue11_item18_text_categories_map_through_the_codebook() {
    let f = Fixture::new();
    let (_p, mut s) = f.demo_study(3);
    let csv = f.write(
        "labels.csv",
        "person,context,rater,dimension,value\n\
         u001,r/gaming,zoe,dominant_emotion,Joy\n\
         u001,r/gaming,ann,dominant_emotion, anger \n\
         u001,r/gaming,bob,dominant_emotion,2\n",
    );
    let rep = s.import_ratings(&csv, &Default::default()).unwrap();
    assert_eq!(rep.added, 3, "{rep}");
    let ds = s.dataset().unwrap();
    let d = ds.dimension("dominant_emotion").unwrap();
    let Some(Scale::Nominal { categories }) = &d.scale else {
        panic!("nominal")
    };
    let code = |l: &str| categories.iter().find(|c| c.label == l).unwrap().value as f64;
    let mut values: Vec<f64> = d.observations.iter().map(|o| o.value).collect();
    values.sort_by(f64::total_cmp);
    let mut want = vec![code("joy"), code("anger"), 2.0];
    want.sort_by(f64::total_cmp);
    assert_eq!(
        values, want,
        "labels became their codes, numbers stayed numbers"
    );

    // A label the codebook lacks, and text on a Likert dimension: errors naming line/column.
    let bad = f.write(
        "bad.csv",
        "person,context,rater,dimension,value\n\
         u001,r/gaming,zoe,dominant_emotion,bliss\n\
         u001,r/gaming,zoe,openness,high\n",
    );
    let e = input_errors(s.import_ratings(&bad, &Default::default()));
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].line == 2 && e[0].message.contains("not one of the categories"),
        "{e:?}"
    );
    assert!(
        e[1].line == 3 && e[1].column.as_deref() == Some("value"),
        "{e:?}"
    );
}

#[test]
fn issue11_item18_text_categories_without_a_codebook_are_created_in_first_seen_order() {
    let f = Fixture::new();
    let mut s = Study::create(&f.path("s.db")).unwrap();
    let csv = f.write(
        "labels.csv",
        "person,context,rater,dimension,value\n\
         p1,c1,a,emotion,anger\n\
         p1,c1,b,emotion,joy\n\
         p2,c1,a,emotion,Anger\n",
    );
    let rep = s.import_ratings(&csv, &Default::default()).unwrap();
    assert!(
        rep.notices
            .iter()
            .any(|n| n.contains("1 = anger") && n.contains("2 = joy")),
        "{:?}",
        rep.notices
    );
    let ds = s.dataset().unwrap();
    let d = ds.dimension("emotion").unwrap();
    assert!(d.is_nominal());
    let values: Vec<f64> = d.observations.iter().map(|o| o.value).collect();
    assert_eq!(
        values.iter().filter(|&&v| v == 1.0).count(),
        2,
        "Anger is anger"
    );
}

#[test]
fn issue11_item18_text_categories_in_a_bare_csv_for_agreement() {
    let f = Fixture::new();
    let p = f.write(
        "labels.csv",
        "unit,rater,dimension,value\n\
         u1,a,emotion,joy\nu1,b,emotion,joy\n\
         u2,a,emotion,anger\nu2,b,emotion,anger\n\
         u3,a,emotion,joy\nu3,b,emotion,anger\n",
    );
    let (ds, notes) = chameleon_core::tidy::read_dataset(&p).unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("1 = joy") && n.contains("2 = anger")),
        "said on stderr: {notes:?}"
    );
    let d = &ds.dimensions[0];
    assert!(d.is_nominal());
    let values: Vec<f64> = d.observations.iter().map(|o| o.value).collect();
    assert_eq!(values, vec![1.0, 1.0, 2.0, 2.0, 1.0, 2.0]);

    // Text on a dimension that also holds numbers stays an error at its line and column.
    let mixed = f.write("mixed.csv", "unit,rater,value\nu1,a,1\nu1,b,joy\n");
    let e = input_errors(chameleon_core::tidy::read_dataset(&mixed));
    assert_eq!(
        (e[0].line, e[0].column.as_deref()),
        (3, Some("value")),
        "{e:?}"
    );
    assert!(e[0].message.contains("joy"), "{e:?}");
}
