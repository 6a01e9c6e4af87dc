//! Packages, exports and snapshots under hostile or unlucky conditions (issue #11): a package
//! sent while its app had it open, tampered values, times, reviews and material, a study that
//! cannot record an export, rejected imports and broken snapshots.

use crate::team::{annotate, team, Team};
use crate::util::{dump, Fixture};
use chameleon_core::assign::DesignParams;
use chameleon_core::export::RatingsExportOptions;
use chameleon_core::model::RaterKind;
use chameleon_core::store::{backups_dir, RatingInput};
use chameleon_core::{RatingsImportOptions, Study};
use std::path::{Path, PathBuf};

fn refusal(r: chameleon_core::Result<chameleon_core::store::MergeReport>) -> String {
    let r = r.expect("a refusal is a report, not an error");
    match r.refused {
        Some(why) => why,
        None => panic!("the package must be refused: {r}"),
    }
}

/// A copy of the (annotated) first package changed with plain SQL, foreign keys off.
fn tampered(t: &Team, name: &str, sql: &str) -> PathBuf {
    let p = t.f.path(&format!("{name}.chameleon"));
    std::fs::copy(&t.packages[0], &p).unwrap();
    let c = rusqlite::Connection::open(&p).unwrap();
    c.pragma_update(None, "foreign_keys", false).unwrap();
    c.execute_batch(sql).unwrap();
    drop(c);
    p
}

const FIRST_ON: &str = "(SELECT MIN(r.id) FROM rating r JOIN dimension d ON d.id = r.dimension_id
                          WHERE d.name = ";

