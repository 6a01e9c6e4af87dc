//! The report's figures, drawn with `plotters` (SVG backend): stacked bars of variance shares
//! per dimension with bootstrap intervals, the pooled split, and a few persons' profile scores
//! across contexts (lines per person). `plotters` escapes the text it
//! writes into the SVG, so dimension names from the data are safe to inline.

use super::profiles::{PersonProfiles, PersonProfilesDimension};
use super::ReportData;
use crate::analysis::decompose::DimensionReport;
use crate::error::{CoreError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One figure: a standalone SVG document and its caption.
#[derive(Debug, Clone)]
pub struct Figure {
    /// File stem when saved (`trait_state_shares` → `trait_state_shares.svg`).
    pub name: &'static str,
    /// Title, the caption's first sentence.
    pub title: String,
    /// Plain text (escape before putting into HTML).
    pub caption: String,
    /// The standalone SVG document.
    pub svg: String,
}

const TRAIT: RGBColor = RGBColor(0x2b, 0x6c, 0xb0);
const STATE: RGBColor = RGBColor(0xe0, 0x8a, 0x2c);
const RATER: RGBColor = RGBColor(0x8e, 0x8e, 0x8e);
const RESIDUAL: RGBColor = RGBColor(0xc9, 0xc9, 0xc9);
const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const FONT: &str = "sans-serif";
const WIDTH: u32 = 900;
const ROW: u32 = 38;
/// Height of the legend under the plot.
const LEGEND: u32 = 56;
/// Longest label drawn on an axis; longer names are cut with an ellipsis (tables keep them).
const MAX_LABEL: usize = 28;

/// One horizontal bar: labelled segments that add up to at most 1, and an interval to draw at
/// the end of the first segment.
struct Bar {
    label: String,
    segments: Vec<f64>,
    ci: Option<[f64; 2]>,
    /// A minimum-n rule not met or a boundary fit: the bar is not drawn, the reason is.
    caution: Option<String>,
}

struct Series {
    name: &'static str,
    color: RGBColor,
}

fn fig_err(e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("drawing a report figure failed: {e}"))
}

fn short(label: &str) -> String {
    truncate_label(label, MAX_LABEL)
}

/// `label` cut to `max` characters with an ellipsis, for axis labels (tables keep full names).
pub(crate) fn truncate_label(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_string()
    } else {
        let mut s: String = label.chars().take(max - 1).collect();
        s.push('…');
        s
    }
}

