//! One table model behind the three renderers of a report table: CSV (numbers unrounded,
//! text from the data neutralised against formula injection), HTML (rounded, escaped) and
//! aligned plain text (the CLI). A table is built once from a report ([`super::tables`]); a
//! face picks the columns and rows it shows with [`Table::view`] and [`Table::rows_where`], so
//! the CSV file and the on-screen table of the same statistic cannot drift apart.
//!
//! Adding a table (a new model's estimates, say) is: build a [`Table`] from the report, then
//! call [`Table::to_csv`], [`Table::write_html`] or [`Table::to_text`].

use crate::error::{CoreError, Result};
use std::fmt::Write as _;

/// Shown for a statistic that could not be computed.
pub const DASH: &str = "—";

/// One cell. The kind decides how each renderer writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text from the data (a dimension, rater or person name, a note): escaped in HTML,
    /// neutralised in CSV.
    Text(String),
    /// Text we wrote (a level, a method, an already formatted value): escaped in HTML,
    /// written as is in CSV.
    Word(String),
    /// A count.
    Count(usize),
    /// A statistic, `None` when it could not be computed.
    Num(Option<f64>),
    /// A percentage already on the 0–100 scale.
    Percent(Option<f64>),
    /// A confidence interval; two CSV fields (`<key>_lo`, `<key>_hi`).
    Interval(Option<[f64; 2]>),
    /// A yes/no flag (`state_blind`); flagged in HTML when true.
    Flag(Option<bool>),
    /// An estimate with a second value set under it in HTML (an interval under an alpha keeps
    /// the table narrow); CSV and text show the first value only.
    Stack(Box<Cell>, Box<Cell>),
    /// A value a minimum-n rule keeps from being a result: HTML and text show the message
    /// ("too few data (n = 3)") instead of it, CSV keeps the value (its `caution` column says
    /// why it is not a result).
    Caution(Box<Cell>, String),
    /// Nothing (a column that does not apply to this row).
    Empty,
}

impl Cell {
    /// This cell, or the caution's message in its place when there is one.
    pub fn unless(self, caution: Option<&crate::analysis::minimum::Caution>) -> Cell {
        match caution {
            Some(c) => Cell::Caution(Box::new(self), c.message.clone()),
            None => self,
        }
    }
}

/// One column: its CSV header `key` (unique in the table, also what [`Table::view`] selects
/// by) and its display `label` (trusted markup: HTML writes it as is).
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// CSV header; for an interval column the two headers are `<key>_lo` and `<key>_hi`.
    pub key: &'static str,
    /// Header shown in HTML and text.
    pub label: &'static str,
    /// Left-aligned like text (cells and, except in the first column, the HTML header).
    pub text: bool,
    /// The column holds [`Cell::Interval`]s (two CSV fields).
    pub interval: bool,
    /// Written to the CSV file (display-only columns are not).
    pub csv: bool,
    /// Bold in HTML (the headline estimate of a table).
    pub strong: bool,
    /// Decimals of a [`Cell::Num`] on screen, instead of the renderer's default.
    pub decimals: Option<usize>,
}

impl Column {
    /// A numeric column shown everywhere.
    pub fn new(key: &'static str, label: &'static str) -> Self {
        Column {
            key,
            label,
            text: false,
            interval: false,
            csv: true,
            strong: false,
            decimals: None,
        }
    }

    /// A left-aligned text column.
    pub fn text(key: &'static str, label: &'static str) -> Self {
        Column {
            text: true,
            ..Column::new(key, label)
        }
    }

    /// An interval column.
    pub fn interval(key: &'static str, label: &'static str) -> Self {
        Column {
            interval: true,
            ..Column::new(key, label)
        }
    }

    /// Not written to the CSV file.
    pub fn display_only(mut self) -> Self {
        self.csv = false;
        self
    }

    /// Bold in HTML.
    pub fn strong(mut self) -> Self {
        self.strong = true;
        self
    }

    /// Shown with `n` decimals.
    pub fn decimals(mut self, n: usize) -> Self {
        self.decimals = Some(n);
        self
    }
}

