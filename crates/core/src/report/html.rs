//! The HTML document. Every string from the data goes through [`esc`]; numbers are formatted
//! here; figures come from [`super::figures`].

use super::tables::{alpha_at_level, alpha_ci_at_level};
use super::ReportData;
use crate::analysis::agreement::AgreementReport;
use crate::analysis::decompose::DecomposeReport;
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

const DASH: &str = "—";

/// 4 decimals, `—` for a statistic that could not be computed.
fn f4(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.4}")).unwrap_or_else(|| DASH.into())
}

/// Percent (values already 0–100), 2 decimals.
fn p2(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.2}%")).unwrap_or_else(|| DASH.into())
}

pub(crate) fn ci4(v: Option<[f64; 2]>) -> String {
    v.map(|[a, b]| format!("[{a:.4}, {b:.4}]"))
        .unwrap_or_else(|| DASH.into())
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
    methods(&mut h, data);
    agreement_section(&mut h, &data.agreement, data);
    decomposition_section(&mut h, &data.decomposition, data);
    model_section(&mut h, data);
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
         <tr><th>Data</th><td>{} dimension(s), {} persons, {} contexts, {} profiles, {} raters, {} ratings</td></tr>\n\
         <tr><th>Decomposition estimator</th><td>{}</td></tr>\n\
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
        c.dimensions,
        c.persons,
        c.contexts,
        c.profiles,
        c.raters,
        c.ratings,
        esc(&d.method.to_uppercase()),
        esc(&bootstrap),
    );
}

