use super::*;
use crate::error::{CoreError, RowError};

/// The dataset (or the error) as text: equal text, equal outcome.
fn outcome(r: Result<(Builder, Layout)>) -> String {
    match r.and_then(|(b, layout)| Ok((b.finish("f.csv", layout.has_rater)?.0, layout))) {
        Ok((ds, layout)) => format!("{ds:?} {:?}", layout.ignored_columns),
        Err(e) => format!("{e:?}"),
    }
}

/// Every piece count gives what one pass gives, wherever the cuts fall.
/// Also without lines (`build_fast`, the pieces of `read_dataset`), in one piece or several.
fn same_in_parallel(csv: &str) -> String {
    let one = outcome(build("f.csv", csv.as_bytes(), true));
    for chunks in [0, 2, 3, 7] {
        let many = outcome(build_fast("f.csv", csv.as_bytes(), chunks));
        if chunks > 0 {
            assert_eq!(
                many,
                outcome(build_in_parallel("f.csv", csv.as_bytes(), chunks, true))
            );
        }
        // The outcomes are long: show where they part.
        let at = one
            .chars()
            .zip(many.chars())
            .take_while(|(a, b)| a == b)
            .count();
        let near = |s: &str| {
            s.chars()
                .skip(at.saturating_sub(80))
                .take(160)
                .collect::<String>()
        };
        assert!(
            one == many,
            "{chunks} pieces differ at character {at}: one pass …{}…, pieces …{}…",
            near(&one),
            near(&many)
        );
    }
    one
}

/// A file whose later rows bring new persons, raters and spellings of dimensions.
fn many_rows(extra: impl Fn(usize) -> Option<String>, crlf: bool) -> String {
    let end = if crlf { "\r\n" } else { "\n" };
    let mut s = format!("person,context,rater,dimension,value,seconds_spent,comment{end}");
    for i in 0..600 {
        if let Some(line) = extra(i) {
            s.push_str(&line);
            s.push_str(end);
        }
        let dim = ["mood", "Mood", "ENERGY", "energy"][i % 4];
        let value = if i % 11 == 0 {
            String::new()
        } else {
            (i % 5).to_string()
        };
        s.push_str(&format!(
            "p{},c{},r{},{dim},{value},{},x{end}",
            i / 3 + i % 7,
            i % 4,
            (i * 7) % 13 + i / 200,
            i % 9
        ));
        if i % 97 == 0 {
            s.push_str(end); // blank lines are skipped
        }
    }
    s
}

#[test]
fn pieces_read_in_parallel_give_the_one_pass_dataset() {
    let out = same_in_parallel(&many_rows(|_| None, false));
    assert!(out.contains("observations"), "{out}");
    same_in_parallel(&many_rows(|_| None, true));

    // Row 0 again, hundreds of lines on (in another piece): a duplicate naming both lines.
    let again = many_rows(|i| (i == 590).then(|| "p0,c0,r0,MOOD,4,2,x".into()), false);
    let out = same_in_parallel(&again);
    assert!(
        out.contains("duplicate rating: p0/c0 by rater 'r0' on 'mood' was already given on line 2"),
        "{out}"
    );
}

