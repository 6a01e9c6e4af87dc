//! The offline team workflow end to end on real files: design → packages → annotate → merge →
//! agreement (issue #7).

use crate::util::{dump, Fixture};
use chameleon_core::analysis::agreement::{agreement, AgreementOptions};
use chameleon_core::assign::DesignParams;
use chameleon_core::export::RatingsExportOptions;
use chameleon_core::model::RaterKind;
use chameleon_core::sample::SampleRng;
use chameleon_core::store::RatingInput;
use chameleon_core::{CoreError, RatingsImportOptions, Study};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub(crate) const POOL: [&str; 4] = ["dev1", "dev2", "dev3", "dev4"];

pub(crate) struct Team {
    pub(crate) f: Fixture,
    pub(crate) study: PathBuf,
    pub(crate) packages: Vec<PathBuf>,
}

pub(crate) fn team() -> Team {
    let f = Fixture::new();
    let files = chameleon_core::sample::demo(11, 20);
    let study = f.path("team.db");
    let mut s = Study::create(&study).unwrap();
    s.import_profiles(&f.write("profiles.jsonl", &files.profiles_jsonl))
        .unwrap();
    s.import_codebook(&f.write("codebook.toml", &files.codebook_toml))
        .unwrap();
    // Earlier ratings by another rater, which no package may carry.
    s.import_ratings(
        &f.write("model.csv", &files.model_ratings_csv),
        &RatingsImportOptions {
            rater_kind: RaterKind::Model,
        },
    )
    .unwrap();
    assert_eq!(s.last_design().unwrap(), None, "no design yet");
    let rows = s
        .design_assignments(&DesignParams {
            pool: POOL.iter().map(|s| s.to_string()).collect(),
            k: 2,
            extra_percent: 20.0,
            seed: 5,
            allow_same_person_in_a_row: false,
        })
        .unwrap();
    assert_eq!(
        s.last_design()
            .unwrap()
            .map(|d| (d.k, d.extra_percent, d.seed)),
        Some((2, 20.0, 5)),
        "the design's parameters are kept in the study"
    );
    let assigned: i64 = rows.iter().map(|r| r.assigned).sum();
    assert_eq!(
        assigned,
        60 * 2 + 12,
        "60 profiles × 2, plus 20% (12) triple-coded"
    );
    let packages = POOL
        .iter()
        .map(|r| {
            let out = f.path(&format!("{r}.chameleon"));
            s.export_package(r, &out).unwrap();
            out
        })
        .collect();
    Team { f, study, packages }
}

/// Rates every assigned profile of a package through `core`, as the app would.
pub(crate) fn annotate(package: &Path, seed: u64, skip_every: usize) -> usize {
    let mut s = Study::open(package).unwrap();
    let info = s.package_info().unwrap().expect("a package");
    assert_eq!(
        info.study_name.as_deref(),
        Some("team"),
        "a package names the study it came from"
    );
    let rater = s.rater(&info.rater).unwrap().unwrap();
    let cb = s.codebook().unwrap().unwrap();
    let mut rng = SampleRng::new(seed);
    let mut n = 0;
    for (i, q) in s.queue(rater.id).unwrap().into_iter().enumerate() {
        if skip_every > 0 && i % skip_every == 0 {
            continue;
        }
        for d in &cb.dimensions {
            let cats = d.scale.categories().unwrap();
            let v = cats[(q.profile_id as usize * 7 + rng.below(2)) % cats.len()];
            s.save_rating(&RatingInput {
                profile_id: q.profile_id,
                dimension: d.name.clone(),
                rater_id: rater.id,
                value: Some(v),
                seconds_spent: Some(3.0),
                note: None,
                confidence: None,
            })
            .unwrap();
            n += 1;
        }
    }
    n
}

