//! The agreement dashboard's figures, drawn with `plotters` (SVG backend) so the app and any
//! export show the same picture: the pairwise kappa heatmap, the raters' drift lines and their
//! distributions of values. `plotters` escapes the text it writes, so rater and dimension names
//! from the data are safe inside the SVG.

use super::{Distribution, DriftSeries};
use crate::error::{CoreError, Result};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
const EMPTY: RGBColor = RGBColor(0xf2, 0xf2, 0xf2);
const FONT: &str = "sans-serif";
const MAX_LABEL: usize = 18;
/// Colour-blind-safe categorical palette (Okabe & Ito), one colour per rater.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xb2),
    RGBColor(0xe6, 0x9f, 0x00),
    RGBColor(0x00, 0x9e, 0x73),
    RGBColor(0xcc, 0x79, 0xa7),
    RGBColor(0x56, 0xb4, 0xe9),
    RGBColor(0xd5, 0x5e, 0x00),
    RGBColor(0x99, 0x99, 0x99),
    RGBColor(0xf0, 0xe4, 0x42),
];

fn fig_err(e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("drawing a review figure failed: {e}"))
}

fn short(label: &str) -> String {
    crate::report::figures::truncate_label(label, MAX_LABEL)
}

fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Kappa on a diverging scale: red below 0, white at 0, blue towards 1.
fn kappa_color(k: f64) -> RGBColor {
    let k = k.clamp(-1.0, 1.0);
    let mix = |a: u8, b: u8, t: f64| (a as f64 + (b as f64 - a as f64) * t).round() as u8;
    if k >= 0.0 {
        RGBColor(mix(255, 0x1f, k), mix(255, 0x5f, k), mix(255, 0xa8, k))
    } else {
        let t = -k;
        RGBColor(mix(255, 0xc0, t), mix(255, 0x39, t), mix(255, 0x2b, t))
    }
}

/// A symmetric rater × rater matrix of kappas (diagonal blank), the value printed in each cell.
/// `pairs` are (rater a, rater b, kappa); a missing or `None` pair is drawn grey with "–".
pub fn kappa_heatmap(
    title: &str,
    raters: &[String],
    pairs: &[(String, String, Option<f64>)],
) -> Result<String> {
    let n = raters.len().max(1);
    let cell: u32 = if n > 8 { 44 } else { 64 };
    let label_w: u32 = 150;
    let top: u32 = 48;
    let width = label_w + cell * n as u32 + 24;
    let height = top + 96 + cell * n as u32 + 36;
    let kappa = |a: &str, b: &str| -> Option<f64> {
        pairs
            .iter()
            .find(|(x, y, _)| (x == a && y == b) || (x == b && y == a))
            .and_then(|p| p.2)
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fig_err)?;
        root.draw(&Text::new(
            title.to_string(),
            (12, 14),
            (FONT, 18).into_font().color(&INK),
        ))
        .map_err(fig_err)?;
        let y0 = top as i32 + 84;
        let x0 = label_w as i32;
        let c = cell as i32;
        let left = (FONT, 14)
            .into_font()
            .color(&INK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let centre = Pos::new(HPos::Center, VPos::Center);
        for (i, r) in raters.iter().enumerate() {
            let i = i as i32;
            root.draw(&Text::new(
                short(r),
                (x0 - 8, y0 + i * c + c / 2),
                left.clone(),
            ))
            .map_err(fig_err)?;
            // Column labels stand rotated over their column so long names fit.
            root.draw(&Text::new(
                short(r),
                (x0 + i * c + c / 2, y0 - 8),
                (FONT, 14)
                    .into_font()
                    .transform(FontTransform::Rotate270)
                    .color(&INK)
                    .pos(Pos::new(HPos::Left, VPos::Center)),
            ))
            .map_err(fig_err)?;
        }
        for (i, a) in raters.iter().enumerate() {
            for (j, b) in raters.iter().enumerate() {
                let (x, y) = (x0 + j as i32 * c, y0 + i as i32 * c);
                let rect = [(x + 1, y + 1), (x + c - 1, y + c - 1)];
                if i == j {
                    root.draw(&Rectangle::new(rect, EMPTY.filled()))
                        .map_err(fig_err)?;
                    continue;
                }
                let k = kappa(a, b);
                let fill = k.map(kappa_color).unwrap_or(EMPTY);
                root.draw(&Rectangle::new(rect, fill.filled()))
                    .map_err(fig_err)?;
                let ink = if k.is_some_and(|k| k.abs() > 0.55) {
                    WHITE
                } else {
                    INK
                };
                let label = k.map(|k| format!("{k:.2}")).unwrap_or_else(|| "–".into());
                root.draw(&Text::new(
                    label,
                    (x + c / 2, y + c / 2),
                    (FONT, 15).into_font().color(&ink).pos(centre),
                ))
                .map_err(fig_err)?;
            }
        }
        // Colour key: −1 … 0 … 1.
        let ky = y0 + n as i32 * c + 12;
        let kw = (c * n as i32).max(160);
        for s in 0..kw {
            let k = -1.0 + 2.0 * s as f64 / (kw - 1) as f64;
            root.draw(&Rectangle::new(
                [(x0 + s, ky), (x0 + s + 1, ky + 8)],
                kappa_color(k).filled(),
            ))
            .map_err(fig_err)?;
        }
        let small = |h| {
            (FONT, 12)
                .into_font()
                .color(&INK)
                .pos(Pos::new(h, VPos::Top))
        };
        root.draw(&Text::new("−1", (x0, ky + 10), small(HPos::Left)))
            .map_err(fig_err)?;
        root.draw(&Text::new("0", (x0 + kw / 2, ky + 10), small(HPos::Center)))
            .map_err(fig_err)?;
        root.draw(&Text::new("1", (x0 + kw, ky + 10), small(HPos::Right)))
            .map_err(fig_err)?;
        root.present().map_err(fig_err)?;
    }
    Ok(svg)
}

