use super::*;
use crate::analysis::agreement::{agreement, AgreementOptions};
use crate::analysis::decompose::{run_decomposition, DecomposeRunOptions};
use chrono::TimeZone;

fn fixed_time() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc
        .with_ymd_and_hms(2026, 1, 2, 3, 4, 5)
        .single()
        .expect("valid date")
}

fn demo_dataset(persons: usize) -> Dataset {
    let files = crate::sample::demo(7, persons);
    crate::tidy::parse("demo.csv", files.ratings_csv.as_bytes())
        .expect("demo ratings parse")
        .to_dataset("demo.csv")
        .expect("demo dataset")
}

/// Extracts and parses the `chameleon-data` block.
fn embedded(html: &str) -> serde_json::Value {
    let start_tag = "<script type=\"application/json\" id=\"chameleon-data\">";
    let start = html.find(start_tag).expect("data block present") + start_tag.len();
    let end = start + html[start..].find("</script>").expect("data block closed");
    serde_json::from_str(&html[start..end]).expect("embedded JSON parses")
}

/// Serialized to text and parsed back, as a reader of the CLI's output sees it (serde_json's
/// default float parser is not exact to the last bit, so compare text-derived values only).
fn reparsed(v: &impl serde::Serialize) -> serde_json::Value {
    serde_json::from_str(&serde_json::to_string(v).expect("json")).expect("parses")
}

fn never_cancel<T>(f: impl FnOnce(&Control) -> T) -> T {
    let cancel = AtomicBool::new(false);
    f(&Control {
        progress: &|_, _| {},
        cancel: &cancel,
    })
}

#[test]
fn embedded_reports_equal_the_cli_reports() {
    let ds = demo_dataset(10);
    let mut opts = ReportOptions::new(fixed_time());
    opts.bootstrap = 20;
    opts.seed = 3;
    let html = render_report(&ds, &opts).expect("report renders");
    let data = embedded(&html);
    let dec = never_cancel(|c| {
        run_decomposition(
            &ds,
            &DecomposeRunOptions {
                method: DecomposeMethod::Reml,
                bootstrap: 20,
                seed: 3,
            },
            c,
        )
        .expect("decomposition runs")
    });
    let ag = agreement(
        &ds,
        &AgreementOptions {
            bootstrap: 20,
            seed: 3,
        },
    );
    assert_eq!(
        data["decomposition"],
        reparsed(&dec),
        "the report must embed exactly the decompose --json report"
    );
    assert_eq!(
        data["agreement"],
        reparsed(&ag.report),
        "the report must embed exactly the agreement --json report"
    );
    assert_eq!(data["data_hash"], ds.content_hash(), "data hash is shown");
    assert_eq!(data["version"], SOFTWARE_VERSION);
    // The rounded table value is the same number.
    let t = dec.dimensions[0]
        .profile_level
        .as_ref()
        .expect("profile level")
        .trait_share;
    assert!(
        html.contains(&format!("<strong>{t:.4}</strong>")),
        "the table shows the trait share to 4 decimals"
    );
}

#[test]
fn report_is_self_contained_with_inline_figures() {
    let ds = demo_dataset(8);
    let html = render_report(&ds, &ReportOptions::new(fixed_time())).expect("report renders");
    assert!(html.starts_with("<!DOCTYPE html>"));
    for bad in [
        "src=\"http",
        "href=\"http",
        "src='http",
        "href='http",
        "<link",
        "@import",
    ] {
        assert!(!html.contains(bad), "no external resource ({bad})");
    }
    assert!(
        !html.contains("<script src"),
        "no external scripts in a self-contained report"
    );
    let svgs = html.matches("<svg").count();
    assert!(
        svgs >= 3,
        "per-dimension, rater-level and pooled figures inline, got {svgs}"
    );
    assert!(!html.contains("<?xml"), "no XML prolog inside HTML");
    assert!(html.contains("2026-01-02T03:04:05Z"), "the date is shown");
    assert!(
        html.contains("y<sub>pcr</sub> = μ + T<sub>p</sub>"),
        "formulas in methods"
    );
}