#[test]
fn ratings_that_sit_only_in_the_wal_are_never_lost_without_a_word() {
    let t = team();
    let mut pkg = Study::open(&t.packages[0]).unwrap();
    let rater = pkg.rater("dev1").unwrap().unwrap();
    let cb = pkg.codebook().unwrap().unwrap();
    for q in pkg.queue(rater.id).unwrap().iter().take(3) {
        pkg.save_rating(&RatingInput {
            profile_id: q.profile_id,
            dimension: cb.dimensions[0].name.clone(),
            rater_id: rater.id,
            value: Some(2.0),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
    }
    // The app still has the package open: its ratings are in the -wal. The annotator sends
    // the main file alone.
    let sent = t.f.path("sent.chameleon");
    std::fs::copy(&t.packages[0], &sent).unwrap();
    let mut s = Study::open(&t.study).unwrap();
    let before = dump(&t.study);
    let why = refusal(s.merge_package(&sent));
    assert!(why.contains("open") && why.contains("-wal"), "{why}");
    // Merged where the app is writing it, with the -wal beside.
    let why = refusal(s.merge_package(&t.packages[0]));
    assert!(why.contains("-wal") && why.contains("beside"), "{why}");
    drop(s);
    assert_eq!(before, dump(&t.study), "refused packages change nothing");

    // Closing folds the -wal into the file: the file alone now carries the ratings.
    pkg.close().unwrap();
    let mut wal = t.packages[0].as_os_str().to_owned();
    wal.push("-wal");
    assert!(
        std::fs::metadata(PathBuf::from(wal)).map_or(true, |m| m.len() == 0),
        "no -wal with content after close"
    );
    let resent = t.f.path("resent.chameleon");
    std::fs::copy(&t.packages[0], &resent).unwrap();
    let mut s = Study::open(&t.study).unwrap();
    let r = s.merge_package(&resent).unwrap();
    assert_eq!((r.refused.as_deref(), r.added), (None, 3), "{r}");
}

#[test]
fn merged_values_pass_the_same_scale_checks_as_an_import() {
    let t = team();
    annotate(&t.packages[0], 3, 0);
    let mut s = Study::open(&t.study).unwrap();
    let before = dump(&t.study);
    for (name, sql, expect) in [
        (
            "off-scale",
            format!("UPDATE rating SET value = 99 WHERE id = {FIRST_ON} 'openness')"),
            "99 is not a point of the Likert scale 1..5",
        ),
        (
            "half-point",
            format!("UPDATE rating SET value = 3.5 WHERE id = {FIRST_ON} 'openness')"),
            "3.5 is not a point",
        ),
        (
            "unknown-code",
            format!("UPDATE rating SET value = -7 WHERE id = {FIRST_ON} 'dominant_emotion')"),
            "-7 is not one of the categories",
        ),
        (
            "infinite",
            format!("UPDATE rating SET value = 1e999 WHERE id = {FIRST_ON} 'openness')"),
            "not a finite number",
        ),
        (
            "confidence",
            format!("UPDATE rating SET confidence = 7 WHERE id = {FIRST_ON} 'openness')"),
            "confidence 7 is not between 0 and 1",
        ),
    ] {
        let why = refusal(s.merge_package(&tampered(&t, name, &sql)));
        assert!(why.contains(expect), "{name}: {why}");
    }
    drop(s);
    assert_eq!(before, dump(&t.study), "a refused package adds nothing");
}

#[test]
fn merged_times_and_codebook_versions_are_checked() {
    let t = team();
    annotate(&t.packages[0], 3, 0);
    let mut s = Study::open(&t.study).unwrap();
    let before = dump(&t.study);
    for (name, sql, expect) in [
        (
            "year-9999",
            format!("UPDATE rating SET updated_at = 253402300799000 WHERE id = {FIRST_ON} 'openness')"),
            "later than now",
        ),
        (
            "before-export",
            format!(
                "UPDATE rating SET created_at = 1000, updated_at = 1000 WHERE id = {FIRST_ON} 'openness')"
            ),
            "before the package was exported",
        ),
        (
            "created-after-changed",
            format!(
                "UPDATE rating SET created_at = updated_at + 3 * 86400000 WHERE id = {FIRST_ON} 'openness')"
            ),
            "after it was last changed",
        ),
        (
            "codebook-99",
            format!("UPDATE rating SET codebook_version = 99 WHERE id = {FIRST_ON} 'openness')"),
            "codebook version 99 is not one of this study's",
        ),
    ] {
        let why = refusal(s.merge_package(&tampered(&t, name, &sql)));
        assert!(why.contains(expect), "{name}: {why}");
    }
    drop(s);
    assert_eq!(before, dump(&t.study));
}

#[test]
fn reviews_in_a_package_are_validated_and_the_other_packages_still_merge() {
    let t = team();
    annotate(&t.packages[0], 3, 0);
    annotate(&t.packages[1], 4, 0);
    let unassigned: i64 = rusqlite::Connection::open(&t.study)
        .unwrap()
        .query_row(
            "SELECT MIN(id) FROM profile WHERE id NOT IN
               (SELECT profile_id FROM assignment a JOIN rater t ON t.id = a.rater_id WHERE t.name = 'dev1')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let mut s = Study::open(&t.study).unwrap();
    let review = |profile: &str| {
        format!(
            "INSERT INTO profile_review (rater_id, profile_id, flagged, seconds_spent, updated_at)
             VALUES ((SELECT id FROM rater), {profile}, 1, 3, (SELECT MAX(updated_at) FROM rating))"
        )
    };
    for (name, sql, expect) in [
        (
            "review-unassigned",
            review(&unassigned.to_string()),
            "not assigned",
        ),
        ("review-nonexistent", review("999999"), "not assigned"),
        (
            "review-other-rater",
            "INSERT INTO profile_review (rater_id, profile_id, flagged, seconds_spent, updated_at)
             VALUES (999, (SELECT MIN(profile_id) FROM assignment), 1, 3, 0)"
                .to_string(),
            "by other raters",
        ),
        (
            "review-flag",
            "INSERT INTO profile_review (rater_id, profile_id, flagged, seconds_spent, updated_at)
             VALUES ((SELECT id FROM rater), (SELECT MIN(profile_id) FROM assignment), 7, 3,
                     (SELECT MAX(updated_at) FROM rating))"
                .to_string(),
            "flagged is 7",
        ),
    ] {
        let why = refusal(s.merge_package(&tampered(&t, name, &sql)));
        assert!(why.contains(expect), "{name}: {why}");
    }
    // The same command goes on with the next package.
    let r = s.merge_package(&t.packages[1]).unwrap();
    assert!(r.refused.is_none() && r.added > 0, "{r}");
}

#[test]
fn the_checksum_covers_what_the_annotator_sees_of_each_dimension() {
    let t = team();
    let mut s = Study::open(&t.study).unwrap();
    for (name, sql) in [
        (
            "label",
            "UPDATE dimension SET label = 'Kindness' WHERE name = 'openness'",
        ),
        (
            "definition",
            "UPDATE dimension SET definition = 'anything' WHERE name = 'openness'",
        ),
        (
            "position",
            "UPDATE dimension SET position = 99 WHERE name = 'openness'",
        ),
        (
            "guidelines",
            "UPDATE codebook_version SET content = replace(content, 'Read every', 'Skip every')",
        ),
    ] {
        let why = refusal(s.merge_package(&tampered(&t, name, sql)));
        assert!(why.contains("tampered"), "{name}: {why}");
    }
}

#[test]
fn a_failed_export_record_leaves_no_package_behind() {
    let t = team();
    // The study cannot record the export (as when it is locked).
    rusqlite::Connection::open(&t.study)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER no_export BEFORE INSERT ON package_export
             BEGIN SELECT RAISE(ABORT, 'the study is locked'); END;",
        )
        .unwrap();
    let listing = || {
        let mut v: Vec<String> = std::fs::read_dir(t.f.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let before = listing();
    let mut s = Study::open(&t.study).unwrap();
    let out = t.f.path("orphan.chameleon");
    s.export_package("dev1", &out).expect_err("recording fails");
    drop(s);
    assert!(!out.exists(), "no package the study does not know of");
    assert_eq!(before, listing(), "no temporary file left either");
}

fn backups(study: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(backups_dir(study))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn a_rejected_import_or_merge_writes_no_snapshot() {
    let f = Fixture::new();
    let (path, mut s) = f.demo_study(3);
    let before = backups(&path);
    let bad = f.write(
        "bad.csv",
        "person,context,rater,dimension,value\np0,c0,ana,openness,99\n",
    );
    s.import_ratings(&bad, &RatingsImportOptions::default())
        .expect_err("off-scale value");
    assert_eq!(before, backups(&path), "a rejected import writes no backup");
    let t = team();
    let before = backups(&t.study);
    let mut s = Study::open(&t.study).unwrap();
    let other = team();
    refusal(s.merge_package(&other.packages[0]));
    assert_eq!(
        before,
        backups(&t.study),
        "a refused merge writes no backup"
    );
}

#[test]
fn invalid_snapshots_are_not_counted_among_the_kept_and_none_is_left_half_written() {
    let f = Fixture::new();
    let (path, mut s) = f.demo_study(3);
    s.set_backups_kept(2);
    let dir = backups_dir(&path);
    std::fs::create_dir_all(&dir).unwrap();
    // What a kill during a snapshot left in earlier versions: a 0-byte file and a file with its
    // -journal, both dated in the future so they would sort newest.
    std::fs::write(dir.join("study-29990101T000000.000Z-import.db"), b"").unwrap();
    std::fs::write(
        dir.join("study-29990102T000000.000Z-merge.db"),
        b"SQLite format 3\0",
    )
    .unwrap();
    std::fs::write(
        dir.join("study-29990102T000000.000Z-merge.db-journal"),
        b"x",
    )
    .unwrap();
    let mut taken = Vec::new();
    for i in 0..3 {
        taken.push(s.snapshot(&format!("t{i}")).unwrap());
    }
    let left = backups(&path);
    assert_eq!(
        left,
        taken[1..].to_vec(),
        "the two newest valid snapshots are kept"
    );
    for b in &left {
        let c = rusqlite::Connection::open(b).unwrap();
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok");
    }
}

#[test]
fn exported_ratings_neutralise_formulas_in_every_text_field_and_keep_negative_values() {
    let f = Fixture::new();
    let p = f.path("csv.db");
    let mut s = Study::create(&p).unwrap();
    s.import_ratings(
        &f.write(
            "r.csv",
            "person,context,rater,dimension,value,note\n\
             \"=HYPERLINK(\"\"http://x\"\")\",+ctx,@ana,-mood,-3,\"\n=cmd\"\n\
             p2,c,\"\tbob\",-mood,2,\"\r=1\"\n",
        ),
        &RatingsImportOptions::default(),
    )
    .unwrap();
    let mut out = Vec::new();
    s.export_ratings(
        &mut out,
        RatingsExportOptions {
            provenance: true,
            include_adjudicated: false,
            labels: false,
        },
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(out.as_slice());
    let header = rdr.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    for rec in &rows {
        for (name, cell) in header.iter().zip(rec.iter()) {
            if name == "value" || cell.is_empty() {
                continue;
            }
            if matches!(name, "person" | "context" | "rater" | "dimension" | "note") {
                let first = cell.chars().next().unwrap();
                assert!(
                    !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r' | '\n') || first == '\'',
                    "unneutralised {name}: {cell:?}"
                );
            }
        }
    }
    assert_eq!(&rows[0][0], "'=HYPERLINK(\"http://x\")");
    assert_eq!(&rows[0][4], "-3", "a negative value stays a number");
}

#[test]
fn reserved_rater_names_are_refused_for_annotators() {
    let f = Fixture::new();
    let (_, mut s) = f.demo_study(3);
    for name in ["(none)", "adjudicated", "Adjudicated"] {
        let err = s
            .design_assignments(&DesignParams {
                pool: vec![name.into(), "ana".into()],
                k: 1,
                extra_percent: 0.0,
                seed: 1,
                allow_same_person_in_a_row: false,
            })
            .expect_err("reserved name");
        assert!(err.to_string().contains("reserved"), "{err}");
        let err = s
            .ensure_rater(name, RaterKind::Human)
            .expect_err("reserved name");
        assert!(err.to_string().contains("reserved"), "{err}");
    }
    assert!(
        s.raters().unwrap().is_empty(),
        "no rater was created by a refused design"
    );
}
