//! The HTML document. Every string from the data goes through [`esc`]; numbers are formatted
//! here; figures come from [`super::figures`].

mod agreement;
mod decomposition;
mod methods;
mod model;
mod models;

use super::ReportData;
use crate::app::analysis::plural;
use crate::error::{CoreError, Result};
use std::fmt::Write as _;

/// Escapes text for HTML element content and quoted attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // NUL and the other C0 controls are parse errors in HTML and forbidden in XML (the
            // report's inline SVG): shown as the replacement character, as a browser would.
            c if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// JSON safe to place inside `<script type="application/json">`: `<`, `>` and `&` (which
/// only occur inside JSON strings) become `\u003c`, `\u003e`, `\u0026`, so neither `</script>`
/// nor `<!--` can end or change the block; parsing gives the original text back.
pub(crate) fn script_json(data: &ReportData) -> Result<String> {
    let json = serde_json::to_string(data)
        .map_err(|e| CoreError::Invalid(format!("serializing the report failed: {e}")))?;
    let mut out = String::with_capacity(json.len() + 64);
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// 4 decimals, `—` for a statistic that could not be computed (numbers in running text; the
/// tables format theirs in [`super::table`]).
fn f4(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}"))
        .unwrap_or_else(|| super::table::DASH.into())
}

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #222; max-width: 1240px; margin: 2rem auto; padding: 0 1.5rem; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .3rem; }
h2 { font-size: 1.3rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
th, td { padding: .26rem .45rem; border-bottom: 1px solid #e4e4e4; text-align: right;
         vertical-align: top; }
th { background: #f4f6f8; font-weight: 600; }
th:first-child, td:first-child, th.text { text-align: left; }
td.name { text-align: left; overflow-wrap: break-word; max-width: 18rem; }
td.text { text-align: left; }
td.num, td.ci { font-variant-numeric: tabular-nums; white-space: nowrap; }
table.meta th { text-align: left; background: none; width: 11rem; }
table.meta td { text-align: left; }
details { margin: .3rem 0; }
summary { cursor: pointer; font-size: .92rem; }
code, .hash { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; }
.methods p { max-width: 62rem; }
.formula { font-family: "Times New Roman", Times, serif; font-size: 1.05em; white-space: nowrap; }
figure { margin: 1rem 0 2rem; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: .88rem; color: #444; max-width: 62rem; }
.sub { font-size: .78rem; color: #555; }
.flag { color: #a23b00; font-weight: 600; }
.caution { color: #6b6b6b; font-style: italic; white-space: nowrap; }
.note { font-size: .85rem; color: #555; }
.warnings li { font-size: .85rem; color: #6a4a00; }
.scroll { overflow-x: auto; }
"#;

/// The whole document.
pub(crate) fn render(data: &ReportData) -> Result<String> {
    let figures = super::figures::all(data)?;
    let json = script_json(data)?;
    let mut h = String::with_capacity(64 * 1024);
    let title = esc(&data.title);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{} {}\">\n<title>{title}</title>\n<style>{STYLE}</style>\n\
         </head>\n<body>\n<header>\n<h1>{title}</h1>\n",
        esc(data.software),
        esc(data.version),
    );
    meta(&mut h, data);
    h.push_str("</header>\n<main>\n");
    methods::methods(&mut h, data);
    agreement::agreement_section(&mut h, &data.agreement, data);
    decomposition::decomposition_section(&mut h, &data.decomposition, data);
    model::model_section(&mut h, data);
    models::models_section(&mut h, data);
    if !figures.is_empty() {
        h.push_str("<section id=\"figures\">\n<h2>Figures</h2>\n");
        for (i, f) in figures.iter().enumerate() {
            let _ = write!(
                h,
                "<figure id=\"fig-{}\">\n{}\n<figcaption><strong>Figure {}.</strong> {}. {}</figcaption>\n</figure>\n",
                f.name,
                strip_xml_prolog(&f.svg),
                i + 1,
                esc(&f.title),
                esc(&f.caption)
            );
        }
        h.push_str("</section>\n");
    }
    warnings_section(&mut h, data);
    let _ = write!(
        h,
        "</main>\n<footer class=\"note\"><p>Made by {} {} on {}. The full agreement and \
         decomposition reports (unrounded, identical to <code>chameleon agreement --json</code> \
         and <code>chameleon decompose --json</code> with the same options) are embedded in this \
         file as JSON (<code>script#chameleon-data</code>).</p></footer>\n\
         <script type=\"application/json\" id=\"chameleon-data\">{json}</script>\n</body>\n</html>\n",
        esc(data.software),
        esc(data.version),
        esc(&data.generated_at)
    );
    Ok(h)
}

/// An SVG inlined in HTML must not carry an XML declaration.
fn strip_xml_prolog(svg: &str) -> &str {
    let s = svg.trim_start();
    if s.starts_with("<?xml") {
        s.find("?>").map(|i| &s[i + 2..]).unwrap_or(s).trim_start()
    } else {
        s
    }
}

fn meta(h: &mut String, d: &ReportData) {
    let c = &d.counts;
    let bootstrap = if d.bootstrap > 0 {
        format!(
            "{} resamples, seed {}",
            d.bootstrap,
            d.seed.unwrap_or_default()
        )
    } else {
        "none (no confidence intervals)".to_string()
    };
    let _ = write!(
        h,
        "<table class=\"meta\">\n\
         {}<tr><th>Source</th><td>{}</td></tr>\n\
         <tr><th>Generated</th><td>{}</td></tr>\n\
         <tr><th>Software</th><td>{} {}</td></tr>\n\
         <tr><th>Data hash (BLAKE3)</th><td class=\"hash\">{}</td></tr>\n\
         <tr><th>Data</th><td>{}, {}, {}, {}, {}, {}{}</td></tr>\n\
         {}{}<tr><th>Decomposition estimator</th><td>{}</td></tr>\n\
         <tr><th>Bootstrap</th><td>{}</td></tr>\n\
         </table>\n",
        d.study
            .as_deref()
            .map(|n| format!("<tr><th>Study</th><td>{}</td></tr>\n", esc(n)))
            .unwrap_or_default(),
        esc(&d.source),
        esc(&d.generated_at),
        esc(d.software),
        esc(d.version),
        esc(&d.data_hash),
        plural(c.dimensions, "dimension"),
        plural(c.persons, "person"),
        plural(c.contexts, "context"),
        plural(c.profiles, "profile"),
        plural(c.raters, "rater"),
        plural(c.ratings, "rating"),
        if c.cant_judge > 0 {
            format!(" ({} can't judge, left out)", c.cant_judge)
        } else {
            String::new()
        },
        // Said on its own row when no rater choice (whose summary says it) is shown.
        match (&c.known_left_out, &d.raters) {
            (Some(k), None) => k
                .sentence()
                .map(|s| format!("<tr><th>Left out</th><td>{}</td></tr>\n", esc(&s)))
                .unwrap_or_default(),
            _ => String::new(),
        },
        d.raters
            .as_ref()
            .map(|r| format!(
                "<tr><th>Raters</th><td>{}</td></tr>\n",
                esc(r.summary().trim())
            ))
            .unwrap_or_default(),
        esc(&d.method.to_uppercase()),
        esc(&bootstrap),
    );
}

fn warnings_section(h: &mut String, d: &ReportData) {
    let mut notes: Vec<String> = d.agreement_warnings.clone();
    for x in &d.decomposition.dimensions {
        for w in &x.warnings {
            notes.push(format!("{}: {w}", x.dimension));
        }
        if let Some(n) = &x.negative_components {
            if !n.profile_level.is_empty() || !n.rater_level.is_empty() {
                notes.push(format!(
                    "{}: negative moment estimates ({})",
                    x.dimension,
                    n.profile_level
                        .iter()
                        .map(|s| format!("profile level {s}"))
                        .chain(n.rater_level.iter().map(|s| format!("rater level {s}")))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
        }
    }
    if notes.is_empty() {
        return;
    }
    h.push_str("<section id=\"notes\">\n<h2>Notes</h2>\n<ul class=\"warnings\">\n");
    for n in notes {
        let _ = writeln!(h, "<li>{}</li>", esc(&n));
    }
    h.push_str("</ul>\n</section>\n");
}