#[test]
fn names_from_the_data_are_escaped() {
    let csv = "person,context,rater,dimension,value\n\
               p1,a,<script>alert(1)</script>,<img src=x onerror=alert(2)>,1\n\
               p1,a,r2,<img src=x onerror=alert(2)>,2\n\
               p1,b,<script>alert(1)</script>,<img src=x onerror=alert(2)>,3\n\
               p1,b,r2,<img src=x onerror=alert(2)>,3\n\
               p2,a,<script>alert(1)</script>,<img src=x onerror=alert(2)>,4\n\
               p2,a,r2,<img src=x onerror=alert(2)>,5\n\
               p2,b,<script>alert(1)</script>,<img src=x onerror=alert(2)>,2\n\
               p2,b,r2,<img src=x onerror=alert(2)>,2\n\
               p3,a,<script>alert(1)</script>,<img src=x onerror=alert(2)>,5\n\
               p3,a,r2,<img src=x onerror=alert(2)>,4\n\
               p3,b,<script>alert(1)</script>,<img src=x onerror=alert(2)>,1\n\
               p3,b,r2,<img src=x onerror=alert(2)>,2\n";
    let ds = crate::tidy::parse("</script><b>evil.csv", csv.as_bytes())
        .expect("parse")
        .to_dataset("</script><b>evil.csv")
        .expect("dataset");
    let html = render_report(&ds, &ReportOptions::new(fixed_time())).expect("report renders");
    assert!(
        !html.contains("<script>alert"),
        "a rater name must never become a script element"
    );
    assert!(
        !html.contains("<img"),
        "a dimension name must never become an element"
    );
    assert!(!html.contains("<b>evil"), "the source must be escaped");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "the rater name is shown, escaped"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert_eq!(
        html.matches("</script>").count(),
        1,
        "only the data block's own closing tag"
    );
    let data = embedded(&html);
    assert_eq!(
        data["source"], "</script><b>evil.csv",
        "escaped JSON parses back to the original text"
    );
}

#[test]
fn csv_tables_have_one_row_per_dimension_and_full_precision() {
    let ds = demo_dataset(8);
    let data =
        never_cancel(|c| compute(&ds, &ReportOptions::new(fixed_time()), c)).expect("computes");
    let a = agreement_csv(&data.agreement).expect("agreement csv");
    assert_eq!(a.lines().count(), 1 + ds.dimensions.len());
    let d = decomposition_csv(&data.decomposition).expect("decomposition csv");
    assert_eq!(
        d.lines().count(),
        2 + ds.dimensions.len(),
        "dimensions + pooled"
    );
    let t = data.decomposition.dimensions[0]
        .profile_level
        .as_ref()
        .expect("profile level")
        .trait_share;
    let mut rdr = csv::Reader::from_reader(d.as_bytes());
    let first = rdr.records().next().expect("a row").expect("valid csv");
    let parsed: f64 = first[7].parse().expect("a number");
    assert_eq!(parsed, t, "CSV numbers round-trip exactly");
    let s = rater_sensitivity_csv(&data.decomposition).expect("sensitivity csv");
    assert!(s.starts_with("dimension,rater,kind"));
}

#[test]
fn figures_are_standalone_svg() {
    let ds = demo_dataset(8);
    let data =
        never_cancel(|c| compute(&ds, &ReportOptions::new(fixed_time()), c)).expect("computes");
    let figs = figures(&data).expect("figures");
    let names: Vec<_> = figs.iter().map(|f| f.name).collect();
    assert_eq!(
        names,
        [
            "trait_state_shares",
            "rater_level_shares",
            "pooled_split",
            "person_profiles"
        ]
    );
    for f in &figs {
        assert!(f.svg.contains("<svg") && f.svg.trim_end().ends_with("</svg>"));
    }
}