fn count(path: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn simulated_team_round_trip() {
    let t = team();
    // Blindness, checked with plain SQL on each package file.
    for (p, name) in t.packages.iter().zip(POOL) {
        assert_eq!(
            count(p, "SELECT COUNT(*) FROM rater"),
            1,
            "{name}'s package holds only its rater"
        );
        assert_eq!(
            count(p, &format!("SELECT COUNT(*) FROM rating r JOIN rater t ON t.id = r.rater_id WHERE t.name <> '{name}'")),
            0,
            "{name}'s package must not contain other raters' ratings"
        );
        assert_eq!(
            count(p, "SELECT COUNT(*) FROM rating"),
            0,
            "no earlier ratings by {name}"
        );
        let profiles = count(p, "SELECT COUNT(*) FROM profile");
        assert_eq!(
            profiles,
            count(p, "SELECT COUNT(*) FROM assignment"),
            "only assigned profiles travel"
        );
    }
    let written: Vec<usize> = t
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| annotate(p, i as u64, if i == 3 { 4 } else { 0 }))
        .collect();

    let mut s = Study::open(&t.study).unwrap();
    let model_ratings = s.info().unwrap().ratings as usize;
    for (p, n) in t.packages.iter().zip(&written) {
        let r = s.merge_package(p).unwrap();
        assert_eq!(r.refused, None, "{r}");
        assert_eq!((r.added, r.updated), (*n, 0), "{r}");
    }
    assert_eq!(
        s.info().unwrap().ratings as usize,
        model_ratings + written.iter().sum::<usize>()
    );
    let table = s.assignment_table().unwrap();
    assert!(
        table.iter().take(3).all(|r| r.done == r.assigned),
        "{table:?}"
    );
    assert!(
        table[3].done < table[3].assigned,
        "dev4 skipped some profiles"
    );

    // Merging a package again changes nothing.
    drop(s);
    let before = dump(&t.study);
    let mut s = Study::open(&t.study).unwrap();
    let again = s.merge_package(&t.packages[0]).unwrap();
    assert_eq!(
        (again.added, again.updated, again.unchanged),
        (0, 0, written[0]),
        "{again}"
    );
    drop(s);
    assert_eq!(
        before,
        dump(&t.study),
        "merging the same package twice changes nothing"
    );

    // Agreement on the merged study equals agreement on the concatenated ratings CSV.
    let mut csv = std::fs::read_to_string(t.f.path("model.csv")).unwrap();
    for p in &t.packages {
        let mut out = Vec::new();
        Study::open_read_only(p)
            .unwrap()
            .export_ratings(&mut out, RatingsExportOptions::default())
            .unwrap();
        let text = String::from_utf8(out).unwrap();
        csv.push_str(text.split_once('\n').unwrap().1);
    }
    let concat = t.f.write("all.csv", csv.replace("\r\n", "\n"));
    // The CSV carries no codebook: give its dimensions the study's scales and levels.
    let mut csv_ds = chameleon_core::analysis::input::load_dataset(&concat).unwrap();
    let cb = Study::open_read_only(&t.study)
        .unwrap()
        .codebook()
        .unwrap()
        .unwrap();
    for d in &mut csv_ds.dimensions {
        let def = cb.dimensions.iter().find(|x| x.name == d.name).unwrap();
        d.scale = Some(def.scale.clone());
        d.level = Some(def.level());
    }
    let from_csv = agreement(&csv_ds, &AgreementOptions::default());
    let from_study = agreement(
        &Study::open_read_only(&t.study).unwrap().dataset().unwrap(),
        &AgreementOptions::default(),
    );
    let a = serde_json::to_value(&from_csv.report).unwrap();
    let b = serde_json::to_value(&from_study.report).unwrap();
    let dims_a = a["dimensions"].as_array().unwrap();
    let dims_b = b["dimensions"].as_array().unwrap();
    assert_eq!(dims_a.len(), dims_b.len());
    for (x, y) in dims_a.iter().zip(dims_b) {
        for key in ["units", "raters", "ratings"] {
            assert_eq!(x[key], y[key], "{key} of {}", x["dimension"]);
        }
        for level in ["nominal", "ordinal", "interval", "ratio"] {
            close(
                &x["alpha"][level],
                &y["alpha"][level],
                &format!("alpha {level} of {}", x["dimension"]),
            );
        }
        close(&x["fleiss_kappa"], &y["fleiss_kappa"], "fleiss");
        for form in ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"] {
            close(&x["icc"][form], &y["icc"][form], form);
        }
    }

    // The audit trail has the imports, the design, the exports and the merges.
    let log = Study::open_read_only(&t.study)
        .unwrap()
        .audit_log()
        .unwrap();
    for action in [
        "import-profiles",
        "import-codebook",
        "import-ratings",
        "assign",
        "package-export",
        "package-merge",
    ] {
        assert!(
            log.iter().any(|e| e.action == action),
            "audit trail lacks {action}"
        );
    }
    assert_eq!(
        log.iter().filter(|e| e.action == "package-merge").count(),
        4,
        "an idle re-merge is not logged"
    );
    let c = rusqlite::Connection::open(&t.study).unwrap();
    assert!(
        c.execute("DELETE FROM audit_log", []).is_err(),
        "the audit log is append-only"
    );
    // Snapshots were taken before imports and merges, and pruned to the newest ten.
    let backups = || {
        std::fs::read_dir(chameleon_core::store::backups_dir(&t.study))
            .unwrap()
            .count()
    };
    assert_eq!(
        backups(),
        3 + 5,
        "one snapshot before each of 3 imports and 5 merges"
    );
    let mut s = Study::open(&t.study).unwrap();
    s.set_backups_kept(2);
    s.snapshot("manual").unwrap();
    assert_eq!(backups(), 2, "backups are pruned to the newest N");
}

