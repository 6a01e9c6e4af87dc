use crate::util::{dump, Fixture};
use chameleon_core::export::RatingsExportOptions;
use chameleon_core::{CoreError, RowError, Study};

fn input_errors(r: chameleon_core::Result<chameleon_core::ImportReport>) -> Vec<RowError> {
    match r {
        Err(CoreError::Input { errors, .. }) => errors,
        Err(other) => panic!("expected line-numbered input errors, got {other}"),
        Ok(rep) => panic!("expected the import to fail, it did: {rep}"),
    }
}

/// Imports `contents` as ratings into a demo study that already holds ratings, asserts the
/// import fails with an error at `line`/`column` whose message contains `needle`, and that the
/// study is byte-for-byte unchanged in content.
fn assert_ratings_refused(contents: &[u8], line: u64, column: Option<&str>, needle: &str) {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(3);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let before = dump(&p);
    let bad = f.write("bad.csv", contents);
    let errors = input_errors(s.import_ratings(&bad, &Default::default()));
    let e = errors
        .iter()
        .find(|e| e.line == line && e.column.as_deref() == column)
        .unwrap_or_else(|| panic!("no error at line {line} column {column:?}: {errors:?}"));
    assert!(
        e.message.contains(needle),
        "message '{}' should mention '{needle}'",
        e.message
    );
    drop(s);
    assert_eq!(
        before,
        dump(&p),
        "a refused import must leave the study unchanged"
    );
}

#[test]
fn missing_column_is_refused() {
    assert_ratings_refused(
        b"person,context,rater,dimension\nu001,r/gaming,ana,openness\n",
        1,
        Some("value"),
        "missing",
    );
}

#[test]
fn unknown_dimension_is_refused_under_a_codebook() {
    assert_ratings_refused(
        b"person,context,rater,dimension,value\nu001,r/gaming,ana,openness,3\nu001,r/gaming,ana,charisma,3\n",
        3,
        Some("dimension"),
        "charisma",
    );
}

#[test]
fn value_out_of_scale_is_refused() {
    assert_ratings_refused(
        b"person,context,rater,dimension,value\nu001,r/gaming,ana,openness,6\n",
        2,
        Some("value"),
        "Likert scale 1..5",
    );
}

#[test]
fn non_numeric_value_is_refused() {
    assert_ratings_refused(
        b"person,context,rater,dimension,value\nu001,r/gaming,ana,openness,high\n",
        2,
        Some("value"),
        "high",
    );
}

#[test]
fn duplicate_rating_is_refused() {
    assert_ratings_refused(
        b"person,context,rater,dimension,value\nu001,r/gaming,zoe,openness,3\nu001,r/gaming,zoe,openness,4\n",
        3,
        None,
        "line 2",
    );
}

#[test]
fn bad_utf8_is_refused() {
    assert_ratings_refused(
        b"person,context,rater,dimension,value\nu001,r/gaming,\xff\xfeana,openness,3\n",
        2,
        Some("rater"),
        "UTF-8",
    );
}

#[test]
fn empty_file_is_refused() {
    assert_ratings_refused(b"", 1, None, "empty");
}

#[test]
fn ratings_reimport_is_idempotent_and_edits_keep_history() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(3);
    let first = s
        .import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    assert!(first.added > 0 && first.updated == 0);
    let before = dump(&p);
    let again = s
        .import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    assert_eq!(
        (again.added, again.updated),
        (0, 0),
        "re-import adds nothing"
    );
    assert_eq!(again.unchanged, first.added);
    assert_eq!(
        before,
        dump(&p),
        "re-importing the same file changes nothing"
    );

    let original = std::fs::read_to_string(f.path("ratings.csv")).unwrap();
    let mut lines: Vec<&str> = original.lines().collect();
    let changed_line = lines[1].rsplit_once(',').map(|(head, v)| {
        let nv = if v == "1" { "2" } else { "1" };
        format!("{head},{nv}")
    });
    let changed_line = changed_line.unwrap();
    lines[1] = &changed_line;
    let edited = f.write("edited.csv", lines.join("\n"));
    let rep = s.import_ratings(&edited, &Default::default()).unwrap();
    assert_eq!(
        (rep.added, rep.updated),
        (0, 1),
        "one changed value is one edit"
    );
}

#[test]
fn export_round_trips_the_ratings_file() {
    let f = Fixture::new();
    let (_p, mut s) = f.demo_study(5);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let mut out = Vec::new();
    s.export_ratings(&mut out, RatingsExportOptions::default())
        .unwrap();
    let original = std::fs::read_to_string(f.path("ratings.csv")).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap().replace("\r\n", "\n"),
        original,
        "export must reproduce the imported rows"
    );
}

