//! SIGKILL during an import, a package merge and the snapshot each takes (issue #11, item 25;
//! rating writes are killed in `study_cli.rs`). After every kill the study passes
//! `PRAGMA integrity_check`, holds all of the bulk change or none of it, and its backups folder
//! holds only complete snapshots; the same command run again then succeeds.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chameleon"))
}

fn ok(args: &[&str]) {
    let out = bin().args(args).output().expect("run chameleon");
    assert!(
        out.status.success(),
        "chameleon {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn count(study: &Path, sql: &str) -> i64 {
    let c = rusqlite::Connection::open(study).unwrap();
    let check: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{} after a kill", study.display());
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Every `<stem>-….db` in the backups folder opens as a healthy study and has no `-journal`.
fn assert_backups_complete(dir: &Path, stem: &str) {
    let Ok(entries) = std::fs::read_dir(dir.join("backups")) else {
        return;
    };
    for e in entries {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.starts_with(&format!("{stem}-")) && name.ends_with(".db")) {
            continue;
        }
        let mut journal = p.as_os_str().to_owned();
        journal.push("-journal");
        assert!(
            !Path::new(&journal).exists(),
            "{name} has a -journal: an interrupted snapshot counted as a backup"
        );
        let c =
            rusqlite::Connection::open_with_flags(&p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .unwrap();
        let check: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{name} is not a complete snapshot: {e}"));
        assert_eq!(check, "ok", "{name}");
    }
}

struct Base {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    study: PathBuf,
    ratings: PathBuf,
    package: PathBuf,
}

/// A study with profiles, codebook and two annotators; ana's package, rated through the CLI.
fn base() -> Base {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_owned();
    let files = dir.join("demo");
    ok(&["sample", "demo", s(&files), "--persons", "60"]);
    let study = dir.join("base.db");
    ok(&["study", "new", s(&study)]);
    ok(&[
        "import",
        "profiles",
        s(&study),
        s(&files.join("profiles.jsonl")),
    ]);
    ok(&[
        "import",
        "codebook",
        s(&study),
        s(&files.join("codebook.toml")),
    ]);
    ok(&[
        "assign",
        "design",
        s(&study),
        "--pool",
        "ana,ben",
        "--k",
        "2",
    ]);
    let package = dir.join("ana.chameleon");
    ok(&[
        "package",
        "export",
        s(&study),
        "--rater",
        "ana",
        s(&package),
    ]);
    // 1 is a point of every demo dimension (Likert 1..5, 1..7, nominal 1..5).
    let mut csv = String::from("person,context,rater,dimension,value\n");
    {
        let c = rusqlite::Connection::open(&package).unwrap();
        let mut st = c
            .prepare(
                "SELECT pe.name, cx.name, d.name FROM profile p JOIN person pe ON pe.id = p.person_id
                   JOIN context cx ON cx.id = p.context_id CROSS JOIN dimension d",
            )
            .unwrap();
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .unwrap();
        for row in rows {
            let (p, c, d) = row.unwrap();
            csv.push_str(&format!("{p},{c},ana,{d},1\n"));
        }
    }
    let ana_csv = dir.join("ana.csv");
    std::fs::write(&ana_csv, csv).unwrap();
    ok(&["import", "ratings", s(&package), s(&ana_csv)]);
    Base {
        _tmp: tmp,
        dir,
        study,
        ratings: files.join("ratings.csv"),
        package,
    }
}

/// Runs `args(study)` on fresh copies of the base study, killed after fractions of the time an
/// uninterrupted run takes; checks all-or-nothing with `sql` counting the change.
fn kill_during(b: &Base, what: &str, args: &dyn Fn(&Path) -> Vec<String>, sql: &str) {
    let before = count(&b.study, sql);
    let full = b.dir.join(format!("{what}-full.db"));
    std::fs::copy(&b.study, &full).unwrap();
    let start = Instant::now();
    let status = bin().args(args(&full)).status().unwrap();
    let took = start.elapsed();
    assert!(status.success(), "{what} runs uninterrupted");
    let after = count(&full, sql);
    assert!(
        after > before,
        "{what} changes the study ({before} → {after})"
    );
    let mut killed = 0;
    for (i, frac) in [0.05, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9].iter().enumerate() {
        let stem = format!("{what}-{i}");
        let study = b.dir.join(format!("{stem}.db"));
        std::fs::copy(&b.study, &study).unwrap();
        let mut child = bin()
            .args(args(&study))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(took.mul_f64(*frac));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            killed += 1;
        }
        let exited = child.wait().unwrap().success();
        let n = count(&study, sql);
        if exited {
            assert_eq!(n, after, "{what}: a finished run holds all of it");
        } else {
            assert!(
                n == before || n == after,
                "{what} killed at {frac}: {n} is neither all ({after}) nor none ({before})"
            );
        }
        assert_backups_complete(&b.dir, &stem);
        // The same command again completes, and prunes nothing that is complete.
        let status = bin().args(args(&study)).status().unwrap();
        assert!(status.success(), "{what} runs again after the kill");
        assert_eq!(count(&study, sql), after);
        assert_backups_complete(&b.dir, &stem);
    }
    assert!(
        killed >= 3,
        "{what}: only {killed} run(s) were killed mid-way"
    );
}

#[test]
fn sigkill_during_import_merge_and_their_snapshots_leaves_all_or_nothing() {
    let t = Instant::now();
    let b = base();
    let ratings = b.ratings.clone();
    kill_during(
        &b,
        "import",
        &|study| {
            vec![
                "import".into(),
                "ratings".into(),
                s(study).into(),
                s(&ratings).into(),
            ]
        },
        "SELECT COUNT(*) FROM rating",
    );
    let package = b.package.clone();
    kill_during(
        &b,
        "merge",
        &|study| {
            vec![
                "package".into(),
                "merge".into(),
                s(study).into(),
                s(&package).into(),
            ]
        },
        "SELECT COUNT(*) FROM rating r JOIN rater t ON t.id = r.rater_id WHERE t.name = 'ana'",
    );
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "took {:?}",
        t.elapsed()
    );
}