/// Columns and rows; every row has one cell per column.
///
/// ```
/// use chameleon_core::report::{Cell, Column, Table};
/// let mut t = Table::new(vec![Column::new("dimension", "Dimension"), Column::new("alpha", "α")]);
/// t.push(vec![Cell::Text("=mood".into()), Cell::Num(Some(0.8125))]);
/// // CSV: unrounded, a name that a spreadsheet would run as a formula neutralised.
/// assert_eq!(t.to_csv()?, "dimension,alpha\n'=mood,0.8125\n");
/// let mut html = String::new();
/// t.write_html(&mut html);
/// assert!(html.contains("<td class=\"num\">0.8125</td>"));
/// # Ok::<(), chameleon_core::CoreError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns, in CSV order.
    pub columns: Vec<Column>,
    /// The rows.
    pub rows: Vec<Vec<Cell>>,
}

/// How the text renderer writes numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextStyle {
    /// Decimals of a [`Cell::Num`] and of interval bounds.
    pub decimals: usize,
    /// Decimals of a [`Cell::Percent`].
    pub percent_decimals: usize,
    /// Shown for a missing interval.
    pub missing_interval: &'static str,
}

impl Table {
    /// A table with these columns and no rows.
    pub fn new(columns: Vec<Column>) -> Self {
        Table {
            columns,
            rows: Vec::new(),
        }
    }

    /// Appends a row (one cell per column).
    pub fn push(&mut self, row: Vec<Cell>) {
        debug_assert_eq!(row.len(), self.columns.len(), "one cell per column");
        self.rows.push(row);
    }

    /// The columns with these keys, in this order (unknown keys are skipped).
    pub fn view(&self, keys: &[&str]) -> Table {
        let idx: Vec<usize> = keys
            .iter()
            .filter_map(|k| self.columns.iter().position(|c| c.key == *k))
            .collect();
        Table {
            columns: idx.iter().map(|&i| self.columns[i].clone()).collect(),
            rows: self
                .rows
                .iter()
                .map(|r| idx.iter().map(|&i| r[i].clone()).collect())
                .collect(),
        }
    }

    /// Only the rows whose index passes `keep`.
    pub fn rows_where(mut self, keep: impl Fn(usize) -> bool) -> Table {
        let mut i = 0;
        self.rows.retain(|_| {
            i += 1;
            keep(i - 1)
        });
        self
    }

    /// The same table with other display labels (in column order; extra labels are ignored).
    pub fn labelled(mut self, labels: &[&'static str]) -> Table {
        for (c, l) in self.columns.iter_mut().zip(labels) {
            c.label = l;
        }
        self
    }

    /// The CSV file: a header of the `csv` columns' keys, numbers in Rust's shortest
    /// round-trip form, empty fields for missing values.
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = Vec::new();
        for c in self.columns.iter().filter(|c| c.csv) {
            if c.interval {
                header.push(format!("{}_lo", c.key));
                header.push(format!("{}_hi", c.key));
            } else {
                header.push(c.key.to_string());
            }
        }
        w.write_record(&header).map_err(csv_err)?;
        for row in &self.rows {
            let mut fields = Vec::with_capacity(header.len());
            for (c, cell) in self.columns.iter().zip(row).filter(|(c, _)| c.csv) {
                if c.interval {
                    let v = match cell {
                        Cell::Interval(v) => *v,
                        Cell::Caution(inner, _) => match **inner {
                            Cell::Interval(v) => v,
                            _ => None,
                        },
                        _ => None,
                    };
                    fields.push(num_csv(v.map(|v| v[0])));
                    fields.push(num_csv(v.map(|v| v[1])));
                } else {
                    fields.push(csv_cell(cell));
                }
            }
            w.write_record(&fields).map_err(csv_err)?;
        }
        let bytes = w.into_inner().map_err(csv_err)?;
        String::from_utf8(bytes).map_err(csv_err)
    }