fn methods(h: &mut String, d: &ReportData) {
    let reml = d.method == "reml";
    h.push_str("<section id=\"methods\" class=\"methods\">\n<h2>Methods</h2>\n");
    h.push_str(
        "<p><strong>Agreement.</strong> The unit of agreement is the profile (one person in one \
         context). Krippendorff's alpha (Krippendorff, 2011) is computed from the coincidence \
         matrix, <span class=\"formula\">o<sub>ck</sub> = Σ<sub>u</sub> (number of c–k pairs in \
         u) / (m<sub>u</sub> − 1)</span>, as <span class=\"formula\">α = 1 − D<sub>o</sub> / \
         D<sub>e</sub></span> with the nominal, ordinal, interval and ratio difference functions; \
         units with fewer than two ratings are not pairable, and missing ratings are allowed. \
         The alpha shown first is the one at the dimension's level of measurement (from the \
         codebook; interval when the data carry none). Fleiss' kappa (Fleiss, 1971; the \
         generalised form when units have different numbers of ratings) and Cohen's kappa for \
         every pair of raters on their shared units (unweighted, linear and quadratic weights; \
         Cohen, 1960, 1968) are reported for categorical scales. Intraclass correlations follow \
         Shrout and Fleiss (1979): ICC1, ICC2, ICC3 and their k-rater forms from two-way ANOVA \
         mean squares when every unit is rated by every rater; for incomplete designs they are \
         computed from REML variance components of <span class=\"formula\">y<sub>ur</sub> = μ + \
         u<sub>u</sub> + r<sub>r</sub> + e<sub>ur</sub></span> (method of moments when REML \
         fails), as shown in the ICC method column. Percent agreement is the mean over pairable \
         units of the share of rating pairs that agree exactly (and within one scale point for \
         discrete ordered scales).</p>\n",
    );
    let _ = writeln!(
        h,
        "<p><strong>State–trait decomposition.</strong> Variance components are estimated by {} \
         per dimension. At the profile level, the profile score s<sub>pc</sub> (the mean of the \
         ratings of person p in context c) follows <span class=\"formula\">s<sub>pc</sub> = μ + \
         T<sub>p</sub> + S<sub>pc</sub></span> with random person (trait, variance \
         σ<sup>2</sup><sub>T</sub>) and person × context (state, σ<sup>2</sup><sub>S</sub>) \
         effects; the <em>trait share</em> is <span class=\"formula\">σ<sup>2</sup><sub>T</sub> / \
         (σ<sup>2</sup><sub>T</sub> + σ<sup>2</sup><sub>S</sub>)</span> and the state share is one \
         minus the trait share. When raters are known, the rater level is a generalizability \
         study of the individual ratings, <span class=\"formula\">y<sub>pcr</sub> = μ + \
         T<sub>p</sub> + S<sub>pc</sub> + R<sub>r</sub> + E<sub>pcr</sub></span> with crossed \
         random rater effects, giving the variance of person (trait), person × context (state), \
         rater (leniency) and residual (disagreement and error), the reliability of a profile \
         score averaged over k raters, and the latent state–trait coefficients consistency, \
         occasion specificity and reliability. {} The pooled split is the mean over dimensions \
         of the profile-level trait and state shares. Per-rater state sensitivity is the \
         within-person (state) share of one rater's own ratings from the profile-level model; a \
         rater with a state share below 0.10 is flagged as state-blind.</p>",
        if reml {
            "restricted maximum likelihood (REML)"
        } else {
            "the method of moments (ANOVA)"
        },
        if reml {
            "The REML criterion reported is −2 × the REML log-likelihood, as lme4's \
             <code>REMLcrit</code>; REML components are never negative."
        } else {
            "Method-of-moments estimates can be negative; they are reported as computed and \
             flagged."
        }
    );
    model_methods(h, d);
    if d.bootstrap > 0 {
        let _ = writeln!(
            h,
            "<p><strong>Confidence intervals.</strong> 95% percentile intervals from {n} \
             person-cluster bootstrap resamples for the decomposition (persons resampled with all \
             their profiles and ratings, the same persons for every dimension) and {n} unit \
             bootstrap resamples for alpha and Fleiss' kappa, seed {s}; the results are \
             identical for a given seed whatever the number of threads. Intraclass correlation \
             intervals, where shown, are F-based (complete designs only).</p>",
            n = d.bootstrap,
            s = d.seed.unwrap_or_default()
        );
    } else {
        h.push_str(
            "<p><strong>Confidence intervals.</strong> No bootstrap was run for this report \
             (<code>--bootstrap N</code> adds percentile intervals).</p>\n",
        );
    }
    let _ = write!(
        h,
        "<p><strong>Software and data.</strong> {} {} (<code>chameleon</code> command-line tool \
         and desktop app share this code). The data hash identifies the analysed ratings \
         snapshot (BLAKE3 over names, structure and values); the same data give the same hash. \
         Tables are rounded to 4 decimals; the unrounded results are embedded in this file as \
         JSON.</p>\n</section>\n",
        esc(d.software),
        esc(d.version),
    );
}

/// One table row: the first cell is a name, cells whose index is in `text` are left-aligned
/// text, the others numbers. Cells are already escaped.
fn row_with(h: &mut String, cells: &[String], text: &[usize]) {
    h.push_str("<tr>");
    for (i, c) in cells.iter().enumerate() {
        let class = if i == 0 {
            "name"
        } else if text.contains(&i) {
            "text"
        } else {
            "num"
        };
        let _ = write!(h, "<td class=\"{class}\">{c}</td>");
    }
    h.push_str("</tr>\n");
}

fn row(h: &mut String, cells: &[String]) {
    row_with(h, cells, &[]);
}

/// Opens a table with these (static, trusted) headers; headers of the `text` columns are
/// left-aligned like their cells.
fn head_with(h: &mut String, cells: &[&str], text: &[usize]) {
    h.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
    for (i, c) in cells.iter().enumerate() {
        if text.contains(&i) {
            let _ = write!(h, "<th class=\"text\">{c}</th>");
        } else {
            let _ = write!(h, "<th>{c}</th>");
        }
    }
    h.push_str("</tr></thead>\n<tbody>\n");
}

fn head(h: &mut String, cells: &[&str]) {
    head_with(h, cells, &[]);
}

fn tail(h: &mut String) {
    h.push_str("</tbody>\n</table></div>\n");
}

