//! Issue #11 item 24: a bounded fuzz harness run by `cargo test`. Hostile bytes, built from a
//! grammar of valid rows and their mutations, go through the ratings, profiles and codebook
//! readers, and tampered packages through merge. No input may panic; every refusal is a typed
//! error whose lines lie in the file, or a merge report that leaves the study untouched.
//!
//! `CHAMELEON_FUZZ_SCALE=N` runs N times the default cases of each property (the defaults keep
//! the module to seconds in a debug build). Failures are not persisted into the repository: proptest prints
//! the shrunk input, which belongs in a regression test next to the fix.

use crate::team::{annotate, team, Team};
use crate::util::{dump, Fixture};
use chameleon_core::import::parse_profiles;
use chameleon_core::model::Scale;
use chameleon_core::{tidy, CoreError, RowError, Study};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::path::Path;
use std::sync::OnceLock;

/// `default_cases` cases, times `CHAMELEON_FUZZ_SCALE` when set (`=100` for a long local
/// run): one knob for properties whose cases cost from microseconds to half a second.
fn config(default_cases: u32) -> Config {
    let scale = std::env::var("CHAMELEON_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse::<u32>().ok())
        .unwrap_or(1);
    Config {
        cases: default_cases.saturating_mul(scale),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Lines of a file as a reader counts them: a line end is `\n`, `\r\n` or a lone `\r`.
fn line_count(bytes: &[u8]) -> u64 {
    let mut n = 1;
    for (i, &c) in bytes.iter().enumerate() {
        if c == b'\n' || (c == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
            n += 1;
        }
    }
    n
}

/// Any error is typed (the reader returned rather than panicked); line-numbered problems
/// must name lines of the file, and there must be at least one.
fn check_error(e: &CoreError, bytes: &[u8]) -> Result<(), TestCaseError> {
    if let CoreError::Input { errors, .. } = e {
        prop_assert!(!errors.is_empty(), "an input error without problems");
        let lines = line_count(bytes);
        for RowError { line, message, .. } in errors {
            // "No ratings" / "no profiles" names the line where the first row would be: one
            // past the end of a file that is a header alone, and then the only problem.
            let past_end = *line == lines + 1 && errors.len() == 1;
            prop_assert!(
                (1..=lines).contains(line) || past_end,
                "line {line} of a file of {lines} lines: {message}"
            );
            prop_assert!(message.chars().count() <= 1000, "message not bounded");
        }
    }
    Ok(())
}

/// How many inputs of one property were read and how many refused: both must occur, or
/// the grammar has drifted away from what the reader takes.
#[derive(Default)]
struct Tally {
    read: std::sync::atomic::AtomicUsize,
    refused: std::sync::atomic::AtomicUsize,
}

impl Tally {
    fn count<T, E>(&self, r: &Result<T, E>) {
        let n = if r.is_ok() { &self.read } else { &self.refused };
        n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    fn both_seen(&self, what: &str) {
        let read = self.read.load(std::sync::atomic::Ordering::Relaxed);
        let refused = self.refused.load(std::sync::atomic::Ordering::Relaxed);
        eprintln!("{what} fuzz: {read} read, {refused} refused");
        assert!(
            read > 0 && refused > 0,
            "{what}: {read} read, {refused} refused"
        );
    }
}

// ---------------------------------------------------------------- ratings CSV

const RATING_HEADERS: &[&str] = &[
    "person,context,rater,dimension,value",
    "Person,Context,Rater,Dimension,Value,created_at,seconds_spent,note,confidence",
    "unit,rater,value",
    "person,context,value",
    "person,context,rater,dimension,value,value",
    "person,person,context,value",
    "person,context,rater,dimension",
    "\"person\",context,\"rater\",dimension,value,comment",
    "",
    "a,b,c",
];

const RATING_ROWS: &[&str] = &[
    "u001,r/gaming,zoe,openness,3",
    "u001,r/gaming,zoe,mood,NA",
    "u002,r/gaming,ann,openness,",
    "u002,r/gaming,ann,mood,4,2025-01-02T03:04:05Z,12.5,\"a, note\",0.5",
    "u003,c,bob,dominant_emotion,Joy",
    "u003,c,bob,dominant_emotion, anger ",
    "u003,c,bob,x,1e999",
    "u003,c,bob,x,-9223372036854775808",
    "u003,c,bob,x,9223372036854775807",
    "u003,c,bob,x,NaN",
    "u003,c,bob,x,-inf",
    "u003,c,bob,x,0x10",
    "u0\"01,c,a,1",
    "u001,\"ask\nreddit\",zoe,openness,2",
    "u001,r/gaming,zoe,mood,3,\"oops",
    "u001,r/gaming,zoe,mood,3,\"\"quoted\"\"",
    "u004,c,,mood,2",
    "u004,c",
    "u004,c,zoe,mood,2,1,2,3,4,5,6,7,8",
    "u005,c,zoe,mood,2,99999999999999999999,-5,x,7",
    ",,,,",
    "=cmd(),c,zoe,mood,1",
    "u006,c,zoe,mood,1,1970-01-01,1e308,n,-0",
];

/// One mutation of the bytes of a file.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(usize, u8),
    Delete(usize),
    Duplicate(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let byte = prop_oneof![
        Just(b'"'),
        Just(b','),
        Just(b'\n'),
        Just(b'\r'),
        Just(0u8),
        Just(0xffu8),
        Just(0xc3u8),
        Just(b' '),
        any::<u8>(),
    ];
    prop_oneof![
        (any::<usize>(), byte).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), 1..40usize).prop_map(|(i, n)| Mutation::Duplicate(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % (len + 1) };
        match *m {
            Mutation::Insert(i, b) => {
                let i = at(i, bytes.len());
                bytes.insert(i, b);
            }
            Mutation::Delete(i) if !bytes.is_empty() => {
                let i = i % bytes.len();
                bytes.remove(i);
            }
            Mutation::Duplicate(i, n) if !bytes.is_empty() => {
                let i = i % bytes.len();
                let piece: Vec<u8> = bytes[i..(i + n).min(bytes.len())].to_vec();
                bytes.splice(i..i, piece);
            }
            _ => {}
        }
    }
    bytes
}

/// A file from the grammar: an optional BOM, a header, rows, each line ended by its own
/// line end, then a few byte mutations. Half of the files are the first header and its
/// `n_valid` valid rows, each of its own person, untouched: the readers' answers to good input
/// are checked too, not only their refusals.
fn grammar_file(
    headers: &'static [&'static str],
    rows: &'static [&'static str],
    n_valid: usize,
) -> impl Strategy<Value = Vec<u8>> {
    let end = prop_oneof![
        4 => Just("\n"),
        2 => Just("\r\n"),
        1 => Just("\r"),
        1 => Just("\n\n"),
    ];
    let valid = (
        any::<bool>(),
        Just(0),
        prop::collection::vec((0..n_valid, prop_oneof![Just("\n"), Just("\r\n")]), 1..25),
        Just(true),
        Just(vec![]),
    );
    let hostile = (
        any::<bool>(),
        0..headers.len(),
        prop::collection::vec((0..rows.len(), end), 0..25),
        any::<bool>(),
        prop::collection::vec(mutation(), 0..4),
    );
    prop_oneof![valid, hostile].prop_map(move |(bom, h, body, own_person, mutations)| {
        let mut s = if bom {
            "\u{feff}".to_string()
        } else {
            String::new()
        };
        s.push_str(headers[h]);
        for (i, (r, end)) in body.into_iter().enumerate() {
            // A line end before each row: a row without one runs into the next.
            s.push_str(end);
            if own_person && !rows[r].starts_with('{') {
                s.push_str(&format!("p{i}"));
            }
            s.push_str(rows[r]);
        }
        apply(s.into_bytes(), &mutations)
    })
}

/// The ratings reader's properties on one input: typed errors with lines in the file, and
/// the same answer twice, both as rows and as the analysis snapshot.
fn ratings_hold(f: &Fixture, tally: &Tally, bytes: &[u8]) -> Result<(), TestCaseError> {
    let first = tidy::parse("f.csv", bytes);
    tally.count(&first);
    match &first {
        Ok(_) => {
            let again = tidy::parse("f.csv", bytes);
            prop_assert_eq!(format!("{first:?}"), format!("{again:?}"));
        }
        Err(e) => check_error(e, bytes)?,
    }
    let path = f.write("f.csv", bytes);
    let ds = tidy::read_dataset(&path);
    match &ds {
        Ok(_) => {
            prop_assert!(first.is_ok(), "the snapshot read what the rows refused");
            let again = tidy::read_dataset(&path);
            prop_assert_eq!(format!("{ds:?}"), format!("{again:?}"));
        }
        Err(e) => check_error(e, bytes)?,
    }
    Ok(())
}

/// The crash inputs of issue #11 (items 8, 10, 11, 14, 18), run before the generated ones.
const RATINGS_SEEDS: &[&[u8]] = &[
    b"person,context,rater,dimension,value\nu001,c,zoe,x,-9223372036854775808\nu002,c,zoe,x,9223372036854775807\n",
    b"person,context,rater,dimension,value,note\nu001,r/gaming,zoe,openness,3,fine\nu001,r/gaming,zoe,mood,3,\"oops\nu002,r/gaming,zoe,openness,4,x\n",
    b"person,context,rater,value\nu0\"01,c,a,1\nu2,c,a,2\n",
    b"person,context,rater,value,value\nu1,c,a,1,2\n",
    b"Person,context,PERSON,value\nu1,c,u2,1\n",
    b"person,context,rater,dimension,value\nu001,r/gaming,zoe,dominant_emotion,Joy\nu001,r/gaming,ann,dominant_emotion, anger \nu001,r/gaming,bob,dominant_emotion,2\nu001,r/gaming,bob,openness,high\n",
    b"\xef\xbb\xbfperson,context,value\r\nu1,c,1\ru2,c,\x00\r\n\xff\xfe,c,2\n",
    b"",
    b"\n\n\n",
    b"\"",
];

#[test]
fn fuzz_ratings_reader_never_panics_and_is_deterministic() {
    let f = Fixture::new();
    let tally = Tally::default();
    for seed in RATINGS_SEEDS {
        ratings_hold(&f, &tally, seed).unwrap();
    }
    // Item 14: a field over the limit, kept to a few MB so the run stays small.
    let mut huge = b"person,context,rater,value,note\nu1,c,a,1,".to_vec();
    huge.resize(
        huge.len() + chameleon_core::checks::MAX_FIELD_BYTES + 10,
        b'x',
    );
    huge.push(b'\n');
    ratings_hold(&f, &tally, &huge).unwrap();

    let mut runner = TestRunner::new(config(4000));
    runner
        .run(&grammar_file(RATING_HEADERS, RATING_ROWS, 3), |bytes| {
            ratings_hold(&f, &tally, &bytes)
        })
        .unwrap();
    tally.both_seen("ratings");
}

/// A quote-free file of over a megabyte: `block` (grammar rows) repeated, each row's person
/// renamed so that rows are new ratings, and with `duplicates` a few copies kept as they
/// are (duplicates of rows in another piece).
fn big_file(header: &str, block: &[u8], duplicates: bool) -> Vec<u8> {
    // The body's size alone decides how many copies: the same rows under either header.
    let mut out = Vec::new();
    let mut copy = 0usize;
    while out.len() < 1_100_000 {
        for (i, line) in block.split(|&c| c == b'\n').enumerate() {
            out.push(b'\n');
            if !duplicates || copy % 50 != 7 {
                out.extend_from_slice(format!("k{copy}.{i}").as_bytes());
            }
            out.extend_from_slice(line);
        }
        copy += 1;
    }
    out.push(b'\n');
    [header.as_bytes(), &out].concat()
}

static READ_OK: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The snapshot of a file read in pieces side by side equals the one-pass snapshot: the
/// same file with its first header name quoted (a quote anywhere makes the reader take one
/// pass, and a quoted name is the same name).
fn pieces_agree(
    f: &Fixture,
    header: &str,
    block: &[u8],
    duplicates: bool,
) -> Result<(), TestCaseError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(4)
        .build()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let read = |bytes: &[u8]| {
        let path = f.write("big.csv", bytes);
        format!("{:?}", pool.install(|| tidy::read_dataset(&path)))
    };
    let in_pieces = big_file(header, block, duplicates);
    let comma = header.find(',').unwrap_or(header.len());
    let quoted_header = format!("\"{}\"{}", &header[..comma], &header[comma..]);
    let one_pass = big_file(&quoted_header, block, duplicates);
    let (a, b) = (read(&in_pieces), read(&one_pass));
    if a.starts_with("Ok") {
        READ_OK.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    if a != b {
        let at = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
        let near = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(100))
                .take(200)
                .collect::<String>()
        };
        prop_assert!(
            false,
            "pieces and one pass differ at {at}: …{}… vs …{}…",
            near(&a),
            near(&b)
        );
    }
    Ok(())
}