/// One line per rater: the drift measure per block of their ratings, earliest block first.
pub fn drift_chart(title: &str, s: &DriftSeries) -> Result<String> {
    let (width, height) = (520u32, 300u32);
    let ymax = s
        .raters
        .iter()
        .flat_map(|r| r.points.iter().flatten())
        .copied()
        .fold(0.0f64, f64::max);
    let ymax = if ymax > 0.0 { ymax * 1.15 } else { 1.0 };
    let blocks = s.blocks.max(1);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fig_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 16).into_font().color(&INK))
            .margin(10)
            .margin_right(130)
            .x_label_area_size(34)
            .y_label_area_size(46)
            .build_cartesian_2d(0.5f64..blocks as f64 + 0.5, 0f64..ymax)
            .map_err(fig_err)?;
        chart
            .configure_mesh()
            .x_labels(blocks)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_labels(5)
            .y_label_formatter(&|y| format!("{y:.2}"))
            .x_desc("block of ratings, earliest → latest")
            .label_style((FONT, 12).into_font().color(&INK))
            .axis_desc_style((FONT, 12).into_font().color(&INK))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .draw()
            .map_err(fig_err)?;
        for (i, r) in s.raters.iter().enumerate() {
            let col = color(i);
            let pts: Vec<(f64, f64)> = r
                .points
                .iter()
                .enumerate()
                .filter_map(|(b, v)| v.map(|v| (b as f64 + 1.0, v)))
                .collect();
            chart
                .draw_series(LineSeries::new(pts.clone(), col.stroke_width(2)))
                .map_err(fig_err)?;
            chart
                .draw_series(pts.into_iter().map(|p| Circle::new(p, 3, col.filled())))
                .map_err(fig_err)?;
        }
        let names: Vec<String> = s.raters.iter().map(|r| short(&r.rater)).collect();
        legend(&root, width, &names)?;
        root.present().map_err(fig_err)?;
    }
    Ok(svg)
}