/// Horizontal stacked bars on a 0–100 % axis, first bar on top, legend below the plot.
fn stacked_bars(title: &str, bars: &[Bar], series: &[Series]) -> Result<String> {
    let n = bars.len().max(1);
    let labels: Vec<String> = bars
        .iter()
        .map(|b| match (b.segments.first(), &b.caution) {
            (Some(first), None) => format!("{}  {:.1}%", short(&b.label), first * 100.0),
            _ => short(&b.label),
        })
        .collect();
    let label_width = labels
        .iter()
        .map(|l| l.chars().count() as u32)
        .max()
        .unwrap_or(4)
        * 8
        + 20;
    let height = 90 + ROW * n as u32 + LEGEND;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fig_err)?;
        let (plot, legend) = root.split_vertically(height - LEGEND);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 20).into_font().color(&INK))
            .margin(12)
            .margin_right(28)
            .x_label_area_size(36)
            .y_label_area_size(label_width.min(WIDTH / 3))
            // Rows on a continuous axis, row r spanning [r, r + 1); labels drawn beside them.
            .build_cartesian_2d(0f64..1f64, 0f64..n as f64)
            .map_err(fig_err)?;
        let row_of = |i: usize| (n - 1 - i) as f64;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .x_labels(11)
            .x_label_formatter(&|x| format!("{:.0}%", x * 100.0))
            .x_desc("share of variance")
            .label_style((FONT, 15).into_font().color(&INK))
            .axis_desc_style((FONT, 15).into_font().color(&INK))
            .light_line_style(TRANSPARENT)
            .bold_line_style(RGBColor(0xe4, 0xe4, 0xe4))
            .draw()
            .map_err(fig_err)?;
        let label_style = (FONT, 15)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        for (i, label) in labels.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(0.0, row_of(i) + 0.5));
            plot.draw(&Text::new(
                label.as_str(),
                (px - 8, py),
                label_style.clone(),
            ))
            .map_err(fig_err)?;
        }
        for (k, s) in series.iter().enumerate() {
            let color = s.color;
            let rects = bars.iter().enumerate().filter_map(move |(i, b)| {
                if b.caution.is_some() {
                    return None;
                }
                // Negative moment estimates (ANOVA) are drawn as 0; the axis is clipped at 1.
                let start: f64 = b.segments.iter().take(k).map(|w| w.max(0.0)).sum();
                let w = b.segments.get(k)?.max(0.0);
                let y = row_of(i);
                Some(Rectangle::new(
                    [(start.min(1.0), y + 0.18), ((start + w).min(1.0), y + 0.82)],
                    color.filled(),
                ))
            });
            chart.draw_series(rects).map_err(fig_err)?;
        }
        let caution_style = (FONT, 14)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, b) in bars.iter().enumerate() {
            if let Some(c) = &b.caution {
                let (px, py) = chart.backend_coord(&(0.0, row_of(i) + 0.5));
                plot.draw(&Text::new(c.as_str(), (px + 8, py), caution_style.clone()))
                    .map_err(fig_err)?;
            }
        }
        let whiskers = bars.iter().enumerate().filter_map(|(i, b)| {
            if b.caution.is_some() {
                return None;
            }
            let [lo, hi] = b.ci?;
            let mid = *b.segments.first()?;
            let clip = |v: f64| v.clamp(0.0, 1.0);
            Some(ErrorBar::new_horizontal(
                row_of(i) + 0.5,
                clip(lo),
                clip(mid),
                clip(hi),
                INK.stroke_width(2),
                10,
            ))
        });
        chart.draw_series(whiskers).map_err(fig_err)?;
        // Legend: one swatch and name per series, in a row under the plot.
        let mut x = label_width.min(WIDTH / 3) as i32 + 12;
        for s in series {
            legend
                .draw(&Rectangle::new([(x, 8), (x + 14, 22)], s.color.filled()))
                .map_err(fig_err)?;
            legend
                .draw(&Text::new(
                    s.name,
                    (x + 20, 9),
                    (FONT, 15).into_font().color(&INK),
                ))
                .map_err(fig_err)?;
            x += 34 + 8 * s.name.chars().count() as i32;
        }
        let x0 = label_width.min(WIDTH / 3) as i32 + 12;
        legend
            .draw(&Text::new(
                if has_whiskers(bars) {
                    "Label: share of the first (blue) component. Whiskers: its 95% bootstrap interval."
                } else {
                    "Label: share of the first (blue) component."
                },
                (x0, 32),
                (FONT, 14).into_font().color(&INK),
            ))
            .map_err(fig_err)?;
        root.present().map_err(fig_err)?;
    }
    Ok(svg)
}

/// Whether any whisker is drawn: a bar with an interval and no caution (a cautioned row shows
/// its caution instead, so no legend or caption may speak of whiskers for it).
fn has_whiskers(bars: &[Bar]) -> bool {
    bars.iter().any(|b| b.ci.is_some() && b.caution.is_none())
}

/// A sentence for captions when some share is outside [0, 1] (negative moment estimates).
fn clipped_note(bars: &[Bar]) -> &'static str {
    let out = |v: f64| !(0.0..=1.0).contains(&v);
    if bars.iter().any(|b| {
        b.segments.iter().copied().any(out) || b.ci.is_some_and(|c| c.into_iter().any(out))
    }) {
        " Shares outside 0–100% (negative method-of-moments estimates) are drawn clipped; the \
         labels and tables show them as computed."
    } else {
        ""
    }
}