fn agreement_section(h: &mut String, r: &AgreementReport, d: &ReportData) {
    h.push_str("<section id=\"agreement\">\n<h2>Agreement per dimension</h2>\n");
    if r.dimensions.is_empty() {
        h.push_str("<p>No dimensions.</p>\n</section>\n");
        return;
    }
    if r.dimensions.iter().all(|a| a.raters == 0) {
        h.push_str(
            "<p>The data carry no rater column (one score per profile): agreement statistics \
             need ratings of the same profiles by two or more raters, so none are reported. \
             The decomposition below uses the profile level only.</p>\n</section>\n",
        );
        return;
    }
    let boot = d.bootstrap > 0;
    let mut cols = vec![
        "Dimension",
        "Level",
        "Units",
        "Raters",
        "Ratings",
        "α (level)",
    ];
    cols.extend([
        "α nominal",
        "α ordinal",
        "α interval",
        "α ratio",
        "Fleiss κ",
        "Agreement",
        "Within ±1",
    ]);
    head_with(h, &cols, &[1]);
    for a in &r.dimensions {
        let mut cells = vec![
            esc(&a.dimension),
            esc(a.level.as_str()),
            a.units.to_string(),
            a.raters.to_string(),
            a.ratings.to_string(),
            if boot {
                // The interval under the estimate keeps the table narrow.
                format!(
                    "<strong>{}</strong><br><span class=\"sub\">{}</span>",
                    f4(alpha_at_level(a)),
                    ci4(alpha_ci_at_level(a))
                )
            } else {
                format!("<strong>{}</strong>", f4(alpha_at_level(a)))
            },
        ];
        cells.extend([
            f4(a.alpha.nominal),
            f4(a.alpha.ordinal),
            f4(a.alpha.interval),
            f4(a.alpha.ratio),
            f4(a.fleiss_kappa),
            p2(a.percent_agreement),
            p2(a.percent_within_one),
        ]);
        row_with(h, &cells, &[1]);
    }
    tail(h);
    h.push_str(
        "<p class=\"note\">α: Krippendorff's alpha; α (level): at the dimension's level of \
         measurement (with its 95% bootstrap interval when bootstrapped); κ: kappa; Agreement / Within ±1: pairwise percent agreement over pairable \
         units. — : not computable for these data (reasons under Notes).</p>\n",
    );
    h.push_str("<h3>Intraclass correlations</h3>\n");
    head_with(
        h,
        &[
            "Dimension",
            "ICC method",
            "ICC1",
            "ICC2",
            "ICC3",
            "ICC1k",
            "ICC2k",
            "ICC3k",
            "ICC2 95% CI",
        ],
        &[1],
    );
    for a in &r.dimensions {
        let ci2 = a
            .icc_detail
            .as_ref()
            .and_then(|x| x.icc2.as_ref())
            .and_then(|x| x.ci95);
        row_with(
            h,
            &[
                esc(&a.dimension),
                esc(a.icc_method),
                f4(a.icc.icc1),
                f4(a.icc.icc2),
                f4(a.icc.icc3),
                f4(a.icc.icc1k),
                f4(a.icc.icc2k),
                f4(a.icc.icc3k),
                ci4(ci2),
            ],
            &[1],
        );
    }
    tail(h);
    raters_and_pairs(h, r);
    h.push_str("</section>\n");
}