#[test]
fn fuzz_ratings_read_in_pieces_agree_with_one_pass() {
    let f = Fixture::new();
    let headers = [
        "person,context,rater,dimension,value",
        "person,context,rater,dimension,value,created_at,seconds_spent,note,confidence",
        "Person,CONTEXT,rater,Dimension,value",
    ];
    let rows: &'static [&'static str] = Box::leak(
        RATING_ROWS
            .iter()
            .copied()
            .filter(|r| !r.contains('"'))
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    );
    let block = (
        0..headers.len(),
        prop::collection::vec(
            // Mostly the valid rows first in the list, so that some files read.
            (
                prop_oneof![6 => 0..4usize, 1 => 0..rows.len()],
                prop_oneof![Just("\n"), Just("\r\n")],
            ),
            1..12,
        ),
        prop::collection::vec(mutation(), 0..3),
        prop::bool::weighted(0.25),
    )
        .prop_map(move |(h, body, mutations, duplicates)| {
            let mut s = String::new();
            for (i, (r, end)) in body.into_iter().enumerate() {
                if i > 0 {
                    s.push_str(end);
                }
                s.push_str(rows[r]);
                // Rows of the short layout fill the long header's columns.
                if h == 1 && rows[r].matches(',').count() == 4 {
                    s.push_str(",,,,");
                }
            }
            let mut bytes = apply(s.into_bytes(), &mutations);
            // Quotes and lone carriage returns send the whole file to one pass.
            bytes.retain(|&c| c != b'"');
            let lone_cr: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                .collect();
            for i in lone_cr.into_iter().rev() {
                bytes.remove(i);
            }
            (h, bytes, duplicates)
        });
    // A clean file first: the pieces' snapshot itself is compared, not only their errors.
    let clean = b"u1,c,zoe,openness,3\nu1,c,ann,openness,NA\r\nu2,d,zoe,mood,Joy\nu3,c,bob,mood,";
    pieces_agree(&f, headers[0], clean, false).unwrap();
    assert_eq!(READ_OK.load(std::sync::atomic::Ordering::Relaxed), 1);
    let mut runner = TestRunner::new(config(8));
    runner
        .run(&block, |(h, bytes, duplicates)| {
            pieces_agree(&f, headers[h], &bytes, duplicates)
        })
        .unwrap();
    eprintln!(
        "pieces fuzz: {} of the files read without a problem",
        READ_OK.load(std::sync::atomic::Ordering::Relaxed)
    );
}