#[test]
fn pieces_read_in_parallel_give_the_one_pass_errors_with_file_lines() {
    // A bad value early and late, a short row, and a duplicate of a row hundreds of
    // lines before it (in another piece).
    let csv = many_rows(
        |i| match i {
            5 => Some("p1,c1,r1,mood,abc,1,x".into()),
            450 => Some("p2,c2,r2,mood,1".into()),
            590 => Some("p0,c0,r0,mood,4,2,x".into()),
            599 => Some("p3,c3,r3,energy,1e999,1,x".into()),
            _ => None,
        },
        false,
    );
    let out = same_in_parallel(&csv);
    let lines = |needle: &str| {
        csv.lines()
            .position(|l| l.starts_with(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    for (needle, what) in [
        ("p1,c1,r1,mood,abc", "abc"),
        ("p2,c2,r2,mood,1", "expected 7 fields"),
        ("p3,c3,r3,energy", "finite"),
    ] {
        let want = format!("line: {}", lines(needle));
        assert!(
            out.contains(&want) && out.contains(what),
            "{want} {what}: {out}"
        );
    }
}

#[test]
fn files_that_cannot_be_cut_at_newlines_are_read_in_one_pass_the_same() {
    let quoted = many_rows(
        |i| (i == 300).then(|| "p9,\"c\nx\",r1,mood,2,1,x".into()),
        false,
    );
    same_in_parallel(&quoted);
    let old_mac = many_rows(|_| None, false).replace('\n', "\r");
    same_in_parallel(&old_mac);
    same_in_parallel(&format!("\n\n{}", many_rows(|_| None, false)));
    same_in_parallel(&format!("\r\n{}", many_rows(|_| None, true)));
    same_in_parallel(&format!("\u{feff}\n{}", many_rows(|_| None, false)));
    same_in_parallel(&format!("\u{feff}{}", many_rows(|_| None, false)));
    same_in_parallel("person,context,value");
    same_in_parallel("person,context,value\n");
    same_in_parallel("");
}

#[test]
fn fields_are_trimmed_like_str_trim() {
    for s in [
        "",
        " ",
        "a",
        " a",
        "a ",
        "\u{a0}x\u{a0}",
        "x\u{2003}",
        "\ty\t",
        "é",
        " é ",
    ] {
        assert_eq!(trim(s), s.trim(), "{s:?}");
    }
}

#[test]
fn random_files_read_in_pieces_match_one_pass() {
    // Odd lines a real file may have, in random order: blank, CRLF, short, long, bad
    // numbers, NA, duplicates, a BOM or a blank line before the header.
    let rows = [
        "p1,c1,r1,mood,3",
        "p1,c1,r2,mood,4",
        "p2,c1,r1,MOOD,NA",
        "p2,c2,r1,energy,",
        "p3,c1,r3,energy,x",
        "p3,c2,r3,energy,2,extra",
        "p1,c1,r1,mood,5",
        "p4,c9,r1,mood,1e400",
        "",
        " p5 , c1 , r1 , mood , 2 ",
        "p6,c1",
        "p7,c7,r7,Energy,7",
    ];
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..300 {
        let end = if next(2) == 0 { "\n" } else { "\r\n" };
        let mut csv = ["", "\u{feff}", "\n"][next(3)].to_string();
        csv.push_str("person,context,rater,dimension,value");
        for _ in 0..next(40) {
            csv.push_str(end);
            csv.push_str(rows[next(rows.len())]);
        }
        if next(2) == 0 {
            csv.push_str(end);
        }
        same_in_parallel(&csv);
    }
}

#[test]
fn pieces_end_at_newlines_and_cover_the_body() {
    let body = b"a\nbb\nccc\ndddd\n\ne";
    for n in 1..8 {
        let pieces = split_at_lines(body, n);
        assert_eq!(pieces.concat(), body.to_vec());
        assert!(pieces.len() <= n.max(1));
        for p in &pieces[..pieces.len() - 1] {
            assert_eq!(p.last(), Some(&b'\n'));
        }
    }
}

fn errs(r: Result<TidyFile>) -> Vec<RowError> {
    match r {
        Err(CoreError::Input { errors, .. }) => errors,
        other => panic!("expected input errors, got {other:?}"),
    }
}

#[test]
fn reads_full_layout_with_bom_crlf_and_quoted_newlines() {
    let src = "\u{feff}Person,Context,Rater,Dimension,Value\r\np1,\"ask\nreddit\",A,extraversion,3\r\np1,x,A,extraversion,NA\r\n";
    let f = parse("t.csv", src.as_bytes()).unwrap();
    assert_eq!(f.rows.len(), 2);
    assert_eq!(
        f.rows[0].context, "ask\nreddit",
        "quoted newline kept inside the field"
    );
    assert_eq!(f.rows[1].value, None, "NA is a missing rating");
    assert_eq!(f.rows[1].line, 4, "line numbers count the embedded newline");
}

#[test]
fn unit_layout_without_dimension() {
    let f = parse("t.csv", "unit,rater,value\nu1,A,1\nu1,B,2\n".as_bytes()).unwrap();
    let ds = f.to_dataset("t.csv").unwrap();
    assert_eq!(ds.dimensions[0].name, DEFAULT_DIMENSION);
    assert_eq!(ds.profiles.len(), 1);
    assert_eq!(ds.raters.len(), 2);
}

#[test]
fn non_numeric_value_names_line_and_column() {
    // Text is read as a category label; among numbers it is an error.
    let f = parse("bad.csv", "unit,rater,value\nu1,A,1\nu1,B,abc\n".as_bytes()).unwrap();
    let e = match f.to_dataset("bad.csv") {
        Err(CoreError::Input { errors, .. }) => errors,
        other => panic!("{other:?}"),
    };
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].line, e[0].column.as_deref()), (3, Some("value")));
    assert!(e[0].message.contains("abc"));
}

#[test]
fn missing_column_empty_file_and_bad_utf8() {
    let e = errs(parse("t.csv", "person,context,rater\n".as_bytes()));
    assert!(e.iter().any(|x| x.column.as_deref() == Some("value")));
    let e = errs(parse("t.csv", "".as_bytes()));
    assert!(e[0].message.contains("empty"));
    let e = errs(parse("t.csv", b"unit,rater,value\nu1,\xff\xfe,3\n"));
    assert_eq!(e[0].line, 2);
    assert!(e[0].message.contains("UTF-8"));
}