/// A sentence for captions when some bar is not drawn.
fn caution_note(bars: &[Bar]) -> &'static str {
    if bars.iter().any(|b| b.caution.is_some()) {
        " A dimension with too few data (persons seen in two or more contexts) or a boundary fit \
         is named, not drawn: its shares are not results."
    } else {
        ""
    }
}

fn profile_bar(d: &DimensionReport) -> Option<Bar> {
    let p = d.profile_level.as_ref()?;
    Some(Bar {
        label: d.dimension.clone(),
        segments: vec![p.trait_share, p.state_share],
        ci: d.ci.as_ref().and_then(|c| c.trait_share),
        caution: d.caution.as_ref().map(|c| c.message.clone()),
    })
}

fn rater_bar(d: &DimensionReport) -> Option<Bar> {
    let r = d.rater_level.as_ref()?;
    Some(Bar {
        label: d.dimension.clone(),
        segments: vec![
            r.shares.person,
            r.shares.person_context,
            r.shares.rater,
            r.shares.residual,
        ],
        ci: d
            .ci
            .as_ref()
            .and_then(|c| c.rater_level.get("person_share").copied().flatten()),
        caution: d.caution.as_ref().map(|c| c.message.clone()),
    })
}

const PROFILE_SERIES: [Series; 2] = [
    Series {
        name: "trait (person)",
        color: TRAIT,
    },
    Series {
        name: "state (person × context)",
        color: STATE,
    },
];

const RATER_SERIES: [Series; 4] = [
    Series {
        name: "trait (person)",
        color: TRAIT,
    },
    Series {
        name: "state (person × context)",
        color: STATE,
    },
    Series {
        name: "rater",
        color: RATER,
    },
    Series {
        name: "residual",
        color: RESIDUAL,
    },
];

/// Every figure the report shows, in order. Dimensions whose level could not be fitted are
/// left out of that level's figure.
pub fn all(data: &ReportData) -> Result<Vec<Figure>> {
    let dec = &data.decomposition;
    let mut out = Vec::new();
    let boot = |bars: &[Bar]| {
        if data.bootstrap > 0 && has_whiskers(bars) {
            format!(
                " Whiskers and dot: 95% percentile interval of the trait share from {} \
             person-cluster bootstrap resamples (seed {}).",
                data.bootstrap,
                data.seed.unwrap_or_default()
            )
        } else {
            String::new()
        }
    };
    let bars: Vec<Bar> = dec.dimensions.iter().filter_map(profile_bar).collect();
    if !bars.is_empty() {
        out.push(Figure {
            name: "trait_state_shares",
            title: "Trait and state shares per dimension".into(),
            caption: format!(
                "Profile level (s_pc = μ + T_p + S_pc): trait share σ²_T / (σ²_T + σ²_S) and \
                 state share per dimension, {} estimates.{}{}{}",
                dec.method.to_uppercase(),
                boot(&bars),
                clipped_note(&bars),
                caution_note(&bars)
            ),
            svg: stacked_bars(
                "Trait and state shares per dimension (profile level)",
                &bars,
                &PROFILE_SERIES,
            )?,
        });
    }
    let bars: Vec<Bar> = dec.dimensions.iter().filter_map(rater_bar).collect();
    if !bars.is_empty() {
        out.push(Figure {
            name: "rater_level_shares",
            title: "Variance shares at the rater level".into(),
            caption: format!(
                "Rater level (y_pcr = μ + T_p + S_pc + R_r + E_pcr): each variance component's \
                 share of the total rating variance.{}{}{}",
                if data.bootstrap > 0 && has_whiskers(&bars) {
                    " Whiskers: 95% bootstrap interval of the person (trait) share."
                } else {
                    ""
                },
                clipped_note(&bars),
                caution_note(&bars)
            ),
            svg: stacked_bars(
                "Variance shares per dimension (rater level)",
                &bars,
                &RATER_SERIES,
            )?,
        });
    }
    if let (Some(t), Some(s)) = (dec.pooled.trait_share, dec.pooled.state_share) {
        let mut bars = vec![Bar {
            label: "profile level (mean)".into(),
            segments: vec![t, s],
            ci: dec.pooled.ci.as_ref().and_then(|c| c.trait_share),
            caution: dec.pooled.caution.as_ref().map(|c| c.message.clone()),
        }];
        let mut series: &[Series] = &PROFILE_SERIES;
        if let Some(st) = &dec.pooled.standardised {
            bars.push(Bar {
                label: "rater level (standardised)".into(),
                segments: vec![st.person, st.person_context, st.rater, st.residual],
                ci: None,
                caution: dec.pooled.caution.as_ref().map(|c| c.message.clone()),
            });
            series = &RATER_SERIES;
        }
        out.push(Figure {
            name: "pooled_split",
            title: "Pooled trait–state split".into(),
            caption: format!(
                "Mean over {} of the profile-level trait and state shares{}{}{}",
                crate::app::analysis::plural(dec.pooled.dimensions, "dimension"),
                if dec.pooled.standardised.is_some() {
                    "; below, the mean rater-level shares of the dimensions standardised to \
                     unit total variance."
                } else {
                    "."
                },
                if has_whiskers(&bars) {
                    " Whiskers: 95% bootstrap interval of the pooled trait share."
                } else {
                    ""
                },
                clipped_note(&bars)
            ),
            svg: stacked_bars("Pooled trait–state split", &bars, series)?,
        });
    }
    if let Some(f) = person_profiles_figure(data)? {
        out.push(f);
    }
    for f in &mut out {
        f.svg = stamp(&f.svg, &data.data_hash, &data.generated_at);
    }
    Ok(out)
}