// ---------------------------------------------------------------- profiles

const PROFILE_HEADERS: &[&str] = &[
    "person,context,text",
    "person,context,text,title,created_at,url,extra",
    "person,context,text,text",
    "person,text",
    "",
];

const PROFILE_ROWS: &[&str] = &[
    "u001,r/gaming,hello there",
    "u001,r/gaming,\"a post\nwith two lines\"",
    "u002,r/news,\"unterminated",
    "u0\"01,c1,one",
    "u003,c,text,Title,2025-01-01T00:00:00Z,https://x,meta",
    "u003,c,text,t,99999999999999999999999,u,m",
    "u004,c,",
    ",,",
    "u005",
    "u006,c,t,1,2,3,4,5,6,7",
    "{\"person\":\"u1\",\"context\":\"c\",\"text\":\"hi\"}",
    "{\"person\":\"u1\",\"context\":\"c\",\"texts\":[\"a\",{\"text\":\"b\",\"created_at\":-9223372036854775808}]}",
    "{\"person\":1e999,\"context\":null,\"text\":[]}",
    "{\"person\":\"u2\",\"context\":\"c\",\"text\":\"x\",\"created_at\":\"not a time\"}",
    "{\"person\":\"u2\"",
    "[1,2,3]",
    "{}",
    "\"just a string\"",
];

