use crate::util::{dump, Fixture};
use chameleon_core::model::RaterKind;
use chameleon_core::store::{latest_version, RatingInput};
use chameleon_core::{CoreError, Study};

#[test]
fn migrations_from_an_empty_file_set_wal_foreign_keys_and_version() {
    let f = Fixture::new();
    let p = f.path("new.db");
    let s = Study::create(&p).unwrap();
    let info = s.info().unwrap();
    assert_eq!(
        info.schema_version,
        latest_version(),
        "a new study is at the latest schema"
    );
    drop(s);
    let c = rusqlite::Connection::open(&p).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal", "studies use WAL");
    // Reopening an up-to-date study changes nothing.
    let before = dump(&p);
    drop(Study::open(&p).unwrap());
    assert_eq!(
        before,
        dump(&p),
        "opening must not modify an up-to-date study"
    );
    assert!(
        matches!(Study::create(&p), Err(CoreError::AlreadyExists { .. })),
        "create never overwrites"
    );
}

#[test]
fn a_file_that_is_not_a_study_is_refused_untouched() {
    let f = Fixture::new();
    let text = f.write("notes.txt", "hello, this is not a database\n");
    assert!(matches!(
        Study::open(&text),
        Err(CoreError::NotAStudy { .. })
    ));
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "hello, this is not a database\n"
    );

    let other = f.path("other.sqlite");
    let c = rusqlite::Connection::open(&other).unwrap();
    c.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    drop(c);
    let before = std::fs::read(&other).unwrap();
    let err = Study::open(&other).expect_err("a foreign SQLite file must be refused");
    assert!(matches!(err, CoreError::NotAStudy { .. }), "{err}");
    assert_eq!(
        before,
        std::fs::read(&other).unwrap(),
        "refusing must not touch the file"
    );
    assert!(matches!(
        Study::open(&f.path("missing.db")),
        Err(CoreError::NoSuchStudy { .. })
    ));
}

#[test]
fn a_study_from_a_newer_schema_is_refused_untouched() {
    let f = Fixture::new();
    let p = f.path("future.db");
    drop(Study::create(&p).unwrap());
    let c = rusqlite::Connection::open(&p).unwrap();
    c.pragma_update(None, "user_version", latest_version() + 5)
        .unwrap();
    drop(c);
    let before = dump(&p);
    match Study::open(&p) {
        Err(CoreError::NewerSchema { found, .. }) => assert_eq!(found, latest_version() + 5),
        other => panic!("expected NewerSchema, got {:?}", other.err()),
    }
    assert_eq!(before, dump(&p));
}