/// A swatch and a name per series, stacked in the right margin (outside the plot, which
/// `plotters`' own series labels cannot be).
fn legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    width: u32,
    names: &[String],
) -> Result<()> {
    let x = width as i32 - 122;
    for (i, name) in names.iter().enumerate() {
        let y = 44 + 20 * i as i32;
        root.draw(&Rectangle::new(
            [(x, y - 5), (x + 12, y + 5)],
            color(i).filled(),
        ))
        .map_err(fig_err)?;
        root.draw(&Text::new(
            name.clone(),
            (x + 18, y),
            (FONT, 12)
                .into_font()
                .color(&INK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(fig_err)?;
    }
    Ok(())
}

/// Grouped bars: for every category, one bar per rater with the share of that rater's ratings.
pub fn distribution_chart(title: &str, d: &Distribution) -> Result<String> {
    let k = d.categories.len().max(1);
    let m = d.raters.len().max(1);
    let width = (130 + k * (m * 12 + 14)).clamp(520, 900) as u32;
    let height = 300u32;
    let share = |r: &super::RaterCounts, i: usize| {
        if r.n == 0 {
            0.0
        } else {
            r.counts[i] as f64 / r.n as f64
        }
    };
    let ymax = d
        .raters
        .iter()
        .flat_map(|r| (0..r.counts.len()).map(move |i| share(r, i)))
        .fold(0.0f64, f64::max);
    let ymax = if ymax > 0.0 {
        (ymax * 1.1).min(1.0)
    } else {
        1.0
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        root.fill(&WHITE).map_err(fig_err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 16).into_font().color(&INK))
            .margin(10)
            .margin_right(130)
            .x_label_area_size(34)
            .y_label_area_size(46)
            .build_cartesian_2d(0f64..k as f64, 0f64..ymax)
            .map_err(fig_err)?;
        let cats = d.categories.clone();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(k * 2 + 1)
            .x_label_formatter(&|x| {
                // Labels sit at the centre of each category's slot.
                let i = x.floor() as usize;
                if (x - i as f64 - 0.5).abs() < 1e-9 {
                    cats.get(i).map(|c| short(c)).unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_labels(5)
            .y_label_formatter(&|y| format!("{:.0}%", y * 100.0))
            .y_desc("share of the rater's ratings")
            .label_style((FONT, 12).into_font().color(&INK))
            .axis_desc_style((FONT, 12).into_font().color(&INK))
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .draw()
            .map_err(fig_err)?;
        let slot = 0.8 / m as f64;
        for (j, r) in d.raters.iter().enumerate() {
            let col = color(j);
            let bars = (0..k.min(r.counts.len())).map(|i| {
                let x = i as f64 + 0.1 + slot * j as f64;
                Rectangle::new([(x, 0.0), (x + slot * 0.9, share(r, i))], col.filled())
            });
            chart.draw_series(bars).map_err(fig_err)?;
        }
        let names: Vec<String> = d
            .raters
            .iter()
            .map(|r| format!("{} (n={})", short(&r.rater), r.n))
            .collect();
        legend(&root, width, &names)?;
        root.present().map_err(fig_err)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::{RaterCounts, RaterDrift};

    #[test]
    fn heatmap_prints_each_pair_and_escapes_names() {
        let raters = vec!["ana".to_string(), "<b>&x".to_string()];
        let svg = kappa_heatmap(
            "kappa",
            &raters,
            &[("ana".into(), "<b>&x".into(), Some(0.4567))],
        )
        .unwrap();
        assert_eq!(svg.matches("0.46").count(), 2, "both halves of the matrix");
        assert!(!svg.contains("<b>"), "names are escaped");
    }

    #[test]
    fn drift_and_distribution_draw() {
        let s = DriftSeries {
            measure: "m".into(),
            blocks: 3,
            raters: vec![RaterDrift {
                rater: "ana".into(),
                n: 9,
                points: vec![Some(0.1), None, Some(0.5)],
            }],
        };
        let svg = drift_chart("drift", &s).unwrap();
        assert!(svg.contains("ana"));
        assert!(
            svg.contains(r##"width="12" height="10" opacity="1" fill="#0072B2""##),
            "the legend swatch is drawn in the rater's colour"
        );
        let d = Distribution {
            categories: vec!["1".into(), "2".into()],
            raters: vec![RaterCounts {
                rater: "ben".into(),
                n: 3,
                counts: vec![1, 2],
            }],
        };
        assert!(distribution_chart("dist", &d)
            .unwrap()
            .contains("ben (n=3)"));
    }
}