fn profiles_hold(tally: &Tally, bytes: &[u8]) -> Result<(), TestCaseError> {
    for hint in ["p.csv", "p.jsonl", "p"] {
        let first = parse_profiles(hint, Path::new(hint), bytes);
        tally.count(&first);
        match &first {
            Ok(rows) => {
                let lines = line_count(bytes);
                for r in rows {
                    prop_assert!((1..=lines).contains(&r.line), "row line {}", r.line);
                }
                let again = parse_profiles(hint, Path::new(hint), bytes);
                prop_assert_eq!(format!("{first:?}"), format!("{again:?}"));
            }
            // "The file holds no profiles" names the line after the header: one past the end
            // of a file that is a header alone.
            Err(e) => check_error(e, bytes)?,
        }
    }
    Ok(())
}

#[test]
fn fuzz_profiles_reader_never_panics() {
    let tally = Tally::default();
    for seed in [
        &b"person,context,text\nu0\"01,c1,one\np2,c2,two\n"[..],
        b"person,context,text,text\nu1,c,a,b\n",
        b"person,context,text\nu1,c,\"never closed\nu2,c,x\n",
        b"{\"person\":\"u1\",\"context\":\"c\",\"text\":\"\\ud800\"}\n",
        b"\xef\xbb\xbf{\"person\":\"u1\",\"context\":\"c\",\"text\":\"x\"}\r\n\x00\n",
    ] {
        profiles_hold(&tally, seed).unwrap();
    }
    let mut runner = TestRunner::new(config(10000));
    runner
        .run(&grammar_file(PROFILE_HEADERS, PROFILE_ROWS, 2), |bytes| {
            profiles_hold(&tally, &bytes)
        })
        .unwrap();
    tally.both_seen("profiles");
}