/// `svg` naming the data and the time it was computed from, in its top right corner (the
/// title is centred, the legend at the bottom has no room) and in a `<desc>`, so that a figure
/// file on its own says which data it shows.
fn stamp(svg: &str, data_hash: &str, generated_at: &str) -> String {
    let Some(end) = svg.rfind("</svg>") else {
        return svg.to_owned();
    };
    let attr = |name: &str| -> Option<f64> {
        let head = &svg[..svg.find('>')?];
        let at = head.find(&format!(" {name}=\""))? + name.len() + 3;
        head[at..].split('"').next()?.parse().ok()
    };
    let Some(w) = attr("width") else {
        return svg.to_owned();
    };
    let short = &data_hash[..data_hash.len().min(12)];
    let text = super::html::esc(&format!("data {short} · {generated_at}"));
    format!(
        "{}<desc>data hash {}; computed {}</desc><text x=\"{}\" y=\"{}\" text-anchor=\"end\" \
         font-family=\"{FONT}\" font-size=\"11\" fill=\"#6b6b6b\">{text}</text>{}",
        &svg[..end],
        super::html::esc(data_hash),
        super::html::esc(generated_at),
        w - 6.0,
        14.0,
        &svg[end..]
    )
}

/// Line colours of the persons in the profile plot (colour-blind-safe Okabe–Ito order).
const PERSON_COLORS: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0x00, 0x00, 0x00),
    RGBColor(0xf0, 0xe4, 0x42),
];
/// Panels of the profile plot at most (one per dimension).
const MAX_PANELS: usize = 12;