#[test]
fn escaping_helpers() {
    assert_eq!(html::esc("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
}

#[test]
fn profile_only_data_report_without_agreement_tables() {
    let mut csv = String::from("person,context,dimension,value\n");
    for p in 0..8 {
        for c in 0..3 {
            let v = (p * 7 + c * 3) % 5;
            csv.push_str(&format!("p{p},c{c},mood,{v}\n"));
        }
    }
    let ds = crate::tidy::parse("mood.csv", csv.as_bytes())
        .expect("parse")
        .to_dataset("mood.csv")
        .expect("dataset");
    let html = render_report(&ds, &ReportOptions::new(fixed_time())).expect("report renders");
    assert!(
        html.contains("no rater column"),
        "profile-only data explain why agreement is missing"
    );
    let data = embedded(&html);
    assert!(data["decomposition"]["dimensions"][0]["rater_level"].is_null());
    assert_eq!(
        html.matches("<svg").count(),
        3,
        "profile-level, pooled and profile-plot figures only"
    );
}

#[test]
fn negative_moment_estimates_are_drawn_clipped_and_said_so() {
    let ds = demo_dataset(12);
    let mut opts = ReportOptions::new(fixed_time());
    opts.method = DecomposeMethod::Anova;
    let data = never_cancel(|c| compute(&ds, &opts, c)).expect("computes");
    let negative = data
        .decomposition
        .dimensions
        .iter()
        .filter_map(|d| d.profile_level.as_ref())
        .any(|p| p.trait_share < 0.0);
    let figs = figures(&data).expect("figures");
    let said = figs[0].caption.contains("drawn clipped");
    assert_eq!(
        said, negative,
        "the caption mentions clipping exactly when a share is negative"
    );
    for f in &figs {
        assert!(
            !f.svg.contains("width=\"-"),
            "no rectangle of negative width in {}",
            f.name
        );
    }
}

#[test]
fn text_cells_are_neutralised_against_formula_injection_and_numbers_are_not() {
    for (input, want) in [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1", "+1"),
        ("+1+cmd", "'+1+cmd"),
        ("\nx", "'\nx"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Extraversion", "Extraversion"),
        ("a=b", "a=b"),
        ("", ""),
    ] {
        assert_eq!(text_cell(input), want, "{input:?}");
    }
    // Names from the data starting with formula characters, in every table.
    let mut csv = String::from("person,context,rater,dimension,value\n");
    for p in 0..6 {
        for c in 0..3 {
            for (r, rater) in ["=cmd|' /C calc'!A0", "@rater", "plain"].iter().enumerate() {
                let v = (p * 5 + c * 3 + r * 2) % 7 + 1;
                csv.push_str(&format!("-p{p},c{c},\"{rater}\",+mood,{v}\n"));
            }
        }
    }
    let ds = crate::tidy::parse("inj.csv", csv.as_bytes())
        .expect("parse")
        .to_dataset("inj.csv")
        .expect("dataset");
    let mut opts = ReportOptions::new(fixed_time());
    opts.method = DecomposeMethod::Anova;
    let data = never_cancel(|c| compute(&ds, &opts, c)).expect("computes");
    let tables = [
        agreement_csv(&data.agreement).unwrap(),
        decomposition_csv(&data.decomposition).unwrap(),
        rater_sensitivity_csv(&data.decomposition).unwrap(),
        person_profiles_csv(&data.person_profiles).unwrap(),
    ];
    for t in &tables {
        let mut rdr = csv::Reader::from_reader(t.as_bytes());
        let header = rdr.headers().unwrap().clone();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            for (name, cell) in header.iter().zip(rec.iter()) {
                let first = cell.chars().next();
                if matches!(first, Some('=' | '+' | '@' | '\t' | '\r' | '\n')) {
                    panic!("unneutralised cell {cell:?} in column {name}");
                }
                if first == Some('-') {
                    assert!(
                        cell.parse::<f64>().is_ok(),
                        "only numbers may start with '-': {cell:?} in {name}"
                    );
                }
            }
        }
    }
    assert!(tables[0].contains("'+mood"), "dimension kept, as text");
    assert!(
        tables[2].contains("'=cmd|' /C calc'!A0"),
        "rater kept, as text"
    );
    assert!(tables[3].contains("'-p"), "person kept, as text");
    // A negative number stays a number (moment estimates can be negative).
    let d = decomposition_csv(&data.decomposition).unwrap();
    let mut rdr = csv::Reader::from_reader(d.as_bytes());
    let first = rdr.records().next().unwrap().unwrap();
    let var_trait = data.decomposition.dimensions[0]
        .profile_level
        .as_ref()
        .unwrap()
        .person;
    assert_eq!(first[5].parse::<f64>().unwrap(), var_trait);
}

#[test]
fn person_profiles_show_persons_with_the_most_contexts_spread_over_their_level() {
    let ds = demo_dataset(20);
    let p = person_profiles(&ds, 6);
    assert_eq!(p.persons.len(), 6);
    assert!(!p.by_position, "demo persons share their contexts");
    assert_eq!(p.contexts.len(), 3);
    assert_eq!(p.dimensions.len(), ds.dimensions.len());
    // Persons are ordered by their mean on the first dimension.
    let means: Vec<f64> = p.dimensions[0]
        .scores
        .iter()
        .map(|r| {
            let v: Vec<f64> = r.iter().flatten().copied().collect();
            v.iter().sum::<f64>() / v.len() as f64
        })
        .collect();
    assert!(means.windows(2).all(|w| w[0] <= w[1]), "{means:?}");
    // A score is the mean of the profile's ratings.
    let dim = &ds.dimensions[0];
    let person = ds.persons.iter().position(|n| *n == p.persons[0]).unwrap() as u32;
    let ctx = ds
        .contexts
        .iter()
        .position(|n| *n == p.contexts[0])
        .unwrap() as u32;
    let vals: Vec<f64> = dim
        .observations
        .iter()
        .filter(|o| {
            let k = ds.profiles[o.profile as usize];
            k.person == person && k.context == ctx
        })
        .map(|o| o.value)
        .collect();
    let want = vals.iter().sum::<f64>() / vals.len() as f64;
    assert_eq!(p.dimensions[0].scores[0][0], Some(want));

    // A nominal dimension has no mean score to draw.
    let mut ds = ds;
    let emotion = ds
        .dimensions
        .iter()
        .position(|d| d.name == "dominant_emotion")
        .expect("the demo has a nominal dimension");
    ds.dimensions[emotion].level = Some(crate::model::Level::Nominal);
    let q = person_profiles(&ds, 6);
    assert_eq!(q.dimensions.len(), ds.dimensions.len() - 1);
    assert!(q
        .dimensions
        .iter()
        .all(|d| d.dimension != "dominant_emotion"));
    assert_eq!(q.persons, p.persons, "the same persons are chosen");
}

fn dark_pixels(img: &resvg::tiny_skia::Pixmap, x0: u32, y0: u32, x1: u32, y1: u32) -> usize {
    let mut n = 0;
    for y in y0..y1 {
        for x in x0..x1 {
            let px = img.pixel(x, y).unwrap();
            if u32::from(px.red()) + u32::from(px.green()) + u32::from(px.blue()) < 300 {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn figures_render_to_png_with_their_text() {
    let ds = demo_dataset(8);
    let data =
        never_cancel(|c| compute(&ds, &ReportOptions::new(fixed_time()), c)).expect("computes");
    for f in figures(&data).unwrap() {
        let (w, h) = png_size(&f.svg, 2.0).unwrap();
        let bytes = svg_to_png(&f.svg, 2.0).unwrap();
        assert!(
            bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{} is a PNG",
            f.name
        );
        let img = resvg::tiny_skia::Pixmap::decode_png(&bytes).unwrap();
        assert_eq!((img.width(), img.height()), (w, h), "{}", f.name);
        assert_eq!(w, 2 * 900, "twice the SVG's width");
        // The title band holds only the title's text: without fonts it would stay white.
        let title = dark_pixels(&img, 0, 0, w, 2 * 34);
        assert!(
            title > 200,
            "{}: the title is drawn ({title} dark pixels)",
            f.name
        );
    }
    // Legend text of the profile plot (person names) is drawn too.
    let f = figures(&data).unwrap().pop().unwrap();
    let img = resvg::tiny_skia::Pixmap::decode_png(&svg_to_png(&f.svg, 1.0).unwrap()).unwrap();
    let h = img.height();
    assert!(
        dark_pixels(&img, 40, h - 40, 200, h) > 50,
        "legend names are drawn"
    );
}

/// Writes the figures as PNG for a look: `FIGURE_DIR=/tmp/x cargo test -p chameleon-core
/// dump_figures -- --ignored`.
#[test]
#[ignore]
fn dump_figures() {
    let dir = std::env::var("FIGURE_DIR").unwrap_or_else(|_| "/tmp/chameleon-figures".into());
    std::fs::create_dir_all(&dir).unwrap();
    let ds = demo_dataset(36);
    let mut opts = ReportOptions::new(fixed_time());
    opts.bootstrap = 50;
    let data = never_cancel(|c| compute(&ds, &opts, c)).expect("computes");
    for f in figures(&data).unwrap() {
        std::fs::write(
            format!("{dir}/{}.png", f.name),
            svg_to_png(&f.svg, 1.0).unwrap(),
        )
        .unwrap();
    }
}

#[test]
fn one_progress_for_both_bootstraps_and_cancel_stops_the_agreement_part_too() {
    let ds = demo_dataset(10);
    let mut opts = ReportOptions::new(fixed_time());
    opts.bootstrap = 40;
    let seen = std::sync::Mutex::new(Vec::new());
    let progress = |done: u64, total: u64| seen.lock().unwrap().push((done, total));
    let cancel = AtomicBool::new(false);
    let control = Control {
        progress: &progress,
        cancel: &cancel,
    };
    compute(&ds, &opts, &control).expect("runs");
    let seen = seen.into_inner().unwrap();
    assert!(seen.iter().all(|&(_, t)| t == 40), "total is the resamples");
    assert!(
        seen.windows(2).all(|w| w[0].0 < w[1].0),
        "reported counts only grow: {seen:?}"
    );
    assert_eq!(seen.last().map(|s| s.0), Some(40), "ends at the total");

    // Cancelled as soon as the agreement part reports: the whole run stops.
    let cancel = AtomicBool::new(false);
    let stop = |_: u64, _: u64| cancel.store(true, std::sync::atomic::Ordering::Relaxed);
    let control = Control {
        progress: &stop,
        cancel: &cancel,
    };
    // A million resamples would run for many minutes: returning at all means both stopped.
    opts.bootstrap = 1_000_000;
    assert!(matches!(
        compute(&ds, &opts, &control),
        Err(VarianceError::Cancelled)
    ));
}

/// Start tags of an HTML document with their attribute names, in order. Raw-text elements
/// (`script`, `style`) are skipped to their end tag, comments and declarations ignored: what a
/// browser's tokenizer would make elements of, for the structure checks below.
fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let b = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        i += off;
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            i += rest.find("-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("</") || rest.starts_with("<?") {
            i += rest.find('>').map_or(rest.len(), |e| e + 1);
            continue;
        }
        let name_len = rest[1..]
            .bytes()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == b'-' || *c == b':')
            .count();
        if name_len == 0 || !rest.as_bytes()[1].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let name = rest[1..1 + name_len].to_ascii_lowercase();
        let mut j = i + 1 + name_len;
        let mut attrs = Vec::new();
        loop {
            while j < b.len() && (b[j].is_ascii_whitespace() || b[j] == b'/') {
                j += 1;
            }
            if j >= b.len() || b[j] == b'>' {
                j += 1;
                break;
            }
            let start = j;
            while j < b.len() && !b"=> \t\n\r/".contains(&b[j]) {
                j += 1;
            }
            let attr = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if j < b.len() && b[j] == b'=' {
                j += 1;
                if j < b.len() && (b[j] == b'"' || b[j] == b'\'') {
                    let q = b[j];
                    let end = html[j + 1..]
                        .bytes()
                        .position(|c| c == q)
                        .map_or(b.len(), |e| j + 1 + e);
                    value = html[j + 1..end.min(b.len())].to_owned();
                    j = end + 1;
                } else {
                    let start = j;
                    while j < b.len() && !b"> \t\n\r".contains(&b[j]) {
                        j += 1;
                    }
                    value = html[start..j].to_owned();
                }
            }
            attrs.push((attr, value));
        }
        i = j.min(b.len());
        if name == "script" || name == "style" {
            let close = format!("</{name}");
            i += html[i..].find(&close).unwrap_or(html.len() - i);
        }
        out.push((name, attrs));
    }
    out
}

#[test]
fn hostile_names_create_no_element_or_attribute_in_the_report() {
    // Issue 11, item 23: the hostile corpus in every name the report shows. The report of the
    // same data with plain names is the reference structure: the hostile one must have exactly
    // its elements and attribute names, so nothing in a payload became markup.
    let hostile = [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(2)>",
        "javascript:alert(3)",
        "\"><svg onload=alert(4)>",
        "'><a href=\"javascript:alert(5)\">x</a>",
        "\u{202e}evil\u{202c}",
        "nul\u{0}byte",
    ];
    let build = |names: &dyn Fn(usize) -> String| {
        let mut csv = String::from("person,context,rater,dimension,value\n");
        let q = |s: String| format!("\"{}\"", s.replace('"', "\"\""));
        for p in 0..4 {
            for c in 0..2 {
                for r in 0..3 {
                    let v = (p * 3 + c * 2 + r * 5) % 5 + 1;
                    csv.push_str(&format!(
                        "{},{},{},{},{v}\n",
                        q(format!("{}{p}", names(p))),
                        q(format!("{}{c}", names(c + 1))),
                        q(format!("{}{r}", names(r + 2))),
                        q(names(5)),
                    ));
                }
            }
        }
        let source = names(6);
        let ds = crate::tidy::parse(&source, csv.as_bytes())
            .expect("parse")
            .to_dataset(&source)
            .expect("dataset");
        let mut opts = ReportOptions::new(fixed_time());
        opts.title = Some(names(3));
        // A 1 MB study name, itself hostile.
        opts.study = Some(format!("{}{}", names(1), "x".repeat(1 << 20)));
        render_report(&ds, &opts).expect("report renders")
    };
    let bad = build(&|i| hostile[i % hostile.len()].to_owned());
    let good = build(&|i| format!("name{i}"));
    let shape = |html: &str| -> Vec<(String, Vec<String>)> {
        start_tags(html)
            .into_iter()
            .map(|(t, a)| (t, a.into_iter().map(|(n, _)| n).collect()))
            .collect()
    };
    let (bad_shape, good_shape) = (shape(&bad), shape(&good));
    assert_eq!(
        bad_shape.len(),
        good_shape.len(),
        "the hostile names added or removed elements"
    );
    for (b, g) in bad_shape.iter().zip(&good_shape) {
        assert_eq!(
            b, g,
            "an element differs between the plain and hostile reports"
        );
    }
    for (tag, attrs) in start_tags(&bad) {
        for (name, value) in attrs {
            assert!(
                !name.starts_with("on"),
                "<{tag} {name}=…>: an event handler attribute"
            );
            assert!(
                !value
                    .trim_start()
                    .to_ascii_lowercase()
                    .starts_with("javascript:"),
                "<{tag} {name}={value:?}>: a javascript: URL"
            );
        }
    }
    assert!(!bad.contains('\u{0}'), "a NUL never reaches the document");
    assert_eq!(
        start_tags(&bad)
            .iter()
            .filter(|(t, _)| t == "script")
            .count(),
        1,
        "only the data block is a script element"
    );
    let data = embedded(&bad);
    assert_eq!(data["source"], hostile[6 % hostile.len()]);
}

/// The shared-context fixture of the formula engine (40 persons, 8 shared contexts, 6 raters)
/// as a tidy dataset with one dimension.
fn shared_context_dataset() -> Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/fixtures/formula/shared_balanced.csv");
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut csv = String::from("person,context,rater,dimension,value\n");
    for l in text.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        csv += &format!("{},{},{},mood,{}\n", f[0], f[1], f[2], f[3]);
    }
    crate::tidy::parse("shared.csv", csv.as_bytes())
        .expect("parses")
        .to_dataset("shared.csv")
        .expect("dataset")
}

const SHARED_FORMULA: &str =
    "value ~ 1 + (1|person) + (1|context) + (1|person:context) + (1|rater)";

fn model_report(ml: bool, profile_ci: bool, bootstrap: usize) -> (String, ReportData) {
    let ds = shared_context_dataset();
    let prepared = crate::analysis::decompose::prepare_model(&ds, SHARED_FORMULA).expect("fits");
    let mut opts = ReportOptions::new(fixed_time());
    opts.bootstrap = bootstrap;
    opts.seed = 4;
    let data = never_cancel(|c| {
        compute_with_model(
            &ds,
            &opts,
            Some((&prepared, ReportModelOptions { ml, profile_ci })),
            c,
        )
    })
    .expect("computes");
    (render_html(&data).expect("renders"), data)
}

#[test]
fn a_model_report_names_the_formula_and_shows_components_intervals_and_context_effects() {
    let (html, data) = model_report(false, true, 20);
    let m = data.decomposition.dimensions[0]
        .model
        .as_ref()
        .expect("the model is fitted");
    // The formula in lme4 syntax, as the section title and in the methods paragraph.
    let formula = "value ~ 1 + (1 | person) + (1 | context) + (1 | person:context) + (1 | rater)";
    assert_eq!(m.formula, formula);
    assert!(html.contains(&format!(
        "<h2>Variance components: <code class=\"model-formula\">{formula}</code></h2>"
    )));
    assert!(html.contains("<strong>Variance-components model.</strong>"));
    assert!(html.contains("restricted maximum likelihood (REML)"));
    assert!(html.contains("REMLcrit()"));
    assert!(html.contains("confint(method = \"profile\")"));
    assert!(html.contains("parametric bootstrap resamples, as lme4's <code>bootMer</code>"));
    assert!(html.contains("within 10<sup>−3</sup>"));
    // Every component with its profile and bootstrap intervals, rounded as the tables are.
    let sd_ci = m.sd_ci95.as_ref().expect("profile intervals");
    let comp_ci = m.components_ci95.as_ref().expect("bootstrap intervals");
    let share_ci = m.shares_ci95.as_ref().expect("bootstrap intervals");
    assert_eq!(m.bootstrap.as_ref().map(|b| b.resamples), Some(20));
    let ci4 = |v: Option<[f64; 2]>| {
        v.map_or_else(
            || super::table::DASH.to_string(),
            |[a, b]| format!("[{a:.4}, {b:.4}]"),
        )
    };
    for (term, v) in &m.components.0 {
        let [lo, hi] = sd_ci.get(term).expect("every SD has a profile interval");
        assert!(lo <= v.sqrt() && v.sqrt() <= hi, "{term}");
        let row = format!("<td class=\"name\">mood</td><td class=\"text\">{term}</td>");
        let at = html.find(&row).unwrap_or_else(|| panic!("row of {term}"));
        let line = &html[at..at + html[at..].find("</tr>").expect("row closes")];
        for cell in [
            format!("{v:.4}"),
            format!("[{lo:.4}, {hi:.4}]"),
            ci4(comp_ci.get(term).flatten()),
            ci4(share_ci.get(term).flatten()),
            format!("{:.4}", m.shares.get(term).expect("share")),
        ] {
            assert!(line.contains(&cell), "{term}: {cell} not in {line}");
        }
    }
    // Context effects: the highest and lowest context with their conditional SDs.
    let effects = &data.model.as_ref().expect("model section").context_effects[0];
    assert_eq!(effects.levels.len(), 8);
    assert!(html.contains("<h3>Context effects</h3>"));
    for l in [&effects.levels[0], &effects.levels[7]] {
        let row = format!(
            "<td class=\"name\">mood</td><td class=\"text\">{}</td><td class=\"num\">{:.4}</td><td class=\"num\">{:.4}</td>",
            l.level, l.mode, l.sd
        );
        assert!(html.contains(&row), "{row}");
    }
    assert!(effects.levels[0].mode > effects.levels[7].mode);
    // Rater leniency: every rater's mode, in the rater effects table.
    let raters = &data.model.as_ref().expect("model section").rater_effects;
    assert_eq!(raters.len(), 1, "one dimension, one rater term");
    assert_eq!(raters[0].term, "rater");
    assert!(html.contains("<h3>Rater effects</h3>"));
    for l in &raters[0].levels {
        let row = format!(
            "<td class=\"text\">rater</td><td class=\"text\">{}</td><td class=\"num\">{:.4}</td>",
            l.level, l.mode
        );
        assert!(html.contains(&row), "{row}");
    }
    // The embedded data carry the model section and the fits unrounded.
    let json = embedded(&html);
    assert_eq!(json["model"]["formula"], formula);
    assert_eq!(
        json["decomposition"]["dimensions"][0]["model"]["bootstrap"]["method"],
        "parametric"
    );
}

#[test]
fn a_report_without_a_model_has_no_model_section_and_ml_is_named() {
    let ds = shared_context_dataset();
    let html = render_report(&ds, &ReportOptions::new(fixed_time())).expect("renders");
    assert!(!html.contains("id=\"model\""));
    assert!(!html.contains("Variance-components model"));
    let (html, _) = model_report(true, false, 0);
    assert!(html.contains("maximum likelihood (ML)"));
    assert!(html.contains("deviance()"));
    assert!(!html.contains("SD 95% profile CI"));
    assert!(!html.contains("bootMer"));
}

#[test]
fn a_pilot_s_cautioned_shares_are_named_not_drawn_and_figures_name_their_data_issue_15() {
    let ds = demo_dataset(3);
    let data =
        never_cancel(|c| compute(&ds, &ReportOptions::new(fixed_time()), c)).expect("computes");
    assert!(data
        .decomposition
        .dimensions
        .iter()
        .all(|d| d.caution.is_some()));
    let figs = figures(&data).expect("figures");
    let shares = figs
        .iter()
        .find(|f| f.name == "trait_state_shares")
        .unwrap();
    assert!(
        shares.svg.contains("too few data (n = 3)"),
        "the reason is drawn"
    );
    assert!(shares.caption.contains("named, not drawn"));
    // The trait colour appears once: the legend's swatch, no bar.
    let trait_fill = format!("#{:02X}{:02X}{:02X}", 0x2b, 0x6c, 0xb0);
    let fills = shares
        .svg
        .matches(&format!("fill=\"{trait_fill}\""))
        .count();
    assert_eq!(fills, 1, "no bar drawn for a cautioned share");
    let healthy =
        never_cancel(|c| compute(&demo_dataset(40), &ReportOptions::new(fixed_time()), c))
            .expect("computes");
    let shares = &figures(&healthy).unwrap()[0];
    assert!(
        shares
            .svg
            .matches(&format!("fill=\"{trait_fill}\""))
            .count()
            > 1
    );
    for f in &figs {
        assert!(
            f.svg.contains(&data.data_hash[..12]) && f.svg.contains(&data.generated_at),
            "{} names its data and time",
            f.name
        );
        assert!(f.svg.trim_end().ends_with("</svg>"));
    }
}

#[test]
fn no_legend_or_caption_speaks_of_whiskers_that_a_cautioned_row_does_not_draw() {
    let mut opts = ReportOptions::new(fixed_time());
    opts.bootstrap = 20;
    let pilot = never_cancel(|c| compute(&demo_dataset(3), &opts, c)).expect("computes");
    for f in figures(&pilot).expect("figures") {
        if f.name == "person_profiles" {
            continue;
        }
        assert!(!f.svg.contains("Whiskers"), "{}: legend", f.name);
        assert!(!f.caption.contains("Whiskers"), "{}: {}", f.name, f.caption);
    }
    let healthy = never_cancel(|c| compute(&demo_dataset(40), &opts, c)).expect("computes");
    let shares = figures(&healthy).expect("figures");
    let shares = shares
        .iter()
        .find(|f| f.name == "trait_state_shares")
        .unwrap();
    assert!(shares.svg.contains("Whiskers") && shares.caption.contains("Whiskers"));
}