fn close(a: &serde_json::Value, b: &serde_json::Value, what: &str) {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 1e-9 * y.abs().max(1.0),
            "{what}: {x} vs {y}"
        ),
        _ => assert_eq!(a, b, "{what}"),
    }
}

#[test]
fn a_newer_edit_in_the_package_wins_and_the_old_value_stays_in_history() {
    let t = team();
    annotate(&t.packages[1], 1, 0);
    let mut s = Study::open(&t.study).unwrap();
    s.merge_package(&t.packages[1]).unwrap();
    // The annotator changes one rating later on.
    let mut pkg = Study::open(&t.packages[1]).unwrap();
    pkg.set_clock(Arc::new(|| 4_102_444_800_000)); // 2100-01-01
    let rater = pkg.rater("dev2").unwrap().unwrap();
    let first = pkg.queue(rater.id).unwrap()[0].profile_id;
    let old = pkg.ratings_of(first, rater.id).unwrap()[0].clone();
    let new_value = if old.value == 1.0 { 2.0 } else { 1.0 };
    pkg.save_rating(&RatingInput {
        profile_id: first,
        dimension: old.dimension.clone(),
        rater_id: rater.id,
        value: Some(new_value),
        seconds_spent: None,
        note: None,
        confidence: None,
    })
    .unwrap();
    drop(pkg);
    // Merged the next day (a rating dated after "now" would be refused).
    s.set_clock(Arc::new(|| 4_102_444_800_000 + 86_400_000));
    let r = s.merge_package(&t.packages[1]).unwrap();
    assert_eq!((r.added, r.updated), (0, 1), "{r}");
    let study_rater = s.rater("dev2").unwrap().unwrap();
    let now = s.ratings_of(first, study_rater.id).unwrap();
    assert_eq!(
        now.iter()
            .find(|x| x.dimension == old.dimension)
            .unwrap()
            .value,
        new_value,
        "newer value wins"
    );
    let h = s.history(first, &old.dimension, study_rater.id).unwrap();
    assert_eq!(
        h.last().unwrap().old_value,
        Some(old.value),
        "the older value stays in history"
    );
}