/// Small multiples, one panel per dimension: each shown person's profile scores across
/// contexts as a line.
fn person_profiles_svg(p: &PersonProfiles) -> Result<String> {
    let dims: Vec<&PersonProfilesDimension> = p.dimensions.iter().take(MAX_PANELS).collect();
    let cols = dims.len().clamp(1, 4);
    let rows = dims.len().div_ceil(cols).max(1);
    let panel_h = 230u32;
    let title_h = 40u32;
    let legend_h = 44u32;
    let height = title_h + panel_h * rows as u32 + legend_h;
    let k = p.contexts.len().max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fig_err)?;
        let (title, rest) = root.split_vertically(title_h);
        let (grid, legend) = rest.split_vertically(panel_h * rows as u32);
        title
            .draw(&Text::new(
                "Profile scores of a few persons across contexts",
                (WIDTH as i32 / 2, 12),
                (FONT, 20)
                    .into_font()
                    .color(&INK)
                    .pos(Pos::new(HPos::Center, VPos::Top)),
            ))
            .map_err(fig_err)?;
        let panels = grid.split_evenly((rows, cols));
        for (d, area) in dims.iter().zip(panels.iter()) {
            let [lo, hi] = d.range.unwrap_or([0.0, 1.0]);
            let pad = ((hi - lo) * 0.08).max(0.05);
            let ctx_labels = p.contexts.clone();
            let mut chart = ChartBuilder::on(area)
                .caption(short(&d.dimension), (FONT, 15).into_font().color(&INK))
                .margin(8)
                .margin_right(14)
                .x_label_area_size(26)
                .y_label_area_size(34)
                .build_cartesian_2d(-0.35f64..(k as f64 - 0.65), (lo - pad)..(hi + pad))
                .map_err(fig_err)?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(k)
                .x_label_formatter(&|x| {
                    let i = x.round();
                    if (x - i).abs() < 1e-6 && i >= 0.0 {
                        ctx_labels
                            .get(i as usize)
                            .map(|s| {
                                if s.chars().count() <= 12 {
                                    s.clone()
                                } else {
                                    let mut t: String = s.chars().take(11).collect();
                                    t.push('…');
                                    t
                                }
                            })
                            .unwrap_or_default()
                    } else {
                        String::new()
                    }
                })
                .y_labels(5)
                .y_label_formatter(&|y| format!("{y:.1}"))
                .label_style((FONT, 12).into_font().color(&INK))
                .light_line_style(TRANSPARENT)
                .bold_line_style(RGBColor(0xe8, 0xe8, 0xe8))
                .draw()
                .map_err(fig_err)?;
            for (i, row) in d.scores.iter().enumerate() {
                let color = PERSON_COLORS[i % PERSON_COLORS.len()];
                let points: Vec<(f64, f64)> = row
                    .iter()
                    .enumerate()
                    .filter_map(|(j, v)| v.map(|v| (j as f64, v)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
                    .map_err(fig_err)?;
                chart
                    .draw_series(
                        points
                            .into_iter()
                            .map(|pt| Circle::new(pt, 3, color.filled())),
                    )
                    .map_err(fig_err)?;
            }
        }
        let mut x = 20i32;
        for (i, name) in p.persons.iter().enumerate() {
            let color = PERSON_COLORS[i % PERSON_COLORS.len()];
            legend
                .draw(&PathElement::new(
                    vec![(x, 20), (x + 22, 20)],
                    color.stroke_width(3),
                ))
                .map_err(fig_err)?;
            let label = short(name);
            legend
                .draw(&Text::new(
                    label.clone(),
                    (x + 28, 12),
                    (FONT, 14).into_font().color(&INK),
                ))
                .map_err(fig_err)?;
            x += 48 + 8 * label.chars().count() as i32;
        }
        root.present().map_err(fig_err)?;
    }
    Ok(svg)
}

/// The profile-plot figure, when some person was seen in two or more contexts.
fn person_profiles_figure(data: &ReportData) -> Result<Option<Figure>> {
    let p = &data.person_profiles;
    if p.persons.is_empty() || p.dimensions.is_empty() {
        return Ok(None);
    }
    let more = if p.dimensions.len() > MAX_PANELS {
        format!(" The first {MAX_PANELS} dimensions are shown.")
    } else {
        String::new()
    };
    Ok(Some(Figure {
        name: "person_profiles",
        title: "Profile scores of a few persons across contexts".into(),
        caption: format!(
            "Each line is one person; each point the profile score s_pc (mean of the profile's \
             ratings) in one context{}. Differences between the lines' levels are trait \
             (between-person) variance; the movement of a line across contexts is state \
             (within-person) variance. {} persons seen in the most contexts, chosen across the \
             range of their mean score on the first dimension.{more}",
            if p.by_position {
                " (x axis: the person's first, second, … context)"
            } else {
                ""
            },
            p.persons.len()
        ),
        svg: person_profiles_svg(p)?,
    }))
}