// ---------------------------------------------------------------- codebook

fn int_bound() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-9223372036854775808".to_string()),
        Just("9223372036854775807".to_string()),
        Just("18446744073709551616".to_string()),
        Just("1.5".to_string()),
        Just("\"3\"".to_string()),
        (-5i64..105).prop_map(|v| v.to_string()),
    ]
}

fn float_bound() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e999".to_string()),
        Just("-1.7976931348623157e308".to_string()),
        Just("0".to_string()),
        (-10i32..10).prop_map(|v| format!("{v}.0")),
    ]
}

fn categories() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            prop_oneof![
                Just(i64::MIN),
                Just(i64::MAX),
                Just(0),
                Just(1),
                Just(1),
                -3i64..3
            ],
            prop_oneof![
                Just(""),
                Just("joy"),
                Just("joy"),
                Just("Joy"),
                Just(" "),
                Just("a\"b")
            ],
        ),
        0..6,
    )
    .prop_map(|cats| {
        let inner: Vec<String> = cats
            .iter()
            .map(|(v, l)| format!("{{ value = {v}, label = {} }}", toml_str(l)))
            .collect();
        format!("[{}]", inner.join(", "))
    })
}

fn toml_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn scale() -> impl Strategy<Value = String> {
    prop_oneof![
        (int_bound(), int_bound())
            .prop_map(|(a, b)| format!("{{ type = \"likert\", min = {a}, max = {b} }}")),
        int_bound().prop_map(|b| format!("{{ type = \"likert\", max = {b} }}")),
        (
            float_bound(),
            float_bound(),
            prop::option::of(float_bound())
        )
            .prop_map(|(a, b, s)| {
                let step = s.map(|s| format!(", step = {s}")).unwrap_or_default();
                format!("{{ type = \"continuous\", min = {a}, max = {b}{step} }}")
            }),
        categories().prop_map(|c| format!("{{ type = \"nominal\", categories = {c} }}")),
        Just("{ type = \"likert\", min = 1, max = 5 }".to_string()),
        Just("{ type = \"continuous\", min = 0.0, max = 1.0 }".to_string()),
        Just("{ type = \"nominal\", categories = [{ value = 1, label = \"a\" }] }".to_string()),
        Just("{ type = \"ratio\" }".to_string()),
        Just("\"likert\"".to_string()),
    ]
}

/// A codebook of up to four dimensions with hostile scales and names, as TOML; the same
/// content is also tried as JSON (through `toml::Value`, when TOML can hold it).
fn codebook_toml() -> impl Strategy<Value = String> {
    // "#": a name of its own (d0, d1, ...), so that some codebooks are valid.
    let name = prop_oneof![
        6 => Just("#"),
        1 => Just("mood"),
        1 => Just("mood"),
        1 => Just("Mood"),
        1 => Just(""),
        1 => Just("  "),
        1 => Just("x\ny"),
        1 => Just("é"),
    ];
    prop::collection::vec((name, scale(), any::<bool>()), 0..4).prop_map(|dims| {
        let mut s = String::from("name = \"cb\"\n");
        for (i, (n, sc, with_level)) in dims.into_iter().enumerate() {
            let n = if n == "#" {
                format!("d{i}")
            } else {
                n.to_string()
            };
            s.push_str(&format!(
                "\n[[dimensions]]\nname = {}\nscale = {sc}\n",
                toml_str(&n)
            ));
            if with_level {
                s.push_str("level = \"ordinal\"\n");
            }
        }
        s
    })
}

