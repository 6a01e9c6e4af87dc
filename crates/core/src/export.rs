//! Exports: ratings to the tidy long CSV (the import format, so a round trip gives the same
//! rows), profiles to JSONL, the codebook to JSON or TOML. Files are written to a temporary
//! name and renamed, so a failed export leaves nothing half-written.

use crate::error::{CoreError, Result};
use crate::model::Codebook;
use crate::store::raters::NO_RATER;
use crate::store::Study;
use std::io::Write;
use std::path::Path;

/// What `export ratings` writes besides the ratings.
#[derive(Debug, Clone, Copy, Default)]
pub struct RatingsExportOptions {
    /// Adds `created_at,seconds_spent,note,confidence`.
    pub provenance: bool,
    /// Includes adjudicated values (as their rater).
    pub include_adjudicated: bool,
    /// Writes a nominal dimension's values as their category labels instead of their codes
    /// (what `import ratings` reads back into the same codes).
    pub labels: bool,
}

/// The category labels of each nominal dimension, by dimension id (empty unless asked for).
fn category_labels(
    study: &Study,
    opts: RatingsExportOptions,
) -> Result<std::collections::HashMap<i64, std::collections::HashMap<i64, String>>> {
    let mut out = std::collections::HashMap::new();
    if !opts.labels {
        return Ok(out);
    }
    for (id, _, scale) in crate::store::dimension_scales(study.conn(), study.path())? {
        if let crate::model::Scale::Nominal { categories } = scale {
            out.insert(
                id,
                categories.into_iter().map(|c| (c.value, c.label)).collect(),
            );
        }
    }
    Ok(out)
}

/// A stored value as written: its category's label when `labels` has one for it.
fn value_text(v: f64, labels: Option<&std::collections::HashMap<i64, String>>) -> String {
    let code = (v.fract() == 0.0).then_some(v as i64);
    match (labels, code) {
        (Some(l), Some(c)) => l
            .get(&c)
            .map(|s| neutralise_formula(s))
            .unwrap_or_else(|| format_value(v)),
        _ => format_value(v),
    }
}

/// Writes `contents` produced by `f` to `path` atomically (temp file in the same folder, then
/// rename). `-` writes to stdout.
pub fn write_atomically(path: &Path, f: impl FnOnce(&mut dyn Write) -> Result<()>) -> Result<()> {
    if path.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut lock = stdout.lock();
        f(&mut lock)?;
        return lock.flush().map_err(|source| CoreError::Io {
            path: path.to_owned(),
            source,
        });
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io = |source| CoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut tmp = tempfile_in(dir).map_err(io)?;
    {
        let mut w = std::io::BufWriter::new(&mut tmp.1);
        f(&mut w)?;
        w.flush().map_err(io)?;
    }
    tmp.1.sync_all().map_err(io)?;
    std::fs::rename(&tmp.0, path).map_err(io)?;
    Ok(())
}