#[test]
fn a_newer_rating_in_the_study_is_kept_over_an_older_package_edit() {
    const DAY: i64 = 86_400_000;
    const Y2100: i64 = 4_102_444_800_000;
    let t = team();
    annotate(&t.packages[1], 1, 0);
    let mut s = Study::open(&t.study).unwrap();
    s.merge_package(&t.packages[1]).unwrap();
    let mut pkg = Study::open(&t.packages[1]).unwrap();
    pkg.set_clock(Arc::new(|| Y2100));
    let rater = pkg.rater("dev2").unwrap().unwrap();
    let first = pkg.queue(rater.id).unwrap()[0].profile_id;
    let old = pkg.ratings_of(first, rater.id).unwrap()[0].clone();
    let edit = |profile_id, rater_id, value| RatingInput {
        profile_id,
        dimension: old.dimension.clone(),
        rater_id,
        value: Some(value),
        seconds_spent: None,
        note: None,
        confidence: None,
    };
    let in_package = if old.value == 1.0 { 2.0 } else { 1.0 };
    pkg.save_rating(&edit(first, rater.id, in_package)).unwrap();
    drop(pkg);
    // The same rating is changed in the study a day after the package's edit.
    let study_rater = s.rater("dev2").unwrap().unwrap();
    let in_study = if old.value == 5.0 { 4.0 } else { 5.0 };
    s.set_clock(Arc::new(|| Y2100 + DAY));
    s.save_rating(&edit(first, study_rater.id, in_study))
        .unwrap();
    s.set_clock(Arc::new(|| Y2100 + 2 * DAY));
    let r = s.merge_package(&t.packages[1]).unwrap();
    assert_eq!((r.added, r.updated, r.kept_newer), (0, 0, 1), "{r}");
    let now = s.ratings_of(first, study_rater.id).unwrap();
    let kept = now.iter().find(|x| x.dimension == old.dimension).unwrap();
    assert_eq!(
        kept.value, in_study,
        "the newer change, the study's, is kept"
    );
}

fn refusal(r: chameleon_core::Result<chameleon_core::store::MergeReport>) -> String {
    r.unwrap().refused.expect("the package must be refused")
}

#[test]
fn wrong_tampered_truncated_and_unassigned_packages_are_refused() {
    let t = team();
    annotate(&t.packages[0], 3, 0);
    let before = dump(&t.study);
    let mut s = Study::open(&t.study).unwrap();

    // From another study.
    let other = team();
    let why = refusal(s.merge_package(&other.packages[0]));
    assert!(why.contains("another study"), "{why}");

    // Tampered material.
    let tampered = t.f.path("tampered.chameleon");
    std::fs::copy(&t.packages[0], &tampered).unwrap();
    rusqlite::Connection::open(&tampered)
        .unwrap()
        .execute(
            "UPDATE profile_text SET body = 'edited' WHERE id = (SELECT MIN(id) FROM profile_text)",
            [],
        )
        .unwrap();
    let why = refusal(s.merge_package(&tampered));
    assert!(why.contains("tampered"), "{why}");

    // A rating for a profile not assigned to this annotator (foreign keys are off in plain SQL).
    let sneaky = t.f.path("sneaky.chameleon");
    std::fs::copy(&t.packages[0], &sneaky).unwrap();
    let c = rusqlite::Connection::open(&sneaky).unwrap();
    c.pragma_update(None, "foreign_keys", false).unwrap();
    let rid: i64 = c
        .query_row("SELECT id FROM rater", [], |r| r.get(0))
        .unwrap();
    let unassigned: i64 = rusqlite::Connection::open(&t.study)
        .unwrap()
        .query_row(
            "SELECT MIN(id) FROM profile WHERE id NOT IN (SELECT profile_id FROM assignment WHERE rater_id = ?1)",
            [rid],
            |r| r.get(0),
        )
        .unwrap();
    c.execute(
        "INSERT INTO rating (profile_id, dimension_id, rater_id, value, created_at, updated_at, codebook_version)
         VALUES (?1, 1, ?2, 3, 0, 0, 1)",
        [unassigned, rid],
    )
    .unwrap();
    drop(c);
    let why = refusal(s.merge_package(&sneaky));
    assert!(why.contains("not assigned"), "{why}");

    // Truncated file.
    let truncated = t.f.path("truncated.chameleon");
    let bytes = std::fs::read(&t.packages[0]).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    let why = refusal(s.merge_package(&truncated));
    assert!(
        why.contains("damaged") || why.contains("truncated") || why.contains("not a"),
        "{why}"
    );

    drop(s);
    assert_eq!(before, dump(&t.study), "refused packages change nothing");

    // Into a study opened read-only.
    let mut ro = Study::open_read_only(&t.study).unwrap();
    let err = ro
        .merge_package(&t.packages[0])
        .expect_err("read-only study");
    assert!(matches!(err, CoreError::ReadOnly { .. }), "{err}");
}