fn codebook_holds(tally: &Tally, toml_text: &str) -> Result<(), TestCaseError> {
    let mut inputs = vec![("cb.toml", toml_text.as_bytes().to_vec())];
    if let Ok(v) = toml_text.parse::<toml::Value>() {
        if let Ok(json) = serde_json::to_vec(&v) {
            inputs.push(("cb.json", json));
        }
    }
    for (name, bytes) in inputs {
        let r = chameleon_core::import::parse_codebook(name, Path::new(name), &bytes);
        tally.count(&r);
        match r {
            Ok(cb) => {
                for d in &cb.dimensions {
                    if let Some(c) = d.scale.categories() {
                        prop_assert!(
                            c.len() as u128 <= chameleon_core::model::MAX_LIKERT_POINTS.max(1000)
                        );
                    }
                    if let Scale::Continuous { min, max, .. } = d.scale {
                        prop_assert!(
                            min.is_finite() && max.is_finite() && min < max,
                            "{min}..{max}"
                        );
                    }
                }
            }
            Err(e) => check_error(&e, &bytes)?,
        }
    }
    Ok(())
}

#[test]
fn fuzz_codebook_reader_never_panics_and_bounds_its_scales() {
    let tally = Tally::default();
    for seed in [
        "[[dimensions]]\nname = \"x\"\nscale = { type = \"likert\", min = -9223372036854775808, max = 5 }\n",
        "[[dimensions]]\nname = \"x\"\nscale = { type = \"likert\", min = -9223372036854775808, max = 9223372036854775807 }\n",
        "[[dimensions]]\nname = \"e\"\nscale = { type = \"nominal\", categories = [] }\n",
        "[[dimensions]]\nname = \"e\"\nscale = { type = \"nominal\", categories = [{ value = 1, label = \"a\" }, { value = 1, label = \"b\" }] }\n",
        "[[dimensions]]\nname = \"c\"\nscale = { type = \"continuous\", min = nan, max = inf }\n",
    ] {
        codebook_holds(&tally, seed).unwrap();
    }
    let mut runner = TestRunner::new(config(10000));
    runner
        .run(&codebook_toml(), |s| codebook_holds(&tally, &s))
        .unwrap();
    tally.both_seen("codebook");
}

// ---------------------------------------------------------------- package merge

/// The team study and an annotated first package, made once for every case.
fn annotated_team() -> &'static Team {
    static TEAM: OnceLock<Team> = OnceLock::new();
    TEAM.get_or_init(|| {
        let t = team();
        annotate(&t.packages[0], 3, 4);
        t
    })
}

fn tamper() -> impl Strategy<Value = String> {
    let pick = "(SELECT id FROM rating ORDER BY id LIMIT 1 OFFSET abs(random()) % 5)";
    prop_oneof![
        Just(format!("UPDATE rating SET value = 1e308 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET value = 'NaN' WHERE id = {pick};")),
        Just(format!("UPDATE rating SET value = -9223372036854775808 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET value = 'high' WHERE id = {pick};")),
        Just(format!("UPDATE rating SET value = 2.5 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET updated_at = 9223372036854775807 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET updated_at = -1 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET created_at = 'x' WHERE id = {pick};")),
        Just(format!("UPDATE rating SET profile_id = 999999 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET dimension_id = 999999 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET rater_id = 999999 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET seconds_spent = -5 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET confidence = 7 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET note = x'00ff' WHERE id = {pick};")),
        Just(format!("DELETE FROM rating WHERE id = {pick};")),
        Just("UPDATE assignment SET profile_id = 999999 WHERE profile_id = (SELECT MIN(profile_id) FROM assignment);".to_string()),
        Just(format!("UPDATE rating SET value = 1e999 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET value = -1e999 WHERE id = {pick};")),
        Just(format!("UPDATE rating SET codebook_version = 9223372036854775807 WHERE id = {pick};")),
        Just("UPDATE profile_review SET confidence = 1e999, seconds_spent = -1;".to_string()),
        Just("UPDATE profile_review SET flagged = 7, updated_at = 9223372036854775807;".to_string()),
        Just("UPDATE profile_review SET note = x'c328';".to_string()),
        Just("DELETE FROM assignment;".to_string()),
        Just("UPDATE assignment SET rater_id = rater_id + 1;".to_string()),
        Just("UPDATE dimension SET scale = '{\"type\":\"likert\",\"min\":-9223372036854775808,\"max\":9223372036854775807}' WHERE id = 1;".to_string()),
        Just("UPDATE dimension SET scale = 'not json' WHERE id = 1;".to_string()),
        Just("UPDATE dimension SET name = 'renamed' WHERE id = 1;".to_string()),
        Just("DELETE FROM dimension WHERE id = 2;".to_string()),
        Just("UPDATE profile_review SET profile_id = 999999;".to_string()),
        Just("UPDATE profile SET id = id + 100000 WHERE id = (SELECT MIN(id) FROM profile);".to_string()),
    ]
}