    /// Appends the HTML table (4 decimals, percentages with 2, `—` for missing values).
    pub fn write_html(&self, h: &mut String) {
        h.push_str("<div class=\"scroll\"><table>\n<thead><tr>");
        for (i, c) in self.columns.iter().enumerate() {
            if c.text && i > 0 {
                let _ = write!(h, "<th class=\"text\">{}</th>", c.label);
            } else {
                let _ = write!(h, "<th>{}</th>", c.label);
            }
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for row in &self.rows {
            h.push_str("<tr>");
            for (i, (c, cell)) in self.columns.iter().zip(row).enumerate() {
                let class = if i == 0 {
                    "name"
                } else if c.text {
                    "text"
                } else {
                    "num"
                };
                let _ = write!(h, "<td class=\"{class}\">{}</td>", html_cell(c, cell));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table></div>\n");
    }

    /// Aligned plain text: the first column left-aligned, the others right-aligned, two spaces
    /// between columns and a rule under the header.
    pub fn to_text(&self, style: &TextStyle) -> String {
        let mut rows: Vec<Vec<String>> =
            vec![self.columns.iter().map(|c| c.label.to_string()).collect()];
        rows.extend(self.rows.iter().map(|r| {
            let mut previous: Option<&str> = None;
            self.columns
                .iter()
                .zip(r)
                .map(|(c, cell)| {
                    // One caution over neighbouring cells (a split that is not a result) is
                    // said once, not in every column.
                    let message = match cell {
                        Cell::Caution(_, m) => Some(m.as_str()),
                        _ => None,
                    };
                    let repeated = message.is_some() && message == previous;
                    previous = message;
                    if repeated {
                        String::new()
                    } else {
                        text_cell_of(c, cell, style)
                    }
                })
                .collect()
        }));
        let left: Vec<bool> = self.columns.iter().map(|c| c.text).collect();
        align(&rows, &left)
    }
}

/// Left-aligned first column and text columns (`left`), right-aligned others, columns
/// separated by two spaces, a rule under the first row.
fn align(rows: &[Vec<String>], left: &[bool]) -> String {
    let ncol = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..ncol)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, r) in rows.iter().enumerate() {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(width[c] - cell.chars().count());
            if c == 0 {
                line.push_str(cell);
                line.push_str(&pad);
            } else if left.get(c).copied().unwrap_or(false) {
                line.push_str("  ");
                line.push_str(cell);
                line.push_str(&pad);
            } else {
                line.push_str("  ");
                line.push_str(&pad);
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
        if i == 0 {
            out.push_str(&"-".repeat(width.iter().sum::<usize>() + 2 * ncol.saturating_sub(1)));
            out.push('\n');
        }
    }
    out
}

fn csv_err(e: impl std::fmt::Display) -> CoreError {
    CoreError::Invalid(format!("writing a report table failed: {e}"))
}

fn num_csv(v: Option<f64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

fn csv_cell(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => crate::export::neutralise_formula(s),
        Cell::Word(s) => s.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Num(v) | Cell::Percent(v) => num_csv(*v),
        Cell::Interval(_) | Cell::Empty => String::new(),
        Cell::Flag(b) => b.map(|b| b.to_string()).unwrap_or_default(),
        Cell::Stack(a, _) | Cell::Caution(a, _) => csv_cell(a),
    }
}

fn fixed(v: Option<f64>, decimals: usize) -> String {
    v.map(|v| format!("{v:.decimals$}"))
        .unwrap_or_else(|| DASH.into())
}

fn html_cell(c: &Column, cell: &Cell) -> String {
    let plain = |cell: &Cell| match cell {
        Cell::Text(s) | Cell::Word(s) => super::html::esc(s),
        Cell::Count(n) => n.to_string(),
        Cell::Num(v) => fixed(*v, c.decimals.unwrap_or(4)),
        Cell::Percent(v) => v.map(|v| format!("{v:.2}%")).unwrap_or_else(|| DASH.into()),
        Cell::Interval(v) => v
            .map(|[a, b]| format!("[{a:.4}, {b:.4}]"))
            .unwrap_or_else(|| DASH.into()),
        Cell::Flag(Some(true)) => "<span class=\"flag\">yes</span>".into(),
        Cell::Flag(Some(false)) => "no".into(),
        Cell::Flag(None) => DASH.into(),
        Cell::Caution(_, m) => format!("<span class=\"caution\">{}</span>", super::html::esc(m)),
        Cell::Stack(..) | Cell::Empty => String::new(),
    };
    let strong = |s: String| {
        if c.strong {
            format!("<strong>{s}</strong>")
        } else {
            s
        }
    };
    match cell {
        Cell::Stack(a, b) => format!(
            "{}<br><span class=\"sub\">{}</span>",
            strong(plain(a)),
            plain(b)
        ),
        cell => strong(plain(cell)),
    }
}

fn text_cell_of(c: &Column, cell: &Cell, style: &TextStyle) -> String {
    let d = c.decimals.unwrap_or(style.decimals);
    match cell {
        Cell::Text(s) | Cell::Word(s) => s.clone(),
        Cell::Count(n) => n.to_string(),
        Cell::Num(v) => fixed(*v, d),
        Cell::Percent(v) => {
            let p = style.percent_decimals;
            v.map(|v| format!("{v:.p$}%"))
                .unwrap_or_else(|| DASH.into())
        }
        Cell::Interval(v) => v
            .map(|[a, b]| format!("[{a:.d$}, {b:.d$}]"))
            .unwrap_or_else(|| style.missing_interval.into()),
        Cell::Flag(b) => b
            .map(|b| if b { "yes" } else { "no" }.to_string())
            .unwrap_or_else(|| DASH.into()),
        Cell::Stack(a, _) => text_cell_of(c, a, style),
        Cell::Caution(_, m) => m.clone(),
        Cell::Empty => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Table {
        let mut t = Table::new(vec![
            Column::new("dimension", "Dimension"),
            Column::text("note", "Note"),
            Column::new("share", "Share").strong(),
            Column::interval("share_ci", "95% CI"),
            Column::new("k", "k").decimals(2).display_only(),
        ]);
        t.push(vec![
            Cell::Text("=evil".into()),
            Cell::Word("ok".into()),
            Cell::Num(Some(0.123456789)),
            Cell::Interval(Some([-0.5, 0.25])),
            Cell::Num(Some(3.0)),
        ]);
        t.push(vec![
            Cell::Text("b<".into()),
            Cell::Empty,
            Cell::Num(None),
            Cell::Interval(None),
            Cell::Num(None),
        ]);
        t
    }

    #[test]
    fn a_caution_replaces_the_value_in_html_and_text_but_not_in_csv() {
        let c = crate::analysis::minimum::PERSONS_WITH_TWO_CONTEXTS.check(3);
        let mut t = Table::new(vec![
            Column::new("share", "Share").strong(),
            Column::interval("share_ci", "95% CI"),
        ]);
        t.push(vec![
            Cell::Num(Some(0.953)).unless(c.as_ref()),
            Cell::Interval(Some([0.8, 0.976])).unless(c.as_ref()),
        ]);
        assert_eq!(
            t.to_csv().unwrap(),
            "share,share_ci_lo,share_ci_hi\n0.953,0.8,0.976\n"
        );
        let mut h = String::new();
        t.write_html(&mut h);
        assert!(
            h.contains("<span class=\"caution\">too few data (n = 3)</span>")
                && !h.contains("0.953"),
            "{h}"
        );
        let text = t.to_text(&TextStyle {
            decimals: 3,
            percent_decimals: 1,
            missing_interval: "",
        });
        assert!(
            text.contains("too few data (n = 3)") && !text.contains("0.953"),
            "{text}"
        );
        assert_eq!(
            text.matches("too few data").count(),
            1,
            "one caution over neighbouring cells is said once: {text}"
        );
        assert_eq!(Cell::Num(Some(1.0)).unless(None), Cell::Num(Some(1.0)));
    }

    #[test]
    fn one_table_three_renderers() {
        let t = sample();
        assert_eq!(
            t.to_csv().unwrap(),
            "dimension,note,share,share_ci_lo,share_ci_hi\n'=evil,ok,0.123456789,-0.5,0.25\nb<,,,,\n"
        );
        let mut h = String::new();
        t.write_html(&mut h);
        assert!(h.contains("<th class=\"text\">Note</th>"), "{h}");
        assert!(h.contains("<td class=\"name\">=evil</td>"), "{h}");
        assert!(h.contains("<td class=\"name\">b&lt;</td>"), "{h}");
        assert!(h.contains("<strong>0.1235</strong>"), "{h}");
        assert!(h.contains("[-0.5000, 0.2500]"), "{h}");
        assert!(h.contains("<td class=\"num\">3.00</td>"), "{h}");
        let text = t
            .view(&["dimension", "share", "share_ci"])
            .to_text(&TextStyle {
                decimals: 3,
                percent_decimals: 1,
                missing_interval: "",
            });
        assert_eq!(
            text,
            "Dimension  Share           95% CI\n\
             ---------------------------------\n\
             =evil      0.123  [-0.500, 0.250]\n\
             b<             —\n"
        );
    }

    #[test]
    fn views_select_columns_and_rows() {
        let t = sample().view(&["share", "dimension", "missing"]);
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.columns[0].key, "share");
        assert_eq!(t.rows[1][1], Cell::Text("b<".into()));
        let t = t.rows_where(|i| i == 1).labelled(&["S"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.columns[0].label, "S");
        assert_eq!(t.columns[1].label, "Dimension");
    }
}
