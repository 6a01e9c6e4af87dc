//! Bad input through the binary (issue #11, items 8, 10, 12, 13, 16): special files and unknown
//! dimensions exit 2 with a message naming the path and what it is, the OS error said once,
//! nothing written; a file with a huge number of columns gives one short note; an unterminated
//! quote in a profiles CSV names its line and leaves the study byte-identical.
#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary with a deadline: a FIFO or `/dev/zero` read by mistake would hang or eat
/// memory, and a test must fail rather than hang with it.
fn run(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_chameleon"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run chameleon");
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chameleon {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Every file under `dir` with its length and a hash of its bytes: "nothing is written"
/// compared whole.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u64, u64)> {
    use std::hash::{Hash, Hasher};
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let t = entry.file_type().unwrap();
            let summary = if t.is_dir() {
                stack.push(path.clone());
                (0, 0)
            } else if t.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                bytes.hash(&mut h);
                (bytes.len() as u64, h.finish())
            } else {
                // Links, FIFOs: their presence, not their (unreadable) content.
                (u64::MAX, 0)
            };
            out.insert(path, summary);
        }
    }
    out
}

/// Asserts that no file under the snapshot's directory was added, removed or changed.
fn assert_unchanged(before: &BTreeMap<PathBuf, (u64, u64)>, dir: &Path, what: &str) {
    let after = snapshot(dir);
    let changed: Vec<&PathBuf> = before
        .keys()
        .chain(after.keys())
        .filter(|k| before.get(*k) != after.get(*k))
        .collect();
    assert!(
        changed.is_empty(),
        "{what}: written or changed: {changed:?}"
    );
}

const RATINGS: &str = "person,context,rater,dimension,value\n\
                       u1,c1,ana,x,1\nu1,c1,ben,x,2\nu2,c1,ana,x,2\nu2,c1,ben,x,2\n\
                       u3,c2,ana,x,3\nu3,c2,ben,x,3\n";

/// Asserts a refusal: exit 2, `error:` once naming `path` and saying `what`, nothing on stdout.
fn assert_refused(out: &Output, args: &[&str], path: &str, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "chameleon {args:?}: {err}");
    assert!(out.stdout.is_empty(), "chameleon {args:?} printed a result");
    assert_eq!(err.matches("error:").count(), 1, "one error: {err}");
    assert!(err.contains(path), "the message names {path}: {err}");
    assert!(err.contains(what), "the message says '{what}': {err}");
    err
}

#[cfg(unix)]
#[test]
fn special_files_exit_2_saying_what_they_are_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let folder = root.join("folder");
    std::fs::create_dir(&folder).unwrap();
    let (a, b) = (root.join("a"), root.join("b"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let fifo = root.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    assert!(
        made.is_ok_and(|st| st.success()),
        "mkfifo is needed for this test"
    );
    let out_html = root.join("out.html");
    let study = root.join("s.db");
    assert!(run(&["study", "new", s(&study)]).status.success());
    let inputs: [(&Path, &str); 4] = [
        (&folder, "it is a directory, not a regular file"),
        (&a, "a loop of links"),
        (&fifo, "FIFO), not a regular file"),
        (Path::new("/dev/zero"), "it is a device, not a regular file"),
    ];
    let before = snapshot(root);
    for (input, what) in inputs {
        for verb in [
            vec!["agreement", s(input)],
            vec!["agreement", s(input), "--json"],
            vec!["decompose", s(input), "--json"],
            vec!["report", s(input), s(&out_html)],
            vec!["import", "ratings", s(&study), s(input)],
            vec!["import", "profiles", s(&study), s(input)],
            vec!["import", "codebook", s(&study), s(input)],
            // The study path itself: "no such study" would be wrong for what is there.
            vec!["import", "ratings", s(input), s(&study)],
            vec!["info", s(input)],
        ] {
            let err = assert_refused(&run(&verb), &verb, s(input), what);
            assert!(
                !err.contains("no such file"),
                "a loop of links is not a missing file: {err}"
            );
            // The OS error text (e.g. "Too many levels of symbolic links (os error 40)") once.
            assert!(
                err.matches("(os error").count() <= 1,
                "OS error twice: {err}"
            );
            assert!(!out_html.exists(), "{verb:?} wrote a report");
        }
    }
    assert_unchanged(&before, root, "nothing written anywhere");
}

#[test]
fn an_unknown_dimension_exits_2_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let csv = root.join("ratings.csv");
    std::fs::write(&csv, RATINGS).unwrap();
    let study = root.join("s.db");
    let ok = run(&["study", "new", s(&study)]);
    assert!(ok.status.success(), "{ok:?}");
    let ok = run(&["import", "ratings", s(&study), s(&csv)]);
    assert!(ok.status.success(), "{ok:?}");
    // A read-only open of a study in WAL mode makes SQLite create an empty `-wal` and a
    // `-shm` beside it (its own bookkeeping, not data); one good run first, so what follows
    // compares the files a refusal could touch.
    let ok = run(&["agreement", s(&study), "--json"]);
    assert!(ok.status.success(), "{ok:?}");
    let out_html = root.join("out.html");
    let before = snapshot(root);
    for input in [&csv, &study] {
        for verb in [
            vec!["agreement", s(input), "--dimension", "nosuch"],
            vec!["decompose", s(input), "--dimension", "nosuch", "--json"],
            vec!["report", s(input), s(&out_html), "--dimension", "nosuch"],
        ] {
            let out = run(&verb);
            let name = input.file_name().unwrap().to_str().unwrap();
            assert_refused(&out, &verb, name, "no dimension named 'nosuch'");
            assert!(!out_html.exists(), "{verb:?} wrote a report");
        }
    }
    assert_unchanged(&before, root, "nothing written anywhere");
}