#[test]
fn fuzz_merge_of_tampered_packages_never_panics_and_a_refusal_changes_nothing() {
    let t = annotated_team();
    let before = dump(&t.study);
    let mut runner = TestRunner::new(config(300));
    let case = std::cell::Cell::new(0);
    let (refused, merged, failed) = (
        std::cell::Cell::new(0),
        std::cell::Cell::new(0),
        std::cell::Cell::new(0),
    );
    runner
        .run(&prop::collection::vec(tamper(), 1..4), |sqls| {
            case.set(case.get() + 1);
            let p = t.f.path(&format!("fuzz{}.chameleon", case.get()));
            std::fs::copy(&t.packages[0], &p).unwrap();
            let c = rusqlite::Connection::open(&p).unwrap();
            c.pragma_update(None, "foreign_keys", false).unwrap();
            for sql in &sqls {
                // A statement the schema refuses (a CHECK, a NOT NULL) is simply not applied.
                let _ = c.execute_batch(sql);
            }
            drop(c);
            // Each case merges into a fresh copy of the study: a merged case must not make
            // the next one a re-merge.
            let study = t.f.path(&format!("fuzz{}.db", case.get()));
            std::fs::copy(&t.study, &study).unwrap();
            let mut s = Study::open(&study).unwrap();
            let r = s.merge_package(&p);
            drop(s);
            match r {
                Ok(report) if report.refused.is_some() => {
                    refused.set(refused.get() + 1);
                    prop_assert_eq!(&dump(&study), &before, "a refused merge changed the study")
                }
                Ok(_) => {
                    merged.set(merged.get() + 1);
                    // What a merge accepts passed the import's checks: no infinite values.
                    let c = rusqlite::Connection::open(&study).unwrap();
                    let infinite: i64 = c
                        .query_row(
                            &"SELECT (SELECT COUNT(*) FROM rating
                                       WHERE abs(value) > MAX OR abs(confidence) > MAX
                                          OR abs(seconds_spent) > MAX)
                                  + (SELECT COUNT(*) FROM profile_review
                                     WHERE abs(confidence) > MAX OR abs(seconds_spent) > MAX)"
                                .replace("MAX", &format!("{:e}", f64::MAX)),
                            [],
                            |r| r.get(0),
                        )
                        .unwrap();
                    prop_assert_eq!(infinite, 0, "a merge let an infinite value in");
                }
                Err(e) => {
                    failed.set(failed.get() + 1);
                    prop_assert!(
                        matches!(
                            e,
                            CoreError::Input { .. }
                                | CoreError::StoredValue { .. }
                                | CoreError::Invalid(_)
                                | CoreError::Damaged { .. }
                                | CoreError::NotAStudy { .. }
                        ),
                        "merge failed with {e:?}"
                    );
                    prop_assert_eq!(&dump(&study), &before, "a failed merge changed the study");
                }
            }
            let _ = std::fs::remove_file(&p);
            let _ = std::fs::remove_file(&study);
            Ok(())
        })
        .unwrap();
    eprintln!(
        "merge fuzz: {} refused, {} merged, {} typed errors",
        refused.get(),
        merged.get(),
        failed.get()
    );
    assert!(
        refused.get() > 0,
        "no tampering was caught: the cases test nothing"
    );
}