fn tempfile_in(dir: &Path) -> std::io::Result<(std::path::PathBuf, std::fs::File)> {
    for i in 0..100u32 {
        let p = dir.join(format!(".chameleon-export-{}-{i}.tmp", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("could not create a temporary file"))
}

/// `text` with a leading `'` when a spreadsheet would read it as a formula (CSV injection): it
/// starts with `=`, `+`, `-`, `@`, tab, CR or LF. A plain number (`-3`, `+1.5`, `-2e-3`) is
/// left as it is: a spreadsheet reads it as that number, nothing runs. The one neutraliser of
/// every CSV we write (ratings, report tables, audit trail).
pub fn neutralise_formula(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']) && !is_plain_number(text) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// `[+-]digits[.digits][e[+-]digits]`, nothing else (not `inf`, not `-1+2`).
fn is_plain_number(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if i < b.len() && b[i] == b'.' {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn csv_err(e: csv::Error) -> CoreError {
    CoreError::Invalid(format!("writing CSV failed: {e}"))
}

/// Columns of a ratings export that stay text in a Parquet or Arrow file: ids and notes,
/// even when every id is a number (`007` is a person, not 7).
fn is_text_column(name: &str) -> bool {
    matches!(
        name,
        "person" | "context" | "unit" | "rater" | "dimension" | "note" | "created_at"
    )
}

impl Study {
    /// Writes the ratings to `path` in the format its extension names: Parquet (`.parquet`),
    /// Arrow IPC (`.arrow`, `.feather`), else CSV (`-` is stdout); long, or with `wide` one
    /// column per dimension. Ids and notes are text columns, values float columns (text where
    /// a value is a category label).
    pub fn export_ratings_to(
        &self,
        path: &Path,
        opts: RatingsExportOptions,
        wide: bool,
    ) -> Result<usize> {
        let mut n = 0;
        let mut write = |w: &mut dyn Write| -> Result<()> {
            n = if wide {
                self.export_ratings_wide(w, opts)?
            } else {
                self.export_ratings(w, opts)?
            };
            Ok(())
        };
        match crate::tidy::Columnar::of(path) {
            None => write_atomically(path, write)?,
            Some(kind) => {
                if !crate::tidy::COLUMNAR_BUILT {
                    return Err(crate::tidy::not_built(path, kind));
                }
                let mut csv = Vec::new();
                write(&mut csv)?;
                crate::tidy::write_columnar(path, kind, &csv, &is_text_column)?;
            }
        }
        Ok(n)
    }

    /// Writes every current rating as tidy long CSV, in the order they were first stored.
    pub fn export_ratings(&self, out: &mut dyn Write, opts: RatingsExportOptions) -> Result<usize> {
        let c = self.conn();
        let any_rater: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM rating r JOIN rater t ON t.id = r.rater_id
                             WHERE t.name <> ?1 AND r.value IS NOT NULL)",
            [NO_RATER],
            |r| r.get(0),
        )?;
        let mut w = csv::WriterBuilder::new().from_writer(out);
        let mut header = vec!["person", "context"];
        if any_rater {
            header.push("rater");
        }
        header.extend(["dimension", "value"]);
        if opts.provenance {
            header.extend(["created_at", "seconds_spent", "note", "confidence"]);
        }
        w.write_record(&header).map_err(csv_err)?;
        let labels = category_labels(self, opts)?;
        let mut st = c.prepare(
            "SELECT pe.name, cx.name, t.name, d.name, r.value, r.created_at, r.seconds_spent, r.note, r.confidence, d.id
               FROM rating r JOIN profile p ON p.id = r.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context cx ON cx.id = p.context_id
               JOIN rater t ON t.id = r.rater_id JOIN dimension d ON d.id = r.dimension_id
              WHERE r.value IS NOT NULL AND (?1 OR t.kind <> 'adjudicated')
              ORDER BY r.id",
        )?;
        let mut rows = st.query([opts.include_adjudicated])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            // Names and notes come from annotators' files and machines.
            let text = |s: String| neutralise_formula(&s);
            let mut rec: Vec<String> = vec![text(r.get(0)?), text(r.get(1)?)];
            if any_rater {
                rec.push(text(r.get(2)?));
            }
            rec.push(text(r.get(3)?));
            rec.push(value_text(r.get(4)?, labels.get(&r.get::<_, i64>(9)?)));
            if opts.provenance {
                rec.push(crate::tidy::format_timestamp(r.get(5)?));
                rec.push(
                    r.get::<_, Option<f64>>(6)?
                        .map(format_value)
                        .unwrap_or_default(),
                );
                rec.push(text(r.get::<_, Option<String>>(7)?.unwrap_or_default()));
                rec.push(
                    r.get::<_, Option<f64>>(8)?
                        .map(format_value)
                        .unwrap_or_default(),
                );
            }
            w.write_record(&rec).map_err(csv_err)?;
            n += 1;
        }
        w.flush()
            .map_err(|e| CoreError::Invalid(format!("writing CSV failed: {e}")))?;
        Ok(n)
    }

    /// Writes every current rating as a wide CSV: `person,context[,rater]` and one column per
    /// dimension in codebook order, one row per profile and rater in the order first stored; a
    /// rating not given is an empty cell. The shape `import ratings --wide` reads.
    pub fn export_ratings_wide(
        &self,
        out: &mut dyn Write,
        opts: RatingsExportOptions,
    ) -> Result<usize> {
        let c = self.conn();
        let dims: Vec<(i64, String)> = {
            let mut st = c.prepare("SELECT id, name FROM dimension ORDER BY position, id")?;
            let v = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<std::result::Result<_, _>>()?;
            v
        };
        let any_rater: bool = c.query_row(
            "SELECT EXISTS (SELECT 1 FROM rating r JOIN rater t ON t.id = r.rater_id
                             WHERE t.name <> ?1 AND r.value IS NOT NULL)",
            [NO_RATER],
            |r| r.get(0),
        )?;
        let mut st = c.prepare(
            "SELECT pe.name, cx.name, t.name, r.dimension_id, r.value
               FROM rating r JOIN profile p ON p.id = r.profile_id
               JOIN person pe ON pe.id = p.person_id JOIN context cx ON cx.id = p.context_id
               JOIN rater t ON t.id = r.rater_id
              WHERE r.value IS NOT NULL AND (?1 OR t.kind <> 'adjudicated')
              ORDER BY r.id",
        )?;
        let labels = category_labels(self, opts)?;
        let column_labels: Vec<Option<&std::collections::HashMap<i64, String>>> =
            dims.iter().map(|(id, _)| labels.get(id)).collect();
        let column: std::collections::HashMap<i64, usize> = dims
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (*id, i))
            .collect();
        let mut order: Vec<(String, String, String)> = Vec::new();
        let mut cells: std::collections::HashMap<(String, String, String), Vec<Option<f64>>> =
            std::collections::HashMap::new();
        let mut rows = st.query([opts.include_adjudicated])?;
        let mut n = 0;
        while let Some(r) = rows.next()? {
            let key: (String, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let Some(&col) = column.get(&r.get::<_, i64>(3)?) else {
                continue;
            };
            let row = cells.entry(key.clone()).or_insert_with(|| {
                order.push(key);
                vec![None; dims.len()]
            });
            row[col] = Some(r.get(4)?);
            n += 1;
        }
        let mut w = csv::WriterBuilder::new().from_writer(out);
        let mut header = vec!["person".to_owned(), "context".to_owned()];
        if any_rater {
            header.push("rater".to_owned());
        }
        header.extend(dims.iter().map(|(_, d)| neutralise_formula(d)));
        w.write_record(&header).map_err(csv_err)?;
        for key in &order {
            let text = |s: &str| neutralise_formula(s);
            let mut rec = vec![text(&key.0), text(&key.1)];
            if any_rater {
                rec.push(text(&key.2));
            }
            if let Some(values) = cells.get(key) {
                rec.extend(
                    values
                        .iter()
                        .zip(&column_labels)
                        .map(|(v, l)| v.map(|v| value_text(v, *l)).unwrap_or_default()),
                );
            }
            w.write_record(&rec).map_err(csv_err)?;
        }
        w.flush()
            .map_err(|e| CoreError::Invalid(format!("writing CSV failed: {e}")))?;
        Ok(n)
    }

    /// Writes one JSON object per profile: `{"person","context","texts":[...]}` (the JSONL
    /// import format).
    pub fn export_profiles(&self, out: &mut dyn Write) -> Result<usize> {
        let ids: Vec<i64> = {
            let mut st = self.conn().prepare("SELECT id FROM profile ORDER BY id")?;
            let v = st
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            v
        };
        let io = |e: std::io::Error| CoreError::Invalid(format!("writing profiles failed: {e}"));
        for id in &ids {
            let p = self.profile(*id)?;
            let line =
                serde_json::json!({ "person": p.person, "context": p.context, "texts": p.texts });
            writeln!(out, "{line}").map_err(io)?;
        }
        Ok(ids.len())
    }

    /// The codebook as TOML (`toml == true`) or pretty JSON.
    pub fn export_codebook(&self, toml_format: bool) -> Result<String> {
        let cb: Codebook = self
            .codebook()?
            .ok_or_else(|| CoreError::Invalid("the study has no codebook yet".into()))?;
        if toml_format {
            toml::to_string_pretty(&cb)
                .map_err(|e| CoreError::Invalid(format!("cannot write TOML: {e}")))
        } else {
            serde_json::to_string_pretty(&cb)
                .map_err(|e| CoreError::Invalid(format!("cannot write JSON: {e}")))
        }
    }
}

/// Shortest text that reads back as the same number (`3`, `2.5`, `0.1`).
pub fn format_value(v: f64) -> String {
    format!("{v}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_formula_lead_is_neutralised_and_numbers_and_plain_text_are_kept() {
        for lead in ['=', '+', '-', '@', '\t', '\r', '\n'] {
            for rest in ["HYPERLINK(\"http://x\")", "cmd|' /C calc'!A0", "1+1", ""] {
                let bad = format!("{lead}{rest}");
                assert_eq!(
                    neutralise_formula(&bad),
                    format!("'{bad}"),
                    "a spreadsheet must not run {bad:?}"
                );
            }
        }
        for number in ["-3", "+1", "-0.01", "-2e-3", "+1.5E+2", "-.5"] {
            assert_eq!(
                neutralise_formula(number),
                number,
                "a number stays a number"
            );
        }
        for ok in ["ana", "{\"rater\":\"ana\"}", "", "2026-01-01", "a=b"] {
            assert_eq!(neutralise_formula(ok), ok, "plain text stays as it is");
        }
        for not_number in ["-", "-e5", "-1e", "-inf", "-NaN", "-1-1", "- 1"] {
            assert!(
                neutralise_formula(not_number).starts_with('\''),
                "{not_number:?}"
            );
        }
    }
}