/// Per dimension, collapsed: the raters' diagnostics and Cohen's kappa per rater pair.
fn raters_and_pairs(h: &mut String, r: &AgreementReport) {
    if r.dimensions
        .iter()
        .all(|a| a.raters_detail.is_empty() && a.pairs.is_empty())
    {
        return;
    }
    h.push_str(
        "<h3>Raters and rater pairs</h3>\n<p class=\"note\">Leniency: mean deviation from the \
         other raters of the same profiles; r: correlation with the leave-one-out consensus; \
         exact agreement: percent of pairs with another rater on a shared profile rated \
         identically; drift: mean absolute deviation from the consensus in the first and last \
         third of the rater's ratings; Cohen's kappa on each pair's shared profiles. Click a \
         dimension to open it.</p>\n",
    );
    for a in &r.dimensions {
        if a.raters_detail.is_empty() && a.pairs.is_empty() {
            continue;
        }
        let _ = writeln!(
            h,
            "<details>\n<summary>{} — {} raters, {} pairs</summary>",
            esc(&a.dimension),
            a.raters_detail.len(),
            a.pairs.len()
        );
        if !a.raters_detail.is_empty() {
            head(
                h,
                &[
                    "Rater",
                    "Ratings",
                    "Shared",
                    "Leniency",
                    "r (consensus)",
                    "Exact agreement",
                    "Drift |dev| early",
                    "Drift |dev| late",
                    "Median seconds",
                ],
            );
            for x in &a.raters_detail {
                row(
                    h,
                    &[
                        esc(&x.rater),
                        x.n.to_string(),
                        x.n_shared.to_string(),
                        f4(x.leniency),
                        f4(x.consensus_r),
                        p2(x.consensus_agreement),
                        f4(x.drift_early_abs_dev),
                        f4(x.drift_late_abs_dev),
                        x.median_seconds
                            .map(|v| format!("{v:.1}"))
                            .unwrap_or_else(|| DASH.into()),
                    ],
                );
            }
            tail(h);
        }
        if !a.pairs.is_empty() {
            head(h, &["Rater pair", "Units", "κ", "κ linear", "κ quadratic"]);
            for p in &a.pairs {
                row(
                    h,
                    &[
                        format!("{} – {}", esc(&p.a), esc(&p.b)),
                        p.units.to_string(),
                        f4(p.kappa),
                        f4(p.kappa_linear),
                        f4(p.kappa_quadratic),
                    ],
                );
            }
            tail(h);
        }
        h.push_str("</details>\n");
    }
}