#[test]
fn duplicates_name_both_lines() {
    let f = parse("t.csv", "unit,rater,value\nu1,A,1\nu1,A,2\n".as_bytes()).unwrap();
    let e = match f.to_dataset("t.csv") {
        Err(CoreError::Input { errors, .. }) => errors,
        other => panic!("{other:?}"),
    };
    assert_eq!(e[0].line, 3);
    assert!(e[0].message.contains("line 2"), "{}", e[0].message);
}

#[test]
fn infinite_values_are_rejected() {
    let e = errs(parse("t.csv", "unit,rater,value\nu1,A,inf\n".as_bytes()));
    assert!(e[0].message.contains("finite"));
}

/// `parse_rows` or `parse_rows_csv`.
type RowsReader = fn(&str, &[u8], &mut dyn FnMut(&RowRef<'_>)) -> Result<Layout>;

/// Rows (or the errors) of `input` read by `read`, as text.
fn rows_read_by(read: RowsReader, input: &str) -> String {
    let mut rows = Vec::new();
    match read("f.csv", input.as_bytes(), &mut |r| {
        rows.push((*r).to_owned_row())
    }) {
        Ok(l) => format!(
            "{rows:?} {} {} {} {:?}",
            l.has_rater, l.has_dimension, l.unit_layout, l.ignored_columns
        ),
        Err(e) => format!("{e:?}"),
    }
}

#[test]
fn lines_are_read_as_the_csv_reader_reads_them() {
    // Every oddity a quote-free file may have: CRLF, a BOM, blank lines, empty optional
    // columns, spaces, short and long rows, an oversized field, text, NA, bad numbers.
    let rows = [
        "p1,c1,r1,mood,3,,,,",
        "p1,c1,r2,mood,4.25,2024-05-01,1.5,fine,0.5",
        "p2,c1,r1,MOOD,NA,NA,NA,NA,NA",
        "p2,c2,r1,energy,,,,,",
        "p3,c1,r3,energy,x,,,,",
        "p3,c2,r3,energy,2,,,,,extra",
        "p4,c9,r1,mood,1e400,,,,",
        "p4,c9,r1,mood,2,yesterday,-1,,2",
        "",
        " p5 , c1 , r1 , mood , 2 , , 3 , a note , 1 ",
        "p6,c1",
        ",c1,r1,mood,1,,,,",
        "p7,c7,,Energy,7,,,,",
        "p8,c8,r8,mood,-0,,,,",
        "p9,\u{e9}t\u{e9},r\u{2003},mood,1,,,,",
    ];
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..400 {
        let end = if next(2) == 0 { "\n" } else { "\r\n" };
        let mut csv = ["", "\u{feff}"][next(2)].to_string();
        csv.push_str(
            "person,context,rater,dimension,value,created_at,seconds_spent,note,confidence",
        );
        for _ in 0..next(30) {
            csv.push_str(end);
            csv.push_str(rows[next(rows.len())]);
        }
        if next(2) == 0 {
            csv.push_str(end);
        }
        // A header alone, without a newline, goes to the csv reader.
        assert_eq!(plain_parts(csv.as_bytes()).is_some(), csv.contains('\n'));
        assert_eq!(
            rows_read_by(parse_rows, &csv),
            rows_read_by(parse_rows_csv, &csv),
            "{csv:?}"
        );
    }
    // A field over the limit (16 MiB: once, not in every random file).
    let long = "x".repeat(crate::checks::MAX_FIELD_BYTES + 1);
    let csv = format!("person,context,value,note\np,c,1,\np,c,2,{long}\n");
    let out = rows_read_by(parse_rows, &csv);
    assert!(out.contains("the field holds"), "{}", &out[..200]);
    assert_eq!(out, rows_read_by(parse_rows_csv, &csv));
}

#[test]
fn only_quote_free_utf8_files_are_read_line_by_line() {
    for plain in ["person,context,value\np,c,1\n", "\u{feff}a\r\nb"] {
        assert!(plain_parts(plain.as_bytes()).is_some(), "{plain:?}");
    }
    let other: [&[u8]; 5] = [
        b"person,context,value\np,\"c\",1\n",
        b"person,context,value\rp,c,1\r",
        b"person,context,value\np,\xff,1\n",
        b"\nperson,context,value\np,c,1\n",
        b"person,context,value",
    ];
    for input in other {
        assert!(plain_parts(input).is_none(), "{input:?}");
    }
}

#[test]
fn a_non_utf8_id_is_an_error_naming_its_line_and_column() {
    let mut csv = b"person,context,rater,value\n".to_vec();
    for i in 0..5000 {
        csv.extend_from_slice(format!("p{i},c,r,1\n").as_bytes());
    }
    csv.extend_from_slice(b"p\xe9,c,r,1\n");
    let expected = vec![RowError::new(
        5002,
        Some("person"),
        "the field is not valid UTF-8 text",
    )];
    for r in [build("f.csv", &csv, true), build_fast("f.csv", &csv, 2)] {
        match r {
            Err(CoreError::Input { errors, .. }) => assert_eq!(errors, expected),
            Err(e) => panic!("{e:?}"),
            Ok(_) => panic!("a non-UTF-8 id was read"),
        }
    }
}

#[test]
fn short_decimals_are_the_numbers_the_general_parser_reads() {
    let mut cases: Vec<String> = [
        "0",
        "-0",
        "00",
        "7",
        "-3",
        "3.25",
        "-0.5",
        "0.1",
        "0.3",
        "1.50",
        "123456789012345",
        "-99999999999999.9",
        "0.000000000000001",
        "9007199254740993",
        "5.",
        ".5",
        "1e3",
        "+2",
        "1.2.3",
        "-",
        "",
        "1_0",
        "１",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut seed = 0x853c_49e6_748f_ea9b_u64;
    for _ in 0..20_000 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let digits = (seed % 10_u64.pow((seed >> 60) as u32 % 16 + 1)).to_string();
        let at = (seed >> 40) as usize % (digits.len() + 1);
        let sign = if seed & 1 == 1 { "-" } else { "" };
        cases.push(format!("{sign}{}.{}", &digits[..at], &digits[at..]));
        cases.push(format!("{sign}{digits}"));
    }
    for c in &cases {
        match short_decimal(c) {
            Some(v) => assert_eq!(v.to_bits(), c.parse::<f64>().unwrap().to_bits(), "{c:?}"),
            None => assert!(
                c.is_empty() || !c.bytes().all(|b| b.is_ascii_digit()) || c.len() > 15,
                "{c:?} is a short integer and was not read"
            ),
        }
    }
    assert_eq!(short_decimal("3.25"), Some(3.25));
}

#[test]
fn duplicates_are_found_without_lines_however_the_rows_are_ordered() {
    let column = |rows: &[(u32, u32)]| Column {
        profile: rows.iter().map(|r| r.0).collect(),
        rater: rows.iter().map(|r| r.1).collect(),
        value: vec![1.0; rows.len()],
        ..Column::default()
    };
    // Grouped by profile (the one-pass check), a profile coming back (the sort), and a long
    // run of one profile.
    let long: Vec<(u32, u32)> = (0..100).map(|r| (0, r)).collect();
    let mut long_dup = long.clone();
    long_dup.push((0, 57));
    for (rows, dup) in [
        (&[(0, 0), (0, 1), (1, 0), (1, 1)][..], false),
        (&[(0, 0), (0, 1), (1, 0), (0, 0)][..], true),
        (&[(0, 0), (1, 0), (0, 1), (1, 1)][..], false),
        (&[(0, 0), (1, 0), (0, 1), (1, 0)][..], true),
        (&[(1, 2), (1, 3), (1, 2)][..], true),
        (&long[..], false),
        (&long_dup[..], true),
    ] {
        assert_eq!(column(rows).has_duplicates(2), dup, "{rows:?}");
        // The sort agrees with the one pass.
        assert_eq!(column(rows).has_duplicates_sorted(), dup, "{rows:?}");
    }
    // Without a rater column there is nothing to check.
    let no_rater = Column {
        profile: vec![0, 0],
        value: vec![1.0, 2.0],
        ..Column::default()
    };
    assert!(!no_rater.has_duplicates(1));
}

#[test]
fn a_duplicate_in_a_file_read_without_lines_is_named_by_both_lines() {
    // Missing ratings count as ratings given: rated NA twice is a duplicate too.
    for (csv, first, second) in [
        (
            "person,context,rater,value\np,c,r,1\np,d,r,2\np,c,r,3\n",
            2,
            4,
        ),
        (
            "person,context,rater,value\np,c,r,NA\np,c,s,2\np,c,r,\n",
            2,
            4,
        ),
        (
            "person,context,rater,value\np,c,r,1\nq,c,r,2\np,c,r,1\n",
            2,
            4,
        ),
    ] {
        for chunks in [0, 2] {
            let e = outcome(build_fast("f.csv", csv.as_bytes(), chunks));
            assert!(
                e.contains(&format!("line: {second}")) && e.contains(&format!("line {first}")),
                "{csv}: {e}"
            );
            assert_eq!(e, outcome(build("f.csv", csv.as_bytes(), true)));
        }
    }
}