#[test]
fn ratings_without_a_codebook_create_inferred_dimensions_and_profiles() {
    let f = Fixture::new();
    let p = f.path("s.db");
    let mut s = Study::create(&p).unwrap();
    let csv = f.write("r.csv", "unit,rater,value\nu1,A,1\nu1,B,3\nu2,A,2\n");
    let rep = s.import_ratings(&csv, &Default::default()).unwrap();
    assert_eq!(rep.added, 3);
    assert!(
        rep.notices
            .iter()
            .any(|n| n.contains("created dimension 'value'")),
        "{:?}",
        rep.notices
    );
    let cb = s.codebook().unwrap().unwrap();
    assert_eq!(
        cb.dimensions[0].scale.categories().unwrap(),
        vec![1.0, 2.0, 3.0]
    );
    // Without a rater column the study has only a profile level.
    let csv = f.write(
        "self.csv",
        "person,context,dimension,value\np1,a,mood,3\np1,b,mood,5\n",
    );
    let mut s2 = Study::create(&f.path("self.db")).unwrap();
    s2.import_ratings(&csv, &Default::default()).unwrap();
    assert!(
        !s2.dataset().unwrap().has_rater,
        "rater-less data has no rater level"
    );
    let mut out = Vec::new();
    s2.export_ratings(&mut out, RatingsExportOptions::default())
        .unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap().lines().next(),
        Some("person,context,dimension,value")
    );
}

#[test]
fn profiles_import_appends_texts_once_and_reports_bad_rows() {
    let f = Fixture::new();
    let p = f.path("s.db");
    let mut s = Study::create(&p).unwrap();
    let csv = f.write(
        "p.csv",
        "\u{feff}person,context,text,title,subreddit\r\np1,c1,\"first\r\nline two\",T1,r/a\r\np1,c1,second,,r/a\r\np2,c1,hello,,\r\n",
    );
    let rep = s.import_profiles(&csv).unwrap();
    assert_eq!(rep.added, 3);
    let again = s.import_profiles(&csv).unwrap();
    assert_eq!(
        (again.added, again.unchanged),
        (0, 3),
        "re-import adds no text twice"
    );
    let prof = s
        .profile(s.profile_id("p1", "c1").unwrap().unwrap())
        .unwrap();
    assert_eq!(prof.texts.len(), 2);
    assert_eq!(prof.texts[0].text, "first\r\nline two");
    assert_eq!(
        prof.texts[0]
            .metadata
            .get("subreddit")
            .and_then(|v| v.as_str()),
        Some("r/a")
    );

    let before = dump(&p);
    let bad = f.write("bad.jsonl", "{\"person\":\"p3\",\"context\":\"c\",\"text\":\"ok\"}\n{\"person\":\"p4\",\"context\":\"c\"}\nnot json\n");
    let errors = input_errors(s.import_profiles(&bad));
    assert_eq!(
        errors.iter().map(|e| e.line).collect::<Vec<_>>(),
        vec![2, 3]
    );
    let missing = f.write("m.csv", "person,text\np,x\n");
    let errors = input_errors(s.import_profiles(&missing));
    assert_eq!(errors[0].column.as_deref(), Some("context"));
    drop(s);
    assert_eq!(before, dump(&p), "refused profile imports change nothing");
}

#[test]
fn codebook_errors_name_lines_and_scale_changes_cannot_orphan_ratings() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(2);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let before = dump(&p);
    let bad = f.write(
        "bad.toml",
        "[[dimensions]]\nname = \"x\"\nscale = { type = \"likert\", min = 5, max = 1 }\n",
    );
    let e = input_errors(s.import_codebook(&bad));
    assert!(e[0].message.contains("max > min"), "{e:?}");
    assert_eq!(e[0].line, 2);
    let syntax = f.write(
        "syntax.json",
        "{\"dimensions\": [\n  {\"name\": \"x\",, }\n]}",
    );
    let e = input_errors(s.import_codebook(&syntax));
    assert_eq!(e[0].line, 2);
    // Shrinking openness to 1..3 would leave existing 4s and 5s off the scale.
    let mut cb = chameleon_core::sample::demo_codebook();
    cb.dimensions[0].scale = chameleon_core::model::Scale::Likert {
        min: 1,
        max: 3,
        anchors: vec![],
    };
    let shrink = f.write("shrink.json", serde_json::to_string_pretty(&cb).unwrap());
    let e = input_errors(s.import_codebook(&shrink));
    assert!(e[0].message.contains("existing ratings"), "{e:?}");
    drop(s);
    assert_eq!(before, dump(&p));
    // A real change gets a new version.
    let mut s = Study::open(&p).unwrap();
    let mut cb = chameleon_core::sample::demo_codebook();
    cb.dimensions[0].definition = "Changed wording".into();
    let changed = f.write("changed.json", serde_json::to_string(&cb).unwrap());
    let v1 = s.codebook().unwrap().unwrap().version;
    s.import_codebook(&changed).unwrap();
    assert_eq!(
        s.codebook().unwrap().unwrap().version,
        v1 + 1,
        "a changed codebook is a new version"
    );
}

#[test]
fn chameleon_scale_import_is_fast_enough_to_not_need_batching() {
    // Not a timing assertion: checks the full-size import completes and counts add up.
    let f = Fixture::new();
    let shape = chameleon_core::sample::BenchShape {
        persons: 200,
        ..Default::default()
    };
    let mut buf = Vec::new();
    let n = chameleon_core::sample::write_bench_ratings(shape, &mut buf).unwrap();
    let csv = f.write("big.csv", &buf);
    let mut s = Study::create(&f.path("big.db")).unwrap();
    let rep = s.import_ratings(&csv, &Default::default()).unwrap();
    assert_eq!(rep.added, n);
    assert_eq!(s.info().unwrap().profiles, 600);
}