#[test]
fn a_locked_study_gives_a_clear_error() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(2);
    let rater = s.ensure_rater("ana", RaterKind::Human).unwrap();
    let locker = rusqlite::Connection::open(&p).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let started = std::time::Instant::now();
    let err = s
        .save_rating(&RatingInput {
            profile_id: 1,
            dimension: "openness".into(),
            rater_id: rater.id,
            value: Some(3.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .expect_err("a write under another program's exclusive lock must fail");
    assert!(matches!(err, CoreError::Locked { .. }), "got {err}");
    assert!(err.to_string().contains("locked"), "{err}");
    assert!(started.elapsed().as_secs() < 30);
    locker.execute_batch("ROLLBACK").unwrap();
}

#[test]
fn read_only_study_refuses_writes_with_a_reason() {
    let f = Fixture::new();
    let (p, s) = f.demo_study(2);
    drop(s);
    let before = dump(&p);
    let mut ro = Study::open_read_only(&p).unwrap();
    let err = ro
        .ensure_rater("x", RaterKind::Human)
        .expect_err("read-only must refuse writes");
    assert!(matches!(err, CoreError::ReadOnly { .. }), "{err}");
    let err = ro
        .import_ratings(&f.path("ratings.csv"), &Default::default())
        .err()
        .unwrap();
    assert!(matches!(err, CoreError::ReadOnly { .. }), "{err}");
    assert_eq!(before, dump(&p));
}

#[test]
fn edits_append_history_and_never_delete() {
    let f = Fixture::new();
    let (_p, mut s) = f.demo_study(2);
    let r = s.ensure_rater("ana", RaterKind::Human).unwrap();
    let mut input = RatingInput {
        profile_id: 1,
        dimension: "extraversion".into(),
        rater_id: r.id,
        value: Some(2.0),
        seconds_spent: Some(4.0),
        note: None,
        confidence: None,
    };
    assert_eq!(s.save_rating(&input).unwrap().unwrap().value, 2.0);
    input.value = Some(4.0);
    s.save_rating(&input).unwrap();
    input.value = None;
    assert!(
        s.save_rating(&input).unwrap().is_none(),
        "clearing returns no rating"
    );
    assert!(
        s.ratings_of(1, r.id).unwrap().is_empty(),
        "a cleared rating is not current"
    );
    let h = s.history(1, "extraversion", r.id).unwrap();
    let values: Vec<(Option<f64>, Option<f64>)> =
        h.iter().map(|c| (c.old_value, c.new_value)).collect();
    assert_eq!(
        values,
        vec![(None, Some(2.0)), (Some(2.0), Some(4.0)), (Some(4.0), None)],
        "every change kept"
    );
    input.value = Some(9.0);
    let err = s.save_rating(&input).expect_err("9 is off a 1..5 scale");
    assert!(err.to_string().contains("extraversion"), "{err}");
}

#[test]
fn queue_puts_unrated_first_and_respects_flags_and_assignments() {
    let f = Fixture::new();
    let (_p, mut s) = f.demo_study(3);
    let r = s.ensure_rater("ana", RaterKind::Human).unwrap();
    let dims: Vec<String> = s
        .codebook()
        .unwrap()
        .unwrap()
        .dimensions
        .into_iter()
        .map(|d| d.name)
        .collect();
    // Without an assignment the queue is the rater's own seeded order of every profile.
    let order: Vec<i64> = s
        .queue(r.id)
        .unwrap()
        .iter()
        .map(|q| q.profile_id)
        .collect();
    assert_eq!(order.len(), 3 * 3, "every profile");
    assert_eq!(s.next_unrated(r.id).unwrap(), Some(order[0]));
    for d in &dims {
        s.save_rating(&RatingInput {
            profile_id: order[0],
            dimension: d.clone(),
            rater_id: r.id,
            value: Some(1.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
    }
    assert_eq!(
        s.next_unrated(r.id).unwrap(),
        Some(order[1]),
        "a complete profile leaves the front of the queue"
    );
    s.set_profile_review(
        r.id,
        order[1],
        &chameleon_core::store::ProfileReview {
            flagged: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(
        s.next_unrated(r.id).unwrap(),
        Some(order[2]),
        "flagged profiles wait until the end"
    );
    let q = s.queue(r.id).unwrap();
    assert!(q[0].is_complete() && q[1].flagged && !q[2].is_complete());
    // One more rating of the first dimension on profile 2: per-dimension progress tells them apart.
    s.save_rating(&RatingInput {
        profile_id: order[1],
        dimension: dims[0].clone(),
        rater_id: r.id,
        value: Some(2.0),
        seconds_spent: None,
        note: None,
        confidence: None,
    })
    .unwrap();
    let per_dim = s.dimension_progress(r.id).unwrap();
    let names: Vec<&str> = per_dim.iter().map(|d| d.dimension.as_str()).collect();
    assert_eq!(
        names,
        dims.iter().map(String::as_str).collect::<Vec<_>>(),
        "codebook order"
    );
    assert!(per_dim.iter().all(|d| d.assigned == q.len() as i64));
    assert_eq!(per_dim[0].rated, 2);
    assert!(per_dim[1..].iter().all(|d| d.rated == 1));
    // Two profiles the rater has not touched: the seeded order differs from study to study.
    let (first, second) = (order[8], order[7]);
    s.assign(r.id, &[first, second]).unwrap();
    let per_dim = s.dimension_progress(r.id).unwrap();
    assert!(
        per_dim.iter().all(|d| d.assigned == 2 && d.rated == 0),
        "only the assigned profiles count: {per_dim:?}"
    );
    assert_eq!(
        s.next_unrated(r.id).unwrap(),
        Some(first),
        "assignments define the queue order"
    );
    assert_eq!(s.queue(r.id).unwrap().len(), 2);
}

#[test]
fn dataset_from_a_study_matches_its_csv() {
    let f = Fixture::new();
    let (p, mut s) = f.demo_study(4);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let from_study = s.dataset().unwrap();
    let from_csv = chameleon_core::tidy::read_path(&f.path("ratings.csv"))
        .unwrap()
        .to_dataset("x")
        .unwrap();
    assert_eq!(from_study.rating_count(), from_csv.rating_count());
    assert!(from_study.has_rater);
    let sum = |d: &chameleon_core::dataset::Dataset| -> f64 {
        d.dimensions
            .iter()
            .flat_map(|x| x.observations.iter())
            .map(|o| o.value)
            .sum()
    };
    assert_eq!(sum(&from_study), sum(&from_csv));
    let via_loader = chameleon_core::analysis::input::load_dataset(&p).unwrap();
    assert_eq!(
        via_loader.rating_count(),
        from_csv.rating_count(),
        "the loader reads studies too"
    );
}

#[test]
fn size_agrees_with_info() {
    let f = Fixture::new();
    let (_, mut s) = f.demo_study(4);
    s.import_ratings(&f.path("ratings.csv"), &Default::default())
        .unwrap();
    let info = s.info().unwrap();
    let size = s.size().unwrap();
    assert!(size.profiles > 0 && size.dimensions > 0 && size.raters > 0);
    assert_eq!(size.profiles, info.profiles);
    assert_eq!(size.dimensions, info.dimensions.len() as i64);
    assert_eq!(size.raters, info.raters.len() as i64);
}

#[test]
fn pruning_one_studys_snapshots_leaves_a_similarly_named_studys_alone() {
    let f = Fixture::new();
    let pilot = Study::create(&f.path("pilot.chameleon")).unwrap();
    let mut pilot2 = Study::create(&f.path("pilot-2.chameleon")).unwrap();
    pilot2.set_backups_kept(10);
    for _ in 0..3 {
        pilot2.snapshot("manual").unwrap();
    }
    let mut pilot = pilot;
    pilot.set_backups_kept(1);
    for _ in 0..3 {
        pilot.snapshot("manual").unwrap();
    }
    let names: Vec<String> = std::fs::read_dir(chameleon_core::store::backups_dir(pilot.path()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let of = |stem: &str| {
        names
            .iter()
            .filter(|n| n.strip_prefix(stem).is_some_and(|r| r.starts_with("-20")))
            .count()
    };
    assert_eq!(of("pilot-2"), 3, "pilot-2 keeps its own: {names:?}");
    assert_eq!(of("pilot"), 1, "pilot is pruned to one: {names:?}");
}