#[test]
fn a_missing_file_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.csv");
    let args = ["agreement", s(&missing)];
    let err = assert_refused(&run(&args), &args, s(&missing), "no such file");
    assert_eq!(err.matches("no such file").count(), 1, "{err}");
    assert!(!err.contains("os error 2"), "said in words, once: {err}");
}

#[test]
fn a_hundred_thousand_extra_columns_make_one_short_note() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("wide.csv");
    let extra = 100_000;
    let mut text = String::from("person,context,rater,dimension,value");
    for i in 0..extra {
        text.push_str(&format!(",extra_column_{i}"));
    }
    text.push('\n');
    for line in RATINGS.lines().skip(1) {
        text.push_str(line);
        text.push_str(&",1".repeat(extra));
        text.push('\n');
    }
    std::fs::write(&csv, text).unwrap();
    let out = run(&["agreement", s(&csv), "--json"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.len() < 2000,
        "stderr is {} bytes: {}",
        err.len(),
        &err[..err.len().min(2000)]
    );
    assert!(
        err.contains("100000 unknown columns") && err.contains("and 99995 more"),
        "one summarised note: {err}"
    );

    // The same file into a study: one note there too.
    let study = dir.path().join("s.db");
    assert!(run(&["study", "new", s(&study)]).status.success());
    let out = run(&["import", "ratings", s(&study), s(&csv)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.len() < 2000, "stderr is {} bytes", err.len());
    assert_eq!(err.matches("unknown column").count(), 1, "{err}");
}

#[test]
fn a_huge_bad_value_is_quoted_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("big.csv");
    let field = "z".repeat(1_000_000);
    std::fs::write(
        &csv,
        format!("person,context,rater,dimension,value\nu1,c1,ana,x,1\nu1,c1,ben,x,{field}\n"),
    )
    .unwrap();
    let args = ["agreement", s(&csv)];
    let out = run(&args);
    let err = assert_refused(&out, &args, "line 3", "expected a number");
    assert!(err.len() < 2000, "stderr is {} bytes", err.len());
    assert!(err.contains(&format!("'{}…'", "z".repeat(200))), "{err}");
}

#[test]
fn an_unterminated_quote_in_profiles_names_its_line_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let study = root.join("s.db");
    assert!(run(&["study", "new", s(&study)]).status.success());
    let cases = [
        (
            "open.csv",
            "person,context,text\nu1,c1,\"hello\nu2,c1,world\nu3,c1,again\n",
            "never closed",
        ),
        (
            "stray.csv",
            "person,context,text\nu0\"01,c1,hello\nu2,c1,world\n",
            "a quote inside a field",
        ),
    ];
    for (name, text, what) in cases {
        let csv = root.join(name);
        std::fs::write(&csv, text).unwrap();
        let before = snapshot(root);
        let args = ["import", "profiles", s(&study), s(&csv)];
        let out = run(&args);
        let err = assert_refused(&out, &args, name, what);
        assert!(err.contains("line 2"), "names the line of the quote: {err}");
        assert_unchanged(&before, root, name);
    }
}

#[test]
fn a_likert_scale_too_wide_and_provenance_out_of_range_exit_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let study = root.join("s.db");
    assert!(run(&["study", "new", s(&study)]).status.success());
    let codebook = root.join("cb.toml");
    std::fs::write(
        &codebook,
        "name = \"x\"\n[[dimensions]]\nname = \"x\"\n\
         scale = { type = \"likert\", min = -9223372036854775808, max = 5 }\n",
    )
    .unwrap();
    let ratings = root.join("r.csv");
    std::fs::write(
        &ratings,
        "person,context,rater,dimension,value,confidence,seconds_spent\n\
         u1,c1,ana,x,1,7,3\nu1,c1,ben,x,2,0.5,-5\n",
    )
    .unwrap();
    let before = snapshot(root);
    let args = ["import", "codebook", s(&study), s(&codebook)];
    let err = assert_refused(&run(&args), &args, "line 4", "at most 101 points");
    assert!(!err.contains("overflow"), "{err}");
    let args = ["import", "ratings", s(&study), s(&ratings)];
    let err = assert_refused(
        &run(&args),
        &args,
        "line 2, column 'confidence'",
        "between 0 and 1, got 7",
    );
    assert!(
        err.contains("line 3, column 'seconds_spent'") && err.contains("0 or more, got -5"),
        "{err}"
    );
    assert_unchanged(&before, root, "refused imports");
}