#[test]
fn cant_judge_and_gold_marks_survive_export_and_merge() {
    let t = team();
    let mut s = Study::open(&t.study).unwrap();
    let dev1 = s.rater("dev1").unwrap().unwrap();
    let queue = s.queue(dev1.id).unwrap();
    let (a, b, c) = (
        queue[0].profile_id,
        queue[1].profile_id,
        queue[2].profile_id,
    );
    let dim = s.codebook().unwrap().unwrap().dimensions[0].clone();
    let known = dim.scale.categories().unwrap()[0];
    s.set_gold(a, &dim.name, known, chameleon_core::store::GoldKind::Gold)
        .unwrap();
    // A package exported after the mark: the known values stay in the study (the annotator
    // can read the package file, so an answer in it would unblind the check).
    let package = t.f.path("dev1-gold.chameleon");
    s.export_package("dev1", &package).unwrap();
    assert_eq!(count(&package, "SELECT COUNT(*) FROM gold_value"), 0);

    let mut pkg = Study::open(&package).unwrap();
    let rater = pkg.rater("dev1").unwrap().unwrap();
    let rate = |pkg: &mut Study, p: i64, v: f64| {
        pkg.save_rating(&RatingInput {
            profile_id: p,
            dimension: dim.name.clone(),
            rater_id: rater.id,
            value: Some(v),
            seconds_spent: None,
            note: None,
            confidence: None,
        })
        .unwrap();
    };
    rate(&mut pkg, a, known);
    rate(&mut pkg, c, known);
    pkg.save_cant_judge(b, &dim.name, rater.id, Some(4.0))
        .unwrap();
    drop(pkg);
    let r = s.merge_package(&package).unwrap();
    assert_eq!((r.added, r.updated), (3, 0), "{r}");
    assert_eq!(s.cant_judge_of(b, dev1.id).unwrap(), vec![dim.name.clone()]);
    assert!(s
        .ratings_of(b, dev1.id)
        .unwrap()
        .iter()
        .all(|x| x.dimension != dim.name));
    // The study's gold mark is kept, and the merged rating counts for accuracy only.
    assert_eq!(s.gold_count().unwrap(), 1);
    let acc = s.gold_accuracy().unwrap();
    let mine = acc.iter().find(|x| x.rater == "dev1").unwrap();
    assert_eq!((mine.rated, mine.exact), (1, 1));
    let ds = s.dataset().unwrap();
    assert_eq!(ds.known_left_out.gold.len(), 1);
    assert_eq!(ds.dimension(&dim.name).unwrap().cant_judge, 1);
    // The same package again: nothing changes.
    let again = s.merge_package(&package).unwrap();
    assert_eq!(
        (again.added, again.updated, again.unchanged),
        (0, 0, 3),
        "{again}"
    );

    // Later the annotator changes their mind: the value on c becomes "can't judge".
    let mut pkg = Study::open(&package).unwrap();
    pkg.set_clock(Arc::new(|| 4_102_444_800_000)); // 2100-01-01
    pkg.save_cant_judge(c, &dim.name, rater.id, None).unwrap();
    drop(pkg);
    s.set_clock(Arc::new(|| 4_102_444_800_000 + 86_400_000));
    let r = s.merge_package(&package).unwrap();
    assert_eq!((r.added, r.updated), (0, 1), "{r}");
    assert_eq!(s.cant_judge_of(c, dev1.id).unwrap(), vec![dim.name.clone()]);
    assert_eq!(
        s.dataset()
            .unwrap()
            .dimension(&dim.name)
            .unwrap()
            .cant_judge,
        2
    );
    let h = s.history(c, &dim.name, dev1.id).unwrap();
    assert_eq!(
        h.last().unwrap().old_value,
        Some(known),
        "the value stays in history"
    );
}