fn decomposition_section(h: &mut String, r: &DecomposeReport, d: &ReportData) {
    h.push_str("<section id=\"decomposition\">\n<h2>State–trait decomposition</h2>\n");
    let boot = d.bootstrap > 0;
    h.push_str("<h3>Profile level (trait and state)</h3>\n");
    let mut cols = vec![
        "Dimension",
        "Persons",
        "Profiles",
        "Ratings",
        "σ²<sub>T</sub> (trait)",
        "σ²<sub>S</sub> (state)",
        "Trait share",
    ];
    if boot {
        cols.push("Trait share 95% CI");
    }
    cols.extend(["State share", "REML criterion"]);
    head(h, &cols);
    for x in &r.dimensions {
        let p = x.profile_level.as_ref();
        let mut cells = vec![
            esc(&x.dimension),
            x.persons.to_string(),
            x.profiles.to_string(),
            x.ratings.to_string(),
            f4(p.map(|p| p.person)),
            f4(p.map(|p| p.state)),
            format!("<strong>{}</strong>", f4(p.map(|p| p.trait_share))),
        ];
        if boot {
            cells.push(ci4(x.ci.as_ref().and_then(|c| c.trait_share)));
        }
        cells.extend([
            f4(p.map(|p| p.state_share)),
            f4(p.and_then(|p| p.reml_criterion)),
        ]);
        row(h, &cells);
    }
    tail(h);

    h.push_str("<h3>Pooled trait–state split</h3>\n");
    let mut cols = vec!["", "Dimensions", "Trait share"];
    if boot {
        cols.push("Trait share 95% CI");
    }
    cols.push("State share");
    if boot {
        cols.push("State share 95% CI");
    }
    head(h, &cols);
    let mut cells = vec![
        "Mean over dimensions".to_string(),
        r.pooled.dimensions.to_string(),
        format!("<strong>{}</strong>", f4(r.pooled.trait_share)),
    ];
    if boot {
        cells.push(ci4(r.pooled.ci.as_ref().and_then(|c| c.trait_share)));
    }
    cells.push(f4(r.pooled.state_share));
    if boot {
        cells.push(ci4(r.pooled.ci.as_ref().and_then(|c| c.state_share)));
    }
    row(h, &cells);
    tail(h);
    if let Some(st) = &r.pooled.standardised {
        let _ = writeln!(
            h,
            "<p>Rater level, dimensions standardised to unit total variance (mean shares): \
             person (trait) {}, person × context (state) {}, rater {}, residual {}.</p>",
            f4(Some(st.person)),
            f4(Some(st.person_context)),
            f4(Some(st.rater)),
            f4(Some(st.residual))
        );
    }

    if r.dimensions.iter().any(|x| x.rater_level.is_some()) {
        h.push_str("<h3>Rater level (generalizability study)</h3>\n");
        head(
            h,
            &[
                "Dimension",
                "σ² person",
                "σ² person × context",
                "σ² rater",
                "σ² residual",
                "Share person",
                "Share person × context",
                "Share rater",
                "Share residual",
            ],
        );
        for x in &r.dimensions {
            if let Some(l) = &x.rater_level {
                row(
                    h,
                    &[
                        esc(&x.dimension),
                        f4(Some(l.person)),
                        f4(Some(l.person_context)),
                        f4(Some(l.rater)),
                        f4(Some(l.residual)),
                        f4(Some(l.shares.person)),
                        f4(Some(l.shares.person_context)),
                        f4(Some(l.shares.rater)),
                        f4(Some(l.shares.residual)),
                    ],
                );
            }
        }
        tail(h);
        head(
            h,
            &[
                "Dimension",
                "k",
                "Reliability (1 rater)",
                "Reliability (k raters)",
                "Consistency",
                "Occasion specificity",
                "REML criterion",
            ],
        );
        for x in &r.dimensions {
            if let Some(l) = &x.rater_level {
                row(
                    h,
                    &[
                        esc(&x.dimension),
                        format!("{:.2}", l.k),
                        f4(Some(l.reliability_1)),
                        f4(Some(l.reliability_k)),
                        f4(Some(l.consistency)),
                        f4(Some(l.occasion_specificity)),
                        f4(l.reml_criterion),
                    ],
                );
            }
        }
        tail(h);
        h.push_str(
            "<p class=\"note\">k: raters per profile (harmonic mean); reliability of a profile \
             score from 1 and from k raters; consistency = σ²<sub>T</sub> / \
             (σ²<sub>T</sub> + σ²<sub>S</sub> + (σ²<sub>R</sub> + σ²<sub>E</sub>)/k) and \
             occasion specificity = σ²<sub>S</sub> / (the same), the trait and state parts of \
             the k-rater reliability.</p>\n",
        );
        if boot {
            h.push_str("<p class=\"note\">Bootstrap intervals of every rater-level statistic are in the embedded JSON (<code>decomposition.dimensions[].ci.rater_level</code>).</p>\n");
        }
    } else {
        h.push_str(
            "<p class=\"note\">No rater level: the data carry no rater column or the level \
             could not be fitted (see Notes).</p>\n",
        );
    }

    if r.dimensions.iter().any(|x| !x.rater_sensitivity.is_empty()) {
        h.push_str("<h3>Per-rater state sensitivity</h3>\n");
        let mut cols = vec![
            "Dimension",
            "Rater",
            "Kind",
            "Ratings",
            "Persons",
            "State share",
        ];
        if boot {
            cols.push("95% CI");
        }
        cols.extend(["State-blind", "Note"]);
        let last = cols.len() - 1;
        head_with(h, &cols, &[1, 2, last]);
        for x in &r.dimensions {
            for s in &x.rater_sensitivity {
                let blind = match s.state_blind {
                    Some(true) => "<span class=\"flag\">yes</span>".to_string(),
                    Some(false) => "no".to_string(),
                    None => DASH.to_string(),
                };
                let mut cells = vec![
                    esc(&x.dimension),
                    esc(&s.rater),
                    esc(s.kind),
                    s.ratings.to_string(),
                    s.persons.to_string(),
                    f4(s.state_share),
                ];
                if boot {
                    cells.push(ci4(s.ci));
                }
                cells.extend([blind, esc(s.note.as_deref().unwrap_or(""))]);
                let last = cells.len() - 1;
                row_with(h, &cells, &[1, 2, last]);
            }
        }
        tail(h);
        h.push_str(
            "<p class=\"note\">State share: within-person share of the rater's own ratings \
             (profile-level model); below 0.10 the rater is state-blind: its ratings of a \
             person barely move across contexts.</p>\n",
        );
    }
    h.push_str("</section>\n");
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

/// The methods paragraph of the formula model.
fn model_methods(h: &mut String, d: &ReportData) {
    let Some(m) = &d.model else {
        return;
    };
    let ml = m.criterion == crate::analysis::decompose::ModelCriterion::Ml;
    let _ = write!(
        h,
        "<p><strong>Variance-components model.</strong> Each dimension was also fitted with the \
         lme4 formula <code class=\"model-formula\">{}</code> (one row per rating; repeated rows \
         of a cell are replicate observations) by {}, with Chameleon Studio's own engine: lme4's \
         profiled criterion (<code>{}</code>) minimised over the relative standard deviations \
         θ ≥ 0 by a damped Newton method, terms nested in person eliminated person by person \
         and crossed terms (context, rater, rater × context) through a Schur complement. The \
         engine is checked against lme4 on generated data, balanced and unbalanced, REML and \
         ML, with boundary fits: criterion no worse than lme4's, components within 10<sup>−3</sup> \
         relative. A term estimated at 0 is a boundary fit and is named in the notes. Shares \
         are each component over the sum of all components and the residual.",
        esc(&m.formula),
        if ml {
            "maximum likelihood (ML)"
        } else {
            "restricted maximum likelihood (REML)"
        },
        if ml { "deviance()" } else { "REMLcrit()" },
    );
    if m.profile_ci {
        h.push_str(
            " Intervals of the standard deviations are 95% profile-likelihood intervals, as \
             lme4's <code>confint(method = \"profile\")</code>: like lme4, the profile is that of \
             the ML deviance (a REML fit is refitted by ML first); each bound is the exact \
             crossing of the signed root deviance with ±1.96, where lme4 interpolates a spline \
             (checked within 5 × 10<sup>−3</sup> relative of lme4's bounds on a fine profile \
             grid), and a lower bound is 0 when the profile does not reach −1.96 before the \
             standard deviation reaches 0.",
        );
    }
    if m.bootstrap > 0 {
        let method = d
            .decomposition
            .dimensions
            .iter()
            .find_map(|x| x.model.as_ref().and_then(|m| m.bootstrap.as_ref()))
            .map(|b| b.method);
        let how = match method {
            Some(chameleon_stats::variance::mixed::BootstrapMethod::PersonCluster) => {
                "person-cluster bootstrap resamples (persons drawn with replacement with all \
                 their rows; every term of the formula is nested in person)"
            }
            _ => {
                "parametric bootstrap resamples, as lme4's <code>bootMer</code>: responses \
                 simulated from the fitted model (intercept, a Gaussian draw per level of each \
                 term, Gaussian residuals) and refitted, because levels shared across persons \
                 (contexts, raters) make resampling persons keep their effects fixed"
            }
        };
        let _ = write!(
            h,
            " Intervals of the components and shares are 95% percentile intervals of {} {how}, \
             seed {}, identical for a given seed whatever the number of threads.",
            m.bootstrap,
            d.seed.unwrap_or_default()
        );
    }
    if !m.context_effects.is_empty() {
        h.push_str(
            " Context effects are the conditional modes of the context term with their \
             conditional standard deviations, as lme4's <code>ranef(condVar = TRUE)</code>; the \
             interval shown is the mode ± 1.96 conditional SDs.",
        );
    }
    h.push_str("</p>\n");
}

/// Components, shares and their intervals of the formula model, and the context effects.
fn model_section(h: &mut String, d: &ReportData) {
    let Some(m) = &d.model else {
        return;
    };
    let _ = write!(
        h,
        "<section id=\"model\">\n<h2>Variance components: <code class=\"model-formula\">{}</code></h2>\n",
        esc(&m.formula)
    );
    let fitted: Vec<_> = d
        .decomposition
        .dimensions
        .iter()
        .filter_map(|x| x.model.as_ref().map(|mr| (x, mr)))
        .collect();
    if fitted.is_empty() {
        h.push_str("<p>No dimension could be fitted (see the notes).</p>\n</section>\n");
        return;
    }
    let boot = m.bootstrap > 0;
    let mut cols = vec!["Dimension", "Term", "Levels", "Variance", "SD"];
    if m.profile_ci {
        cols.push("SD 95% profile CI");
    }
    if boot {
        cols.push("Variance 95% CI");
    }
    cols.push("Share");
    if boot {
        cols.push("Share 95% CI");
    }
    head_with(h, &cols, &[1]);
    for (x, mr) in &fitted {
        for (term, v) in &mr.components.0 {
            let mut cells = vec![
                esc(&x.dimension),
                esc(term),
                mr.levels
                    .get(term)
                    .map(|l| l.to_string())
                    .unwrap_or_else(|| DASH.into()),
                f4(Some(*v)),
                f4(Some(v.max(0.0).sqrt())),
            ];
            if m.profile_ci {
                cells.push(ci4(mr.sd_ci95.as_ref().and_then(|c| c.get(term))));
            }
            if boot {
                cells.push(ci4(mr
                    .components_ci95
                    .as_ref()
                    .and_then(|c| c.get(term))
                    .flatten()));
            }
            cells.push(f4(mr.shares.get(term)));
            if boot {
                cells.push(ci4(mr
                    .shares_ci95
                    .as_ref()
                    .and_then(|c| c.get(term))
                    .flatten()));
            }
            row_with(h, &cells, &[1]);
        }
    }
    tail(h);
    head(
        h,
        &[
            "Dimension",
            "Intercept",
            "SE",
            "Criterion",
            "Converged",
            "Boundary terms",
        ],
    );
    for (x, mr) in &fitted {
        let cells = vec![
            esc(&x.dimension),
            f4(Some(mr.intercept)),
            f4(Some(mr.intercept_se)),
            f4(mr.reml_criterion.or(mr.deviance)),
            if mr.converged {
                "yes"
            } else {
                "<span class=\"flag\">no</span>"
            }
            .into(),
            if mr.boundary.is_empty() {
                DASH.into()
            } else {
                esc(&mr.boundary.join(", "))
            },
        ];
        row_with(h, &cells, &[4, 5]);
    }
    tail(h);
    if !m.context_effects.is_empty() {
        let _ = write!(
            h,
            "<h3>Context effects</h3>\n<p class=\"note\">The {n} contexts that raise each \
             dimension most and the {n} that lower it most (conditional modes, highest first), \
             with conditional SDs and mode ± 1.96 SD.</p>\n",
            n = super::CONTEXT_EFFECTS_SHOWN
        );
        head_with(
            h,
            &[
                "Dimension",
                "Context",
                "Effect",
                "Conditional SD",
                "±1.96 SD",
            ],
            &[1],
        );
        for e in &m.context_effects {
            let n = e.levels.len();
            let k = super::CONTEXT_EFFECTS_SHOWN;
            let shown: Vec<usize> = if n <= 2 * k {
                (0..n).collect()
            } else {
                (0..k).chain(n - k..n).collect()
            };
            for i in shown {
                let l = &e.levels[i];
                row_with(
                    h,
                    &[
                        esc(&e.dimension),
                        esc(&l.level),
                        f4(Some(l.mode)),
                        f4(Some(l.sd)),
                        ci4(Some([l.mode - 1.96 * l.sd, l.mode + 1.96 * l.sd])),
                    ],
                    &[1],
                );
            }
        }
        tail(h);
    }
    h.push_str("</section>\n");
}
